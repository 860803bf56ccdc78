#pragma once
// Test doubles for the WebSocket stream tests: a StreamSource whose
// snapshots come from a thread the test controls (or at once), and a
// WebSocket client (plain or TLS) whose every operation has a deadline, so a
// server bug fails a test instead of hanging it.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/stream/stream_source.h"

namespace td::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using WsClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Polls `condition` until it holds or `timeout` passes.
template <class F>
bool eventually(F condition, WsClock::duration timeout = 5s) {
  const auto end = WsClock::now() + timeout;
  while (WsClock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return condition();
}

// Topics: orders, fills, positions, pnl, status, risk, quotes:SPY. A snapshot
// request is answered by answer_requests() on the thread that calls it (the
// test's "engine" thread), or at once (from the hub's strand) when `immediate`.
class TestSource : public api::stream::StreamSource {
 public:
  bool valid_topic(std::string_view topic) const override {
    static const std::set<std::string, std::less<>> kTopics = {
        "orders", "fills", "positions", "pnl", "status", "risk", "quotes:SPY"};
    return kTopics.count(topic) > 0;
  }
  void request_snapshots(uint64_t subscriber, std::vector<std::string> topics) override {
    if (immediate.load() && sink != nullptr) {
      for (const auto& t : topics) sink->snapshot(subscriber, t, snapshot_of(t));
      return;
    }
    std::lock_guard lock(mu_);
    for (auto& t : topics) requests_.emplace_back(subscriber, std::move(t));
    ++requested_;
  }
  // Answers every pending request (call from the producer thread).
  std::size_t answer_requests() {
    std::deque<std::pair<uint64_t, std::string>> requests;
    {
      std::lock_guard lock(mu_);
      requests.swap(requests_);
    }
    for (const auto& [sub, topic] : requests) sink->snapshot(sub, topic, snapshot_of(topic));
    return requests.size();
  }
  std::size_t requested() {
    std::lock_guard lock(mu_);
    return requested_;
  }
  std::shared_ptr<const std::string> snapshot_of(const std::string& topic) {
    std::lock_guard lock(mu_);
    return std::make_shared<const std::string>(
        nlohmann::json{{"topic", topic}, {"state", state_}}.dump());
  }
  void set_state(int64_t s) {
    std::lock_guard lock(mu_);
    state_ = s;
  }

  api::stream::StreamSink* sink = nullptr;
  std::atomic<bool> immediate{true};

 private:
  std::mutex mu_;
  std::deque<std::pair<uint64_t, std::string>> requests_;
  std::size_t requested_ = 0;
  int64_t state_ = 0;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

template <class NextLayer>
class BasicWsClient {
 public:
  static constexpr bool kTls = !std::is_same_v<NextLayer, tcp::socket>;

  BasicWsClient() requires(!kTls) : ws_(*io_) {}
  explicit BasicWsClient(net::ssl::context& ctx) requires(kTls) : ws_(*io_, ctx) {}

  // TCP connect, TLS handshake (verifying the server against `ctx`), then
  // the WebSocket handshake. False on any failure; response() then holds the
  // server's HTTP answer when it refused the upgrade.
  bool connect(uint16_t port, const HeaderList& headers = {}, std::string target = "/api/v1/stream",
               int receive_buffer = 0) {
    auto& socket = beast::get_lowest_layer(ws_);
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    if (receive_buffer > 0)
      socket.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (ec) return false;
    socket.set_option(tcp::no_delay(true), ec);
    if constexpr (kTls) {
      std::optional<beast::error_code> r;
      ws_.next_layer().async_handshake(net::ssl::stream_base::client,
                                       [&](beast::error_code e) { r = e; });
      if (!run(5s) || !r || *r) return false;
    }
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [n, v] : headers) req.set(n, v);
    }));
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
      if (kind == websocket::frame_type::pong) pongs_.emplace_back(payload);
    });
    std::optional<beast::error_code> r;
    ws_.async_handshake(response_, "127.0.0.1", target, [&](beast::error_code e) { r = e; });
    if (!run(5s) || !r) return false;
    error_ = *r;
    return !*r;
  }

  bool write(std::string_view text) {
    std::optional<beast::error_code> r;
    ws_.text(true);
    ws_.async_write(net::buffer(text.data(), text.size()),
                    [&](beast::error_code e, std::size_t) { r = e; });
    return run(5s) && r && !*r;
  }

  // A WebSocket ping (control frame); its pong is seen by a later read().
  bool ping(std::string_view payload) {
    std::optional<beast::error_code> r;
    ws_.async_ping(websocket::ping_data(payload.data(), payload.size()),
                   [&](beast::error_code e) { r = e; });
    return run(5s) && r && !*r;
  }
  // The payloads of the pong frames read so far, in order.
  const std::vector<std::string>& pongs() const { return pongs_; }

  // The next message, or nullopt (error() says why: websocket::error::closed
  // with reason() when the server closed; operation_aborted at the deadline).
  std::optional<std::string> read(WsClock::duration timeout = 5s) {
    std::optional<beast::error_code> r;
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, [&](beast::error_code e, std::size_t) { r = e; });
    if (!run(timeout)) {
      error_ = net::error::operation_aborted;
      return std::nullopt;
    }
    error_ = *r;
    if (*r) return std::nullopt;
    return beast::buffers_to_string(buffer_.data());
  }
  std::optional<nlohmann::json> read_json(WsClock::duration timeout = 5s) {
    auto m = read(timeout);
    if (!m) return std::nullopt;
    return nlohmann::json::parse(*m, nullptr, false);
  }

  // Reads until the server closes; true when it did within `timeout`.
  bool wait_closed(WsClock::duration timeout = 5s) {
    const auto end = WsClock::now() + timeout;
    while (WsClock::now() < end) {
      if (!read(end - WsClock::now())) return error_ != net::error::operation_aborted;
    }
    return false;
  }

  const beast::error_code& error() const { return error_; }
  websocket::close_reason reason() const { return ws_.reason(); }
  const websocket::response_type& response() const { return response_; }
  websocket::stream<NextLayer>& stream() { return ws_; }

 private:
  // Runs the pending operation; at the deadline closes the socket and returns false.
  bool run(WsClock::duration timeout) {
    io_->restart();
    io_->run_for(std::max<WsClock::duration>(timeout, 0ms));
    if (io_->stopped()) return true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).close(ec);
    io_->restart();
    io_->run();
    return false;
  }

  std::unique_ptr<net::io_context> io_ = std::make_unique<net::io_context>();
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
  websocket::response_type response_;
  beast::error_code error_;
  std::vector<std::string> pongs_;
};

using WsClient = BasicWsClient<tcp::socket>;
using WssClient = BasicWsClient<net::ssl::stream<tcp::socket>>;

}  // namespace td::test
