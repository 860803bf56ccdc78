// api/stream: the WebSocket stream over real loopback sockets, through the
// real HTTP transport. The engine side is a TestSource; the test thread (or
// a producer thread) plays the engine: the single producer of publish() and
// snapshot() calls.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <memory>
#include <thread>

#include "api/auth/failure_limiter.h"
#include "api/auth/token.h"
#include "api/auth/token_store.h"
#include "api/http/server.h"
#include "api/stream/stream_hub.h"
#include "core/clock.h"
#include "ws_test_support.h"

namespace td::api::stream {
namespace {

using namespace td::test;
using http::HttpRequest;
using http::HttpResponse;
using http::HttpServer;
using http::Reply;
using http::ServerOptions;
using nlohmann::json;

constexpr const char* kViewerToken = "td_viewer_token_for_tests";
constexpr const char* kAdminToken = "td_admin_token_for_tests";
constexpr const char* kOrigin = "http://127.0.0.1:8080";

// Non-upgrade requests: says what it saw.
class EchoRouter : public http::Router {
 public:
  void handle(HttpRequest req, Reply reply) override {
    reply(HttpResponse::text(426, "router: " + req.method + " " + req.target));
  }
};

// The integer after "key": in a message (-1 when absent): cheaper than
// parsing thousands of padded messages in the fan-out test.
int64_t int_field(const std::string& message, std::string_view key) {
  const std::string needle = fmt::format("\"{}\":", key);
  const auto at = message.find(needle);
  if (at == std::string::npos) return -1;
  return std::strtoll(message.c_str() + at + needle.size(), nullptr, 10);
}

std::shared_ptr<const std::string> text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

class WsStreamTest : public ::testing::Test {
 protected:
  WsStreamTest() {
    auto s = auth::TokenStore::create({{"dash", "viewer", auth::sha256_hex(kViewerToken)},
                                       {"ops", "admin", auth::sha256_hex(kAdminToken)}});
    EXPECT_TRUE(s.has_value());
    store_ = std::make_unique<auth::TokenStore>(std::move(*s));
  }
  ~WsStreamTest() override { stop(); }

  StreamOptions options() {
    StreamOptions o;
    o.authenticate = [this](std::string_view a) { return store_->authenticate(a); };
    o.limiter = &limiter_;
    o.allowed_origins = {kOrigin};
    return o;
  }
  void start(StreamOptions o) { start(std::move(o), ServerOptions{}); }
  void start() { start(options()); }
  void start(StreamOptions o, ServerOptions so) {
    hub_ = std::make_unique<StreamHub>(std::move(o), source_);
    source_.sink = hub_.get();
    so.host = "127.0.0.1";
    so.port = 0;
    server_ = std::make_unique<HttpServer>(so, router_, hub_.get());
    auto r = server_->start();
    ASSERT_TRUE(r.has_value()) << r.error().message;
    port_ = r->port;
  }
  void stop() {
    if (server_) server_->stop();
    server_.reset();
    hub_.reset();
  }

  static HeaderList bearer(const char* token) {
    return {{"Authorization", fmt::format("Bearer {}", token)}};
  }
  // A client authenticated by header.
  std::unique_ptr<WsClient> client(int receive_buffer = 0) {
    auto c = std::make_unique<WsClient>();
    EXPECT_TRUE(c->connect(port_, bearer(kViewerToken), "/api/v1/stream", receive_buffer))
        << c->error().message();
    return c;
  }
  // Subscribes and reads the snapshot (the source answers at once).
  void subscribe(WsClient& c, const std::string& topic, uint64_t expect_seq) {
    ASSERT_TRUE(c.write(json{{"op", "subscribe"}, {"topics", {topic}}}.dump()));
    auto m = c.read_json();
    ASSERT_TRUE(m.has_value()) << c.error().message();
    EXPECT_EQ((*m)["type"], "snapshot") << *m;
    EXPECT_EQ((*m)["topic"], topic);
    EXPECT_EQ((*m)["seq"], expect_seq);
  }

