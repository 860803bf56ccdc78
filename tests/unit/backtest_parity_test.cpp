// Parity: the same strategy fed the same bars through the live engine path
// (core/engine.h, the risk manager, the simulated broker with the backtest
// fill model kNextBarOpen, on a simulated clock) and through the backtest
// loop (backtest/backtest_engine.h) makes the same decisions and fills, and
// ends with the same equity. 3,000 one-minute bars of a seeded random walk.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <vector>

#include "backtest/backtest_engine.h"
#include "brokers/sim/fill_model.h"
#include "brokers/sim/sim_broker.h"
#include "core/decimal.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "risk/risk_manager.h"
#include "strategies/spec.h"

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file). Every
// test file that prints Decimals needs it: gtest's printer is a template, and
// when files disagree the linker keeps one of them for all (the sanitizer
// build once printed bytes in DecimalFormat.TestFailuresPrintDecimalsAsText).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}
}  // namespace td

namespace td::backtest {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = from_unix_seconds(1704205800);  // 2024-01-02T14:30:00Z

Instrument spy() {
  Instrument i;
  i.symbol = Symbol("SPY");
  return i;
}

std::vector<SourceBar> random_walk(size_t n, uint64_t seed) {
  std::vector<SourceBar> out;
  int64_t cents = 45000;
  uint64_t x = seed;
  auto step = [&] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return static_cast<int64_t>(x % 41) - 20;  // -20..+20 cents
  };
  for (size_t i = 0; i < n; ++i) {
    SourceBar b;
    b.time = kStart + std::chrono::minutes(i);
    const int64_t open = cents + step() / 4;
    const int64_t close = open + step();
    b.open = Decimal::from_units(open * 1'000'000);
    b.close = Decimal::from_units(close * 1'000'000);
    b.high = std::max(b.open, b.close) + Decimal::from_units(3'000'000);
    b.low = std::min(b.open, b.close) - Decimal::from_units(2'000'000);
    b.volume = Decimal::from_int(1000);
    out.push_back(b);
    cents = close;
  }
  return out;
}

struct Decision {
  Timestamp time;
  Side side;
  Decimal qty;
  bool operator==(const Decision&) const = default;
};
struct FillSeen {
  Timestamp time;
  Side side;
  Decimal qty, price, commission;
  bool operator==(const FillSeen&) const = default;
};

struct Outcome {
  std::vector<Decision> decisions;
  std::vector<FillSeen> fills;
  std::vector<Decimal> equity;  // at each bar's close
  Decimal final_equity;
};

struct Recorder final : BacktestObserver {
  Outcome out;
  void on_order(const BacktestOrder& o) override {
    if (*o.source != "liquidation") out.decisions.push_back({o.time, o.side, o.qty});
  }
  void on_fill(const BacktestFill& f) override {
    if (!f.liquidation) out.fills.push_back({f.time, f.side, f.qty, f.price, f.commission});
  }
  void on_bar_close(Timestamp, Decimal e, bool) override { out.equity.push_back(e); }
};

const Decimal kSlippage = Decimal::from_int(5);

Outcome through_backtest(const strategies::StrategySpec& spec, const std::vector<SourceBar>& bars) {
  BacktestSettings s;
  s.instruments = {spy()};
  s.slippage_bps = kSlippage;
  BacktestEngine engine(s);
  EXPECT_TRUE(engine.add_strategy(spec.name, std::move(*strategies::make_strategy(spec))));
  MemoryBarSource source(bars);
  Recorder rec;
  auto summary = engine.run(source, rec);
  EXPECT_TRUE(summary.has_value());
  rec.out.final_equity = summary->final_equity;
  rec.out.equity.pop_back();  // after the liquidation; compared through final_equity
  return rec.out;
}

