// Every route of api-v1.md over a real loopback socket, with the real engine,
// risk manager and simulated broker behind the router; the engine runs on
// its own thread as in the daemon. Simulated time only moves when a test
// advances it, so every outcome is deterministic.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <nlohmann/json.hpp>

#include "api/auth/token.h"
#include "api/http/server.h"
#include "api/openapi/openapi.h"
#include "api/routes/api_router.h"
#include "api/snapshot/publisher.h"
#include "brokers/sim/sim_broker.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "http_test_client.h"
#include "openapi_test_support.h"
#include "risk/risk_manager.h"
#include "strategies/spec.h"

namespace td::api {
namespace {

using nlohmann::json;
using test::Client;
using test::HeaderList;
using test::Response;
using namespace std::chrono_literals;

Decimal D(const char* s) {
  return *Decimal::parse(s);
}
const Timestamp kT0 = from_unix_seconds(1767623400);  // 2026-01-05T14:30:00Z

const std::string kViewer = "td_viewer_token_for_tests_only_0000000000000000";
const std::string kTrader = "td_trader_token_for_tests_only_0000000000000000";
const std::string kAdmin = "td_admin_token_for_tests_only_00000000000000000";

class ApiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start(ApiRouterOptions ro = {}, risk::RiskLimits limits = {}) {
    scheduler.sim_clock().set(kT0);
    sim::SimBrokerOptions bo;
    bo.ack_latency = 50ms;
    Instrument spy;
    spy.symbol = Symbol("SPY");
    Instrument qqq;
    qqq.symbol = Symbol("QQQ");
    bo.instruments = {spy, qqq};
    broker = std::make_unique<sim::SimBroker>(scheduler, bo);
    engine = std::make_unique<Engine>(scheduler, *broker);
    risk = std::make_unique<risk::RiskManager>(limits, *engine);
    engine->set_risk_hook(*risk);
    ASSERT_TRUE(engine->add_instrument(spy));
    ASSERT_TRUE(engine->add_instrument(qqq));
    strategies::StrategySpec spec;
    spec.name = "trend";
    spec.type = "sma_cross";
    spec.symbols = {Symbol("QQQ")};
    spec.params = {{"fast", "5"}, {"slow", "20"}};
    auto made = strategies::make_strategy(spec);
    ASSERT_TRUE(made);
    ASSERT_TRUE(engine->add_strategy("trend", "sma_cross", std::move(*made), true));
    StaticInfo info;
    info.version = "test";
    info.started_at = wall.now();
    info.mode = "paper";
    info.symbols = {Symbol("SPY"), Symbol("QQQ")};
    publisher = std::make_unique<SnapshotPublisher>(*engine, *risk, snapshots, wall, info);
    publisher->set_strategy_params("trend", spec.params);
    engine->add_sink(publisher.get());
    auto post = [this](std::function<void()> fn) { boost::asio::post(engine_io, std::move(fn)); };
    publisher->set_engine_post(post);
    engine_thread = std::thread([this] { engine_io.run(); });
    on_engine([&] {
      engine->start();
      quote("SPY", "449.99", "450.01");
      quote("QQQ", "399.99", "400.01");
    });

    auto token = [](const std::string& name, const char* role, const std::string& clear) {
      return auth::ApiTokenLike{name, role, auth::sha256_hex(clear)};
    };
    auto store = auth::TokenStore::create({token("viewer1", "viewer", kViewer),
                                           token("trader1", "trader", kTrader),
                                           token("admin1", "admin", kAdmin)});
    ASSERT_TRUE(store);
    failures = std::make_unique<auth::FailureLimiter>(
        wall, auth::FailureLimiterConfig{3, std::chrono::seconds(60), std::chrono::seconds(60)});
    ApiBackend backend;
    backend.engine = engine.get();
    backend.risk = risk.get();
    backend.publisher = publisher.get();
    backend.post = post;
    backend.set_strategy_params = [this, spec](const std::string& name,
                                               const std::map<std::string, std::string>& p) {
      strategies::StrategySpec s = spec;
      for (const auto& [k, v] : p) s.params[k] = v;
      auto m = strategies::make_strategy(s);
      if (!m)
        return Status(make_error(ErrorCode::kInvalidArgument,
                                 m.error().front().path + ": " + m.error().front().message));
      if (auto st = engine->replace_strategy(name, std::move(*m)); !st) return st;
      publisher->set_strategy_params(name, s.params);
      return Status();
    };
    // As the daemon wires them (daemon/runtime.cpp).
    backend.openapi_json = [] { return openapi_json(); };
    backend.metrics_text = [] { return std::string(kMetricsText); };
    backend.reload_config = [this](const std::string&) { return reload_result; };
    router = std::make_unique<ApiRouter>(std::move(backend), snapshots, std::move(*store),
                                         *failures, wall, ro);
    http::ServerOptions so;
    so.port = 0;
    so.body_limit = 4096;
    server = std::make_unique<http::HttpServer>(so, *router);
    auto ep = server->start();
    ASSERT_TRUE(ep);
    port = ep->port;
  }

  void stop() {
    if (server) server->stop();
    server.reset();
    engine_io.stop();
    if (engine_thread.joinable()) engine_thread.join();
  }

