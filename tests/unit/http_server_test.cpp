// api/http/server: the HTTP/1.1 transport over real loopback sockets. The
// routers here are test doubles (echo, answer later from other threads,
// misbehave); the test client gives every operation a deadline, so a server
// bug fails a test instead of hanging it.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "api/http/request_id.h"
#include "api/http/server.h"
#include "http_test_client.h"

namespace td::api::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Response = bhttp::response<bhttp::string_body>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

using test::Client;
using test::eventually;
using test::header;
using test::HeaderList;
using test::raw_request;
using test::Response;

// Answers at once: "METHOD TARGET BODY", plus what it saw in headers.
class EchoRouter : public Router {
 public:
  void handle(HttpRequest req, Reply reply) override {
    ++calls;
    HttpResponse r =
        HttpResponse::text(200, fmt::format("{} {} {}", req.method, req.target, req.body));
    r.headers.set("X-Seen-Request-Id", req.request_id);
    r.headers.set("X-Remote", fmt::format("{}:{}", req.remote_address, req.remote_port));
    reply(std::move(r));
  }
  std::atomic<int> calls{0};
};

// Keeps every request; the test answers them later, from any thread.
class DeferredRouter : public Router {
 public:
  struct Pending {
    HttpRequest request;
    Reply reply;
  };
  void handle(HttpRequest req, Reply reply) override {
    std::lock_guard lock(mu_);
    pending_.push_back({std::move(req), std::move(reply)});
    ++received_;
    cv_.notify_all();
  }
  // True once `n` requests in all have arrived.
  bool wait_for(std::size_t n, Clock::duration timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return received_ >= n; });
  }
  std::vector<Pending> take() {
    std::lock_guard lock(mu_);
    std::vector<Pending> out(std::make_move_iterator(pending_.begin()),
                             std::make_move_iterator(pending_.end()));
    pending_.clear();
    return out;
  }
  std::size_t received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> pending_;
  std::size_t received_ = 0;
};

// Answers from its own worker thread, as the engine will.
class WorkerRouter : public Router {
 public:
  WorkerRouter() : worker_([this] { loop(); }) {}
  ~WorkerRouter() override {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  void handle(HttpRequest req, Reply reply) override {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(req), std::move(reply)});
    cv_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (done_) return;
      auto item = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      item.second(HttpResponse::text(200, item.first.target));
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<HttpRequest, Reply>> queue_;
  bool done_ = false;
  std::thread worker_;
};

