// tradectl against a fake daemon over real loopback sockets: the project's
// HttpServer with a router that records every request and answers canned
// responses. Every subcommand is checked for method, target, body (decimals
// as strings exactly as typed) and Authorization; then output (JSON, tables),
// problem printing, exit codes and token handling. The client's run() is
// synchronous, and the router records a request before answering it, so no
// test needs to wait for the server except the --follow and timeout ones,
// which wait on conditions with deadlines.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "api/http/server.h"
#include "tradectl/cli.h"
#include "tradectl/format.h"

namespace td::tradectl {
namespace {

using api::http::HttpRequest;
using api::http::HttpResponse;
using api::http::Reply;
using namespace std::chrono_literals;

std::string compact(const std::string& s) {
  return compact_json(s);
}

struct Seen {
  std::string method, target, body, authorization, request_id, content_type;
};

class FakeDaemon : public api::http::Router {
 public:
  void handle(HttpRequest req, Reply reply) override {
    std::optional<HttpResponse> answer;
    {
      std::lock_guard lock(mu_);
      seen_.push_back({req.method, req.target, req.body,
                       std::string(req.headers.get("Authorization")),
                       std::string(req.headers.get("X-Request-Id")),
                       std::string(req.headers.get("Content-Type"))});
      cv_.notify_all();
      if (hold_) {
        held_.push_back(std::move(reply));
        return;
      }
      auto it = answers_.find(req.method + " " + req.target);
      if (it == answers_.end()) it = answers_.find(req.method + " " + std::string(req.path()));
      if (it != answers_.end()) answer = it->second;
    }
    reply(answer ? *answer : HttpResponse::json(200, R"({"ok": true})"));
  }