  // Runs fn on the engine thread and waits for it.
  template <class F>
  void on_engine(F fn) {
    std::promise<void> done;
    boost::asio::post(engine_io, [&] {
      fn();
      publisher->flush();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  }
  // Engine thread only.
  void quote(const char* sym, const char* bid, const char* ask) {
    Quote q{Symbol(sym), scheduler.now(), D(bid), D(ask), D("1000"), D("1000"), D(bid)};
    broker->on_quote(q);
    engine->on_quote(q);
    publisher->on_quote(q);
  }
  void advance(Duration d) {
    on_engine([&] { scheduler.run_until(scheduler.now() + d); });
  }

  // One request on a new connection. Every answer is also checked against
  // the OpenAPI document (openapi_test_support.h, response_errors): the
  // status is documented for the operation, the Content-Type is the one
  // listed, the body validates against its schema, required headers are
  // there and X-Request-Id echoes the client's.
  Response call(std::string_view method, std::string_view target, std::string_view body = {},
                const std::string& token = kTrader, HeaderList extra = {}) {
    Client client(port);
    HeaderList h = std::move(extra);
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty() &&
        std::none_of(h.begin(), h.end(), [](const auto& kv) { return kv.first == "Content-Type"; }))
      h.emplace_back("Content-Type", "application/json");
    std::string request_id;
    for (const auto& [k, v] : h)
      if (k == "X-Request-Id") request_id = v;
    std::optional<Response> r;
    if (method == "HEAD") {
      // A HEAD answer has the GET's Content-Length but no body.
      if (client.send(test::raw_request(method, target, body, h))) r = client.read(5s, true);
    } else {
      r = client.request(method, target, body, h);
    }
    EXPECT_TRUE(r.has_value()) << method << " " << target;
    if (!r) return Response{};
    openapi_test::ResponseView view;
    view.status = static_cast<int>(r->result_int());
    for (const auto& field : *r)
      view.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    view.body = r->body();
    for (const auto& e : openapi_test::response_errors(method, target, view, request_id))
      ADD_FAILURE() << "does not conform to openapi.json: " << e;
    return *r;
  }
  static json body(const Response& r) { return json::parse(r.body()); }
  // A problem+json answer with this status and slug.
  static ::testing::AssertionResult is_problem(const Response& r, int status,
                                               const std::string& slug) {
    if (r.result_int() != static_cast<unsigned>(status))
      return ::testing::AssertionFailure() << "status " << r.result_int() << ": " << r.body();
    if (test::header(r, "Content-Type") != "application/problem+json")
      return ::testing::AssertionFailure() << "content type " << test::header(r, "Content-Type");
    auto j = json::parse(r.body());
    if (j["type"] != "/problems/" + slug || j["status"] != status)
      return ::testing::AssertionFailure() << r.body();
    return ::testing::AssertionSuccess();
  }
  json submit(const std::string& order_body, int expect = 201) {
    auto r = call("POST", "/api/v1/orders", order_body);
    EXPECT_EQ(r.result_int(), static_cast<unsigned>(expect)) << r.body();
    return body(r);
  }

  static constexpr const char* kMetricsText = "# HELP tradingd_up 1 while the daemon serves\n# TYPE tradingd_up gauge\ntradingd_up 1\n";
  Status reload_result;  // what POST /config/reload's hook answers

  SimScheduler scheduler;
  RealClock wall;
  std::unique_ptr<sim::SimBroker> broker;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<risk::RiskManager> risk;
  SnapshotStore snapshots;
  std::unique_ptr<SnapshotPublisher> publisher;
  std::unique_ptr<auth::FailureLimiter> failures;
  std::unique_ptr<ApiRouter> router;
  std::unique_ptr<http::HttpServer> server;
  boost::asio::io_context engine_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
      engine_io.get_executor()};
  std::thread engine_thread;
  uint16_t port = 0;
};

const char* kBuy100 = R"({"symbol":"SPY","side":"buy","qty":"100"})";

// ------------------------------------------------------------------ auth

TEST_F(ApiRoutesTest, MissingOrInvalidTokenIs401WithAChallenge) {
  auto r = call("GET", "/api/v1/positions", {}, "");
  EXPECT_TRUE(is_problem(r, 401, "unauthorized"));
  EXPECT_EQ(test::header(r, "WWW-Authenticate"), "Bearer");
  EXPECT_TRUE(
      is_problem(call("GET", "/api/v1/positions", {}, "td_not_a_token"), 401, "unauthorized"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/status", {}, "", {{"Authorization", "Basic eDp5"}}),
                         401, "unauthorized"));
}

TEST_F(ApiRoutesTest, PublicRoutesNeedNoToken) {
  auto h = call("GET", "/healthz", {}, "");
  EXPECT_EQ(h.result_int(), 200u);
  EXPECT_EQ(body(h)["status"], "ok");
  auto ready = call("GET", "/readyz", {}, "");
  EXPECT_EQ(ready.result_int(), 200u) << ready.body();
  EXPECT_EQ(body(ready)["status"], "ready");
  EXPECT_EQ(body(ready)["broker"]["connected"], true);
  on_engine([&] { broker->set_connected(false, "test"); });
  auto not_ready = call("GET", "/readyz", {}, "");
  EXPECT_EQ(not_ready.result_int(), 503u);
  EXPECT_EQ(body(not_ready)["status"], "not_ready");
  // The document itself, byte for byte.
  auto doc = call("GET", "/api/v1/openapi.json", {}, "");
  EXPECT_EQ(doc.result_int(), 200u);
  EXPECT_EQ(doc.body(), openapi_json());
  // /metrics needs a viewer token unless configured public.
  EXPECT_TRUE(is_problem(call("GET", "/metrics", {}, ""), 401, "unauthorized"));
}

TEST_F(ApiRoutesTest, WrongRoleIs403AndChangesNothing) {
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/orders", kBuy100, kViewer), 403, "forbidden"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/kill-switch", "", kViewer), 403, "forbidden"));
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/risk/limits", R"({"max_order_qty":"5"})", kTrader),
                         403, "forbidden"));
  EXPECT_TRUE(
      is_problem(call("POST", "/api/v1/strategies/trend/stop", "", kTrader), 403, "forbidden"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/config/reload", "", kTrader), 403, "forbidden"));
  auto orders = body(call("GET", "/api/v1/orders?status=all", {}, kViewer));
  EXPECT_TRUE(orders["orders"].empty());
  EXPECT_EQ(body(call("GET", "/api/v1/kill-switch", {}, kViewer))["engaged"], false);
  // The trader may engage the switch but only an admin re-arms it.
  EXPECT_EQ(call("POST", "/api/v1/kill-switch", R"({"reason":"test"})", kTrader).result_int(),
            200u);
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/kill-switch", "", kTrader), 403, "forbidden"));
  EXPECT_EQ(body(call("GET", "/api/v1/kill-switch", {}, kViewer))["engaged"], true);
  EXPECT_EQ(call("DELETE", "/api/v1/kill-switch", R"({"reason":"ok"})", kAdmin).result_int(), 200u);
  EXPECT_EQ(body(call("GET", "/api/v1/kill-switch", {}, kViewer))["engaged"], false);
}

TEST_F(ApiRoutesTest, RepeatedAuthFailuresFromOneAddressAre429EvenWithAGoodToken) {
  for (int i = 0; i < 4; ++i) call("GET", "/api/v1/status", {}, "td_wrong");
  auto r = call("GET", "/api/v1/status", {}, kViewer);
  EXPECT_TRUE(is_problem(r, 429, "rate-limited"));
  EXPECT_EQ(body(r)["check"], "auth_failures");
  EXPECT_EQ(test::header(r, "Retry-After"), "1");
  // Public routes stay open.
  EXPECT_EQ(call("GET", "/healthz", {}, "").result_int(), 200u);
}

class ApiRateLimitTest : public ApiRoutesTest {
 protected:
  void SetUp() override {
    ApiRouterOptions ro;
    ro.rate_per_second = 0.001;  // no refill within the test
    ro.rate_burst = 3;
    start(ro);
  }
};

TEST_F(ApiRateLimitTest, PerTokenRequestRateIs429ButTheEmergencyRoutesAlwaysPass) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call("GET", "/api/v1/pnl").result_int(), 200u);
  auto r = call("GET", "/api/v1/pnl");
  EXPECT_TRUE(is_problem(r, 429, "rate-limited"));
  EXPECT_EQ(body(r)["check"], "api_rate_limit");
  // Another token has its own budget.
  EXPECT_EQ(call("GET", "/api/v1/pnl", {}, kViewer).result_int(), 200u);
  // Cancel all, kill switch and flatten are never rate limited.
  EXPECT_EQ(call("DELETE", "/api/v1/orders").result_int(), 202u);
  EXPECT_EQ(call("POST", "/api/v1/kill-switch").result_int(), 200u);
  EXPECT_EQ(call("POST", "/api/v1/flatten", R"({"reason":"drill"})").result_int(), 202u);
}

