#pragma once
// A test HTTP client over a real loopback socket whose every operation has a
// deadline, so a server bug fails a test instead of hanging it; plus
// eventually() to wait for a condition without sleeping a fixed time.
#include <fmt/format.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace td::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Response = bhttp::response<bhttp::string_body>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Polls `condition` until it holds or `timeout` passes.
template <class F>
bool eventually(F condition, Clock::duration timeout = 5s) {
  const auto end = Clock::now() + timeout;
  while (Clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

inline std::string raw_request(std::string_view method, std::string_view target,
                               std::string_view body = {}, const HeaderList& headers = {}) {
  std::string r = fmt::format("{} {} HTTP/1.1\r\nHost: test\r\n", method, target);
  for (const auto& [n, v] : headers) r += fmt::format("{}: {}\r\n", n, v);
  if (!body.empty() || method == "POST") r += fmt::format("Content-Length: {}\r\n", body.size());
  r += "\r\n";
  r += body;
  return r;
}

inline std::string header(const Response& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? std::string() : std::string(it->value());
}

// A blocking-style client whose every operation has a deadline.
class Client {
 public:
  explicit Client(uint16_t port, std::string_view address = "127.0.0.1") {
    beast::error_code ec;
    socket_.connect(tcp::endpoint(net::ip::make_address(address), port), ec);
    connected_ = !ec;
  }
  bool connected() const { return connected_; }

  bool send(std::string_view data, Clock::duration timeout = 5s) {
    std::optional<beast::error_code> result;
    net::async_write(socket_, net::buffer(data.data(), data.size()),
                     [&](beast::error_code ec, std::size_t) { result = ec; });
    return run(timeout) && result && !*result;
  }

  std::optional<Response> read(Clock::duration timeout = 5s, bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
    parser.body_limit(16 * 1024 * 1024);
    std::optional<beast::error_code> result;
    bhttp::async_read(socket_, buffer_, parser,
                      [&](beast::error_code ec, std::size_t) { result = ec; });
    if (!run(timeout) || !result || *result) return std::nullopt;
    return parser.release();
  }

  std::optional<Response> request(std::string_view method, std::string_view target,
                                  std::string_view body = {}, const HeaderList& headers = {}) {
    if (!send(raw_request(method, target, body, headers))) return std::nullopt;
    return read();
  }

  // True when the server closes the connection (EOF or reset) within
  // `timeout`; whatever it still sends is discarded.
  bool wait_closed(Clock::duration timeout = 5s) {
    const auto end = Clock::now() + timeout;
    buffer_.consume(buffer_.size());
    std::array<char, 4096> scratch;
    for (;;) {
      std::optional<beast::error_code> result;
      socket_.async_read_some(net::buffer(scratch),
                              [&](beast::error_code ec, std::size_t) { result = ec; });
      if (!run(end - Clock::now())) return false;
      if (result && *result) return true;
    }
  }

  void shutdown_send() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }
  void close() {
    beast::error_code ec;
    socket_.close(ec);
  }

 private:
  // Runs the pending operation; at the deadline cancels it and returns false.
  bool run(Clock::duration timeout) {
    io_->restart();
    io_->run_for(std::max<Clock::duration>(timeout, 0ms));
    if (io_->stopped()) return true;
    beast::error_code ec;
    socket_.cancel(ec);
    io_->restart();
    io_->run();
    return false;
  }

  std::unique_ptr<net::io_context> io_ = std::make_unique<net::io_context>();  // movable Client
  tcp::socket socket_{*io_};
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace td::test