  std::unique_ptr<auth::TokenStore> store_;
  RealClock clock_;
  auth::FailureLimiter limiter_{clock_, auth::FailureLimiterConfig{.max_failures = 3}};
  TestSource source_;
  EchoRouter router_;
  std::unique_ptr<StreamHub> hub_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(WsStreamTest, SnapshotThenUpdatesInOrderWithContiguousSeq) {
  source_.immediate = false;  // the producer thread answers snapshot requests
  start();
  auto c = client();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> published{0};
  // The engine: one thread, publishing "orders" updates 1, 2, 3, ... and
  // answering snapshot requests between them (state = last published).
  // It publishes freely until a client subscribes, then 2100 more updates
  // (fewer than a send queue holds: the client is never a slow consumer,
  // however the machine schedules it) and stops.
  std::thread producer([&] {
    int64_t n = 0, stop_at = 0;
    while (!stop.load() && (stop_at == 0 || n < stop_at)) {
      ++n;
      source_.set_state(n);
      hub_->publish("orders", text(json{{"n", n}}.dump()));
      published = n;
      if (source_.answer_requests() > 0 && stop_at == 0) stop_at = n + 2100;
      if (n % 64 == 0) std::this_thread::yield();
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join{stop, producer};
  ASSERT_TRUE(eventually([&] { return published.load() > 1000; }));
  ASSERT_TRUE(c->write(R"({"op":"subscribe","topics":["orders"]})"));
  auto snap = c->read_json();
  ASSERT_TRUE(snap.has_value()) << c->error().message();
  EXPECT_EQ((*snap)["type"], "snapshot");
  EXPECT_EQ((*snap)["topic"], "orders");
  EXPECT_EQ((*snap)["seq"], 1);
  const int64_t base = (*snap)["data"]["state"];
  EXPECT_GT(base, 1000);
  for (int64_t i = 1; i <= 2000; ++i) {
    auto m = c->read_json();
    ASSERT_TRUE(m.has_value()) << c->error().message();
    ASSERT_EQ((*m)["type"], "update");
    ASSERT_EQ((*m)["topic"], "orders");
    ASSERT_EQ((*m)["seq"], i + 1);                 // no gap in seq
    ASSERT_EQ((*m)["data"]["n"], base + i) << *m;  // no gap, no duplicate
  }
}

TEST_F(WsStreamTest, SlowConsumerIsClosedWith1013WhileOthersGetEveryUpdate) {
  StreamOptions o = options();
  o.max_clients = 128;
  o.send_queue_messages = 64;
  o.close_timeout = std::chrono::seconds(30);
  start(o);
  constexpr int kFast = 100;
  std::vector<std::unique_ptr<WsClient>> fast;
  for (int i = 0; i < kFast; ++i) {
    fast.push_back(client());
    ASSERT_NO_FATAL_FAILURE(subscribe(*fast.back(), "orders", 1));
  }
  auto slow = client(/*receive_buffer=*/4096);
  ASSERT_NO_FATAL_FAILURE(subscribe(*slow, "orders", 1));
  // The slow client stops reading now. Batches of updates go out; every fast
  // client reads each batch completely before the next (so none of them is
  // ever slow) until the hub has closed the slow one.
  const std::string payload(4096, 'x');
  constexpr int kBatch = 32;
  int64_t n = 0;
  int batches = 0;
  for (int batch = 0; batch < 2000 && hub_->slow_consumer_closes() == 0; ++batch) {
    for (int i = 0; i < kBatch; ++i) {
      ++n;
      hub_->publish("orders", text(json{{"n", n}, {"pad", payload}}.dump()));
    }
    for (int c = 0; c < kFast; ++c) {
      for (int64_t k = n - kBatch + 1; k <= n; ++k) {
        auto m = fast[c]->read();
        ASSERT_TRUE(m.has_value()) << "client " << c << ": " << fast[c]->error().message();
        ASSERT_EQ(int_field(*m, "seq"), k + 1);
        ASSERT_EQ(int_field(*m, "n"), k);
      }
    }
    ++batches;
  }
  RecordProperty("batches", batches);
  ASSERT_EQ(hub_->slow_consumer_closes(), 1u);
  // The slow client reads again: what reached it is in order, then 1013.
  int64_t expect = 1;
  for (;;) {
    auto m = slow->read(10s);
    if (!m) break;
    ASSERT_EQ(int_field(*m, "n"), expect) << "gap before the close";
    ++expect;
  }
  EXPECT_EQ(slow->error(), websocket::error::closed) << slow->error().message();
  EXPECT_EQ(slow->reason().code, websocket::close_code::try_again_later);
  EXPECT_LT(expect, n);  // it did miss updates: it was closed, not waited for
  // The others go on receiving everything.
  for (int i = 0; i < 10; ++i) hub_->publish("orders", text(json{{"n", ++n}}.dump()));
  for (int c = 0; c < kFast; ++c) {
    for (int64_t k = n - 9; k <= n; ++k) {
      auto m = fast[c]->read_json();
      ASSERT_TRUE(m.has_value());
      ASSERT_EQ((*m)["seq"], k + 1);
      ASSERT_EQ((*m)["data"]["n"], k);
    }
  }
  EXPECT_TRUE(eventually([&] { return hub_->clients() == kFast; }));
  EXPECT_GE(hub_->messages_sent(), static_cast<uint64_t>(kFast * (n + 1)));
}

TEST_F(WsStreamTest, PingGetsPongWithSeq) {
  start();
  auto c = client();
  ASSERT_TRUE(c->write(R"({"op":"ping"})"));
  auto m = c->read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, (json{{"type", "pong"}, {"seq", 1}}));
  ASSERT_TRUE(c->write(R"({"op":"ping"})"));
  m = c->read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["seq"], 2);
}

// The server writes its data frames in batches (coalescing_stream.h) while
// Beast answers the client's pings with pong frames into the same byte
// stream: every frame must arrive whole, in order, none lost.
TEST_F(WsStreamTest, PingFramesInterleaveWithBatchedUpdates) {
  start();
  auto c = client();
  subscribe(*c, "orders", 1);
  constexpr int64_t kUpdates = 3000;  // fewer than a send queue holds
  std::thread producer([&] {
    for (int64_t n = 1; n <= kUpdates; ++n) hub_->publish("orders", text(json{{"n", n}}.dump()));
  });
  struct Join {
    std::thread& t;
    ~Join() { t.join(); }
  } join{producer};
  int64_t next_n = 1, next_seq = 2, pings = 0, op_pongs = 0;
  while (next_n <= kUpdates) {
    if (next_n % 100 == 0 && pings < next_n / 100) {
      ++pings;
      ASSERT_TRUE(c->ping(fmt::format("p{}", pings)));
      ASSERT_TRUE(c->write(R"({"op":"ping"})"));
    }
    auto m = c->read_json();
    ASSERT_TRUE(m.has_value()) << c->error().message();
    ASSERT_EQ((*m)["seq"], next_seq++) << *m;
    if ((*m)["type"] == "pong") {
      ++op_pongs;
      continue;
    }
    ASSERT_EQ((*m)["type"], "update") << *m;
    ASSERT_EQ((*m)["data"]["n"], next_n++) << *m;
  }
  // The answers to the last pings may still be on their way.
  while (op_pongs < pings) {
    auto m = c->read_json();
    ASSERT_TRUE(m.has_value()) << c->error().message();
    ASSERT_EQ((*m)["type"], "pong");
    ASSERT_EQ((*m)["seq"], next_seq++);
    ++op_pongs;
  }
  ASSERT_EQ(c->pongs().size(), static_cast<size_t>(pings));
  for (int64_t i = 0; i < pings; ++i) EXPECT_EQ(c->pongs()[i], fmt::format("p{}", i + 1));
}

TEST_F(WsStreamTest, InvalidTopicGetsErrorAndChangesNothing) {
  start();
  auto c = client();
  ASSERT_TRUE(c->write(R"({"op":"subscribe","topics":["orders","bogus"]})"));
  auto m = c->read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["type"], "error");
  EXPECT_EQ((*m)["seq"], 1);
  EXPECT_NE((*m)["detail"].get<std::string>().find("bogus"), std::string::npos) << *m;
  // "orders" was not subscribed either: an update of it does not arrive
  // before the pong.
  hub_->publish("orders", text("{}"));
  ASSERT_TRUE(c->write(R"({"op":"ping"})"));
  m = c->read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["type"], "pong") << *m;
}

TEST_F(WsStreamTest, MalformedUnknownOpAndUnknownFieldGetErrorsAndTheConnectionStays) {
  start();
  auto c = client();
  const char* bad[] = {"{not json",
                       "[1,2]",
                       R"({"op":"dance"})",
                       R"({"op":"ping","extra":1})",
                       R"({"op":"subscribe","topics":[]})",
                       R"({"op":"subscribe","topics":"orders"})",
                       R"({"topics":["orders"]})"};
  uint64_t seq = 0;
  for (const char* b : bad) {
    ASSERT_TRUE(c->write(b));
    auto m = c->read_json();
    ASSERT_TRUE(m.has_value()) << b;
    EXPECT_EQ((*m)["type"], "error") << b;
    EXPECT_EQ((*m)["seq"], ++seq);
    EXPECT_FALSE((*m)["detail"].get<std::string>().empty());
  }
  ASSERT_NO_FATAL_FAILURE(subscribe(*c, "orders", ++seq));
}

TEST_F(WsStreamTest, OversizeMessageClosesWith1009) {
  StreamOptions o = options();
  o.max_message_bytes = 1024;
  start(o);
  auto c = client();
  ASSERT_TRUE(c->write(std::string(2048, ' ')));
  EXPECT_TRUE(c->wait_closed());
  EXPECT_EQ(c->reason().code, websocket::close_code::too_big);
}

TEST_F(WsStreamTest, UnsubscribeStopsUpdates) {
  start();
  auto c = client();
  ASSERT_NO_FATAL_FAILURE(subscribe(*c, "orders", 1));
  hub_->publish("orders", text(R"({"n":1})"));
  auto m = c->read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["type"], "update");
  EXPECT_EQ((*m)["seq"], 2);
  ASSERT_TRUE(c->write(R"({"op":"unsubscribe","topics":["orders"]})"));
  // The hub handles a connection's requests in order: once the "fills"
  // snapshot is here, "orders" is unsubscribed.
  ASSERT_NO_FATAL_FAILURE(subscribe(*c, "fills", 3));
  hub_->publish("orders", text(R"({"n":2})"));
  hub_->publish("fills", text(R"({"f":1})"));
  m = c->read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["topic"], "fills") << *m;
  EXPECT_EQ((*m)["seq"], 4);
}

