// One HTTP/1.1 request over a fresh connection (client.h), as a C++20
// coroutine on a private io_context; a Watchdog enforces the deadline and
// the stop flag by closing the socket under the coroutine.
#include <boost/asio/co_spawn.hpp>
#include <boost/beast/http.hpp>
#include <exception>

#include "tradectl/client.h"
#include "tradectl/transport.h"

namespace td::tradectl {
namespace {

using namespace detail;
namespace http = boost::beast::http;

constexpr std::size_t kBodyLimit = 64 * 1024 * 1024;

http::request<http::string_body> make_request(const ClientConfig& config, const Request& r,
                                              const std::string& request_id) {
  http::request<http::string_body> req;
  req.method_string(r.method);
  req.target(config.endpoint.prefix + r.target);
  req.version(11);
  req.set(http::field::host, config.endpoint.host_header());
  req.set(http::field::user_agent, kUserAgent);
  req.set(http::field::accept, "application/json, application/problem+json, text/plain");
  req.set("X-Request-Id", request_id);
  req.set(http::field::connection, "close");
  if (r.auth && config.token) req.set(http::field::authorization, "Bearer " + *config.token);
  if (r.body) {
    req.set(http::field::content_type, "application/json");
    req.body() = *r.body;
  }
  req.prepare_payload();
  return req;
}

struct State {
  const ClientConfig& config;
  http::request<http::string_body> request;
  std::string request_id;
  std::string stage;
  Response response;
};

template <class Stream>
net::awaitable<void> exchange(State& s, tcp::resolver& resolver, Stream& stream) {
  const Endpoint& ep = s.config.endpoint;
  s.stage = "resolve " + ep.host;
  auto results = co_await resolver.async_resolve(ep.host, ep.port, net::use_awaitable);
  s.stage = "connect to " + ep.authority();
  co_await beast::get_lowest_layer(stream).async_connect(results, net::use_awaitable);
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    s.stage = "TLS handshake with " + ep.authority();
    prepare_tls(stream, s.config);
    co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
  }
  s.stage = "send request to " + ep.authority();
  co_await http::async_write(stream, s.request, net::use_awaitable);
  s.stage = "read response from " + ep.authority();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  auto res = parser.release();
  s.response.status = static_cast<int>(res.result_int());
  s.response.reason = std::string(res.reason());
  s.response.content_type = std::string(res[http::field::content_type]);
  s.response.request_id = std::string(res["X-Request-Id"]);
  if (s.response.request_id.empty()) s.response.request_id = s.request_id;
  s.response.body = std::move(res.body());
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
}

template <class Stream>
Outcome run(State& s, net::io_context& ioc, Stream& stream, SSL* ssl_handle) {
  tcp::resolver resolver(ioc);
  Watchdog watchdog(ioc, s.config.stop);
  watchdog.arm(Clock::now() + s.config.timeout, [&](bool) {
    resolver.cancel();
    beast::get_lowest_layer(stream).close();
  });
  std::exception_ptr failure;
  bool done = false;
  net::co_spawn(ioc, exchange(s, resolver, stream), [&](std::exception_ptr e) {
    failure = e;
    done = true;
    watchdog.disarm();
  });
  ioc.run();
  if (watchdog.fired()) {
    if (watchdog.interrupted()) return TransportError{"interrupted during " + s.stage, true};
    const double secs = std::chrono::duration<double>(s.config.timeout).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", secs);
    return TransportError{s.stage + ": timed out after " + buf + " s (--timeout)"};
  }
  if (!done) return TransportError{s.stage + ": did not complete"};
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
      return TransportError{describe_failure(s.stage, e.code(), ssl_handle)};
    } catch (const std::exception& e) {
      return TransportError{s.stage + ": " + e.what()};
    }
  }
  return s.response;
}

}  // namespace

Outcome perform(const ClientConfig& config, const Request& request) {
  const std::string request_id = new_request_id();
  State s{config, make_request(config, request, request_id), request_id, {}, {}};
  net::io_context ioc;
  if (!config.endpoint.tls) {
    beast::tcp_stream stream(ioc);
    return run(s, ioc, stream, nullptr);
  }
  std::string error;
  auto ctx = make_ssl_context(config, error);
  if (!ctx) return TransportError{error};
  beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
  return run(s, ioc, stream, stream.native_handle());
}

}  // namespace td::tradectl