  // Canned answer for "METHOD /path" or "METHOD /path?query" (exact target first).
  void answer(const std::string& key, HttpResponse r) {
    std::lock_guard lock(mu_);
    answers_[key] = std::move(r);
  }
  void hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  // Waits until a request whose target is `target` has arrived.
  bool wait_for_target(const std::string& target, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (const auto& s : seen_) {
        if (s.target == target) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Seen> seen_;
  std::map<std::string, HttpResponse> answers_;
  bool hold_ = false;
  std::vector<Reply> held_;
};

struct Result {
  int code = -1;
  std::string out, err;
};

class TradectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api::http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<api::http::HttpServer>(options, daemon_);
    auto ep = server_->start();
    ASSERT_TRUE(ep.has_value());
    url_ = ep->url();
    env_["TRADECTL_URL"] = url_;
    env_["TRADECTL_TOKEN"] = "td_test-token";
    dir_ = std::filesystem::temp_directory_path() /
           ("tradectl_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }

  Result run_cli(const std::vector<std::string>& args, const std::atomic<bool>* stop = nullptr) {
    std::ostringstream out, err;
    Io io{out, err,
          [this](const std::string& n) -> std::optional<std::string> {
            auto it = env_.find(n);
            return it == env_.end() ? std::nullopt : std::optional(it->second);
          },
          stop};
    Result r;
    r.code = run(args, io);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  // Runs `args` and returns the one request it made.
  Seen one_request(const std::vector<std::string>& args) {
    const auto before = daemon_.seen().size();
    Result r = run_cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    auto seen = daemon_.seen();
    EXPECT_EQ(seen.size(), before + 1);
    return seen.empty() ? Seen{} : seen.back();
  }

  std::string write_file(const std::string& name, const std::string& content, mode_t mode) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

  FakeDaemon daemon_;
  std::unique_ptr<api::http::HttpServer> server_;
  std::string url_;
  std::map<std::string, std::string> env_;
  std::filesystem::path dir_;
};

struct RouteCase {
  std::vector<std::string> args;
  std::string method, target, body;  // body "": no body expected
};

TEST_F(TradectlTest, EverySubcommandMakesItsRequest) {
  const std::vector<RouteCase> cases = {
      {{"status"}, "GET", "/api/v1/status", ""},
      {{"orders", "list"}, "GET", "/api/v1/orders", ""},
      {{"orders", "list", "--status", "open", "--symbol", "EUR.USD", "--since",
        "2026-11-21T14:30:00+02:00", "--limit", "50", "--cursor", "c/1"},
       "GET",
       "/api/v1/orders?status=open&symbol=EUR.USD&since=2026-11-21T14%3A30%3A00%2B02%3A00&"
       "limit=50&cursor=c%2F1",
       ""},
      {{"orders", "get", "42"}, "GET", "/api/v1/orders/42", ""},
      {{"orders", "get", "--client-id", "my-2026:1"},
       "GET",
       "/api/v1/orders/by-client-id/my-2026%3A1",
       ""},
      {{"orders", "submit", "SPY", "buy", "100", "--limit", "450.10"},
       "POST",
       "/api/v1/orders",
       R"({"symbol":"SPY","side":"buy","qty":"100","type":"limit","limit_price":"450.10"})"},
      {{"orders", "submit", "MESZ6", "sell", "0.00000001", "--stop", "5000.250", "--tif", "gtc",
        "--client-order-id", "my-2026-11-21-001", "--outside-rth", "--reduce-only", "--submit-at",
        "2026-11-21T16:30:00Z"},
       "POST",
       "/api/v1/orders",
       R"({"symbol":"MESZ6","side":"sell","qty":"0.00000001","type":"stop",)"
       R"("stop_price":"5000.250","tif":"gtc","client_order_id":"my-2026-11-21-001",)"
       R"("outside_rth":true,"reduce_only":true,"submit_at":"2026-11-21T16:30:00Z"})"},
      {{"orders", "submit", "SPY", "buy", "10", "--limit", "450.10", "--stop", "449.00"},
       "POST",
       "/api/v1/orders",
       R"({"symbol":"SPY","side":"buy","qty":"10","type":"stop_limit","limit_price":"450.10",)"
       R"("stop_price":"449.00"})"},
      {{"orders", "submit", "SPY", "sell", "5"},
       "POST",
       "/api/v1/orders",
       R"({"symbol":"SPY","side":"sell","qty":"5","type":"market"})"},
      {{"orders", "submit", "SPY", "sell", "5", "--type", "limit", "--limit", "1.5"},
       "POST",
       "/api/v1/orders",
       R"({"symbol":"SPY","side":"sell","qty":"5","type":"limit","limit_price":"1.5"})"},
      {{"orders", "modify", "7", "--qty", "50", "--limit", "450.25"},
       "PATCH",
       "/api/v1/orders/7",
       R"({"qty":"50","limit_price":"450.25"})"},
      {{"orders", "modify", "7", "--stop", "440.00"},
       "PATCH",
       "/api/v1/orders/7",
       R"({"stop_price":"440.00"})"},
      {{"orders", "cancel", "7"}, "DELETE", "/api/v1/orders/7", ""},
      {{"orders", "cancel-all"}, "DELETE", "/api/v1/orders", ""},
      {{"queue"}, "GET", "/api/v1/queue", ""},
      {{"queue", "list"}, "GET", "/api/v1/queue", ""},
      {{"queue", "cancel", "9"}, "DELETE", "/api/v1/queue/9", ""},
      {{"queue", "pause"}, "POST", "/api/v1/queue/pause", ""},
      {{"queue", "resume"}, "POST", "/api/v1/queue/resume", ""},
      {{"positions"}, "GET", "/api/v1/positions", ""},
      {{"positions", "SPY"}, "GET", "/api/v1/positions/SPY", ""},
      {{"positions", "close", "EUR.USD"}, "DELETE", "/api/v1/positions/EUR.USD", ""},
      {{"pnl"}, "GET", "/api/v1/pnl", ""},
      {{"pnl", "history", "--interval", "1h", "--from", "2026-11-01T00:00:00Z", "--to",
        "2026-11-02T00:00:00Z"},
       "GET",
       "/api/v1/pnl/history?interval=1h&from=2026-11-01T00%3A00%3A00Z&to=2026-11-02T00%3A00%3A00Z",
       ""},
      {{"fills", "--symbol", "SPY", "--since", "2026-11-01T00:00:00Z", "--until",
        "2026-11-02T00:00:00Z", "--limit", "10", "--cursor", "abc"},
       "GET",
       "/api/v1/fills?symbol=SPY&since=2026-11-01T00%3A00%3A00Z&until=2026-11-02T00%3A00%3A00Z&"
       "limit=10&cursor=abc",
       ""},
      {{"kill-switch"}, "GET", "/api/v1/kill-switch", ""},
      {{"kill-switch", "status"}, "GET", "/api/v1/kill-switch", ""},
      {{"kill-switch", "engage"}, "POST", "/api/v1/kill-switch", "{}"},
      {{"kill-switch", "engage", "--reason", "runaway strategy", "--flatten"},
       "POST",
       "/api/v1/kill-switch",
       R"({"reason":"runaway strategy","flatten":true})"},
      {{"kill-switch", "rearm", "--reason", "fixed"},
       "DELETE",
       "/api/v1/kill-switch",
       R"({"reason":"fixed"})"},
      {{"flatten", "--reason", "broker outage"},
       "POST",
       "/api/v1/flatten",
       R"({"reason":"broker outage"})"},
      {{"flatten"}, "POST", "/api/v1/flatten", "{}"},
      {{"trading-state"}, "GET", "/api/v1/trading-state", ""},
      {{"trading-state", "get"}, "GET", "/api/v1/trading-state", ""},
      {{"trading-state", "set", "reducing", "--reason", "end of day"},
       "PUT",
       "/api/v1/trading-state",
       R"({"state":"reducing","reason":"end of day"})"},
      {{"risk"}, "GET", "/api/v1/risk", ""},
      {{"risk", "set-limits", "max_order_notional=50000.50", "max_working_orders=10",
        "throttle=reject", R"(allowed_symbols=["SPY", "QQQ"])", "min_notional=1e2",
        "order_rate_window=30s", "price_collar_pct=\"5\"", "short_allowed=false"},
       "PATCH",
       "/api/v1/risk/limits",
       R"({"max_order_notional":"50000.50","max_working_orders":10,"throttle":"reject",)"
       R"("allowed_symbols":["SPY","QQQ"],"min_notional":"1e2","order_rate_window":"30s",)"
       R"("price_collar_pct":"5","short_allowed":false})"},
      {{"strategies"}, "GET", "/api/v1/strategies", ""},
      {{"strategies", "list"}, "GET", "/api/v1/strategies", ""},
      {{"strategies", "get", "sma fast"}, "GET", "/api/v1/strategies/sma%20fast", ""},
      {{"strategies", "start", "sma"}, "POST", "/api/v1/strategies/sma/start", ""},
      {{"strategies", "stop", "sma"}, "POST", "/api/v1/strategies/sma/stop", ""},
      {{"strategies", "set-params", "sma", "fast=5", "k=2.50"},
       "PATCH",
       "/api/v1/strategies/sma",
       R"({"params":{"fast":5,"k":"2.50"}})"},
      {{"events"}, "GET", "/api/v1/events", ""},
      {{"events", "--after", "10", "--limit", "5"}, "GET", "/api/v1/events?after=10&limit=5", ""},
      {{"config", "reload"}, "POST", "/api/v1/config/reload", ""},
      {{"metrics"}, "GET", "/metrics", ""},
      {{"openapi"}, "GET", "/api/v1/openapi.json", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args.front() + (c.args.size() > 1 ? " " + c.args[1] : ""));
    const Seen s = one_request(c.args);
    EXPECT_EQ(s.method, c.method);
    EXPECT_EQ(s.target, c.target);
    EXPECT_EQ(s.body, c.body);
    if (!c.body.empty()) {
      EXPECT_EQ(s.content_type, "application/json");
    }
    if (c.target != "/api/v1/openapi.json") {
      EXPECT_EQ(s.authorization, "Bearer td_test-token");
    }
    EXPECT_TRUE(s.request_id.starts_with("tc-")) << s.request_id;
    EXPECT_EQ(s.request_id.size(), 23u);
  }
}

TEST_F(TradectlTest, RequestIdsAreFresh) {
  const Seen a = one_request({"status"});
  const Seen b = one_request({"status"});
  EXPECT_NE(a.request_id, b.request_id);
}

TEST_F(TradectlTest, UrlFlagWithPrefixAndGlobalOptionsAfterTheSubcommand) {
  env_.erase("TRADECTL_URL");
  const Seen s = one_request({"status", "--url", url_ + "/td/"});
  EXPECT_EQ(s.target, "/td/api/v1/status");
}

TEST_F(TradectlTest, PrintsTheServersJsonExactlyPrettyPrinted) {
  daemon_.answer("GET /api/v1/pnl",
                 HttpResponse::json(
                     200, R"({"total":"1.10","zeta":1.50,"alpha":[1, 2],"o":{},"s":"a\"b,{"})"));
  Result r = run_cli({"pnl"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\n"
            "  \"total\": \"1.10\",\n"
            "  \"zeta\": 1.50,\n"
            "  \"alpha\": [\n"
            "    1,\n"
            "    2\n"
            "  ],\n"
            "  \"o\": {},\n"
            "  \"s\": \"a\\\"b,{\"\n"
            "}\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(TradectlTest, OrdersTable) {
  daemon_.answer(
      "GET /api/v1/orders",
      HttpResponse::json(
          200,
          R"({"orders":[{"id":"12","client_order_id":"c-1","symbol":"SPY","side":"buy",)"
          R"("qty":"100","filled_qty":"40","avg_fill_price":"450.08","type":"limit",)"
          R"("limit_price":"450.10","stop_price":null,"tif":"day","status":"partially_filled",)"
          R"("created_at":"2026-11-21T14:30:00.123Z"},{"id":"3","client_order_id":"td-3",)"
          R"("symbol":"MESZ6","side":"sell","qty":"1","filled_qty":"0","avg_fill_price":null,)"
          R"("type":"market","limit_price":null,"stop_price":null,"tif":"gtc","status":"queued",)"
          R"("created_at":"2026-11-21T14:29:00.000Z"}],"next_cursor":null})"));
  Result r = run_cli({"--table", "orders", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ID  CLIENT_ID  SYMBOL  SIDE  QTY  FILLED  AVG_PRICE  TYPE    LIMIT   STOP  TIF  "
            "STATUS            CREATED\n"
            "12  c-1        SPY     buy   100  40      450.08     limit   450.10  -     day  "
            "partially_filled  2026-11-21T14:30:00.123Z\n"
            "3   td-3       MESZ6   sell  1    0       -          market  -       -     gtc  "
            "queued            2026-11-21T14:29:00.000Z\n");
}

TEST_F(TradectlTest, PositionsFillsStrategiesQueueEventsTables) {
  daemon_.answer("GET /api/v1/positions",
                 HttpResponse::json(200, R"({"positions":[{"symbol":"SPY","qty":"-100",)"
                                         R"("avg_cost":"450.1","market_price":"451",)"
                                         R"("market_value":"-45100","unrealized_pnl":"-90",)"
                                         R"("realized_pnl":"0","realized_pnl_today":"0"}]})"));
  Result r = run_cli({"positions", "--table"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "SYMBOL  QTY   AVG_COST  MKT_PRICE  MKT_VALUE  UNREALIZED  REALIZED  REALIZED_TODAY\n"
            "SPY     -100  450.1     451        -45100     -90         0         0\n");

  daemon_.answer("GET /api/v1/positions/SPY",
                 HttpResponse::json(200, R"({"symbol":"SPY","qty":"5"})"));
  r = run_cli({"positions", "SPY", "--table"});
  EXPECT_EQ(r.out,
            "SYMBOL  QTY  AVG_COST  MKT_PRICE  MKT_VALUE  UNREALIZED  REALIZED  REALIZED_TODAY\n"
            "SPY     5    -         -          -          -           -         -\n");

  daemon_.answer("GET /api/v1/fills",
                 HttpResponse::json(200, R"({"fills":[{"id":"f1","order_id":"12","symbol":"SPY",)"
                                         R"("side":"buy","qty":"40","price":"450.08",)"
                                         R"("commission":"1","time":"T1"}],"next_cursor":null})"));
  r = run_cli({"--table", "fills"});
  EXPECT_EQ(r.out,
            "ID  ORDER_ID  SYMBOL  SIDE  QTY  PRICE   COMMISSION  TIME\n"
            "f1  12        SPY     buy   40   450.08  1           T1\n");

  daemon_.answer(
      "GET /api/v1/strategies",
      HttpResponse::json(200, R"({"strategies":[{"name":"sma","type":"sma_cross",)"
                              R"("enabled":true,"symbols":["SPY","QQQ"],)"
                              R"("params":{"fast":"5"},"position":"10","pnl":"-1.5"}]})"));
  r = run_cli({"--table", "strategies"});
  EXPECT_EQ(r.out,
            "NAME  TYPE       ENABLED  SYMBOLS        POSITION  PNL\n"
            "sma   sma_cross  true     [\"SPY\",\"QQQ\"]  10        -1.5\n");

  daemon_.answer("GET /api/v1/queue",
                 HttpResponse::json(200, R"({"routing":"paused","orders":[{"id":"4",)"
                                         R"("client_order_id":"x","symbol":"SPY","side":"buy",)"
                                         R"("qty":"1","type":"market","limit_price":null,)"
                                         R"("stop_price":null,"status":"queued",)"
                                         R"("queued_reason":"paused","submit_at":null}]})"));
  r = run_cli({"--table", "queue"});
  EXPECT_EQ(r.out,
            "routing: paused\n"
            "ID  CLIENT_ID  SYMBOL  SIDE  QTY  TYPE    LIMIT  STOP  STATUS  REASON  SUBMIT_AT\n"
            "4   x          SPY     buy   1    market  -      -     queued  paused  -\n");

  daemon_.answer(
      "GET /api/v1/events",
      HttpResponse::json(200, R"({"events":[{"seq":7,"time":"T","type":"order.submitted",)"
                              R"("actor":"ops","data":{"id":"12"}}]})"));
  r = run_cli({"--table", "events"});
  EXPECT_EQ(r.out,
            "SEQ  TIME  TYPE             ACTOR  DATA\n"
            "7    T     order.submitted  ops    {\"id\":\"12\"}\n");
}

TEST_F(TradectlTest, KeyValueTableForObjects) {
  daemon_.answer("GET /api/v1/kill-switch",
                 HttpResponse::json(200, R"({"engaged":true,"reason":"test","engaged_at":null,)"
                                         R"("by":{"name":"ops"},"ids":["1","2"],"none":[]})"));
  Result r = run_cli({"kill-switch", "--table"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "engaged     true\n"
            "reason      test\n"
            "engaged_at  -\n"
            "by.name     ops\n"
            "ids         1,2\n"
            "none        -\n");
}

TEST_F(TradectlTest, ProblemIsPrintedWithCheckDetailAndRequestId) {
  daemon_.answer(
      "POST /api/v1/orders",
      HttpResponse::text(409,
                         R"({"type":"/problems/trading-halted","title":"Trading halted",)"
                         R"("status":409,"detail":"kill switch engaged: test",)"
                         R"("instance":"/api/v1/orders","check":"kill_switch_engaged"})",
                         "application/problem+json"));
  Result r = run_cli({"orders", "submit", "SPY", "buy", "1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  const Seen s = daemon_.seen().back();
  EXPECT_EQ(r.err,
            "error 409 trading-halted (check kill_switch_engaged): kill switch engaged: test\n"
            "request id: " +
                s.request_id + "\n");
}

TEST_F(TradectlTest, ValidationProblemListsFieldErrors) {
  daemon_.answer(
      "POST /api/v1/orders",
      HttpResponse::text(
          400,
          R"({"type":"/problems/validation-error","title":"Validation error","status":400,)"
          R"("detail":"qty: must be > 0; side: required","errors":[{"field":"qty",)"
          R"("message":"must be > 0"},{"field":"","message":"malformed"}]})",
          "application/problem+json"));
  Result r = run_cli({"orders", "submit", "SPY", "buy", "0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("error 400 validation-error: qty: must be > 0; side: required\n"
                       "  qty: must be > 0\n"
                       "  (body): malformed\n"
                       "request id: tc-"),
            std::string::npos)
      << r.err;
}

TEST_F(TradectlTest, NonProblemErrorAndUnauthorizedHint) {
  daemon_.answer("GET /api/v1/status", HttpResponse::text(502, "Bad gateway\nmore"));
  Result r = run_cli({"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.err.starts_with("error 502 Bad Gateway: Bad gateway\nrequest id: tc-")) << r.err;

  env_.erase("TRADECTL_TOKEN");
  daemon_.answer("GET /api/v1/risk",
                 HttpResponse::text(401,
                                    R"({"type":"/problems/unauthorized","status":401,)"
                                    R"("title":"Unauthorized"})",
                                    "application/problem+json"));
  r = run_cli({"risk"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("error 401 unauthorized: Unauthorized\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: no token found"), std::string::npos) << r.err;
  EXPECT_EQ(daemon_.seen().back().authorization, "");
}

TEST_F(TradectlTest, AllPagesFollowsTheCursor) {
  daemon_.answer(
      "GET /api/v1/fills?symbol=SPY&limit=1",
      HttpResponse::json(200, R"({"fills":[{"id":"f3","qty":"1.50"}],"next_cursor":"c2"})"));
  daemon_.answer("GET /api/v1/fills?symbol=SPY&limit=1&cursor=c2",
                 HttpResponse::json(200, R"({"fills":[{"id":"f2"}],"next_cursor":"c 3"})"));
  daemon_.answer("GET /api/v1/fills?symbol=SPY&limit=1&cursor=c%203",
                 HttpResponse::json(200, R"({"fills":[{"id":"f1"}],"next_cursor":null})"));
  Result r = run_cli({"fills", "--symbol", "SPY", "--limit", "1", "--all-pages"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(daemon_.seen().size(), 3u);
  EXPECT_EQ(compact(r.out),
            R"({"fills":[{"id":"f3","qty":"1.50"},{"id":"f2"},{"id":"f1"}],"next_cursor":null})");

  daemon_.answer("GET /api/v1/orders",
                 HttpResponse::json(200, R"({"orders":[{"id":"1"}],"next_cursor":"same"})"));
  r = run_cli({"orders", "list", "--all-pages"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cursor 'same' twice"), std::string::npos);
}

TEST_F(TradectlTest, HealthAsksBothProbesWithoutTheToken) {
  daemon_.answer("GET /healthz", HttpResponse::json(200, R"({"status":"ok"})"));
  daemon_.answer("GET /readyz",
                 HttpResponse::json(503, R"({"status":"not_ready","broker":{"connected":false}})"));
  Result r = run_cli({"health"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(
      compact(r.out),
      R"({"healthz":{"status":"ok"},"readyz":{"status":"not_ready","broker":{"connected":false}}})");
  auto seen = daemon_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].target, "/healthz");
  EXPECT_EQ(seen[1].target, "/readyz");
  EXPECT_EQ(seen[0].authorization, "");
  EXPECT_EQ(seen[1].authorization, "");

  daemon_.answer("GET /readyz", HttpResponse::json(200, R"({"status":"ready"})"));
  r = run_cli({"health", "--table"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "healthz.status  ok\nreadyz.status   ready\n");
}

TEST_F(TradectlTest, MetricsArePrintedAsText) {
  daemon_.answer("GET /metrics", HttpResponse::text(200, "# TYPE x counter\nx 1\n"));
  Result r = run_cli({"metrics"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "# TYPE x counter\nx 1\n");
}

TEST_F(TradectlTest, TokenFilePermissionsAreEnforced) {
  env_.erase("TRADECTL_TOKEN");
  const auto loose = write_file("loose", "td_file-token\n", 0644);
  Result r = run_cli({"--token-file", loose, "status"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("permissions 0644 for token file " + loose + " are too open"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(daemon_.seen().empty());  // nothing was sent

  const auto group = write_file("group", "td_file-token\n", 0640);
  EXPECT_EQ(run_cli({"--token-file", group, "status"}).code, 2);

  const auto strict = write_file("strict", "  td_file-token\n", 0600);
  Seen s = one_request({"--token-file", strict, "status"});
  EXPECT_EQ(s.authorization, "Bearer td_file-token");

  const auto readonly = write_file("readonly", "td_ro\n", 0400);
  s = one_request({"status", "--token-file", readonly});
  EXPECT_EQ(s.authorization, "Bearer td_ro");

  // --token-file wins over the environment.
  env_["TRADECTL_TOKEN"] = "td_env";
  s = one_request({"--token-file", strict, "status"});
  EXPECT_EQ(s.authorization, "Bearer td_file-token");

  const auto empty = write_file("empty", "\n", 0600);
  r = run_cli({"--token-file", empty, "status"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is empty"), std::string::npos);

  r = run_cli({"--token-file", (dir_ / "missing").string(), "status"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot open token file"), std::string::npos);
}

TEST_F(TradectlTest, DefaultTokenFileUnderXdgConfigHomeOrHome) {
  env_.erase("TRADECTL_TOKEN");
  std::filesystem::create_directories(dir_ / "xdg" / "tradectl");
  write_file("xdg/tradectl/token", "td_xdg\n", 0600);
  env_["XDG_CONFIG_HOME"] = (dir_ / "xdg").string();
  EXPECT_EQ(one_request({"status"}).authorization, "Bearer td_xdg");

  env_.erase("XDG_CONFIG_HOME");
  std::filesystem::create_directories(dir_ / "home" / ".config" / "tradectl");
  write_file("home/.config/tradectl/token", "td_home\n", 0666);
  env_["HOME"] = (dir_ / "home").string();
  Result r = run_cli({"status"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("are too open"), std::string::npos);

  ::chmod((dir_ / "home/.config/tradectl/token").c_str(), 0600);
  EXPECT_EQ(one_request({"status"}).authorization, "Bearer td_home");

  // No file anywhere: requests go without a token.
  env_["HOME"] = (dir_ / "nowhere").string();
  EXPECT_EQ(one_request({"status"}).authorization, "");
}

TEST_F(TradectlTest, UsageErrorsExitTwoAndSendNothing) {
  Result r = run_cli({"status", "--bogus"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Usage"), std::string::npos) << r.err;

  r = run_cli({"orders", "submit", "SPY", "buy", "1e2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("qty: '1e2' is not a decimal"), std::string::npos) << r.err;

  r = run_cli({"orders", "submit", "SPY", "buy", "10", "--limit", "450,10"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--limit: '450,10' is not a decimal"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Run 'tradectl orders submit --help'"), std::string::npos) << r.err;

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"orders"},
           {"orders", "submit", "SPY", "hold", "1"},
           {"orders", "submit", "SPY", "buy", "-1"},
           {"orders", "submit", "SPY", "buy", "1", "--client-order-id", "no spaces"},
           {"orders", "modify", "7"},
           {"orders", "modify", "7", "--qty", ".5"},
           {"orders", "get"},
           {"orders", "get", "1", "--client-id", "x"},
           {"orders", "list", "--status", "pending"},
           {"orders", "list", "--limit", "0"},
           {"kill-switch", "rearm"},
           {"trading-state", "set", "halted", "--reason", "x"},
           {"risk", "set-limits", "novalue"},
           {"risk", "set-limits", "a=1", "a=2"},
           {"strategies", "set-params", "sma"},
           {"watch"},
           {"--url", "ftp://x", "status"},
           {"--timeout", "-1", "status"},
       }) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    r = run_cli(args);
    EXPECT_EQ(r.code, 2) << joined << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
  }
  EXPECT_TRUE(daemon_.seen().empty());

  r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("kill-switch"), std::string::npos);
  EXPECT_NE(r.out.find("no --token flag"), std::string::npos);
}

TEST_F(TradectlTest, ConnectionRefusedIsExitThree) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();  // nothing listens there now
  Result r = run_cli({"--url", "http://127.0.0.1:" + std::to_string(port), "status"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("connect to 127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
}

TEST_F(TradectlTest, TimeoutIsExitThree) {
  daemon_.hold();  // never answers
  const auto start = std::chrono::steady_clock::now();
  Result r = run_cli({"--timeout", "0.3", "status"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("timed out after 0.3 s"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(TradectlTest, InterruptedRequestIsExit130) {
  daemon_.hold();
  std::atomic<bool> stop{false};
  Result r;
  std::thread t([&] { r = run_cli({"status"}, &stop); });
  ASSERT_TRUE(daemon_.wait_for_target("/api/v1/status"));
  stop = true;
  t.join();
  EXPECT_EQ(r.code, 130);
}

TEST_F(TradectlTest, EventsFollowPollsAfterTheLastSeqUntilStopped) {
  daemon_.answer("GET /api/v1/events?after=5",
                 HttpResponse::json(200, R"({"events":[{"seq":6,"type":"a","data":{"p":"1.10"}},)"
                                         R"({"seq":7,"type":"b","data":null}]})"));
  daemon_.answer("GET /api/v1/events?after=7", HttpResponse::json(200, R"({"events":[]})"));
  std::atomic<bool> stop{false};
  Result r;
  std::thread t([&] {
    r = run_cli({"events", "--after", "5", "--follow", "--poll-interval", "0.05"}, &stop);
  });
  EXPECT_TRUE(daemon_.wait_for_target("/api/v1/events?after=7"));
  stop = true;
  t.join();
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"seq\":6,\"type\":\"a\",\"data\":{\"p\":\"1.10\"}}\n"
            "{\"seq\":7,\"type\":\"b\",\"data\":null}\n");
}

}  // namespace
}  // namespace td::tradectl