// ----------------------------------------------------------- bad input

TEST_F(ApiRoutesTest, MalformedJsonUnknownFieldsAndWrongTypesAre400) {
  auto r = call("POST", "/api/v1/orders", R"({"symbol":"SPY",)");
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  r = call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"buy","qty":"1","colour":"red"})");
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  EXPECT_EQ(body(r)["errors"][0]["field"], "colour");
  r = call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"buy","qty":true})");
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  EXPECT_EQ(body(r)["errors"][0]["field"], "qty");
  r = call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"sideways","qty":"-1"})");
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  EXPECT_EQ(body(r)["errors"].size(), 2u);
  r = call("POST", "/api/v1/orders", R"({"symbol":"XYZ","side":"buy","qty":"1"})");
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  EXPECT_EQ(body(r)["errors"][0]["field"], "symbol");
  // A body where none is expected, a bad query.
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders?limit=0"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders?colour=red"), 400, "validation-error"));
  EXPECT_TRUE(
      is_problem(call("GET", "/api/v1/orders?status=open&status=all"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/fills?since=yesterday"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/orders", R"({"x":1})"), 400, "validation-error"));
  // Commands without a body refuse one, whatever its type (found by
  // fuzz_http_request: they answered 415 to text/plain and ignored JSON).
  EXPECT_TRUE(
      is_problem(call("POST", "/api/v1/queue/pause", R"({"x":1})"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/strategies/trend/stop", "stop", kAdmin,
                              {{"Content-Type", "text/plain"}}),
                         400, "validation-error"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/config/reload", "{}", kAdmin), 400,
                         "validation-error"));
  EXPECT_EQ(body(call("GET", "/api/v1/queue"))["routing"], "running");
  EXPECT_EQ(body(call("GET", "/api/v1/strategies/trend"))["enabled"], true);
  // Nothing was created by any of it.
  EXPECT_TRUE(body(call("GET", "/api/v1/orders?status=all"))["orders"].empty());
}

TEST_F(ApiRoutesTest, WrongContentTypeIs415AndOversizeBodyIs413) {
  auto r = call("POST", "/api/v1/orders", kBuy100, kTrader, {{"Content-Type", "text/plain"}});
  EXPECT_TRUE(is_problem(r, 415, "unsupported-media-type"));
  const std::string big = R"({"symbol":"SPY","side":"buy","qty":"1","client_order_id":")" +
                          std::string(5000, 'a') + "\"}";
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/orders", big), 413, "payload-too-large"));
  EXPECT_TRUE(body(call("GET", "/api/v1/orders?status=all"))["orders"].empty());
  // application/json with a charset is JSON.
  EXPECT_EQ(call("POST", "/api/v1/orders", kBuy100, kTrader,
                 {{"Content-Type", "application/json; charset=utf-8"}})
                .result_int(),
            201u);
}

TEST_F(ApiRoutesTest, UnknownIdsRoutesAndMethods) {
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/999"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/abc"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/orders/999"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/orders/999", R"({"qty":"1"})"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/by-client-id/nope"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/positions/ZZZ"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/positions/SPY"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/strategies/nope"), 404, "not-found"));
  EXPECT_TRUE(
      is_problem(call("POST", "/api/v1/strategies/nope/start", "", kAdmin), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/nothing"), 404, "not-found"));
  auto r = call("PUT", "/api/v1/orders");
  EXPECT_EQ(r.result_int(), 405u);
  EXPECT_EQ(test::header(r, "Allow"), "GET, POST, DELETE");
  auto stream = call("GET", "/api/v1/stream", {}, kViewer);
  EXPECT_EQ(stream.result_int(), 426u);
}

// ---------------------------------------------------------------- orders

TEST_F(ApiRoutesTest, OrderLifecycleFillsPositionsAndPnl) {
  auto o = submit(R"({"symbol":"SPY","side":"buy","qty":100,"type":"limit","limit_price":450.10,
                      "client_order_id":"c-1"})");
  EXPECT_EQ(o["status"], "pending_submit");
  EXPECT_EQ(o["limit_price"], "450.1");  // a number in, a string out, exact
  EXPECT_EQ(o["source"], "api");
  const std::string id = o["id"];
  advance(1s);
  auto got = body(call("GET", "/api/v1/orders/" + id, {}, kViewer));
  EXPECT_EQ(got["status"], "filled");
  EXPECT_EQ(got["fills"].size(), 1u);
  EXPECT_EQ(body(call("GET", "/api/v1/orders/by-client-id/c-1", {}, kViewer))["id"], id);
  auto fills = body(call("GET", "/api/v1/fills?symbol=SPY", {}, kViewer));
  ASSERT_EQ(fills["fills"].size(), 1u);
  EXPECT_EQ(fills["fills"][0]["order_id"], id);
  EXPECT_EQ(fills["fills"][0]["qty"], "100");
  auto positions = body(call("GET", "/api/v1/positions", {}, kViewer));
  ASSERT_EQ(positions["positions"].size(), 1u);
  EXPECT_EQ(positions["positions"][0]["symbol"], "SPY");
  EXPECT_EQ(positions["positions"][0]["qty"], "100");
  EXPECT_EQ(body(call("GET", "/api/v1/positions/SPY", {}, kViewer))["qty"], "100");
  auto pnl = body(call("GET", "/api/v1/pnl", {}, kViewer));
  EXPECT_TRUE(pnl["equity"].is_string());
  EXPECT_TRUE(pnl["today"]["total"].is_string());
  EXPECT_TRUE(body(call("GET", "/api/v1/orders", {}, kViewer))["orders"].empty());  // open only
  EXPECT_EQ(body(call("GET", "/api/v1/orders?status=closed", {}, kViewer))["orders"].size(), 1u);

  // Close it through the API: 202 with the closing order, then flat.
  auto close = call("DELETE", "/api/v1/positions/SPY");
  ASSERT_EQ(close.result_int(), 202u) << close.body();
  EXPECT_EQ(body(close)["side"], "sell");
  EXPECT_EQ(body(close)["qty"], "100");
  advance(1s);
  EXPECT_TRUE(body(call("GET", "/api/v1/positions", {}, kViewer))["positions"].empty());
  EXPECT_EQ(body(call("GET", "/api/v1/positions/SPY", {}, kViewer))["qty"], "0");
}

TEST_F(ApiRoutesTest, IdempotentRetryReturnsTheOrderAndAConflictingOneIs409) {
  const std::string b = R"({"symbol":"SPY","side":"buy","qty":"10","client_order_id":"same-1"})";
  auto first = submit(b, 201);
  auto again = submit(b, 200);
  EXPECT_EQ(first["id"], again["id"]);
  auto r = call("POST", "/api/v1/orders",
                R"({"symbol":"SPY","side":"buy","qty":"11","client_order_id":"same-1"})");
  EXPECT_TRUE(is_problem(r, 409, "idempotency-conflict"));
  EXPECT_EQ(body(call("GET", "/api/v1/orders?status=all"))["orders"].size(), 1u);
}