// Misbehaves on purpose.
class BadRouter : public Router {
 public:
  void handle(HttpRequest req, Reply reply) override {
    const auto path = req.path();
    if (path == "/throw") throw std::runtime_error("boom");
    if (path == "/drop") return;  // the Reply is destroyed uncalled
    if (path == "/twice") {
      reply(HttpResponse::text(200, "first"));
      reply(HttpResponse::text(201, "second"));
      return;
    }
    if (path == "/status42") {
      reply(HttpResponse::text(42, "?"));
      return;
    }
    if (path == "/inject") {
      HttpResponse r = HttpResponse::text(200, "ok");
      r.headers.add("X-Bad", "a\r\nSet-Cookie: evil=1");
      r.headers.add("Bad Name", "v");
      r.headers.add("Content-Length", "999");
      r.headers.add("X-Request-Id", "router-made");
      r.headers.add("X-Good", "yes");
      reply(std::move(r));
      return;
    }
    if (path == "/close") {
      HttpResponse r = HttpResponse::text(200, "bye");
      r.headers.set("Connection", "close");
      reply(std::move(r));
      return;
    }
    if (path == "/204") {
      reply(HttpResponse::text(204, "must not be sent"));
      return;
    }
    reply(HttpResponse::text(200, "fine"));
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  static ServerOptions options() {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    return o;
  }
  void start(Router& router, ServerOptions o = options()) {
    server_ = std::make_unique<HttpServer>(std::move(o), router);
    auto r = server_->start();
    ASSERT_TRUE(r.has_value()) << r.error().message;
    port_ = r->port;
    ASSERT_NE(port_, 0);
    ASSERT_EQ(server_->port(), port_);
  }
  Client client() {
    Client c(port_);
    EXPECT_TRUE(c.connected());
    return c;
  }
  void expect_problem(const std::optional<Response>& r, int status, std::string_view slug) {
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), static_cast<unsigned>(status));
    EXPECT_EQ(header(*r, "Content-Type"), "application/problem+json");
    EXPECT_NE(r->body().find(fmt::format(R"("type":"/problems/{}")", slug)), std::string::npos)
        << r->body();
    EXPECT_NE(r->body().find(fmt::format(R"("status":{})", status)), std::string::npos);
    EXPECT_TRUE(is_valid_request_id(header(*r, "X-Request-Id")));
    EXPECT_FALSE(r->keep_alive());
  }

  // Routers first: they outlive the server.
  EchoRouter echo_;
  DeferredRouter deferred_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, GetIsAnswered) {
  start(echo_);
  Client c = client();
  auto r = c.request("GET", "/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200u);
  EXPECT_EQ(r->body(), "GET /healthz ");
  EXPECT_EQ(header(*r, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header(*r, "Server"), "tradingd");
  EXPECT_FALSE(header(*r, "Date").empty());
  EXPECT_TRUE(r->keep_alive());
  const auto id = header(*r, "X-Request-Id");
  EXPECT_TRUE(is_valid_request_id(id)) << id;
  EXPECT_EQ(header(*r, "X-Seen-Request-Id"), id);  // the router saw the same id
}

TEST_F(HttpServerTest, PostBodyReachesTheRouter) {
  start(echo_);
  Client c = client();
  auto r = c.request("POST", "/api/v1/orders?x=1", R"({"symbol":"SPY"})",
                     {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), R"(POST /api/v1/orders?x=1 {"symbol":"SPY"})");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start(echo_);
  Client c = client();
  std::string remote;
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("GET", fmt::format("/r{}", i));
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body(), fmt::format("GET /r{} ", i));
    if (i == 0) remote = header(*r, "X-Remote");
    EXPECT_EQ(header(*r, "X-Remote"), remote);  // same client address and port
  }
  EXPECT_EQ(echo_.calls.load(), 5);
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(HttpServerTest, PipelinedResponsesKeepRequestOrderWhenRepliesComeOutOfOrder) {
  start(deferred_);
  Client c = client();
  std::string batch;
  for (int i = 0; i < 6; ++i) {
    batch +=
        raw_request("GET", fmt::format("/p{}", i), {}, {{"X-Request-Id", fmt::format("id-{}", i)}});
  }
  ASSERT_TRUE(c.send(batch));  // one write: the requests arrive together
  ASSERT_TRUE(deferred_.wait_for(6));
  auto pending = deferred_.take();
  ASSERT_EQ(pending.size(), 6u);
  // Answered in reverse order, from two threads that are not API threads.
  auto answer = [&](int from, int to) {
    for (int i = from; i >= to; --i) {
      pending[i].reply(HttpResponse::text(200, pending[i].request.target));
    }
  };
  std::thread(answer, 5, 3).join();
  std::thread(answer, 2, 0).join();
  for (int i = 0; i < 6; ++i) {
    auto r = c.read();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body(), fmt::format("/p{}", i));
    EXPECT_EQ(header(*r, "X-Request-Id"), fmt::format("id-{}", i));
  }
}

TEST_F(HttpServerTest, PipelineIsBoundedAndReadingResumes) {
  auto o = options();
  o.max_pipelined = 2;
  start(deferred_, o);
  Client c = client();
  std::string batch;
  for (int i = 0; i < 5; ++i) batch += raw_request("GET", fmt::format("/q{}", i));
  ASSERT_TRUE(c.send(batch));
  ASSERT_TRUE(deferred_.wait_for(2));
  // The queue is full: the session reads nothing more until a response leaves.
  EXPECT_FALSE(deferred_.wait_for(3, 200ms));
  std::vector<std::string> bodies;
  for (std::size_t answered = 0; answered < 5;) {
    auto pending = deferred_.take();
    ASSERT_FALSE(pending.empty());
    EXPECT_LE(pending.size(), 2u);
    for (auto& p : pending) p.reply(HttpResponse::text(200, p.request.target));
    for (std::size_t k = 0; k < pending.size(); ++k) {
      auto r = c.read();
      ASSERT_TRUE(r.has_value());
      bodies.push_back(r->body());
    }
    answered += pending.size();
    if (answered < 5) {
      ASSERT_TRUE(deferred_.wait_for(std::min<std::size_t>(answered + 1, 5)));
    }
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"/q0", "/q1", "/q2", "/q3", "/q4"}));
}

