#pragma once
// Runs the built tradingd-ibsim (the IB Gateway simulator) for a test: its
// API and control ports, and the control channel's commands with deadlines.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/integration/process.h"

namespace td::testing {

inline const std::string kIbSimBin = IBSIM_BIN;

// A blocking loopback connection (-1 on failure).
inline int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class IbSimProcess {
 public:
  // Extra flags after --port 0 --control-port 0 --log-level warn (the test
  // reads the output only at startup: a chatty log would fill the pipe and
  // block the simulator).
  explicit IbSimProcess(std::vector<std::string> flags = {}) : process_(args(std::move(flags))) {
    const bool up = process_.wait_for(
        [](const std::string& o) {
          return port_in(o, "ibsim listening on ") && port_in(o, "ibsim control on ");
        },
        std::chrono::seconds(10));
    if (!up) throw std::runtime_error("tradingd-ibsim did not start:\n" + process_.output());
    port_ = port_in(process_.output(), "ibsim listening on ");
    control_port_ = port_in(process_.output(), "ibsim control on ");
  }
  ~IbSimProcess() {
    if (control_fd_ >= 0) ::close(control_fd_);
  }
  IbSimProcess(const IbSimProcess&) = delete;
  IbSimProcess& operator=(const IbSimProcess&) = delete;

  int port() const { return port_; }
  int control_port() const { return control_port_; }
  Process& process() { return process_; }

  // One command, its reply line without the newline ("" on timeout or a closed channel).
  std::string control(const std::string& line,
                      std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    if (control_fd_ < 0) control_fd_ = connect_loopback(control_port_);
    if (control_fd_ < 0) return "";
    const std::string out = line + "\n";
    if (::send(control_fd_, out.data(), out.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(out.size()))
      return "";
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string reply = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return reply;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{control_fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      char buf[65536];
      const ssize_t n = ::read(control_fd_, buf, sizeof buf);
      if (n <= 0) return "";
      buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  // `stats` as JSON (null when the reply is not "ok {...}").
  nlohmann::json stats() {
    const std::string r = control("stats");
    if (r.rfind("ok ", 0) != 0) return nullptr;
    return nlohmann::json::parse(r.substr(3), nullptr, false);
  }

  // `orders` as a JSON array (empty when the reply is not "ok [...]").
  nlohmann::json orders() {
    const std::string r = control("orders");
    if (r.rfind("ok ", 0) != 0) return nlohmann::json::array();
    return nlohmann::json::parse(r.substr(3), nullptr, false);
  }

 private:
  static std::vector<std::string> args(std::vector<std::string> flags) {
    std::vector<std::string> a{kIbSimBin, "--port",      "0",   "--control-port",
                               "0",       "--log-level", "warn"};
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  }
  // The port on the whole line that starts with `key` (0 while none).
  static int port_in(const std::string& o, const std::string& key) {
    const size_t at = o.find(key);
    if (at == std::string::npos) return 0;
    const size_t nl = o.find('\n', at);
    if (nl == std::string::npos) return 0;
    const size_t colon = o.rfind(':', nl);
    return colon == std::string::npos || colon < at
               ? 0
               : std::stoi(o.substr(colon + 1, nl - colon - 1));
  }

  Process process_;
  int port_ = 0;
  int control_port_ = 0;
  int control_fd_ = -1;
  std::string buffer_;
};

}  // namespace td::testing
