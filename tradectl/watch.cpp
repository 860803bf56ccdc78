#include "tradectl/watch.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <exception>

#include "tradectl/format.h"
#include "tradectl/transport.h"

namespace td::tradectl {
namespace {

using namespace detail;
namespace websocket = boost::beast::websocket;

std::string seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::chrono::duration<double>(d).count());
  return buf;
}

struct Watcher {
  const ClientConfig& config;
  const WatchOptions& options;
  std::ostream& out;
  std::ostream& err;
  net::io_context& ioc;
  long received = 0;

  bool stopping() const { return config.stop != nullptr && config.stop->load(); }

  // One connection: returns nullopt to reconnect, or an exit code.
  template <class Stream>
  net::awaitable<std::optional<int>> session(websocket::stream<Stream>& ws, Watchdog& watchdog,
                                             SSL* ssl_handle, bool& had_message) {
    const Endpoint& ep = config.endpoint;
    tcp::resolver resolver(ioc);
    auto& lowest = beast::get_lowest_layer(ws);
    watchdog.arm(Clock::now() + config.timeout, [&](bool) {
      resolver.cancel();
      lowest.close();
    });
    const std::string request_id = new_request_id();
    std::string stage = "resolve " + ep.host;
    websocket::response_type res;
    beast::error_code ec;
    try {
      auto results = co_await resolver.async_resolve(ep.host, ep.port, net::use_awaitable);
      stage = "connect to " + ep.authority();
      co_await lowest.async_connect(results, net::use_awaitable);
      if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
        stage = "TLS handshake with " + ep.authority();
        prepare_tls(ws.next_layer(), config);
        co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
      }
      stage = "WebSocket handshake with " + ep.authority();
      ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, kUserAgent);
        req.set("X-Request-Id", request_id);
        if (config.token) req.set(beast::http::field::authorization, "Bearer " + *config.token);
      }));
      co_await ws.async_handshake(res, ep.host_header(), ep.prefix + "/api/v1/stream",
                                  net::use_awaitable);
    } catch (const boost::system::system_error& e) {
      ec = e.code();
    }
    if (ec) {
      if (stopping()) co_return 0;
      if (ec == websocket::error::upgrade_declined) {
        const int status = static_cast<int>(res.result_int());
        if (status == 400 || status == 401 || status == 403 || status == 404) {
          std::string id(res["X-Request-Id"]);
          print_problem(err, status, std::string(res.reason()), res.body(),
                        id.empty() ? request_id : id);
          co_return 1;
        }
        err << "tradectl: " << stage << ": upgrade refused with " << status << " " << res.reason()
            << '\n';
      } else if (watchdog.fired()) {
        err << "tradectl: " << stage << ": timed out after " << seconds(config.timeout) << " s\n";
      } else {
        err << "tradectl: " << describe_failure(stage, ec, ssl_handle) << '\n';
      }
      co_return std::nullopt;
    }

    // Connected: from here on only the stop flag ends the session from outside.
    watchdog.arm(Clock::time_point::max(), [&](bool) {
      ws.async_close(websocket::close_code::normal, [&](beast::error_code) {});
      // The server gets a second to answer the close frame, stop flag or not.
      watchdog.arm(
          Clock::now() + std::chrono::seconds(1), [&](bool) { lowest.close(); },
          /*watch_stop=*/false);
    });
    lowest.expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = config.timeout;
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws.set_option(timeouts);
    ws.text(true);

    Json subscribe{{"op", "subscribe"}, {"topics", options.topics}};
    std::optional<long long> expected;
    try {
      co_await ws.async_write(net::buffer(subscribe.dump()), net::use_awaitable);
      err << "tradectl: connected to " << ep.authority() << ", subscribed to";
      for (const auto& t : options.topics) err << ' ' << t;
      err << '\n';
      beast::flat_buffer buffer;
      for (;;) {
        buffer.clear();
        co_await ws.async_read(buffer, net::use_awaitable);
        const std::string text = beast::buffers_to_string(buffer.data());
        had_message = true;
        if (valid_json(text)) {
          out << compact_json(text) << '\n';
          const Json msg = Json::parse(text);
          if (msg.is_object() && msg.contains("seq") && msg["seq"].is_number_integer()) {
            const long long seq = msg["seq"].get<long long>();
            if (expected && seq != *expected) {
              err << "tradectl: seq gap: expected " << *expected << ", got " << seq;
              if (seq > *expected) err << " (" << (seq - *expected) << " message(s) missed)";
              err << '\n';
            }
            expected = seq + 1;
          }
          if (msg.is_object() && msg.value("type", "") == "error") {
            err << "tradectl: server error: " << cell(msg.value("detail", Json())) << '\n';
          }
        } else {
          out << Json(text).dump() << '\n';  // not JSON: still one line, as a JSON string
        }
        out.flush();
        if (options.count && ++received >= *options.count) {
          watchdog.disarm();
          try {
            co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
          } catch (const boost::system::system_error&) {
          }
          co_return 0;
        }
      }
    } catch (const boost::system::system_error& e) {
      ec = e.code();
    }
    if (stopping()) co_return 0;
    std::string why = ec.message();
    if (ec == websocket::error::closed) {
      const auto& reason = ws.reason();
      why = "closed by the server (code " + std::to_string(reason.code);
      if (reason.code == 1013) why += ", try again later: too slow";
      if (!reason.reason.empty())
        why += ", " + std::string(reason.reason.data(), reason.reason.size());
      why += ")";
    }
    err << "tradectl: disconnected: " << why << '\n';
    co_return std::nullopt;
  }

  template <class Stream>
  net::awaitable<int> loop(std::optional<ssl::context>& ctx) {
    auto backoff = options.backoff_initial;
    Watchdog watchdog(ioc, config.stop);
    for (;;) {
      if (stopping()) co_return 0;
      std::optional<int> result;
      bool had_message = false;
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        websocket::stream<beast::tcp_stream> ws(ioc);
        result = co_await session(ws, watchdog, nullptr, had_message);
      } else {
        websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, *ctx);
        result = co_await session(ws, watchdog, ws.next_layer().native_handle(), had_message);
      }
      if (result) {
        watchdog.disarm();
        co_return *result;
      }
      if (!options.reconnect) {
        watchdog.disarm();
        co_return 3;
      }
      if (had_message) backoff = options.backoff_initial;
      err << "tradectl: reconnecting in " << seconds(backoff) << " s\n";
      net::steady_timer timer(ioc);
      timer.expires_after(backoff);
      watchdog.arm(Clock::time_point::max(), [&](bool) { timer.cancel(); });
      beast::error_code ignored;
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
      backoff = std::min(backoff * 2, options.backoff_max);
    }
  }
};

}  // namespace

int watch(const ClientConfig& config, const WatchOptions& options, std::ostream& out,
          std::ostream& err) {
  net::io_context ioc;
  std::optional<ssl::context> ctx;
  if (config.endpoint.tls) {
    std::string error;
    ctx = make_ssl_context(config, error);
    if (!ctx) {
      err << "tradectl: " << error << '\n';
      return 3;
    }
  }
  Watcher watcher{config, options, out, err, ioc};
  int code = 3;
  std::exception_ptr failure;
  auto done = [&](std::exception_ptr e, int c) {
    failure = e;
    code = c;
  };
  if (config.endpoint.tls) {
    net::co_spawn(ioc, watcher.loop<beast::ssl_stream<beast::tcp_stream>>(ctx), done);
  } else {
    net::co_spawn(ioc, watcher.loop<beast::tcp_stream>(ctx), done);
  }
  ioc.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      err << "tradectl: watch failed: " << e.what() << '\n';
      return 3;
    }
  }
  return code;
}

}  // namespace td::tradectl