// The live path: bars delivered at their close time, the broker first (it
// fills what was decided on the previous bar at this bar's open), then the
// engine (marks, strategies); acknowledgements run on the simulated clock.
Outcome through_live_engine(const strategies::StrategySpec& spec,
                            const std::vector<SourceBar>& bars) {
  SimScheduler sched(kStart);
  sim::SimBrokerOptions bo;
  bo.instruments = {spy()};
  bo.fill_model = sim::SimBrokerOptions::FillModel::kNextBarOpen;
  bo.slippage_bps = kSlippage;
  sim::SimBroker broker(sched, bo);
  Engine engine(sched, broker);
  risk::RiskManager risk(risk::RiskLimits{}, engine);
  engine.set_risk_hook(risk);
  broker.set_events(&engine);
  EXPECT_TRUE(engine.add_instrument(spy()));
  EXPECT_TRUE(
      engine.add_strategy(spec.name, spec.type, std::move(*strategies::make_strategy(spec))));
  engine.start();
  Outcome out;
  size_t seen_orders = 0;
  for (const SourceBar& sb : bars) {
    Bar b;
    b.symbol = Symbol("SPY");
    b.time = sb.time;
    b.interval = 1min;
    b.open = sb.open;
    b.high = sb.high;
    b.low = sb.low;
    b.close = sb.close;
    b.volume = sb.volume;
    sched.run_until(b.close_time());
    broker.on_bar(b);
    engine.on_bar(b);
    sched.run_until(b.close_time());  // acknowledgements of what was just decided
    out.equity.push_back(engine.portfolio().equity());
    for (const auto& [id, o] : engine.orders()) {
      if (id.value() <= seen_orders) continue;
      seen_orders = id.value();
      out.decisions.push_back({o->created_at(), o->side(), o->qty()});
    }
  }
  for (const auto& [id, o] : engine.orders())
    for (const Fill& f : o->fills())
      out.fills.push_back({f.time, f.side, f.qty, f.price, f.commission});
  // The backtest's final liquidation, on the live account: its position
  // closed at the last close with the same slippage and commission.
  const Decimal qty = engine.portfolio().position_qty(Symbol("SPY"));
  Decimal equity = engine.portfolio().equity();
  if (!qty.is_zero()) {
    const Side side = qty.sign() > 0 ? Side::kSell : Side::kBuy;
    const Decimal price = sim::slipped_price(side, bars.back().close, kSlippage, spy().tick);
    equity += (price - bars.back().close).mul(qty, Rounding::kHalfEven) -
              sim::order_commission(spy(), qty, price);
  }
  out.final_equity = equity;
  out.equity.pop_back();
  return out;
}

void expect_parity(const strategies::StrategySpec& spec) {
  const auto bars = random_walk(3000, 0x9E3779B97F4A7C15ull);
  const Outcome live = through_live_engine(spec, bars);
  const Outcome bt = through_backtest(spec, bars);
  ASSERT_GT(live.fills.size(), 10u) << "the scenario should trade";
  EXPECT_EQ(bt.decisions, live.decisions);
  EXPECT_EQ(bt.fills, live.fills);
  EXPECT_EQ(bt.equity, live.equity);
  EXPECT_EQ(bt.final_equity, live.final_equity);
}

strategies::StrategySpec make(const std::string& type, std::map<std::string, std::string> params,
                              bool allow_short) {
  strategies::StrategySpec s;
  s.name = "p";
  s.type = type;
  s.symbols = {Symbol("SPY")};
  s.qty = Decimal::from_int(100);
  s.allow_short = allow_short;
  s.params = std::move(params);
  return s;
}

TEST(BacktestParity, SmaCrossWithShorts) {
  expect_parity(make("sma_cross", {{"fast", "5"}, {"slow", "20"}}, true));
}
TEST(BacktestParity, RsiReversion) {
  expect_parity(make("rsi_reversion", {{"n", "6"}}, false));
}
TEST(BacktestParity, ZScoreReversionWithShorts) {
  expect_parity(make("zscore_reversion", {{"n", "15"}, {"entry", "1.5"}}, true));
}
TEST(BacktestParity, MacdWithNotionalSizing) {
  auto s = make("macd", {}, false);
  s.notional = Decimal::from_int(20000);
  expect_parity(s);
}

}  // namespace
}  // namespace td::backtest
