#pragma once
// A TCP acceptor that hands each connection to a callback. Why one class for
// both ports: the API port and the control port differ only in what serves a
// connection, and both must report their bound port (port 0 = ephemeral) so
// tests can find them.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace td::ibsim {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket)>;

  // Binds and listens; accepting starts with start().
  static Result<std::shared_ptr<Listener>> open(boost::asio::io_context& io,
                                                const std::string& host, uint16_t port,
                                                OnAccept on_accept);
  void start();
  void stop();
  uint16_t port() const { return port_; }

  Listener(boost::asio::io_context& io, OnAccept on_accept);

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  OnAccept on_accept_;
  uint16_t port_ = 0;
};

}  // namespace td::ibsim