TEST_F(HttpServerTest, RequestIdIsEchoedWhenSaneAndGeneratedOtherwise) {
  start(echo_);
  Client c = client();
  auto echoed = c.request("GET", "/", {}, {{"X-Request-Id", "abc-123.X_y"}});
  ASSERT_TRUE(echoed.has_value());
  EXPECT_EQ(header(*echoed, "X-Request-Id"), "abc-123.X_y");
  EXPECT_EQ(header(*echoed, "X-Seen-Request-Id"), "abc-123.X_y");

  const std::string longest(128, 'k');
  auto at_limit = c.request("GET", "/", {}, {{"X-Request-Id", longest}});
  ASSERT_TRUE(at_limit.has_value());
  EXPECT_EQ(header(*at_limit, "X-Request-Id"), longest);

  std::vector<std::string> generated;
  for (const std::string& bad : {std::string(129, 'k'), std::string("has space"),
                                 std::string("a/b"), std::string("caf\xc3\xa9")}) {
    auto r = c.request("GET", "/", {}, {{"X-Request-Id", bad}});
    ASSERT_TRUE(r.has_value()) << bad;
    const auto id = header(*r, "X-Request-Id");
    EXPECT_NE(id, bad);
    EXPECT_TRUE(is_valid_request_id(id)) << id;
    EXPECT_EQ(header(*r, "X-Seen-Request-Id"), id);
    generated.push_back(id);
  }
  auto none = c.request("GET", "/");
  ASSERT_TRUE(none.has_value());
  generated.push_back(header(*none, "X-Request-Id"));
  std::sort(generated.begin(), generated.end());
  EXPECT_EQ(std::adjacent_find(generated.begin(), generated.end()), generated.end());
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413AndCloses) {
  start(echo_);
  {
    Client c = client();
    auto r = c.request("POST", "/api/v1/orders", std::string(65 * 1024, 'x'),
                       {{"X-Request-Id", "big-1"}});
    expect_problem(r, 413, "payload-too-large");
    EXPECT_EQ(header(*r, "X-Request-Id"), "big-1");
    EXPECT_NE(r->body().find(R"("instance":"/api/v1/orders")"), std::string::npos);
    EXPECT_TRUE(c.wait_closed());
  }
  {
    // Chunked: the limit applies as the chunks arrive.
    Client c = client();
    std::string req = "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 65; ++i) req += fmt::format("400\r\n{}\r\n", std::string(1024, 'y'));
    req += "0\r\n\r\n";
    ASSERT_TRUE(c.send(req));
    expect_problem(c.read(), 413, "payload-too-large");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    // Exactly at the limit is fine.
    Client c = client();
    auto r = c.request("POST", "/x", std::string(64 * 1024, 'z'));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_EQ(r->body().size(), std::string("POST /x ").size() + 64 * 1024);
  }
  EXPECT_EQ(echo_.calls.load(), 1);
}

TEST_F(HttpServerTest, HeaderOverTheLimitIs431AndCloses) {
  start(echo_);
  {
    Client c = client();
    expect_problem(c.request("GET", "/", {}, {{"X-Big", std::string(9000, 'a')}}), 431,
                   "header-too-large");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    Client c = client();  // many small fields count too
    HeaderList many;
    for (int i = 0; i < 500; ++i) many.emplace_back(fmt::format("X-F{}", i), "0123456789");
    expect_problem(c.request("GET", "/", {}, many), 431, "header-too-large");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    Client c = client();  // under the limit
    auto r = c.request("GET", "/", {}, {{"X-Big", std::string(7000, 'a')}});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200u);
  }
  EXPECT_EQ(echo_.calls.load(), 1);
}

