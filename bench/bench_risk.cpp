// The risk manager's two promises in time:
// - the pre-trade chain with every check enabled, per order (target: median
//   < 300 ns), measured on orders that pass (the common case: a refusal only
//   adds the building of its message);
// - the kill switch: from the engage call until the gate refuses new exposure,
//   and the whole engage (cancelling every working order) — target p99 < 1 ms.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "brokers/sim/sim_broker.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "risk/risk_manager.h"

namespace {

using namespace td;
using namespace std::chrono_literals;

const Timestamp kStart = *parse_time("2026-01-06T15:00:00Z");  // a Tuesday, 10:00 New York

Decimal D(const char* s) { return *Decimal::parse(s); }

risk::RiskLimits every_check() {
  risk::RiskLimits l;
  l.max_order_qty = D("10000");
  l.max_order_notional = D("5000000");
  l.min_notional = D("1");
  l.price_collar_pct = D("10");
  l.reference_max_age = 60s;
  l.max_position_qty = D("1000000");
  l.max_position_notional = D("100000000");
  l.max_gross_exposure = D("1000000000");
  l.max_net_exposure = D("1000000000");
  l.max_working_orders = 1000000;
  l.max_orders_per_second = 1000;  // the bench sends 250/s per source (1 ms apart, 4 sources)
  l.max_orders_per_minute = 100000;
  l.duplicate_window = 1s;
  l.allow_short = false;
  l.daily_loss_limit = D("1000000");
  l.max_drawdown = D("1000000");
  l.max_drawdown_pct = D("50");
  l.max_consecutive_losses = 100;
  l.max_position_duration = std::chrono::hours(100);
  l.stale_data_after = 60s;
  l.broker_disconnect_after = 60s;
  for (const char* s : {"SPY", "QQQ", "AAPL", "MES"}) {
    l.allowed_symbols.insert(Symbol(s));
    risk::TradingHours h;
    h.outside_rth = true;
    l.trading_hours[Symbol(s)] = h;
  }
  return l;
}

struct Rig {
  SimScheduler sched{kStart};
  sim::SimBroker broker;
  Engine engine;
  risk::RiskManager risk;
  std::vector<Symbol> symbols;

