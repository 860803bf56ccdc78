// `tradectl watch` against a small Beast WebSocket server in the test, over
// real loopback sockets: the Authorization header on the upgrade, the
// subscribe message, one JSON line per message (number text kept), seq gap
// reports, reconnect and re-subscribe after the server closes (1013),
// refusal of the upgrade (exit 1), --no-reconnect (exit 3) and a clean close
// on the stop flag. The server follows a script per connection and runs on
// its own thread under a deadline; the test waits on its signals, never sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "tradectl/cli.h"
#include "tradectl/transport.h"

namespace td::tradectl {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

struct Script {
  int reject_status = 0;              // answer the upgrade with this status instead
  std::vector<std::string> messages;  // sent after the subscribe message arrived
  std::optional<int> close_code;  // close with it after sending; else wait for the client's close
};

struct Connection {
  std::string authorization;
  std::string target;
  std::string subscribe;
  int client_close_code = -1;  // the client's close frame code (when it closed)
};

class FakeStreamServer {
 public:
  explicit FakeStreamServer(std::vector<Script> scripts)
      : scripts_(std::move(scripts)), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, serve_all(), net::detached);
    thread_ = std::thread([this] { ioc_.run_for(20s); });
  }
  ~FakeStreamServer() { join(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  // Waits until `n` messages in all have been sent.
  bool wait_sent(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return sent_ >= n; });
  }
  std::vector<Connection> connections() {
    std::lock_guard lock(mu_);
    return connections_;
  }

 private:
  net::awaitable<void> serve_all() {
    for (const auto& script : scripts_) {
      Connection conn;
      try {
        co_await serve(script, conn);
      } catch (const std::exception&) {
      }
      std::lock_guard lock(mu_);
      connections_.push_back(conn);
    }
  }

  net::awaitable<void> serve(const Script& script, Connection& conn) {
    tcp::socket socket = co_await acceptor_.async_accept(net::use_awaitable);
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, net::use_awaitable);
    conn.authorization = std::string(req[http::field::authorization]);
    conn.target = std::string(req.target());
    if (script.reject_status != 0) {
      http::response<http::string_body> res{static_cast<http::status>(script.reject_status), 11};
      res.set(http::field::content_type, "application/problem+json");
      res.set("X-Request-Id", std::string(req["X-Request-Id"]));
      res.body() = R"({"type":"/problems/unauthorized","title":"Unauthorized","status":401,)"
                   R"("detail":"invalid token"})";
      res.prepare_payload();
      co_await http::async_write(socket, res, net::use_awaitable);
      co_return;
    }
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    co_await ws.async_accept(req, net::use_awaitable);
    beast::flat_buffer in;
    co_await ws.async_read(in, net::use_awaitable);
    conn.subscribe = beast::buffers_to_string(in.data());
    for (const auto& m : script.messages) {
      ws.text(true);
      co_await ws.async_write(net::buffer(m), net::use_awaitable);
      std::lock_guard lock(mu_);
      ++sent_;
      cv_.notify_all();
    }
    if (script.close_code) {
      co_await ws.async_close(websocket::close_reason(static_cast<uint16_t>(*script.close_code)),
                              net::use_awaitable);
      co_return;
    }
    for (;;) {
      beast::flat_buffer drain;
      beast::error_code ec;
      co_await ws.async_read(drain, net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        if (ec == websocket::error::closed) conn.client_close_code = ws.reason().code;
        co_return;
      }
    }
  }

  std::vector<Script> scripts_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t sent_ = 0;
  std::vector<Connection> connections_;
};

struct Result {
  int code = -1;
  std::string out, err;
};