TEST_F(ApiRoutesTest, RiskRefusalIs422WithItsCheck) {
  on_engine([&] {
    risk::RiskLimits l;
    l.max_order_qty = D("50");
    ASSERT_TRUE(risk->set_limits(l, "test"));
  });
  auto r = call("POST", "/api/v1/orders", kBuy100);
  EXPECT_TRUE(is_problem(r, 422, "risk-rejected"));
  EXPECT_EQ(body(r)["check"], "max_order_qty");
  EXPECT_EQ(
      call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"buy","qty":"50"})").result_int(),
      201u);
}

TEST_F(ApiRoutesTest, WhileHaltedOnlyReducingOrdersPass) {
  submit(kBuy100);
  advance(1s);
  auto ks = call("POST", "/api/v1/kill-switch", R"({"reason":"drill"})");
  ASSERT_EQ(ks.result_int(), 200u);
  EXPECT_EQ(body(ks)["engaged"], true);
  EXPECT_EQ(body(ks)["reason"], "drill");
  EXPECT_EQ(body(ks)["engaged_by"], "api:trader1");
  auto r = call("POST", "/api/v1/orders", kBuy100);
  EXPECT_TRUE(is_problem(r, 409, "trading-halted"));
  EXPECT_EQ(body(r)["check"], "kill_switch_engaged");
  EXPECT_EQ(
      call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"sell","qty":"40"})").result_int(),
      201u);
  EXPECT_EQ(body(call("GET", "/api/v1/trading-state", {}, kViewer))["state"], "halted");
}

TEST_F(ApiRoutesTest, ModifyAndCancel) {
  auto o = submit(R"({"symbol":"SPY","side":"buy","qty":"10","type":"limit","limit_price":"400"})");
  const std::string id = o["id"];
  advance(1s);
  EXPECT_EQ(body(call("GET", "/api/v1/orders/" + id))["status"], "submitted");
  auto m = call("PATCH", "/api/v1/orders/" + id, R"({"limit_price":"401.5"})");
  EXPECT_EQ(m.result_int(), 202u) << m.body();
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/orders/" + id, "{}"), 400, "validation-error"));
  advance(1s);
  EXPECT_EQ(body(call("GET", "/api/v1/orders/" + id))["limit_price"], "401.5");
  auto c = call("DELETE", "/api/v1/orders/" + id);
  ASSERT_EQ(c.result_int(), 202u);
  EXPECT_EQ(body(c)["status"], "pending_cancel");
  advance(1s);
  EXPECT_EQ(body(call("GET", "/api/v1/orders/" + id))["status"], "cancelled");
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/orders/" + id), 409, "invalid-state"));
  // Cancel all.
  submit(R"({"symbol":"SPY","side":"buy","qty":"1","type":"limit","limit_price":"400"})");
  submit(R"({"symbol":"QQQ","side":"buy","qty":"1","type":"limit","limit_price":"300"})");
  auto all = call("DELETE", "/api/v1/orders");
  ASSERT_EQ(all.result_int(), 202u);
  EXPECT_EQ(body(all)["cancelled"].size(), 2u);
}

TEST_F(ApiRoutesTest, QueueSchedulingPauseResumeAndCancel) {
  auto later =
      submit(R"({"symbol":"SPY","side":"buy","qty":"1","submit_at":"2026-01-05T15:00:00Z"})");
  EXPECT_EQ(later["status"], "queued");
  auto q = body(call("GET", "/api/v1/queue", {}, kViewer));
  EXPECT_EQ(q["routing"], "running");
  ASSERT_EQ(q["orders"].size(), 1u);
  EXPECT_EQ(q["orders"][0]["queued_reason"], "scheduled");
  EXPECT_TRUE(is_problem(
      call("POST", "/api/v1/orders",
           R"({"symbol":"SPY","side":"buy","qty":"1","submit_at":"2026-01-05T14:00:00Z"})"),
      400, "validation-error"));

  EXPECT_EQ(body(call("POST", "/api/v1/queue/pause"))["routing"], "paused");
  auto held = submit(R"({"symbol":"SPY","side":"buy","qty":"2"})");
  EXPECT_EQ(held["status"], "queued");
  q = body(call("GET", "/api/v1/queue", {}, kViewer));
  ASSERT_EQ(q["orders"].size(), 2u);
  EXPECT_EQ(q["orders"][1]["queued_reason"], "paused");
  advance(1s);
  EXPECT_EQ(body(call("GET", "/api/v1/orders/" + held["id"].get<std::string>()))["status"],
            "queued");
  EXPECT_EQ(body(call("POST", "/api/v1/queue/resume"))["routing"], "running");
  advance(1s);
  EXPECT_EQ(body(call("GET", "/api/v1/orders/" + held["id"].get<std::string>()))["status"],
            "filled");

  auto del = call("DELETE", "/api/v1/queue/" + later["id"].get<std::string>());
  ASSERT_EQ(del.result_int(), 202u);
  EXPECT_EQ(body(del)["status"], "cancelled");
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/queue/" + held["id"].get<std::string>()), 409,
                         "invalid-state"));
  EXPECT_TRUE(body(call("GET", "/api/v1/queue"))["orders"].empty());
}

TEST_F(ApiRoutesTest, ListsArePagedNewestFirstWithACursor) {
  for (int i = 0; i < 5; ++i) submit(kBuy100);
  advance(1s);
  auto page1 = body(call("GET", "/api/v1/orders?status=all&limit=2"));
  ASSERT_EQ(page1["orders"].size(), 2u);
  EXPECT_EQ(page1["orders"][0]["id"], "5");
  EXPECT_EQ(page1["orders"][1]["id"], "4");
  ASSERT_TRUE(page1["next_cursor"].is_string());
  auto page2 = body(call("GET", "/api/v1/orders?status=all&limit=2&cursor=" +
                                    page1["next_cursor"].get<std::string>()));
  EXPECT_EQ(page2["orders"][0]["id"], "3");
  auto page3 = body(call("GET", "/api/v1/orders?status=all&limit=2&cursor=" +
                                    page2["next_cursor"].get<std::string>()));
  ASSERT_EQ(page3["orders"].size(), 1u);
  EXPECT_TRUE(page3["next_cursor"].is_null());
  auto f1 = body(call("GET", "/api/v1/fills?limit=3"));
  ASSERT_EQ(f1["fills"].size(), 3u);
  auto f2 =
      body(call("GET", "/api/v1/fills?limit=3&cursor=" + f1["next_cursor"].get<std::string>()));
  EXPECT_EQ(f2["fills"].size(), 2u);
  EXPECT_TRUE(f2["next_cursor"].is_null());
}