TEST_F(HttpServerTest, MalformedRequestIs400AndCloses) {
  start(echo_);
  const std::vector<std::string> cases = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",  // no Host
      "GET / HTTP/7.0\r\nHost: t\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /\x01 HTTP/1.1\r\nHost: t\r\n\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS ClientHello
  };
  for (const auto& raw : cases) {
    SCOPED_TRACE(testing::PrintToString(raw));
    Client c = client();
    ASSERT_TRUE(c.send(raw));
    expect_problem(c.read(), 400, "bad-request");
    EXPECT_TRUE(c.wait_closed());
  }
  EXPECT_EQ(echo_.calls.load(), 0);
}

TEST_F(HttpServerTest, SlowClientIsClosedAfterTheReadTimeout) {
  auto o = options();
  o.read_timeout = 1s;
  o.idle_timeout = 60s;
  start(echo_, o);
  {
    Client c = client();
    const auto t0 = Clock::now();
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: t\r\n"));  // never finished
    EXPECT_TRUE(c.wait_closed(5s));
    const auto elapsed = Clock::now() - t0;
    EXPECT_GE(elapsed, 900ms);
    EXPECT_LT(elapsed, 3s);
  }
  {
    // Dripping bytes does not extend the time a request may take.
    Client c = client();
    const auto t0 = Clock::now();
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\n"));
    bool closed = false;
    while (!closed && Clock::now() - t0 < 5s) {
      if (!c.send("X")) break;        // the server closed between two bytes
      closed = c.wait_closed(100ms);  // paces the drip
    }
    EXPECT_TRUE(closed || c.wait_closed(2s));
    EXPECT_LT(Clock::now() - t0, 3s);
  }
  {
    // A connection that never sends a request gets read_timeout, not idle_timeout.
    Client c = client();
    const auto t0 = Clock::now();
    EXPECT_TRUE(c.wait_closed(5s));
    EXPECT_LT(Clock::now() - t0, 3s);
  }
  EXPECT_EQ(echo_.calls.load(), 0);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  auto o = options();
  o.read_timeout = 10s;
  o.idle_timeout = 1s;
  start(echo_, o);
  Client c = client();
  ASSERT_TRUE(c.request("GET", "/").has_value());
  const auto t0 = Clock::now();
  EXPECT_TRUE(c.wait_closed(5s));
  const auto elapsed = Clock::now() - t0;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

TEST_F(HttpServerTest, NoTimeoutRunsWhileTheRouterWorks) {
  auto o = options();
  o.read_timeout = 1s;
  o.idle_timeout = 1s;
  start(deferred_, o);
  Client c = client();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow")));
  ASSERT_TRUE(deferred_.wait_for(1));
  // The engine takes longer than both timeouts to answer.
  EXPECT_FALSE(c.wait_closed(1500ms));
  auto pending = deferred_.take();
  ASSERT_EQ(pending.size(), 1u);
  pending[0].reply(HttpResponse::text(200, "late"));
  auto r = c.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), "late");
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  auto o = options();
  o.max_connections = 2;
  start(echo_, o);
  Client a = client();
  Client b = client();
  ASSERT_TRUE(a.request("GET", "/a").has_value());
  ASSERT_TRUE(b.request("GET", "/b").has_value());
  EXPECT_EQ(server_->connections(), 2u);
  {
    Client over = client();
    auto r = over.read();  // answered without asking
    expect_problem(r, 503, "unavailable");
    EXPECT_EQ(header(*r, "Retry-After"), "1");
    EXPECT_TRUE(over.wait_closed());
  }
  {
    Client over = client();  // a refused client that asks gets the same
    ASSERT_TRUE(over.send(raw_request("GET", "/c")));
    expect_problem(over.read(), 503, "unavailable");
    EXPECT_TRUE(over.wait_closed());
  }
  EXPECT_EQ(server_->connections(), 2u);
  a.close();
  ASSERT_TRUE(eventually([&] { return server_->connections() == 1; }));
  Client d = client();
  auto r = d.request("GET", "/d");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200u);
  EXPECT_EQ(echo_.calls.load(), 3);
}