Result run_watch(const std::string& url, std::vector<std::string> args,
                 const std::atomic<bool>* stop = nullptr) {
  std::ostringstream out, err;
  Io io{out, err,
        [&](const std::string& n) -> std::optional<std::string> {
          if (n == "TRADECTL_URL") return url;
          if (n == "TRADECTL_TOKEN") return "td_watch";
          return std::nullopt;
        },
        stop};
  args.insert(args.begin(), "watch");
  Result r;
  r.code = run(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(TradectlWatch, PrintsLinesReportsGapsAndReconnects) {
  FakeStreamServer server(std::vector<Script>{
      Script{
          0,
          {R"({"type":"snapshot","topic":"orders","seq":1,"data":[]})",
           R"({"type": "update", "topic": "quotes:SPY", "seq": 2, "data": {"bid": "450.10", "x": 1.50}})",
           R"({"type":"update","topic":"orders","seq":4,"data":{}})"},
          1013},
      Script{0,
             {R"({"type":"snapshot","topic":"orders","seq":1,"data":[]})",
              R"({"type":"update","topic":"orders","seq":2,"data":{"id":"7"}})"},
             std::nullopt},
  });
  Result r = run_watch(server.url(), {"orders", "quotes:SPY", "--count", "5"});
  server.join();
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"type\":\"snapshot\",\"topic\":\"orders\",\"seq\":1,\"data\":[]}\n"
            "{\"type\":\"update\",\"topic\":\"quotes:SPY\",\"seq\":2,\"data\":{\"bid\":\"450.10\","
            "\"x\":1.50}}\n"
            "{\"type\":\"update\",\"topic\":\"orders\",\"seq\":4,\"data\":{}}\n"
            "{\"type\":\"snapshot\",\"topic\":\"orders\",\"seq\":1,\"data\":[]}\n"
            "{\"type\":\"update\",\"topic\":\"orders\",\"seq\":2,\"data\":{\"id\":\"7\"}}\n");
  EXPECT_NE(r.err.find("seq gap: expected 3, got 4 (1 message(s) missed)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("disconnected: closed by the server (code 1013, try again later: too slow)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("reconnecting in 0.25 s"), std::string::npos) << r.err;
  // Only one gap: the second connection's seq starts again at 1.
  EXPECT_EQ(r.err.find("seq gap", r.err.find("seq gap") + 1), std::string::npos) << r.err;

  const auto conns = server.connections();
  ASSERT_EQ(conns.size(), 2u);
  for (const auto& c : conns) {
    EXPECT_EQ(c.authorization, "Bearer td_watch");
    EXPECT_EQ(c.target, "/api/v1/stream");
    EXPECT_EQ(c.subscribe, R"({"op":"subscribe","topics":["orders","quotes:SPY"]})");
  }
  EXPECT_EQ(conns[1].client_close_code, 1000);  // --count reached: a normal close
}

TEST(TradectlWatch, StopFlagClosesTheStreamNormally) {
  FakeStreamServer server(std::vector<Script>{
      Script{0, {R"({"type":"snapshot","topic":"pnl","seq":1,"data":{}})"}, {}}});
  std::atomic<bool> stop{false};
  Result r;
  std::thread client([&] { r = run_watch(server.url(), {"pnl"}, &stop); });
  ASSERT_TRUE(server.wait_sent(1));
  stop = true;
  client.join();
  server.join();
  EXPECT_EQ(r.code, 0) << r.err;
  const auto conns = server.connections();
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns[0].client_close_code, 1000);
}

// The bug behind a flaky StopFlagClosesTheStreamNormally: the one-second
// grace for the server's close reply was re-armed while the stop flag was
// still set, so it fired on the next 10 ms poll and cut the connection.
TEST(TradectlWatchdog, GraceArmedAfterAStopWaitsForItsDeadline) {
  net::io_context ioc;
  std::atomic<bool> stop{true};
  detail::Watchdog watchdog(ioc, &stop);
  const auto start = detail::Clock::now();
  std::optional<detail::Clock::duration> grace_fired_after;
  watchdog.arm(detail::Clock::time_point::max(), [&](bool interrupted) {
    EXPECT_TRUE(interrupted);
    watchdog.arm(
        detail::Clock::now() + 300ms,
        [&](bool again) {
          EXPECT_FALSE(again);
          grace_fired_after = detail::Clock::now() - start;
          watchdog.disarm();
        },
        /*watch_stop=*/false);
  });
  ioc.run_for(10s);  // returns when the watchdog is disarmed (no work left)
  ASSERT_TRUE(grace_fired_after.has_value());
  EXPECT_GE(*grace_fired_after, 300ms);
}

TEST(TradectlWatch, RefusedUpgradeIsAnApiError) {
  FakeStreamServer server(std::vector<Script>{Script{401, {}, {}}});
  Result r = run_watch(server.url(), {"orders"});
  server.join();
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("error 401 unauthorized: invalid token\nrequest id: tc-"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(TradectlWatch, NoReconnectExitsThreeWhenTheStreamDrops) {
  FakeStreamServer server(std::vector<Script>{Script{0, {R"({"type":"pong"})"}, 1001}});
  Result r = run_watch(server.url(), {"status", "--no-reconnect"});
  server.join();
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "{\"type\":\"pong\"}\n");
  EXPECT_NE(r.err.find("code 1001"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace td::tradectl