// -------------------------------------------------- kill switch, flatten

TEST_F(ApiRoutesTest, FlattenClosesEveryPositionOnceEvenWhenPressedTwice) {
  submit(kBuy100);
  submit(R"({"symbol":"QQQ","side":"sell","qty":"30"})");
  submit(R"({"symbol":"SPY","side":"buy","qty":"5","type":"limit","limit_price":"400"})");
  advance(1s);
  auto r = call("POST", "/api/v1/flatten", R"({"reason":"emergency"})");
  ASSERT_EQ(r.result_int(), 202u) << r.body();
  auto f = body(r);
  EXPECT_EQ(f["kill_switch"]["engaged"], true);
  EXPECT_EQ(f["cancelled"].size(), 1u);
  ASSERT_EQ(f["positions"].size(), 2u);
  for (const auto& p : f["positions"]) {
    EXPECT_TRUE(p["error"].is_null());
    EXPECT_EQ(p["closing_order"]["source"], "flatten");
  }
  auto again = body(call("POST", "/api/v1/flatten", R"({"reason":"again"})"));
  // The closing orders are already working: the same ones, nothing new.
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(again["positions"][i]["closing_order"]["id"],
              f["positions"][i]["closing_order"]["id"]);
  advance(1s);
  EXPECT_TRUE(body(call("GET", "/api/v1/positions"))["positions"].empty());
  EXPECT_EQ(body(call("GET", "/api/v1/orders?status=all"))["orders"].size(), 5u);
  // An empty body is fine for the emergency button.
  EXPECT_EQ(call("POST", "/api/v1/flatten").result_int(), 202u);
}

TEST_F(ApiRoutesTest, KillSwitchRearmNeedsItEngaged) {
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/kill-switch", "", kAdmin), 409, "invalid-state"));
  call("POST", "/api/v1/kill-switch", R"({"reason":"one","flatten":false})");
  auto second = body(call("POST", "/api/v1/kill-switch", R"({"reason":"two"})"));
  EXPECT_EQ(second["reason"], "one");  // the first reason stays
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/kill-switch", R"({"flatten":"yes"})"), 400,
                         "validation-error"));
  auto rearm = body(call("DELETE", "/api/v1/kill-switch", R"({"reason":"all clear"})", kAdmin));
  EXPECT_EQ(rearm["engaged"], false);
  EXPECT_EQ(body(call("GET", "/api/v1/trading-state"))["state"], "active");
}

TEST_F(ApiRoutesTest, TradingStateStricterByTraderBackToActiveByAdmin) {
  auto r = call("PUT", "/api/v1/trading-state", R"({"state":"reducing","reason":"news"})");
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(body(r)["state"], "reducing");
  EXPECT_EQ(body(r)["by"], "api:trader1");
  auto denied = call("POST", "/api/v1/orders", kBuy100);
  EXPECT_TRUE(is_problem(denied, 409, "trading-halted"));
  EXPECT_EQ(body(denied)["check"], "reducing_only");
  EXPECT_TRUE(
      is_problem(call("PUT", "/api/v1/trading-state", R"({"state":"active"})"), 403, "forbidden"));
  EXPECT_TRUE(is_problem(call("PUT", "/api/v1/trading-state", R"({"state":"halted"})"), 400,
                         "validation-error"));
  EXPECT_EQ(call("PUT", "/api/v1/trading-state", R"({"state":"active"})", kAdmin).result_int(),
            200u);
  EXPECT_EQ(body(call("GET", "/api/v1/trading-state"))["state"], "active");
}

// ------------------------------------------------- risk, strategies, audit

TEST_F(ApiRoutesTest, RiskLimitsArePatchedByAdminAndBadPatchesChangeNothing) {
  auto risk_view = body(call("GET", "/api/v1/risk", {}, kViewer));
  EXPECT_EQ(risk_view["trading_state"], "active");
  EXPECT_TRUE(risk_view["breakers"].is_array());
  auto r = call("PATCH", "/api/v1/risk/limits", R"({"max_order_qty":"25"})", kAdmin);
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(body(r)["limits"]["max_order_qty"], "25");
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/risk/limits", R"({"max_order_qty":"-1"})", kAdmin),
                         400, "validation-error"));
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/risk/limits", R"({"nonsense":1})", kAdmin), 400,
                         "validation-error"));
  EXPECT_EQ(body(call("GET", "/api/v1/risk"))["limits"]["max_order_qty"], "25");
  EXPECT_EQ(
      body(call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"buy","qty":"26"})"))["check"],
      "max_order_qty");
}

TEST_F(ApiRoutesTest, StrategiesStartStopAndNewParams) {
  auto list = body(call("GET", "/api/v1/strategies", {}, kViewer));
  ASSERT_EQ(list["strategies"].size(), 1u);
  EXPECT_EQ(list["strategies"][0]["name"], "trend");
  EXPECT_EQ(list["strategies"][0]["params"]["fast"], "5");
  EXPECT_EQ(list["strategies"][0]["enabled"], true);
  // Parameters of a running strategy do not change under it.
  EXPECT_TRUE(
      is_problem(call("PATCH", "/api/v1/strategies/trend", R"({"params":{"fast":"7"}})", kAdmin),
                 409, "invalid-state"));
  EXPECT_EQ(body(call("POST", "/api/v1/strategies/trend/stop", "", kAdmin))["enabled"], false);
  auto p = call("PATCH", "/api/v1/strategies/trend", R"({"params":{"fast":7}})", kAdmin);
  ASSERT_EQ(p.result_int(), 200u) << p.body();
  EXPECT_EQ(body(p)["params"]["fast"], "7");
  EXPECT_TRUE(
      is_problem(call("PATCH", "/api/v1/strategies/trend", R"({"params":{"fast":"x"}})", kAdmin),
                 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/strategies/trend", R"({"fast":"7"})", kAdmin), 400,
                         "validation-error"));
  EXPECT_EQ(body(call("GET", "/api/v1/strategies/trend"))["params"]["fast"], "7");
  EXPECT_EQ(body(call("POST", "/api/v1/strategies/trend/start", "", kAdmin))["enabled"], true);
}

