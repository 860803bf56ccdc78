#pragma once
// Runs the built tradingd binary as a child process and reads its output with
// deadlines (never sleeps to synchronise): what an operator or systemd sees.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace td::testing {

// A private directory for one test (data_dir, config files), removed after.
class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "tradingd-it-XXXXXX").string();
    path_ = mkdtemp(t.data());
    // Searchable by others: as root, the daemon's private PostgreSQL runs as
    // the unprivileged user tradingd, which must reach data_dir/postgres.
    std::filesystem::permissions(path_, std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path p = path_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The built daemon, the example paper configuration, and the arguments that
// run it on a private data_dir with the API on a free loopback port.
inline const std::string kTradingdBin = TRADINGD_BIN;
inline const std::string kPaperConfig = std::string(TRADINGD_SOURCE_DIR) + "/config/paper.yaml";
inline std::vector<std::string> paper_args(const TempDir& d) {
  return {kTradingdBin, "run",
          "--config",   kPaperConfig,
          "--set",      "data_dir=" + d.path().string(),
          "--set",      "api.listen=127.0.0.1:0"};
}

class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(out[1], STDERR_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
  }
  ~Process() {
    if (pid_ > 0 && !exit_code_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void signal(int sig) { kill(pid_, sig); }
  const std::string& output() const { return out_; }

  // Reads output until pred(output) holds or the deadline passes.
  pid_t pid() const { return pid_; }
  bool wait_for(const std::function<bool(const std::string&)>& pred,
                std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred(out_)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return pred(out_);
    }
    return true;
  }
  bool wait_for_text(const std::string& text, std::chrono::milliseconds limit) {
    return wait_for([&](const std::string& o) { return o.find(text) != std::string::npos; }, limit);
  }
  // Drains output until EOF, then reaps the child; nullopt if it outlives the limit.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      if (!read_some(static_cast<int>(left.count()))) break;
    }
    for (;;) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      pollfd none{};
      poll(&none, 0, 10);  // the pipe is closed; the child is exiting
    }
  }

 private:
  // false on EOF or timeout.
  bool read_some(int timeout_ms) {
    if (eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[65536];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    out_.append(buf, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  bool eof_ = false;
  std::string out_;
  std::optional<int> exit_code_;
};

inline std::vector<std::string> lines_containing(const std::string& text,
                                                 const std::string& needle) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (line.find(needle) != std::string::npos) out.push_back(line);
    pos = end + 1;
  }
  return out;
}

}  // namespace td::testing

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace td::testing {

// The port in the daemon's "listening on http://HOST:PORT" line (0 if none).
inline int listening_port(const std::string& output) {
  const std::string key = "listening on http://";
  const size_t at = output.find(key);
  if (at == std::string::npos) return 0;
  const size_t colon = output.find(':', at + key.size());
  const size_t end = output.find_first_not_of("0123456789", colon + 1);
  return std::stoi(output.substr(colon + 1, end - colon - 1));
}

// Waits for the daemon's whole "listening on http://HOST:PORT" line and
// returns its port (0 if it did not come in time). Log lines reach stdout
// through the logging thread, so other output (the token banner, on stderr)
// says nothing about whether this line has arrived yet.
inline int wait_for_listening(Process& p, std::chrono::milliseconds limit) {
  const std::string key = "listening on http://";
  const bool seen = p.wait_for(
      [&](const std::string& o) {
        const size_t at = o.find(key);
        return at != std::string::npos && o.find('\n', at) != std::string::npos;
      },
      limit);
  return seen ? listening_port(p.output()) : 0;
}

// A one-shot HTTP/1.1 request on 127.0.0.1; the raw response ("" on failure).
inline std::string http_request(int port, const std::string& method, const std::string& path,
                                const std::string& token = "", const std::string& body = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty())
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    req += "\r\n" + body;
    if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

inline std::string http_get(int port, const std::string& path) {
  return http_request(port, "GET", path);
}

// The status code of a raw response (0 if none).
inline int status_of(const std::string& response) {
  if (response.size() < 12 || response.rfind("HTTP/1.", 0) != 0) return 0;
  return std::stoi(response.substr(9, 3));
}
// The body of a raw response.
inline std::string body_of(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

}  // namespace td::testing
