#include "fuzz_router.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "api/auth/failure_limiter.h"
#include "api/auth/token.h"
#include "api/auth/token_store.h"
#include "api/openapi/openapi.h"
#include "api/routes/api_router.h"
#include "api/snapshot/publisher.h"
#include "brokers/sim/sim_broker.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "risk/risk_manager.h"
#include "strategies/spec.h"

namespace td::fuzz {

namespace {

using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_seconds(1767623400);  // 2026-01-05T14:30:00Z, a Monday

[[noreturn]] void die(const char* what) {
  fprintf(stderr, "fuzz_router: cannot build the fuzz world: %s\n", what);
  abort();
}

Decimal D(const char* s) {
  return *Decimal::parse(s);
}

// The paper world behind the router, as the route tests' fixture builds it
// (tests/unit/api_routes_test.cpp), with the engine on the calling thread.
// Members are destroyed in reverse order: the router first.
struct World {
  SimScheduler scheduler{kT0};
  SimClock wall{kT0};
  std::unique_ptr<sim::SimBroker> broker;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<risk::RiskManager> risk;
  api::SnapshotStore snapshots;
  std::unique_ptr<api::SnapshotPublisher> publisher;
  std::unique_ptr<api::auth::FailureLimiter> failures;
  std::unique_ptr<api::ApiRouter> router;

  World() {
    sim::SimBrokerOptions bo;
    bo.ack_latency = 50ms;
    Instrument spy;
    spy.symbol = Symbol("SPY");
    Instrument qqq;
    qqq.symbol = Symbol("QQQ");
    bo.instruments = {spy, qqq};
    broker = std::make_unique<sim::SimBroker>(scheduler, bo);
    engine = std::make_unique<Engine>(scheduler, *broker);
    risk = std::make_unique<risk::RiskManager>(risk::RiskLimits{}, *engine);
    engine->set_risk_hook(*risk);
    if (!engine->add_instrument(spy) || !engine->add_instrument(qqq)) die("instruments");
    strategies::StrategySpec spec;
    spec.name = "trend";
    spec.type = "sma_cross";
    spec.symbols = {Symbol("QQQ")};
    spec.params = {{"fast", "5"}, {"slow", "20"}};
    auto made = strategies::make_strategy(spec);
    if (!made || !engine->add_strategy("trend", "sma_cross", std::move(*made), true))
      die("strategy");
    api::StaticInfo info;
    info.version = "fuzz";
    info.started_at = wall.now();
    info.mode = "paper";
    info.symbols = {Symbol("SPY"), Symbol("QQQ")};
    publisher = std::make_unique<api::SnapshotPublisher>(*engine, *risk, snapshots, wall, info);
    publisher->set_strategy_params("trend", spec.params);
    engine->add_sink(publisher.get());
    engine->start();
    quote("SPY", "449.99", "450.01");
    quote("QQQ", "399.99", "400.01");
    publisher->flush();

    auto token = [](const char* name, const char* role, std::string_view clear) {
      return api::auth::ApiTokenLike{name, role, api::auth::sha256_hex(clear)};
    };
    auto store = api::auth::TokenStore::create({token("viewer1", "viewer", kFuzzViewerToken),
                                                token("trader1", "trader", kFuzzTraderToken),
                                                token("admin1", "admin", kFuzzAdminToken)});
    if (!store) die("tokens");
    // A bad token never blocks the fuzzer's one address for long: the
    // limit is far above what one input can send.
    failures = std::make_unique<api::auth::FailureLimiter>(
        wall, api::auth::FailureLimiterConfig{1000, 60s, 60s, 16});

    api::ApiBackend backend;
    backend.engine = engine.get();
    backend.risk = risk.get();
    backend.publisher = publisher.get();
    // Inline: the engine's work runs on the fuzzer's thread, at once.
    backend.post = [](std::function<void()> fn) { fn(); };
    backend.reload_config = [](const std::string&) { return Status(); };
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
    backend.metrics_text = [] { return std::string("# TYPE tradingd_up gauge\ntradingd_up 1\n"); };
    backend.openapi_json = [] { return api::openapi_json(); };
    api::ApiRouterOptions ro;
    ro.rate_per_second = 0;  // the per-token request rate uses the real clock: off
    router = std::make_unique<api::ApiRouter>(std::move(backend), snapshots, std::move(*store),
                                              *failures, wall, ro);
  }

  void quote(const char* sym, const char* bid, const char* ask) {
    Quote q{Symbol(sym), scheduler.now(), D(bid), D(ask), D("1000"), D("1000"), D(bid)};
    broker->on_quote(q);
    engine->on_quote(q);
    publisher->on_quote(q);
  }

  // Between requests: a second of simulated time (acks, fills, scheduled
  // orders), then the snapshot the next read sees.
  void drain() {
    scheduler.run_until(scheduler.now() + 1s);
    publisher->flush();
  }
};

// Forwards to the current world's router; the world is rebuilt at the start
// of every input.
class WorldRouter final : public api::http::Router {
 public:
  void handle(api::http::HttpRequest request, api::http::Reply reply) override {
    world().router->handle(std::move(request), std::move(reply));
  }
  void drain() { world().drain(); }
  void rebuild() {
    world_.reset();  // the old world goes before the new one is made
    world_ = std::make_unique<World>();
  }

 private:
  World& world() {
    if (!world_) rebuild();
    return *world_;
  }
  std::unique_ptr<World> world_;
};

}  // namespace

FuzzRouter make_fuzz_router() {
  auto router = std::make_unique<WorldRouter>();
  WorldRouter* r = router.get();
  return FuzzRouter{std::move(router), [r] { r->drain(); }, [r] { r->rebuild(); }};
}

}  // namespace td::fuzz
