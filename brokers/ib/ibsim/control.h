#pragma once
// The control channel: one text command per line, one reply line each ("ok
// ..." or "error <why>"). Why a socket and not signals or files: a test must
// inject a fault at an exact point of its script (drop now, fill this much of
// that order now) and read back what the gateway saw (stats), synchronously.
// Commands are listed in docs/ibsim.md.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/streambuf.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace td::ibsim {

class Gateway;

// Runs one command; the reply has no newline.
std::string run_control_command(Gateway& gateway, std::string_view line);

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(boost::asio::ip::tcp::socket socket, Gateway& gateway);
  void start() { read(); }

 private:
  void read();

  boost::asio::ip::tcp::socket socket_;
  Gateway& gateway_;
  boost::asio::streambuf in_;
  std::string reply_;
};

}  // namespace td::ibsim