  explicit Rig(risk::RiskLimits limits)
      : broker(sched, options()), engine(sched, broker), risk(std::move(limits), engine) {
    engine.set_risk_hook(risk);
    for (const auto& i : instruments()) {
      (void)engine.add_instrument(i);
      symbols.push_back(i.symbol);
    }
    for (const auto& s : symbols) quote(s, "100.00", "100.02");
  }
  static std::vector<Instrument> instruments() {
    std::vector<Instrument> v;
    for (const char* s : {"SPY", "QQQ", "AAPL", "MES"}) {
      Instrument i;
      i.symbol = Symbol(s);
      if (std::string(s) == "MES") i.sec_type = SecType::kFuture, i.multiplier = D("5");
      v.push_back(i);
    }
    return v;
  }
  static sim::SimBrokerOptions options() {
    sim::SimBrokerOptions o;
    o.instruments = instruments();
    o.ack_latency = 1ms;
    return o;
  }
  void quote(const Symbol& s, const char* bid, const char* ask) {
    Quote q{s, sched.now(), D(bid), D(ask), D("1000000"), D("1000000"), D(bid)};
    broker.on_quote(q);
    engine.on_quote(q);
  }
};

void BM_PreTradeChainEveryCheck(benchmark::State& state) {
  Rig rig(every_check());
  // Orders built up front: limit buys of varying size and price (so that the
  // duplicate guard never matches), across four symbols.
  std::vector<std::unique_ptr<Order>> orders;
  for (int i = 0; i < 4096; ++i) {
    OrderRequest r;
    r.symbol = rig.symbols[static_cast<size_t>(i) % rig.symbols.size()];
    r.side = Side::kBuy;
    r.qty = Decimal::from_int(1 + i % 97);
    r.type = OrderType::kLimit;
    r.limit_price = Decimal::from_units(100'00000000 + (i % 50) * 1'000'000);
    r.source = "strategy:bench" + std::to_string(i % 4);
    orders.push_back(std::make_unique<Order>(OrderId(static_cast<uint64_t>(i + 1)), r, kStart));
  }
  size_t i = 0, refused = 0;
  (void)rig.risk.pre_trade(*orders.back(), rig.engine);  // loads the time zone database
  for (auto _ : state) {
    rig.sched.sim_clock().advance(1ms);
    auto d = rig.risk.pre_trade(*orders[i], rig.engine);
    refused += d.has_value();
    benchmark::DoNotOptimize(d);
    if (++i == orders.size()) {  // every 4.096 simulated seconds: fresh quotes
      i = 0;
      state.PauseTiming();
      for (const auto& s : rig.symbols) rig.quote(s, "100.00", "100.02");
      state.ResumeTiming();
    }
  }
  state.counters["refused"] = static_cast<double>(refused);
}
BENCHMARK(BM_PreTradeChainEveryCheck);

// Engage with 30 working orders and 20 positions; each sample is one fresh
// book. Reports the time to the closed gate and the whole engage.
void BM_KillSwitchEngage(benchmark::State& state) {
  std::vector<int64_t> gate_ns, total_ns;
  for (auto _ : state) {
    state.PauseTiming();
    auto rig = std::make_unique<Rig>(risk::RiskLimits{});
    for (int k = 0; k < 20; ++k) {  // positions: market orders, filled on the next quote
      OrderRequest r;
      r.symbol = rig->symbols[static_cast<size_t>(k) % 4];
      r.side = k % 2 ? Side::kBuy : Side::kSell;
      r.qty = Decimal::from_int(10 + k);
      (void)rig->engine.submit(r);
    }
    for (int k = 0; k < 30; ++k) {  // working limit orders far from the market
      OrderRequest r;
      r.symbol = rig->symbols[static_cast<size_t>(k) % 4];
      r.side = Side::kBuy;
      r.qty = Decimal::from_int(5);
      r.type = OrderType::kLimit;
      r.limit_price = D("50");
      (void)rig->engine.submit(r);
    }
    rig->sched.run_until(rig->sched.now() + 10ms);
    OrderRequest probe;
    probe.symbol = rig->symbols[0];
    // An exposure-increasing order: the same side as the position.
    probe.side = rig->engine.portfolio().position_qty(probe.symbol).sign() < 0 ? Side::kSell
                                                                              : Side::kBuy;
    probe.qty = D("1");
    Order probe_order(OrderId(999999), probe, rig->sched.now());
    state.ResumeTiming();

    const auto t0 = std::chrono::steady_clock::now();
    auto result = rig->risk.engage("bench", "bench", false, rig->sched.now());
    const auto t1 = std::chrono::steady_clock::now();
    auto d = rig->risk.pre_trade(probe_order, rig->engine);
    const auto t2 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(result);
    if (!d || d->check != "kill_switch_engaged") {
      state.SkipWithError(("gate not closed: " + (d ? d->check : std::string("passed"))).c_str());
      break;
    }
    total_ns.push_back((t1 - t0).count());
    gate_ns.push_back((t2 - t0).count());

    state.PauseTiming();
    rig.reset();
    state.ResumeTiming();
  }
  if (total_ns.empty()) return;
  auto pct = [](std::vector<int64_t>& v, double p) {
    std::sort(v.begin(), v.end());
    return static_cast<double>(v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))]);
  };
  state.counters["engage_p50_ns"] = pct(total_ns, 0.50);
  state.counters["engage_p99_ns"] = pct(total_ns, 0.99);
  state.counters["gate_closed_p50_ns"] = pct(gate_ns, 0.50);
  state.counters["gate_closed_p99_ns"] = pct(gate_ns, 0.99);
}
BENCHMARK(BM_KillSwitchEngage)->Iterations(500)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