TEST_F(ApiRoutesTest, MutatingCallsAreAuditedWithTheTokenName) {
  submit(kBuy100);
  call("POST", "/api/v1/orders", R"({"symbol":"SPY","side":"buy","qty":"x"})");  // 400, audited too
  call("POST", "/api/v1/kill-switch", R"({"reason":"audit"})");
  auto events = body(call("GET", "/api/v1/events?limit=1000", {}, kViewer));
  std::vector<json> api_calls;
  for (const auto& e : events["events"])
    if (e["type"] == "api.request") api_calls.push_back(e);
  ASSERT_EQ(api_calls.size(), 3u);
  EXPECT_EQ(api_calls[0]["actor"], "trader1");
  EXPECT_EQ(api_calls[0]["data"]["route"], "/api/v1/orders");
  EXPECT_EQ(api_calls[0]["data"]["status"], 201);
  EXPECT_EQ(api_calls[1]["data"]["status"], 400);
  EXPECT_EQ(api_calls[2]["data"]["route"], "/api/v1/kill-switch");
  bool engaged = false;
  for (const auto& e : events["events"])
    engaged = engaged || (e["type"] == "risk.kill_switch_engaged" && e["actor"] == "api:trader1");
  EXPECT_TRUE(engaged);
  // Reads are not audited; seqs are contiguous and `after` pages.
  const uint64_t n = events["events"].size();
  for (uint64_t i = 0; i < n; ++i) EXPECT_EQ(events["events"][i]["seq"], i + 1);
  auto tail = body(call("GET", "/api/v1/events?after=" + std::to_string(n - 1)));
  ASSERT_EQ(tail["events"].size(), 1u);
  EXPECT_EQ(tail["events"][0]["seq"], n);
  EXPECT_TRUE(tail["next_after"].is_null());
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/events?after=-1"), 400, "validation-error"));
}

TEST_F(ApiRoutesTest, StatusAndPnlHistory) {
  auto s = body(call("GET", "/api/v1/status", {}, kViewer));
  EXPECT_EQ(s["mode"], "paper");
  EXPECT_EQ(s["trading_state"], "active");
  EXPECT_EQ(s["broker"]["connected"], true);
  EXPECT_EQ(s["strategies"][0]["name"], "trend");
  EXPECT_TRUE(s["uptime_s"].is_number());
  for (int i = 0; i < 5; ++i) {
    advance(1min);
    on_engine([&] { quote("SPY", "449.99", "450.01"); });
  }
  auto h = body(call("GET", "/api/v1/pnl/history?interval=1m", {}, kViewer));
  EXPECT_GE(h["points"].size(), 5u);
  EXPECT_TRUE(h["points"][0]["equity"].is_string());
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/pnl/history?interval=2m"), 400, "validation-error"));
}

// ------------------------------------------- api-v1.md details, one by one

TEST_F(ApiRoutesTest, OrdersFilterBySymbolAndSince) {
  submit(R"({"symbol":"SPY","side":"buy","qty":"1","type":"limit","limit_price":"400"})");
  submit(R"({"symbol":"QQQ","side":"buy","qty":"2","type":"limit","limit_price":"300"})");
  advance(1min);  // engine time 14:31
  submit(R"({"symbol":"SPY","side":"buy","qty":"3","type":"limit","limit_price":"400"})");
  submit(R"({"symbol":"QQQ","side":"buy","qty":"4","type":"limit","limit_price":"300"})");
  auto ids = [&](const std::string& target) {
    std::vector<std::string> out;
    const json list = body(call("GET", target, {}, kViewer));
    for (const auto& o : list["orders"]) out.push_back(o["id"]);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("/api/v1/orders?symbol=QQQ"), (V{"4", "2"}));
  EXPECT_EQ(ids("/api/v1/orders?status=all&symbol=SPY"), (V{"3", "1"}));
  EXPECT_EQ(ids("/api/v1/orders?since=2026-01-05T14:30:30Z"), (V{"4", "3"}));
  EXPECT_EQ(ids("/api/v1/orders?status=all&symbol=SPY&since=2026-01-05T14:30:30Z"), (V{"3"}));
  // An offset is the same instant; the boundary is inclusive.
  EXPECT_EQ(ids("/api/v1/orders?since=2026-01-05T16:31:00%2B02:00"), (V{"4", "3"}));
  EXPECT_EQ(ids("/api/v1/orders?symbol=SPY&limit=1"), (V{"3"}));
  EXPECT_TRUE(ids("/api/v1/orders?symbol=IWM").empty());
  EXPECT_TRUE(ids("/api/v1/orders?status=closed").empty());
  EXPECT_TRUE(
      is_problem(call("GET", "/api/v1/orders?since=2026-01-05"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders?status=done"), 400, "validation-error"));
}

TEST_F(ApiRoutesTest, FillsFilterBySinceAndUntil) {
  submit(kBuy100);  // fills at 14:30:00.050
  advance(1min);
  submit(R"({"symbol":"QQQ","side":"sell","qty":"7"})");  // 14:31:00.050
  advance(1min);
  submit(R"({"symbol":"SPY","side":"sell","qty":"40"})");  // 14:32:00.050
  advance(1s);
  auto qtys = [&](const std::string& target) {
    std::vector<std::string> out;
    const json list = body(call("GET", target, {}, kViewer));
    for (const auto& f : list["fills"]) out.push_back(f["qty"]);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(qtys("/api/v1/fills"), (V{"40", "7", "100"}));
  EXPECT_EQ(qtys("/api/v1/fills?since=2026-01-05T14:31:00Z"), (V{"40", "7"}));
  EXPECT_EQ(qtys("/api/v1/fills?until=2026-01-05T14:31:30Z"), (V{"7", "100"}));
  EXPECT_EQ(qtys("/api/v1/fills?since=2026-01-05T14:31:00Z&until=2026-01-05T14:31:30Z"), (V{"7"}));
  EXPECT_EQ(qtys("/api/v1/fills?since=2026-01-05T14:30:00Z&symbol=SPY"), (V{"40", "100"}));
  EXPECT_TRUE(qtys("/api/v1/fills?since=2026-01-05T15:00:00Z").empty());
  auto f = body(call("GET", "/api/v1/fills?symbol=QQQ", {}, kViewer))["fills"][0];
  EXPECT_EQ(f["side"], "sell");
  EXPECT_EQ(f["time"], "2026-01-05T14:31:00.050Z");
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/fills?until=tomorrow"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/fills?cursor=x"), 400, "validation-error"));
}

TEST_F(ApiRoutesTest, HeadIsGetWithoutABody) {
  const auto get = call("GET", "/api/v1/status", {}, kViewer);
  const auto head = call("HEAD", "/api/v1/status", {}, kViewer);
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(test::header(head, "Content-Type"), "application/json");
  EXPECT_FALSE(test::header(head, "Content-Length").empty());
  EXPECT_EQ(call("HEAD", "/healthz", {}, "").result_int(), 200u);
  EXPECT_EQ(call("HEAD", "/api/v1/orders/by-client-id/nope").result_int(), 404u);
  EXPECT_EQ(call("HEAD", "/api/v1/positions", {}, "").result_int(), 401u);
  // HEAD is GET: a route without GET answers 405.
  auto pause = call("HEAD", "/api/v1/queue/pause");
  EXPECT_EQ(pause.result_int(), 405u);
  EXPECT_EQ(test::header(pause, "Allow"), "POST");
  EXPECT_EQ(body(get)["mode"], "paper");
}

TEST_F(ApiRoutesTest, EveryResponseEchoesTheClientsRequestId) {
  auto r = call("GET", "/api/v1/positions", {}, kViewer, {{"X-Request-Id", "dash-42.a_b"}});
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(test::header(r, "X-Request-Id"), "dash-42.a_b");
  // On a command answered from the engine thread, and on refusals.
  r = call("POST", "/api/v1/orders", kBuy100, kTrader, {{"X-Request-Id", "submit-1"}});
  EXPECT_EQ(r.result_int(), 201u);
  EXPECT_EQ(test::header(r, "X-Request-Id"), "submit-1");
  r = call("POST", "/api/v1/orders", "{}", kTrader, {{"X-Request-Id", "submit-2"}});
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  EXPECT_EQ(test::header(r, "X-Request-Id"), "submit-2");
  r = call("GET", "/api/v1/status", {}, "", {{"X-Request-Id", "anon-1"}});
  EXPECT_TRUE(is_problem(r, 401, "unauthorized"));
  EXPECT_EQ(test::header(r, "X-Request-Id"), "anon-1");
  // The audit entry of the command carries it.
  bool audited = false;
  const json events = body(call("GET", "/api/v1/events?limit=1000"));
  for (const auto& e : events["events"])
    audited = audited || (e["type"] == "api.request" && e["data"]["request_id"] == "submit-1");
  EXPECT_TRUE(audited);
  // Not a sane id (a space, too long): a generated one instead.
  for (const std::string& bad : {std::string("has space"), std::string(129, 'x')}) {
    Client client(port);
    auto raw = client.request("GET", "/healthz", {}, {{"X-Request-Id", bad}});
    ASSERT_TRUE(raw);
    EXPECT_FALSE(test::header(*raw, "X-Request-Id").empty());
    EXPECT_NE(test::header(*raw, "X-Request-Id"), bad);
  }
  // Without one, every answer still has one, and they differ.
  EXPECT_NE(test::header(call("GET", "/healthz", {}, ""), "X-Request-Id"),
            test::header(call("GET", "/healthz", {}, ""), "X-Request-Id"));
}

TEST_F(ApiRoutesTest, PathParametersArePercentDecoded) {
  auto o = submit(R"({"symbol":"SPY","side":"buy","qty":"1","client_order_id":"desk:A.1-x_2"})");
  // ':' is fine in a path segment, and so is its escape; any byte may be escaped.
  for (const char* target : {"/api/v1/orders/by-client-id/desk:A.1-x_2",
                             "/api/v1/orders/by-client-id/desk%3AA.1-x_2",
                             "/api/v1/orders/by-client-id/desk%3aA%2E1%2Dx%5F2",
                             "/api/v1/orders/by-client-id/%64esk%3AA.1-x_2"}) {
    auto r = call("GET", target, {}, kViewer);
    EXPECT_EQ(r.result_int(), 200u) << target;
    EXPECT_EQ(body(r)["id"], o["id"]) << target;
  }
  // Case matters; '+' is not a space in a path; a malformed escape is no route.
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/by-client-id/DESK%3AA.1-x_2"), 404,
                         "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/by-client-id/desk%3"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/by-client-id/desk%ZZ"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/by-client-id/a%00b"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/orders/by-client-id/a%2Fb"), 404, "not-found"));
  // Other parameters too.
  advance(1s);
  EXPECT_EQ(body(call("GET", "/api/v1/positions/%53PY", {}, kViewer))["symbol"], "SPY");
  EXPECT_EQ(body(call("GET", "/api/v1/strategies/tr%65nd", {}, kViewer))["name"], "trend");
  EXPECT_EQ(body(call("GET", "/api/v1/orders/%31", {}, kViewer))["id"], "1");
}

TEST_F(ApiRoutesTest, MetricsNeedAViewerTokenAndAreThePrometheusText) {
  auto r = call("GET", "/metrics", {}, kViewer);
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(test::header(r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body(), kMetricsText);
  EXPECT_EQ(call("GET", "/metrics", {}, kAdmin).result_int(), 200u);
  EXPECT_TRUE(is_problem(call("GET", "/metrics", {}, "td_wrong"), 401, "unauthorized"));
  EXPECT_TRUE(is_problem(call("GET", "/metrics?x=1", {}, kViewer), 400, "validation-error"));
}

class ApiRoutesMetricsPublicTest : public ApiRoutesTest {
 protected:
  void SetUp() override {
    ApiRouterOptions ro;
    ro.metrics_public = true;
    start(ro);
  }
};

TEST_F(ApiRoutesMetricsPublicTest, MetricsNeedNoTokenWhenConfiguredPublic) {
  auto r = call("GET", "/metrics", {}, "");
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), kMetricsText);
  // Only /metrics.
  EXPECT_TRUE(is_problem(call("GET", "/api/v1/status", {}, ""), 401, "unauthorized"));
}

