#include "tradectl/token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace td::tradectl {
namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// A bearer token is one header value: printable ASCII, no spaces.
bool sane_token(const std::string& t) {
  if (t.empty() || t.size() > 4096) return false;
  for (unsigned char c : t) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

TokenResult read_token_file(const std::string& path) {
  TokenResult r;
  r.source = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    r.error = "cannot open token file " + path + ": " + std::strerror(errno);
    return r;
  }
  struct stat st {};
  // Checked on the opened file, not the name, so a swap between check and read cannot fool it.
  if (::fstat(fd, &st) != 0) {
    r.error = "cannot stat token file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    r.error = "token file " + path + " is not a regular file";
  } else if (st.st_uid != ::geteuid()) {
    r.error = "token file " + path + " is not owned by you (uid " + std::to_string(st.st_uid) +
              "); refusing to use it";
  } else if ((st.st_mode & 077) != 0) {
    r.error = "permissions " + octal_mode(st.st_mode) + " for token file " + path +
              " are too open; it must not be accessible by others (chmod 600 " + path + ")";
  } else if (st.st_size > 64 * 1024) {
    r.error = "token file " + path + " is too large to be a token";
  }
  if (!r.error.empty()) {
    ::close(fd);
    return r;
  }
  std::string content;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = "cannot read token file " + path + ": " + std::strerror(errno);
      ::close(fd);
      return r;
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > 64 * 1024) break;
  }
  ::close(fd);
  content = trim(std::move(content));
  if (content.empty()) {
    r.error = "token file " + path + " is empty";
  } else if (!sane_token(content)) {
    r.error = "token file " + path + " must hold one token on one line (no spaces)";
  } else {
    r.token = std::move(content);
  }
  return r;
}

TokenResult find_token(const std::string& token_file, const GetEnv& getenv) {
  if (!token_file.empty()) {
    TokenResult r = read_token_file(token_file);
    r.source = "--token-file " + token_file;
    return r;
  }
  if (auto env = getenv("TRADECTL_TOKEN"); env && !env->empty()) {
    TokenResult r;
    r.source = "TRADECTL_TOKEN";
    std::string t = trim(*env);
    if (!sane_token(t)) {
      r.error = "TRADECTL_TOKEN must hold one token (no spaces or control characters)";
    } else {
      r.token = std::move(t);
    }
    return r;
  }
  std::string path;
  if (auto xdg = getenv("XDG_CONFIG_HOME"); xdg && !xdg->empty() && (*xdg)[0] == '/') {
    path = *xdg + "/tradectl/token";
  } else if (auto home = getenv("HOME"); home && !home->empty()) {
    path = *home + "/.config/tradectl/token";
  } else {
    return {};
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return {};  // no default file: no token
  return read_token_file(path);
}

}  // namespace td::tradectl
