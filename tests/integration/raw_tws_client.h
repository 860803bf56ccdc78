#pragma once
// A TWS API client just big enough to drive tradingd-ibsim from a test: the
// wire codec over a real socket (no mocks). Also the order a test places as
// "another program" at the gateway.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <functional>
#include <optional>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/codec.h"
#include "brokers/ib/wire/frame_reader.h"
#include "brokers/ib/wire/handshake.h"
#include "tests/integration/ibsim_process.h"

namespace td::testing {

using ib::IncomingMessage;

class RawClient {
 public:
  explicit RawClient(int port) : fd_(connect_loopback(port)) {}
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // False when the server has closed (a refused connection).
  bool send_raw(const std::string& bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                           static_cast<ssize_t>(bytes.size());
  }

  // Sends "API\0" + range; the server's version reply (nullopt if none came).
  std::optional<ib::wire::ServerHello> hello(ib::wire::VersionRange range = {}) {
    if (!send_raw(*ib::wire::encode_client_hello(range))) return std::nullopt;
    auto frame = next_frame(std::chrono::seconds(3));
    if (!frame) return std::nullopt;
    auto h = ib::wire::parse_server_hello(*frame);
    if (!h || !*h) return std::nullopt;
    version_ = (*h)->version;
    return **h;
  }
  // hello + startApi, then waits for managedAccounts and nextValidId.
  int64_t start(int32_t client_id) {
    if (!hello()) return -1;
    send(ib::StartApi{.client_id = client_id, .optional_capabilities = {}});
    auto id = wait<ib::NextValidId>();
    return id ? id->order_id : -1;
  }
  void send(const ib::OutgoingMessage& m) { EXPECT_TRUE(send_raw(*ib::wire::encode(m, version_))); }

  // The next message (nullopt on timeout or EOF; eof() tells which).
  std::optional<IncomingMessage> next(std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    auto frame = next_frame(limit);
    if (!frame) return std::nullopt;
    auto m = ib::wire::decode(*frame, version_);
    EXPECT_TRUE(m.has_value()) << m.error().message;
    if (!m) return std::nullopt;
    seen_.push_back(*m);
    return *m;
  }
  // Reads until a T for which pred holds (earlier messages stay in seen()).
  template <class T>
  std::optional<T> wait(std::function<bool(const T&)> pred = nullptr,
                        std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!m) return std::nullopt;
      if (const T* t = std::get_if<T>(&*m); t && (!pred || pred(*t))) return *t;
    }
    return std::nullopt;
  }
  std::optional<ib::ErrorMessage> wait_error(int32_t code, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    return wait<ib::ErrorMessage>([code](const ib::ErrorMessage& e) { return e.code == code; },
                                  limit);
  }
  bool eof() const { return eof_; }
  // True once the server has closed the connection.
  bool closed_within(std::chrono::milliseconds limit) {
    while (next(limit)) {
    }
    return eof_;
  }
  std::vector<IncomingMessage>& seen() { return seen_; }

 private:
  std::optional<std::string> next_frame(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto f = reader_.next();
      if (!f) return std::nullopt;
      if (*f) return **f;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (eof_ || left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return std::nullopt;
      char buf[65536];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        return std::nullopt;
      }
      reader_.feed(std::string_view(buf, static_cast<size_t>(n)));
    }
  }

  int fd_;
  int version_ = ib::kMaxServerVersion;
  bool eof_ = false;
  ib::wire::FrameReader reader_;
  std::vector<IncomingMessage> seen_;
};

inline ib::Contract spy() {
  ib::Contract c;
  c.symbol = "SPY";
  c.sec_type = "STK";
  c.exchange = "SMART";
  c.currency = "USD";
  return c;
}

inline ib::PlaceOrder order(int64_t id, std::string action, int qty, std::string type = "MKT",
                            std::optional<Decimal> limit = std::nullopt) {
  ib::PlaceOrder o;
  o.order_id = id;
  o.contract = spy();
  o.action = std::move(action);
  o.total_quantity = Decimal::from_int(qty);
  o.order_type = std::move(type);
  o.lmt_price = limit;
  o.tif = "DAY";
  o.order_ref = "it-" + std::to_string(id);
  return o;
}

}  // namespace td::testing
