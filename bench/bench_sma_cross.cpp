// sma_cross over one million bars held in memory, on one core: the strategy
// code path a backtest or a parameter sweep runs per bar (indicators, rule,
// sizing, set_target). Target: > 10 million bars/s.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/strategy.h"
#include "strategies/spec.h"

namespace {

using namespace td;

// Takes targets the way the engine would, without an engine: counts changes.
class CountingContext final : public StrategyContext {
 public:
  Timestamp now() const override { return {}; }
  bool warming_up() const override { return false; }
  Decimal position(const Symbol&) const override { return target_; }
  const Instrument* instrument(const Symbol&) const override { return nullptr; }
  void set_target(const Symbol&, Decimal q) override {
    if (q != target_) ++changes, target_ = q;
  }
  Result<OrderId> submit(OrderRequest) override { return OrderId(1); }
  Status cancel(OrderId) override { return {}; }
  void set_timer(Timestamp) override {}
  int64_t changes = 0;

 private:
  Decimal target_;
};

std::vector<Bar> make_bars(size_t n) {
  std::vector<Bar> bars;
  bars.reserve(n);
  const Symbol spy("SPY");
  double p = 450;
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: a cheap deterministic walk
    p *= 1.0 + ((static_cast<double>(x % 2001) - 1000.0) / 1000.0) * 0.002;
    const Decimal c = *Decimal::from_double(p, 2, Rounding::kHalfEven);
    bars.push_back(Bar{spy, from_unix_seconds(1767623400 + 60 * static_cast<int64_t>(i)),
                       std::chrono::minutes(1), c, c, c, c, Decimal::from_int(100)});
  }
  return bars;
}

void BM_SmaCrossMillionBars(benchmark::State& state) {
  const auto bars = make_bars(1'000'000);
  strategies::StrategySpec spec;
  spec.name = "bench";
  spec.type = "sma_cross";
  spec.symbols = {Symbol("SPY")};
  spec.qty = Decimal::from_int(100);
  spec.params = {{"fast", "10"}, {"slow", "30"}};
  int64_t changes = 0;
  for (auto _ : state) {
    auto strategy = std::move(*strategies::make_strategy(spec));
    CountingContext ctx;
    for (const Bar& b : bars) strategy->on_bar(b, ctx);
    changes = ctx.changes;
    benchmark::DoNotOptimize(changes);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(bars.size()));
  state.counters["target_changes"] = static_cast<double>(changes);
}
BENCHMARK(BM_SmaCrossMillionBars)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