TEST_F(HttpServerTest, StopWithOpenConnectionsReturnsPromptly) {
  auto o = options();
  o.threads = 2;
  start(deferred_, o);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(clients.back()->connected());
  }
  ASSERT_TRUE(clients[0]->send(raw_request("GET", "/pending")));   // waits in the router
  ASSERT_TRUE(clients[1]->send("GET / HTTP/1.1\r\nHost: t\r\n"));  // half a request
  ASSERT_TRUE(clients[2]->send(raw_request("POST", "/x", "partial body", {}).substr(0, 60)));
  ASSERT_TRUE(deferred_.wait_for(1));
  ASSERT_TRUE(eventually([&] { return server_->connections() == 8; }));

  const auto t0 = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - t0, 1s);
  for (auto& c : clients) EXPECT_TRUE(c->wait_closed(2s));
  server_->stop();  // twice is fine
  EXPECT_EQ(server_->connections(), 0u);
  EXPECT_FALSE(Client(port_).connected());  // the acceptor is closed

  // A reply after stop() and after the server is gone is dropped safely.
  auto pending = deferred_.take();
  ASSERT_EQ(pending.size(), 1u);
  pending[0].reply(HttpResponse::text(200, "too late"));
  server_.reset();
  pending[0].reply(HttpResponse::text(200, "much too late"));
}

TEST_F(HttpServerTest, RepliesHeldPastTheServerAreHarmless) {
  {
    start(deferred_);
    Client c = client();
    ASSERT_TRUE(c.send(raw_request("GET", "/1") + raw_request("GET", "/2")));
    ASSERT_TRUE(deferred_.wait_for(2));
    server_.reset();  // destroyed while the router holds both replies
  }
  auto pending = deferred_.take();
  ASSERT_EQ(pending.size(), 2u);
  pending[0].reply(HttpResponse::text(200, "after"));
  pending.clear();  // the other is destroyed uncalled: its 500 goes nowhere
}

TEST_F(HttpServerTest, ReplyAfterTheClientLeftIsDropped) {
  start(deferred_);
  {
    Client c = client();
    ASSERT_TRUE(c.send(raw_request("GET", "/gone")));
    ASSERT_TRUE(deferred_.wait_for(1));
    c.close();
  }
  auto pending = deferred_.take();
  ASSERT_EQ(pending.size(), 1u);
  pending[0].reply(HttpResponse::text(200, "nobody listens"));
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
  Client c = client();
  ASSERT_TRUE(c.send(raw_request("GET", "/next")));
  ASSERT_TRUE(deferred_.wait_for(2));
  deferred_.take()[0].reply(HttpResponse::text(200, "ok"));
  auto r = c.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), "ok");
}

TEST_F(HttpServerTest, PortZeroPicksAFreePortAndLogsItOnce) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "http-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
  start(echo_);
  Client c = client();
  auto r = c.request("GET", "/healthz");
  server_.reset();
  spdlog::set_default_logger(previous);

  ASSERT_TRUE(r.has_value());
  const std::string line = fmt::format("listening on http://127.0.0.1:{}\n", port_);
  const std::string text = log.str();
  const auto at = text.find(line);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.find("listening on", at + 1), std::string::npos) << text;
  EXPECT_EQ(text.find("GET"), std::string::npos) << text;  // no request lines at info
}

TEST_F(HttpServerTest, StartFailsWhenThePortIsTaken) {
  start(echo_);
  auto o = options();
  o.port = port_;
  HttpServer second(o, echo_);
  auto r = second.start();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos)
      << r.error().message;
  second.stop();
  auto o2 = options();
  o2.host = "no-such-host.invalid";
  HttpServer third(o2, echo_);
  EXPECT_FALSE(third.start().has_value());
}

