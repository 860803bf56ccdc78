#pragma once
// The seam between the HTTP transport and a WebSocket service (api/stream).
// The transport parses the upgrade request like any other; when it is an
// upgrade (GET with Upgrade: websocket) to a path the handler serves, and
// every response before it on the connection has been written, it hands the
// request and the connection's stream (plain TCP or TLS, handshake done) to
// the handler, which either refuses (an HTTP response the transport sends
// before closing) or takes the stream over for good. Upgrades to other paths
// are answered 404; non-upgrade requests go to the Router as usual.
//
// Boost types are part of this seam (unlike router.h): a WebSocket service
// cannot work without the stream.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string_view>

#include "api/http/router.h"

namespace td::api::http {

using PlainStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
// The upgrade request as Beast parsed it (what websocket::stream::async_accept takes).
using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;

  // Does an upgrade to `path` (target without the query) belong here?
  // Called on API threads; must answer at once.
  virtual bool serves(std::string_view path) const = 0;

  // HttpServer::start() calls attach() once, before any API thread runs,
  // with the executor of the server's io_context (the handler's own work
  // runs there). HttpServer::stop() calls detach() after every API thread
  // has been joined: the handler closes every connection it holds at once
  // and never uses the executor again.
  virtual void attach(boost::asio::any_io_executor executor) = 0;
  virtual void detach() = 0;

  // An upgrade request to a served path, on the connection's strand (the
  // stream's executor). Returns a refusal (sent by the transport, then the
  // connection closes), or std::nullopt after moving `stream` away (the
  // handler owns the connection from then on). `request` is the transport's
  // view (remote address, request id); `upgrade` is Beast's. Must not block.
  virtual std::optional<HttpResponse> upgrade(const HttpRequest& request, UpgradeRequest& upgrade,
                                              PlainStream& stream) = 0;
  virtual std::optional<HttpResponse> upgrade(const HttpRequest& request, UpgradeRequest& upgrade,
                                              TlsStream& stream) = 0;
};

}  // namespace td::api::http