TEST_F(ApiRoutesTest, ConfigReloadAnswersWithItsTimeOrTheErrors) {
  auto r = call("POST", "/api/v1/config/reload", "", kAdmin);
  ASSERT_EQ(r.result_int(), 200u) << r.body();
  EXPECT_EQ(body(r)["reloaded"], true);
  EXPECT_TRUE(body(r)["reloaded_at"].is_string());
  reload_result = Status(make_error(ErrorCode::kInvalidArgument, "risk.max_order_qty: must be > 0"));
  r = call("POST", "/api/v1/config/reload", "", kAdmin);
  EXPECT_TRUE(is_problem(r, 400, "validation-error"));
  EXPECT_EQ(body(r)["errors"][0]["field"], "risk.max_order_qty");
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/config/reload", R"({"x":1})", kAdmin), 400,
                         "validation-error"));
}

TEST_F(ApiRoutesTest, ClosingAPositionWhileTheBrokerIsAwayQueuesTheClose) {
  submit(kBuy100);
  advance(1s);
  on_engine([&] { broker->set_connected(false, "test"); });
  auto r = call("DELETE", "/api/v1/positions/SPY");
  ASSERT_EQ(r.result_int(), 202u) << r.body();
  EXPECT_EQ(body(r)["status"], "queued");
  EXPECT_EQ(body(r)["source"], "flatten");
  auto q = body(call("GET", "/api/v1/queue", {}, kViewer));
  ASSERT_EQ(q["orders"].size(), 1u);
  EXPECT_EQ(q["orders"][0]["queued_reason"], "broker_disconnected");
  // Flatten reports the same close with its error, and sends nothing twice.
  auto f = body(call("POST", "/api/v1/flatten", R"({"reason":"away"})"));
  ASSERT_EQ(f["positions"].size(), 1u);
  EXPECT_EQ(f["positions"][0]["closing_order"]["id"], body(r)["id"]);
  EXPECT_EQ(body(call("GET", "/readyz", {}, ""))["status"], "not_ready");
  auto status = body(call("GET", "/api/v1/status", {}, kViewer));
  EXPECT_EQ(status["broker"]["connected"], false);
  EXPECT_EQ(status["trading_state"], "halted");
}