TEST_F(HttpServerTest, ListensOnAHostNameAndOnIpv6) {
  EXPECT_EQ((ListenEndpoint{"::1", 8080}.url()), "http://[::1]:8080");
  EXPECT_EQ((ListenEndpoint{"127.0.0.1", 80}.url()), "http://127.0.0.1:80");
  {
    auto o = options();
    o.host = "localhost";  // resolved once at start
    HttpServer server(o, echo_);
    auto r = server.start();
    ASSERT_TRUE(r.has_value()) << r.error().message;
    Client c(r->port, r->address);
    ASSERT_TRUE(c.connected()) << r->url();
    EXPECT_TRUE(c.request("GET", "/").has_value());
  }
  auto o = options();
  o.host = "::1";
  HttpServer server(o, echo_);
  auto r = server.start();
  if (!r) GTEST_SKIP() << "no IPv6 loopback here: " << r.error().message;
  EXPECT_EQ(r->url(), fmt::format("http://[::1]:{}", r->port));
  Client c(r->port, "::1");
  auto resp = c.request("GET", "/six");
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->body(), "GET /six ");
  EXPECT_TRUE(header(*resp, "X-Remote").starts_with("::1:"));
}

TEST_F(HttpServerTest, ExpectContinueGets100BeforeTheBody) {
  start(echo_);
  Client c = client();
  ASSERT_TRUE(
      c.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = c.read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->result_int(), 100u);
  ASSERT_TRUE(c.send("hello"));
  auto r = c.read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), "POST /e hello");
  // Over the limit: 413 instead of 100, the body is never sent.
  ASSERT_TRUE(c.send(
      "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 999999\r\n\r\n"));
  expect_problem(c.read(), 413, "payload-too-large");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpServerTest, HeadGetsHeadersOnly) {
  start(echo_);
  Client c = client();
  ASSERT_TRUE(c.send(raw_request("HEAD", "/h")));
  auto r = c.read(5s, /*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200u);
  EXPECT_EQ(header(*r, "Content-Length"), std::to_string(std::string("HEAD /h ").size()));
  // No body bytes followed: the next response parses cleanly.
  auto next = c.request("GET", "/after");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body(), "GET /after ");
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10) {
  start(echo_);
  {
    Client c = client();
    auto r = c.request("GET", "/", {}, {{"Connection", "close"}});
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->keep_alive());
    EXPECT_TRUE(c.wait_closed());
  }
  {
    Client c = client();
    ASSERT_TRUE(c.send("GET /ten HTTP/1.0\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->version(), 10u);
    EXPECT_EQ(r->body(), "GET /ten ");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    Client c = client();
    ASSERT_TRUE(c.send("GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->keep_alive());
    ASSERT_TRUE(c.send("GET /ka2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r2 = c.read();
    ASSERT_TRUE(r2.has_value());
    EXPECT_EQ(r2->body(), "GET /ka2 ");
  }
}

TEST_F(HttpServerTest, MisbehavingRouterGets500AndTheConnectionGoesOn) {
  BadRouter bad;
  start(bad);
  Client c = client();
  for (const char* path : {"/throw", "/drop", "/status42"}) {
    SCOPED_TRACE(path);
    auto r = c.request("GET", path);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 500u);
    EXPECT_EQ(header(*r, "Content-Type"), "application/problem+json");
    EXPECT_TRUE(r->keep_alive());
  }
  auto twice = c.request("GET", "/twice");
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(twice->body(), "first");  // the second call is ignored
  auto inject = c.request("GET", "/inject", {}, {{"X-Request-Id", "mine"}});
  ASSERT_TRUE(inject.has_value());
  EXPECT_EQ(inject->body(), "ok");
  EXPECT_EQ(header(*inject, "X-Bad"), "");
  EXPECT_EQ(header(*inject, "Set-Cookie"), "");
  EXPECT_EQ(header(*inject, "X-Good"), "yes");
  EXPECT_EQ(header(*inject, "Content-Length"), "2");
  EXPECT_EQ(header(*inject, "X-Request-Id"), "mine");
  auto no_content = c.request("GET", "/204");
  ASSERT_TRUE(no_content.has_value());
  EXPECT_EQ(no_content->result_int(), 204u);
  EXPECT_EQ(no_content->body(), "");
  auto fine = c.request("GET", "/fine");
  ASSERT_TRUE(fine.has_value());
  EXPECT_EQ(fine->body(), "fine");
  auto close = c.request("GET", "/close");
  ASSERT_TRUE(close.has_value());
  EXPECT_FALSE(close->keep_alive());
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpServerTest, ManyClientsOnSeveralThreadsWithRepliesFromAWorker) {
  WorkerRouter worker;
  auto o = options();
  o.threads = 4;
  start(worker, o);
  constexpr int kClients = 8, kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      Client c(port_);
      for (int i = 0; i < kRequests; ++i) {
        // Two pipelined, then one alone.
        const auto a = fmt::format("/c{}/{}", t, i);
        const auto b = a + "b";
        if (!c.send(raw_request("GET", a) + raw_request("GET", b))) return;
        auto ra = c.read();
        auto rb = c.read();
        if (ra && rb && ra->body() == a && rb->body() == b) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  server_.reset();  // before the worker router goes
}

// A few thousand random byte strings, each on a fresh connection: the server
// answers or closes every one, and still serves a normal request afterwards.
TEST_F(HttpServerTest, GarbageNeverBreaksTheServer) {
  auto o = options();
  o.threads = 2;
  o.read_timeout = 1s;
  start(echo_, o);

  std::mt19937 rng(20261121);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::string valid =
      "POST /api/v1/orders?a=1 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "X-Request-Id: r-1\r\nContent-Length: 16\r\n\r\n{\"symbol\":\"SPY\"}";
  const std::vector<std::string> pieces = {"GET ",
                                           "POST ",
                                           "HEAD ",
                                           "/",
                                           "/api/v1/orders",
                                           "?q=1",
                                           " HTTP/1.1",
                                           " HTTP/1.0",
                                           " HTTP/2",
                                           "\r\n",
                                           "\r\n\r\n",
                                           "\n",
                                           "Host: t",
                                           "Content-Length: ",
                                           "0",
                                           "5",
                                           "-1",
                                           "99999999999999999999",
                                           "Transfer-Encoding: chunked",
                                           "Transfer-Encoding: gzip, chunked",
                                           "ffffffff\r\n",
                                           "0\r\n\r\n",
                                           "5;ext=1\r\nhello\r\n",
                                           "Expect: 100-continue",
                                           "Connection: close",
                                           "Connection: keep-alive, upgrade",
                                           "Upgrade: websocket",
                                           "X-Request-Id: ",
                                           std::string(1, '\0'),
                                           "\xff\xfe",
                                           " ",
                                           ":",
                                           "\t",
                                           "a"};
  for (int i = 0; i < 3000; ++i) {
    std::string data;
    switch (i % 3) {
      case 0: {  // random bytes
        const int n = uniform(1, 400);
        for (int k = 0; k < n; ++k) data += static_cast<char>(uniform(0, 255));
        break;
      }
      case 1: {  // a valid request, mutated
        data = valid;
        for (int m = uniform(1, 6); m > 0; --m) {
          const auto at = static_cast<std::size_t>(uniform(0, static_cast<int>(data.size()) - 1));
          switch (uniform(0, 2)) {
            case 0:
              data[at] = static_cast<char>(uniform(0, 255));
              break;
            case 1:
              data.insert(at, 1, static_cast<char>(uniform(0, 255)));
              break;
            default:
              data.erase(at, 1);
          }
          if (data.empty()) data = "x";
        }
        break;
      }
      default: {  // HTTP-looking pieces
        for (int n = uniform(1, 24); n > 0; --n) {
          data += pieces[static_cast<std::size_t>(uniform(0, static_cast<int>(pieces.size()) - 1))];
        }
      }
    }
    Client c(port_);
    ASSERT_TRUE(c.connected()) << "case " << i;
    c.send(data, 2s);  // the server may close before taking it all
    if (i % 2 == 0) {
      // After the client's FIN the server answers what it can and closes.
      c.shutdown_send();
      ASSERT_TRUE(c.wait_closed(3s)) << "case " << i << ": " << testing::PrintToString(data);
    } else {
      c.close();  // abrupt
    }
  }
  Client c = client();
  auto r = c.request("GET", "/healthz");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200u);
  c.close();
  EXPECT_TRUE(eventually([&] { return server_->connections() == 0; }));
}

}  // namespace
}  // namespace td::api::http
