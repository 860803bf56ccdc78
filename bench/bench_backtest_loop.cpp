// The backtest loop in memory, on one core: sma_cross(10, 30) with shorts
// over one million one-minute bars already parsed (what a parameter sweep
// replays for every grid point): the strategy code, the fills at the next
// open with slippage and commission, the portfolio, the risk manager's
// pre-trade checks and the equity per bar. Target: > 20 million bars/s.
#include <benchmark/benchmark.h>

#include <vector>

#include "backtest/backtest_engine.h"
#include "strategies/spec.h"

namespace {

using namespace td;
using namespace td::backtest;

std::vector<SourceBar> make_bars(size_t n) {
  std::vector<SourceBar> bars;
  bars.reserve(n);
  int64_t cents = 45000;
  uint64_t x = 88172645463325252ull;
  const Timestamp start = from_unix_seconds(1704205800);
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const int64_t open = cents;
    const int64_t close = std::max<int64_t>(100, open + static_cast<int64_t>(x % 41) - 20);
    SourceBar b;
    b.time = start + std::chrono::minutes(i);
    b.open = Decimal::from_units(open * 1'000'000);
    b.close = Decimal::from_units(close * 1'000'000);
    b.high = std::max(b.open, b.close);
    b.low = std::min(b.open, b.close);
    b.volume = Decimal::from_int(100);
    bars.push_back(b);
    cents = close;
  }
  return bars;
}

struct Sink final : BacktestObserver {
  Decimal last;
  uint64_t fills = 0;
  void on_fill(const BacktestFill&) override { ++fills; }
  void on_bar_close(Timestamp, Decimal equity, bool) override { last = equity; }
};

void BM_BacktestLoopInMemory(benchmark::State& state) {
  const auto bars = make_bars(1'000'000);
  uint64_t fills = 0;
  for (auto _ : state) {
    BacktestSettings s;
    Instrument spy;
    spy.symbol = Symbol("SPY");
    s.instruments = {spy};
    s.slippage_bps = Decimal::from_int(1);
    BacktestEngine engine(s);
    strategies::StrategySpec spec;
    spec.name = "bench";
    spec.type = "sma_cross";
    spec.symbols = {Symbol("SPY")};
    spec.qty = Decimal::from_int(100);
    spec.allow_short = true;
    spec.params = {{"fast", "10"}, {"slow", "30"}};
    (void)engine.add_strategy("bench", std::move(*strategies::make_strategy(spec)));
    MemoryBarSource source(bars);
    Sink sink;
    auto r = engine.run(source, sink);
    benchmark::DoNotOptimize(sink.last);
    fills = sink.fills;
    if (!r) state.SkipWithError(r.error().message.c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * bars.size()));
  state.counters["fills"] = static_cast<double>(fills);
}
BENCHMARK(BM_BacktestLoopInMemory)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
