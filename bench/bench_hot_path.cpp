// The live hot path, per market event: a quote (or a closing bar) goes to the
// simulated broker (which works resting orders) and to the engine, which marks
// the portfolio and runs the strategy; a decision passes the risk hook and
// reaches the simulated broker, whose acknowledgements and fills come back
// through the engine into orders and the portfolio. Target: median < 1 us.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench/hot_path_events.h"
#include "brokers/sim/sim_broker.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "risk/pass_through_risk.h"
#include "risk/risk_manager.h"
#include "strategies/spec.h"

namespace {

using namespace td;

using bench::kStart;
using bench::make_events;
using bench::MarketEvent;
using bench::typical_limits;

struct Rig {
  SimScheduler sched{kStart};
  sim::SimBroker broker;
  risk::PassThroughRisk pass;
  Engine engine;
  std::unique_ptr<risk::RiskManager> manager;

  explicit Rig(bool with_risk_manager = false)
      : broker(sched, options()), engine(sched, broker, pass) {
    if (with_risk_manager) {
      manager = std::make_unique<risk::RiskManager>(typical_limits(), engine);
      engine.set_risk_hook(*manager);
    }
    (void)engine.add_instrument(spy());
    strategies::StrategySpec spec;
    spec.name = "hot";
    spec.type = "sma_cross";
    spec.symbols = {Symbol("SPY")};
    spec.qty = Decimal::from_int(100);
    spec.allow_short = true;
    spec.params = {{"fast", "3"}, {"slow", "8"}};
    (void)engine.add_strategy("hot", "sma_cross", std::move(*strategies::make_strategy(spec)));
    engine.start();
  }
  static Instrument spy() {
    Instrument i;
    i.symbol = Symbol("SPY");
    return i;
  }
  static sim::SimBrokerOptions options() {
    sim::SimBrokerOptions o;
    o.instruments = {spy()};
    o.ack_latency = std::chrono::milliseconds(5);
    return o;
  }
  void deliver(const MarketEvent& e) {
    if (e.is_bar) {
      broker.on_bar(e.bar);
      engine.on_bar(e.bar);
    } else {
      sched.run_until(e.quote.time);  // acknowledgements due by now
      broker.on_quote(e.quote);
      engine.on_quote(e.quote);
    }
  }
};

constexpr size_t kQuotes = 200'000;

void BM_HotPathThroughput(benchmark::State& state) {
  const auto events = make_events(kQuotes);
  size_t fills = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto rig = std::make_unique<Rig>(state.range(0) != 0);
    state.ResumeTiming();
    for (const auto& e : events) rig->deliver(e);
    state.PauseTiming();
    fills = rig->engine.portfolio().commissions().is_zero() ? 0 : rig->engine.orders().size();
    rig.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
  state.counters["ns_per_event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * events.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["orders"] = static_cast<double>(fills);
}
// Arg 0: the pass-through hook; arg 1: the risk manager with typical limits
// (checks on every order, breakers on every mark and fill).
BENCHMARK(BM_HotPathThroughput)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Per-event latency distribution (each event timed on its own; the clock
// read adds ~20-40 ns to every sample).
void BM_HotPathLatency(benchmark::State& state) {
  const auto events = make_events(kQuotes);
  std::vector<int64_t> samples;
  samples.reserve(events.size());
  for (auto _ : state) {
    state.PauseTiming();
    auto rig = std::make_unique<Rig>(state.range(0) != 0);
    samples.clear();
    state.ResumeTiming();
    for (const auto& e : events) {
      const auto t0 = std::chrono::steady_clock::now();
      rig->deliver(e);
      samples.push_back((std::chrono::steady_clock::now() - t0).count());
    }
    state.PauseTiming();
    rig.reset();
    state.ResumeTiming();
  }
  std::sort(samples.begin(), samples.end());
  auto pct = [&](double p) {
    return static_cast<double>(samples[static_cast<size_t>(p * (samples.size() - 1))]);
  };
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p90_ns"] = pct(0.90);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
  state.counters["max_ns"] = static_cast<double>(samples.back());
}
BENCHMARK(BM_HotPathLatency)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
