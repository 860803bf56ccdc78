#include "brokers/ib/ibsim/listener.h"

#include <spdlog/spdlog.h>

namespace td::ibsim {

namespace asio = boost::asio;
using asio::ip::tcp;

Listener::Listener(asio::io_context& io, OnAccept on_accept)
    : acceptor_(io), on_accept_(std::move(on_accept)) {}

Result<std::shared_ptr<Listener>> Listener::open(asio::io_context& io, const std::string& host,
                                                 uint16_t port, OnAccept on_accept) {
  auto l = std::make_shared<Listener>(io, std::move(on_accept));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "bad address '" + host + "'");
  const tcp::endpoint ep(address, port);
  l->acceptor_.open(ep.protocol(), ec);
  if (!ec) l->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(ep, ec);
  if (!ec) l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(ErrorCode::kUnavailable, "cannot listen on " + host + ":" +
                                                   std::to_string(port) + ": " + ec.message());
  l->port_ = l->acceptor_.local_endpoint().port();
  return l;
}

void Listener::start() {
  accept();
}

void Listener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void Listener::accept() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (ec)
      spdlog::warn("accept: {}", ec.message());
    else
      self->on_accept_(std::move(s));
    self->accept();
  });
}

}  // namespace td::ibsim
