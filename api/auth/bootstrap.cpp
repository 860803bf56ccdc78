#include "api/auth/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string_view>

namespace td::api::auth {
namespace {

tl::unexpected<Error> sys_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kUnavailable,
                    "admin token file: " + what + " " + path + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads a small file; nullopt with errno == ENOENT when it does not exist.
Result<std::optional<std::string>> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return sys_error("cannot open", path);
  }
  std::string text;
  char buf[256];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = sys_error("cannot read", path);
      ::close(fd);
      return err;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096) break;  // far more than a hash: malformed anyway
  }
  ::close(fd);
  return std::optional<std::string>{std::move(text)};
}

Status write_atomic(const std::string& dir, const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover from a crash: start afresh (and with our mode)
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("cannot create", tmp);
  if (::fchmod(fd, 0600) != 0 || !write_all(fd, text) || ::fsync(fd) != 0) {
    auto err = sys_error("cannot write", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::close(fd) != 0) {
    auto err = sys_error("cannot write", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = sys_error("cannot rename to", path);
    ::unlink(tmp.c_str());
    return err;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return sys_error("cannot open directory", dir);
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return sys_error("cannot sync directory", dir);
  return {};
}

}  // namespace

Result<std::optional<std::string>> ensure_admin_token(const std::string& data_dir,
                                                      std::vector<ApiTokenLike>& tokens) {
  if (!tokens.empty()) return std::optional<std::string>{};
  const std::string dir = data_dir.empty() ? "." : data_dir;
  const std::string path = dir + "/" + kAdminTokenFile;

  auto existing = read_file(path);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing) {
    std::string hash = std::move(**existing);
    while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r' || hash.back() == ' ' ||
                             hash.back() == '\t'))
      hash.pop_back();
    if (!is_sha256_hex(hash))
      return make_error(ErrorCode::kInvalidArgument,
                        "admin token file " + path +
                            ": not a SHA-256 hex digest; delete it to have a new admin token "
                            "created, or configure api.tokens");
    tokens.push_back(ApiTokenLike{kBootstrapTokenName, "admin", std::move(hash)});
    return std::optional<std::string>{};
  }

  std::string token;
  try {
    token = new_token();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, e.what());
  }
  std::string hash = sha256_hex(token);
  if (auto st = write_atomic(dir, path, hash); !st) return tl::unexpected(st.error());
  tokens.push_back(ApiTokenLike{kBootstrapTokenName, "admin", std::move(hash)});
  return std::optional<std::string>{std::move(token)};
}

}  // namespace td::api::auth