TEST_F(WsStreamTest, SubscribingAgainGivesAFreshSnapshot) {
  start();
  auto c = client();
  ASSERT_NO_FATAL_FAILURE(subscribe(*c, "positions", 1));
  source_.set_state(7);
  ASSERT_NO_FATAL_FAILURE(subscribe(*c, "positions", 2));
}

TEST_F(WsStreamTest, ServerPingsAndDropsAClientThatNeverAnswers) {
  StreamOptions o = options();
  o.ping_interval = std::chrono::milliseconds(100);
  start(o);
  // A reading client answers the pings (Beast's client does) and stays
  // connected through many intervals: the read ends at its own deadline.
  auto alive = client();
  EXPECT_FALSE(alive->read(600ms).has_value());
  EXPECT_EQ(alive->error(), net::error::operation_aborted) << alive->error().message();
  alive.reset();
  ASSERT_TRUE(eventually([&] { return hub_->clients() == 0; }));
  // A client that never reads never answers: dropped after about two intervals.
  auto mute = client();
  EXPECT_EQ(hub_->clients(), 1u);
  const auto t0 = WsClock::now();
  ASSERT_TRUE(eventually([&] { return hub_->clients() == 0; }, 3s));
  EXPECT_GE(WsClock::now() - t0, 100ms);
}

