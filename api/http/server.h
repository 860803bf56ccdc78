#pragma once
// The HTTP/1.1 server transport of the control API, in the shape of
// Boost.Beast's advanced server: a listener accepting on its own strand, one
// session per connection on its own strand, every step an asynchronous
// do_x/on_x pair, lifetimes held by shared_from_this. It runs on its own
// io_context and threads, never the engine's.
//
// What it does for every connection (the router never sees any of it):
// - keep-alive (HTTP/1.1 default, HTTP/1.0 on request) and pipelining: up to
//   `max_pipelined` requests are handed to the router before their responses
//   are written; responses go out in request order whatever order the router
//   answers in; while the queue is full the session stops reading;
// - limits: body over `body_limit` -> 413, header over `header_limit` -> 431,
//   malformed HTTP (or HTTP/1.1 without Host) -> 400; each an
//   application/problem+json response after which the connection is closed;
// - `Expect: 100-continue` is answered with 100 Continue (when no earlier
//   response is pending) before the body is read;
// - timeouts (a timer per session, no blocking calls anywhere):
//     read_timeout:  a request must arrive completely within this time of its
//                    first byte; a new connection must send its first request
//                    within it too;
//     idle_timeout:  a keep-alive connection with nothing in flight is closed
//                    after this long without a new request;
//     write_timeout: a response must be accepted by the client within it;
//   no timeout runs while the router is working on a request;
// - over `max_connections`: the connection is accepted, answered with 503
//   problem+json `unavailable` ("Retry-After: 1") and closed, so a client sees
//   why; beyond another `max_connections` such refusals in progress, new
//   connections are closed at once;
// - every close after a response is graceful: FIN after the response, then
//   up to 2 s (at most read_timeout) reading and discarding what the client
//   still sends, so the response is not lost to a TCP reset;
// - every response carries X-Request-Id (the client's if sane, else made);
// - garbage never crashes it: parse errors are answered, exceptions from the
//   router are answered with 500 and logged, exceptions from handlers are
//   logged and the thread goes on.
//
// TLS: with `tls_cert_file` and `tls_key_file` set, every connection is TLS
// (HTTPS, and WSS after an upgrade): TLS 1.2+ with AEAD ciphers only (see
// tls_context.h); the handshake must complete within read_timeout; the
// graceful close sends close_notify. There is no plain listener beside it.
//
// WebSocket: an upgrade request to a path a WebSocketHandler serves is handed
// to it with the stream once every earlier response is written (see
// websocket_handler.h); an upgrade to any other path is answered 404. The
// handed-over connection no longer counts against max_connections.
//
// Logging: "listening on http://HOST:PORT" (https with TLS; info) once per start; one debug
// line per response (method, path without query, status, time, request id);
// never bodies, queries or header values.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http/router.h"
#include "core/status.h"

namespace td::api::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // IP address or name (resolved once at start)
  uint16_t port = 8080;            // 0: pick a free port (see HttpServer::port())
  std::size_t threads = 1;         // API threads running the server's io_context (0 counts as 1)
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;  // request line + header fields
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds write_timeout{15};
  std::size_t max_connections = 256;
  std::size_t max_pipelined = 16;  // responses queued per connection (0 counts as 1)
  // PEM files. Both set: TLS on every connection; one set without the other
  // makes start() fail.
  std::string tls_cert_file;
  std::string tls_key_file;  // the private key (unencrypted PEM)
  // Runs first on each API thread (the daemon pins them off the engine's CPU).
  std::function<void()> on_thread_start;
};

struct ListenEndpoint {
  std::string address;  // the bound address, numeric: "127.0.0.1", "::1"
  uint16_t port = 0;    // the bound port (the picked one when 0 was asked)
  bool tls = false;
  std::string url() const;  // "http://127.0.0.1:8080", "https://[::1]:8080"
};

class WebSocketHandler;  // websocket_handler.h

class HttpServer {
 public:
  // `router` and `ws` (optional: no WebSocket service) must outlive the server.
  HttpServer(ServerOptions options, Router& router, WebSocketHandler* ws = nullptr);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Resolves and binds, listens, starts the threads, logs
  // "listening on http://HOST:PORT" and returns the bound endpoint. From its
  // return, connections are accepted and answered. Fails (kUnavailable) when
  // the address cannot be resolved or bound, (kInvalidArgument) when the TLS
  // certificate or key cannot be loaded; a server starts at most once.
  Result<ListenEndpoint> start();
  // The bound port (0 before start()).
  uint16_t port() const;
  // Open connections being served (refused ones not counted); for tests and metrics.
  std::size_t connections() const;
  // Closes the acceptor and every connection (in-flight requests are dropped;
  // replies that come later are ignored) and joins the threads. Returns
  // promptly whatever the clients do. Safe to call twice, and before start().
  // Must not be called from a router's handle() on an API thread.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::api::http