TEST_F(ApiRoutesTest, KillSwitchWithFlattenClosesPositions) {
  submit(kBuy100);
  advance(1s);
  auto ks = call("POST", "/api/v1/kill-switch", R"({"reason":"drill","flatten":true})");
  ASSERT_EQ(ks.result_int(), 200u) << ks.body();
  EXPECT_EQ(body(ks)["engaged"], true);
  EXPECT_TRUE(body(ks)["engaged_at"].is_string());
  advance(1s);
  EXPECT_TRUE(body(call("GET", "/api/v1/positions", {}, kViewer))["positions"].empty());
  auto risk_view = body(call("GET", "/api/v1/risk", {}, kViewer));
  EXPECT_EQ(risk_view["trading_state"], "halted");
  auto rearm = body(call("DELETE", "/api/v1/kill-switch", "", kAdmin));
  EXPECT_EQ(rearm["engaged"], false);
  EXPECT_EQ(rearm["rearmed_by"], "api:admin1");
}

TEST_F(ApiRoutesTest, PnlHistoryTakesFromAndTo) {
  for (int i = 0; i < 5; ++i) {
    advance(1min);
    on_engine([&] { quote("SPY", "449.99", "450.01"); });
  }
  auto all = body(call("GET", "/api/v1/pnl/history", {}, kViewer));
  EXPECT_EQ(all["interval"], "1m");
  ASSERT_GE(all["points"].size(), 5u);
  auto window = body(call(
      "GET", "/api/v1/pnl/history?from=2026-01-05T14:31:30Z&to=2026-01-05T14:33:30Z", {}, kViewer));
  ASSERT_EQ(window["points"].size(), 2u);
  EXPECT_EQ(window["points"][0]["time"], "2026-01-05T14:32:00.000Z");
  auto hourly = body(call("GET", "/api/v1/pnl/history?interval=1h", {}, kViewer));
  EXPECT_EQ(hourly["interval"], "1h");
  EXPECT_EQ(hourly["points"].size(), 1u);
  EXPECT_TRUE(is_problem(
      call("GET", "/api/v1/pnl/history?from=2026-01-05T15:00:00Z&to=2026-01-05T14:00:00Z"), 400,
      "validation-error"));
}

TEST_F(ApiRoutesTest, CommandsRefusedByTheStateOfThingsAre409Or404) {
  auto o = submit(kBuy100);
  advance(1s);
  const std::string id = o["id"];
  EXPECT_TRUE(
      is_problem(call("PATCH", "/api/v1/orders/" + id, R"({"qty":"5"})"), 409, "invalid-state"));
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/queue/999"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/queue/x"), 404, "not-found"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/strategies/nope/stop", "", kAdmin), 404,
                         "not-found"));
  EXPECT_TRUE(is_problem(call("PATCH", "/api/v1/strategies/nope", R"({"params":{}})", kAdmin), 404,
                         "not-found"));
  EXPECT_TRUE(
      is_problem(call("POST", "/api/v1/flatten", R"({"reason":5})"), 400, "validation-error"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/flatten", "reason", kTrader,
                              {{"Content-Type", "text/plain"}}),
                         415, "unsupported-media-type"));
  // Halted: only re-arming leaves it.
  call("POST", "/api/v1/kill-switch", R"({"reason":"drill"})");
  EXPECT_TRUE(is_problem(call("PUT", "/api/v1/trading-state", R"({"state":"reducing"})"), 409,
                         "invalid-state"));
  EXPECT_TRUE(is_problem(call("PUT", "/api/v1/trading-state", R"({"state":"active"})", kAdmin),
                         409, "invalid-state"));
  // A viewer on the emergency routes; without a token (the fixture blocks
  // an address after 3 failures, so only three).
  EXPECT_TRUE(is_problem(call("DELETE", "/api/v1/orders", {}, kViewer), 403, "forbidden"));
  EXPECT_TRUE(is_problem(call("POST", "/api/v1/flatten", {}, kViewer), 403, "forbidden"));
  for (const auto& [method, target] : std::vector<std::pair<const char*, const char*>>{
           {"DELETE", "/api/v1/orders"}, {"POST", "/api/v1/flatten"},
           {"PATCH", "/api/v1/risk/limits"}})
    EXPECT_TRUE(is_problem(call(method, target, {}, ""), 401, "unauthorized")) << target;
}

// Found by fuzz_http_request: a raw non-UTF-8 byte in the path of a
// mutating call made the audit entry's strict JSON dump throw on the engine
// thread (the daemon would have terminated). It is audited with U+FFFD.
TEST_F(ApiRoutesTest, ARawNonUtf8ByteInTheRequestPathIsAuditedNotFatal) {
  auto r = call("DELETE", "/api/v1/orders/\xff\xfe");
  EXPECT_TRUE(is_problem(r, 404, "not-found"));
  r = call("PATCH", "/api/v1/strategies/tr\xffnd", R"({"params":{"fast":"7"}})", kAdmin);
  EXPECT_TRUE(is_problem(r, 404, "not-found"));
  const json events = body(call("GET", "/api/v1/events?limit=1000", {}, kViewer));
  std::vector<std::string> paths;
  for (const auto& e : events["events"])
    if (e["type"] == "api.request") paths.push_back(e["data"]["path"]);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], "/api/v1/orders/\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(paths[1], "/api/v1/strategies/tr\xef\xbf\xbdnd");
  EXPECT_EQ(call("GET", "/api/v1/status", {}, kViewer).result_int(), 200u);
}

TEST_F(ApiRoutesTest, EveryRouteRefusesAnUnknownQueryParameter) {
  for (const char* target :
       {"/api/v1/status", "/api/v1/queue", "/api/v1/positions", "/api/v1/pnl", "/api/v1/risk",
        "/api/v1/kill-switch", "/api/v1/trading-state", "/api/v1/strategies",
        "/api/v1/strategies/trend", "/api/v1/positions/SPY", "/api/v1/orders/1"})
    EXPECT_TRUE(is_problem(call("GET", std::string(target) + "?verbose=1", {}, kViewer), 400,
                           "validation-error"))
        << target;
}

TEST_F(ApiRoutesTest, ReadsNeverWaitForTheEngineThread) {
  // Hold the engine thread; reads still answer from the snapshot, and a
  // command is answered once the engine is free again.
  std::promise<void> release;
  auto released = release.get_future().share();
  boost::asio::post(engine_io, [released] { released.wait(); });
  EXPECT_EQ(call("GET", "/api/v1/positions", {}, kViewer).result_int(), 200u);
  EXPECT_EQ(call("GET", "/api/v1/orders", {}, kViewer).result_int(), 200u);
  Client client(port);
  ASSERT_TRUE(client.send(test::raw_request(
      "POST", "/api/v1/orders", kBuy100,
      {{"Authorization", "Bearer " + kTrader}, {"Content-Type", "application/json"}})));
  EXPECT_FALSE(client.read(200ms).has_value());  // still with the engine
  release.set_value();
  Client again(port);
  auto r = again.request("GET", "/api/v1/orders?status=all", {},
                         {{"Authorization", "Bearer " + kTrader}});
  ASSERT_TRUE(r);
}

}  // namespace
}  // namespace td::api