TEST_F(WsStreamTest, NonUpgradeGetGoesToTheRouterAndUnknownUpgradePathIs404) {
  start();
  WsClient other;
  EXPECT_FALSE(other.connect(port_, bearer(kViewerToken), "/api/v1/other"));
  EXPECT_EQ(other.response().result_int(), 404u);
  EXPECT_NE(other.response().body().find("/problems/not-found"), std::string::npos);
  // A plain GET of the stream path is the router's (which answers 426).
  net::io_context ioc;
  beast::tcp_stream s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, "/api/v1/stream", 11);
  req.set(beast::http::field::host, "127.0.0.1");
  req.set(beast::http::field::authorization, std::string("Bearer ") + kViewerToken);
  beast::http::write(s, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(s, buffer, res);
  EXPECT_EQ(res.result_int(), 426u);
  EXPECT_EQ(res.body(), "router: GET /api/v1/stream");
}

TEST_F(WsStreamTest, MaxClientsIs503) {
  StreamOptions o = options();
  o.max_clients = 2;
  start(o);
  auto a = client();
  auto b = client();
  WsClient c;
  EXPECT_FALSE(c.connect(port_, bearer(kViewerToken)));
  EXPECT_EQ(c.response().result_int(), 503u);
  a.reset();  // closes: a slot frees up
  ASSERT_TRUE(eventually([&] { return hub_->clients() == 1; }));
  WsClient d;
  EXPECT_TRUE(d.connect(port_, bearer(kViewerToken)));
}

TEST_F(WsStreamTest, StopWithOpenStreamsReturnsPromptly) {
  start();
  auto a = client();
  ASSERT_NO_FATAL_FAILURE(subscribe(*a, "orders", 1));
  auto b = client();
  const auto t0 = WsClock::now();
  stop();
  EXPECT_LT(WsClock::now() - t0, 2s);
  EXPECT_TRUE(a->wait_closed());
}

// ---- Auth ----

TEST_F(WsStreamTest, HeaderAuth) {
  start();
  auto c = client();
  ASSERT_NO_FATAL_FAILURE(subscribe(*c, "pnl", 1));
  WsClient admin;
  ASSERT_TRUE(admin.connect(port_, bearer(kAdminToken)));
  WsClient wrong;
  EXPECT_FALSE(wrong.connect(port_, bearer("td_wrong")));
  EXPECT_EQ(wrong.response().result_int(), 401u);
  EXPECT_NE(wrong.response().body().find("/problems/unauthorized"), std::string::npos);
}

TEST_F(WsStreamTest, FirstMessageAuthAccepted) {
  start();
  WsClient c;
  ASSERT_TRUE(c.connect(port_, {{"Origin", kOrigin}}));
  ASSERT_TRUE(c.write(json{{"op", "auth"}, {"token", kViewerToken}}.dump()));
  ASSERT_NO_FATAL_FAILURE(subscribe(c, "orders", 1));  // the first message is the snapshot
  WsClient admin;
  ASSERT_TRUE(admin.connect(port_));
  ASSERT_TRUE(admin.write(json{{"op", "auth"}, {"token", kAdminToken}}.dump()));
  ASSERT_TRUE(admin.write(R"({"op":"ping"})"));
  auto m = admin.read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)["type"], "pong");
}

TEST_F(WsStreamTest, FirstMessageAuthWithAWrongTokenCloses1008) {
  start();
  WsClient c;
  ASSERT_TRUE(c.connect(port_));
  ASSERT_TRUE(c.write(R"({"op":"auth","token":"td_wrong"})"));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.reason().code, websocket::close_code::policy_error);
  EXPECT_EQ(std::string(c.reason().reason.data(), c.reason().reason.size()),
            "authentication failed");
}

TEST_F(WsStreamTest, NoAuthMessageWithinTheTimeoutCloses1008) {
  StreamOptions o = options();
  o.auth_timeout = std::chrono::milliseconds(200);
  start(o);
  WsClient c;
  ASSERT_TRUE(c.connect(port_));
  const auto t0 = WsClock::now();
  EXPECT_TRUE(c.wait_closed());
  EXPECT_GE(WsClock::now() - t0, 150ms);
  EXPECT_EQ(c.reason().code, websocket::close_code::policy_error);
  EXPECT_EQ(std::string(c.reason().reason.data(), c.reason().reason.size()),
            "authentication timeout");
}

TEST_F(WsStreamTest, AnyOtherFirstMessageCloses1008) {
  start();
  WsClient c;
  ASSERT_TRUE(c.connect(port_));
  ASSERT_TRUE(c.write(R"({"op":"subscribe","topics":["orders"]})"));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.reason().code, websocket::close_code::policy_error);
  EXPECT_EQ(std::string(c.reason().reason.data(), c.reason().reason.size()),
            "authentication required");
}

TEST_F(WsStreamTest, RepeatedFailuresBlockTheAddress) {
  start();
  for (int i = 0; i < 4; ++i) {  // max_failures = 3: the fourth blocks
    WsClient c;
    ASSERT_TRUE(c.connect(port_));
    ASSERT_TRUE(c.write(R"({"op":"auth","token":"td_wrong"})"));
    EXPECT_TRUE(c.wait_closed());
  }
  WsClient blocked;
  EXPECT_FALSE(blocked.connect(port_, bearer(kViewerToken)));
  EXPECT_EQ(blocked.response().result_int(), 429u);
  WsClient by_message;  // no header: the upgrade is refused as well
  EXPECT_FALSE(by_message.connect(port_));
  EXPECT_EQ(by_message.response().result_int(), 429u);
}

TEST_F(WsStreamTest, TokenInTheUrlIsRefused) {
  start();
  for (const char* target : {"/api/v1/stream?token=abc", "/api/v1/stream?x=1&access_token=abc",
                             "/api/v1/stream?%74oken=abc"}) {
    WsClient c;
    EXPECT_FALSE(c.connect(port_, bearer(kViewerToken), target)) << target;
    EXPECT_EQ(c.response().result_int(), 400u) << target;
  }
}

TEST_F(WsStreamTest, OriginMustBeAllowedWhenPresent) {
  start();
  WsClient bad;
  EXPECT_FALSE(bad.connect(port_, {{"Origin", "http://evil.example"}}));
  EXPECT_EQ(bad.response().result_int(), 403u);
  EXPECT_NE(bad.response().body().find("/problems/forbidden"), std::string::npos);
  WsClient port_differs;
  EXPECT_FALSE(port_differs.connect(port_, {{"Origin", "http://127.0.0.1:8081"}}));
  EXPECT_EQ(port_differs.response().result_int(), 403u);
  WsClient good;
  EXPECT_TRUE(good.connect(
      port_, {{"Origin", kOrigin}, {"Authorization", std::string("Bearer ") + kViewerToken}}));
  WsClient none;  // no Origin: not a browser
  EXPECT_TRUE(none.connect(port_, bearer(kViewerToken)));
}

}  // namespace
}  // namespace td::api::stream
