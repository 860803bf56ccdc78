// The backtest loop against hand-computed runs, one per strategy type of
// backtest-semantics.md, to the cent. The bars (12 one-minute bars) and the
// expected fills were worked out independently of this code: indicators by
// their definitions (small periods so each value can be checked on paper;
// the values at the deciding bars are in the comments), decisions at bar t's
// close, market orders at bar t+1's open moved by 7 bps and rounded to the
// cent against the trader (11.05 x 1.0007 = 11.057735 -> 11.06 for a buy;
// 10.10 x 0.9993 = 10.09293 -> 10.09 for a sell), IB commission
// max(1.00, 0.005 x qty) capped at 1 % of the value, rounded half up, and
// the final liquidation at the last close (10.90 -> 10.91 buy / 10.89 sell).
#include "backtest/backtest_engine.h"

#include <gtest/gtest.h>

#include <ostream>
#include <vector>

#include "core/decimal.h"
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

const std::vector<std::string> kOpens = {"10",  "10.1", "10.6", "11.05", "10.7", "10.1",
                                         "9.9", "10.5", "11.3", "10.9",  "10.5", "10.2"};
const std::vector<std::string> kCloses = {"10",   "10.5", "11", "10.8", "10.2", "9.8",
                                          "10.4", "11.2", "11", "10.6", "10.1", "10.9"};

Decimal d(const std::string& s) {
  return *Decimal::parse(s);
}

std::vector<SourceBar> bars(Decimal scale = Decimal::from_int(1)) {
  std::vector<SourceBar> out;
  for (size_t i = 0; i < kOpens.size(); ++i) {
    SourceBar b;
    b.time = kStart + std::chrono::minutes(i);
    b.open = d(kOpens[i]) * scale;
    b.close = d(kCloses[i]) * scale;
    b.high = std::max(b.open, b.close);
    b.low = std::min(b.open, b.close);
    b.volume = Decimal::from_int(1000);
    out.push_back(b);
  }
  return out;
}

struct Recorder final : BacktestObserver {
  std::vector<BacktestFill> fills;
  std::vector<BacktestOrder> orders;
  std::vector<std::string> sources;
  std::vector<std::pair<Timestamp, Decimal>> equity;
  std::vector<bool> exposed;
  void on_order(const BacktestOrder& o) override {
    orders.push_back(o);
    sources.push_back(*o.source);
  }
  void on_fill(const BacktestFill& f) override { fills.push_back(f); }
  void on_bar_close(Timestamp t, Decimal e, bool x) override {
    equity.emplace_back(t, e);
    exposed.push_back(x);
  }
};

struct ExpectedFill {
  int bar;
  bool at_close;  // the final liquidation
  Side side;
  std::string qty, price, commission;
};

strategies::StrategySpec spec(const std::string& type, std::map<std::string, std::string> params,
                              bool allow_short, const std::string& qty = "100") {
  strategies::StrategySpec s;
  s.name = type;
  s.type = type;
  s.symbols = {Symbol("SPY")};
  s.qty = d(qty);
  s.allow_short = allow_short;
  s.params = std::move(params);
  return s;
}

BacktestSettings settings() {
  BacktestSettings s;
  Instrument spy;
  spy.symbol = Symbol("SPY");
  s.instruments = {spy};
  s.bar_interval = 1min;
  s.slippage_bps = Decimal::from_int(7);
  return s;
}

Recorder run(const strategies::StrategySpec& sp, Decimal scale = Decimal::from_int(1)) {
  BacktestEngine engine(settings());
  auto strategy = strategies::make_strategy(sp);
  EXPECT_TRUE(strategy.has_value());
  EXPECT_TRUE(engine.add_strategy(sp.name, std::move(*strategy)));
  const auto data = bars(scale);
  MemoryBarSource source(data);
  Recorder rec;
  auto summary = engine.run(source, rec);
  EXPECT_TRUE(summary.has_value()) << summary.error().message;
  return rec;
}

void expect_run(const Recorder& rec, const std::vector<ExpectedFill>& want,
                const std::string& final_equity) {
  ASSERT_EQ(rec.fills.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& f = rec.fills[i];
    const auto& w = want[i];
    SCOPED_TRACE("fill " + std::to_string(i));
    const Timestamp at = w.at_close ? kStart + std::chrono::minutes(w.bar + 1)
                                    : kStart + std::chrono::minutes(w.bar);
    EXPECT_EQ(f.time, at);
    EXPECT_EQ(f.side, w.side);
    EXPECT_EQ(f.qty, d(w.qty));
    EXPECT_EQ(f.price, d(w.price));
    EXPECT_EQ(f.commission, d(w.commission));
    EXPECT_EQ(f.liquidation, w.at_close);
  }
  ASSERT_EQ(rec.equity.size(), kOpens.size());
  EXPECT_EQ(rec.equity.back().second, d(final_equity));
  EXPECT_EQ(rec.equity.back().first, kStart + std::chrono::minutes(12));
}

// SMA(2) vs SMA(3): defined from bar 2; SMA2 > SMA3 on bars 2, 3 (10.75 >
// 10.5, 10.9 > 10.7667), not on 4..6 (10.5 < 10.6667 ...), again on 7, 8
// (10.8 > 10.4667, 11.1 > 10.8667), not on 9..11. Long-only: buy at bar 3's
// open (decided on 2), sell at 5, buy at 8, sell at 10. Equity after the
// first buy at bar 3's close: 100000 - 1106 - 1 + 100 x 10.8 = 99973.
TEST(BacktestEngine, SmaCrossLongOnlyToTheCent) {
  const auto rec = run(spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, false));
  expect_run(rec,
             {{3, false, Side::kBuy, "100", "11.06", "1.00"},
              {5, false, Side::kSell, "100", "10.09", "1.00"},
              {8, false, Side::kBuy, "100", "11.31", "1.00"},
              {10, false, Side::kSell, "100", "10.49", "1.00"}},
             "99817.00");
  const std::vector<std::string> equity = {"100000", "100000", "100000", "99973", "99913", "99901",
                                           "99901",  "99901",  "99869",  "99829", "99817", "99817"};
  for (size_t i = 0; i < equity.size(); ++i) EXPECT_EQ(rec.equity[i].second, d(equity[i])) << i;
  EXPECT_EQ(rec.exposed, (std::vector<bool>{false, false, false, true, true, false, false, false,
                                            true, true, false, false}));
}

// Shorts allowed: flat becomes short, so each change after the first is a
// flip of 200 (one order, one commission); the short left at the end is
// bought back at the last close: 10.90 x 1.0007 = 10.90763 -> 10.91.
TEST(BacktestEngine, SmaCrossWithShortsFlipsAndLiquidatesAtTheLastClose) {
  const auto rec = run(spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, true));
  expect_run(rec,
             {{3, false, Side::kBuy, "100", "11.06", "1.00"},
              {5, false, Side::kSell, "200", "10.09", "1.00"},
              {8, false, Side::kBuy, "200", "11.31", "1.00"},
              {10, false, Side::kSell, "200", "10.49", "1.00"},
              {11, true, Side::kBuy, "100", "10.91", "1.00"}},
             "99652.00");
  EXPECT_EQ(rec.sources.back(), "liquidation");
}

// Commission per share above the minimum: 300 x 0.005 = 1.50.
TEST(BacktestEngine, CommissionPerShareAboveTheMinimum) {
  const auto rec = run(spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, false, "300"));
  expect_run(rec,
             {{3, false, Side::kBuy, "300", "11.06", "1.50"},
              {5, false, Side::kSell, "300", "10.09", "1.50"},
              {8, false, Side::kBuy, "300", "11.31", "1.50"},
              {10, false, Side::kSell, "300", "10.49", "1.50"}},
             "99457.00");
}

// Prices x 0.05 (about 0.50): 7 bps is a whole cent after rounding (0.5525
// x 1.0007 = 0.55288675 -> 0.56), and the 1 % cap beats the 1.00 minimum:
// 150 x 0.56 = 84.00 -> 0.84; 150 x 0.50 = 75 -> 0.75.
TEST(BacktestEngine, SlippageRoundingAndTheCommissionCap) {
  const auto rec = run(spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, false, "150"), d("0.05"));
  expect_run(rec,
             {{3, false, Side::kBuy, "150", "0.56", "0.84"},
              {5, false, Side::kSell, "150", "0.50", "0.75"},
              {8, false, Side::kBuy, "150", "0.57", "0.86"},
              {10, false, Side::kSell, "150", "0.52", "0.78"}},
             "99980.27");
}

// MACD(2, 3, 2): line = EMA2 - EMA3 from bar 2 (0.25, 0.1333, -0.0306,
// -0.1144, 0.0098, 0.1606, 0.0988, -0.0111, -0.1090, 0.0443), signal = EMA2
// of the line seeded with the mean of its first two (0.1917 at bar 3, then
// 0.0435, -0.0617, -0.0140, 0.1024, 0.1000, 0.0260, -0.0640, 0.0082). Line >
// signal on bars 6, 7 and 11: buy at 7, sell at 9; decided on the last bar,
// the buy never fills.
TEST(BacktestEngine, MacdLongOnlyAndNothingDecidedOnTheLastBarFills) {
  BacktestEngine engine(settings());
  auto strategy = strategies::make_strategy(
      spec("macd", {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}}, false));
  ASSERT_TRUE(strategy.has_value());
  ASSERT_TRUE(engine.add_strategy("macd", std::move(*strategy)));
  const auto data = bars();
  MemoryBarSource source(data);
  Recorder rec;
  auto summary = engine.run(source, rec);
  ASSERT_TRUE(summary.has_value());
  expect_run(rec,
             {{7, false, Side::kBuy, "100", "10.51", "1.00"},
              {9, false, Side::kSell, "100", "10.89", "1.00"}},
             "100036.00");
  EXPECT_EQ(summary->unfilled_at_end, 1u);
  EXPECT_EQ(summary->orders, 3u);
  EXPECT_EQ(summary->fills, 2u);
  EXPECT_EQ(summary->commissions, d("2"));
}

TEST(BacktestEngine, MacdWithShorts) {
  const auto rec = run(spec("macd", {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}}, true));
  expect_run(rec,
             {{4, false, Side::kSell, "100", "10.69", "1.00"},
              {7, false, Side::kBuy, "200", "10.51", "1.00"},
              {9, false, Side::kSell, "200", "10.89", "1.00"},
              {11, true, Side::kBuy, "100", "10.91", "1.00"}},
             "100050.00");
}

// RSI(2), Wilder: 100 at bar 2, then 71.43, 26.32, 14.29, 63.86, 85.78,
// 65.82, 34.09, 15.46, 69.25. Below 30 on bars 4, 5 and 10 (enter long),
// above 70 on bars 3 and 7 (exit). Bought again at bar 11's open, sold at
// its close by the liquidation.
TEST(BacktestEngine, RsiReversionLongOnly) {
  const auto rec =
      run(spec("rsi_reversion", {{"n", "2"}, {"buy_below", "30"}, {"sell_above", "70"}}, false));
  expect_run(rec,
             {{5, false, Side::kBuy, "100", "10.11", "1.00"},
              {8, false, Side::kSell, "100", "11.29", "1.00"},
              {11, false, Side::kBuy, "100", "10.21", "1.00"},
              {11, true, Side::kSell, "100", "10.89", "1.00"}},
             "100182.00");
}

TEST(BacktestEngine, RsiReversionWithShorts) {
  const auto rec =
      run(spec("rsi_reversion", {{"n", "2"}, {"buy_below", "30"}, {"sell_above", "70"}}, true));
  expect_run(rec,
             {{3, false, Side::kSell, "100", "11.04", "1.00"},
              {5, false, Side::kBuy, "200", "10.11", "1.00"},
              {8, false, Side::kSell, "200", "11.29", "1.00"},
              {11, false, Side::kBuy, "200", "10.21", "1.00"},
              {11, true, Side::kSell, "100", "10.89", "1.00"}},
             "100382.00");
}

// Bollinger(3, 1): the close below SMA3 - 1 x population stdev on bars 4
// (10.2 < 10.6667 - 0.3399) and 9 (10.6 < 10.9333 - 0.2494); above SMA3 on
// bar 6 (10.4 > 10.1333) and 11 (10.9 > 10.5333): long from 5 to 7 and
// from 10 to the end.
TEST(BacktestEngine, BollingerReversionLongOnly) {
  const auto rec = run(spec("bollinger_reversion", {{"n", "3"}, {"k", "1"}}, false));
  expect_run(rec,
             {{5, false, Side::kBuy, "100", "10.11", "1.00"},
              {7, false, Side::kSell, "100", "10.49", "1.00"},
              {10, false, Side::kBuy, "100", "10.51", "1.00"},
              {11, true, Side::kSell, "100", "10.89", "1.00"}},
             "100072.00");
}

TEST(BacktestEngine, BollingerReversionWithShorts) {
  const auto rec = run(spec("bollinger_reversion", {{"n", "3"}, {"k", "1"}}, true));
  expect_run(rec,
             {{3, false, Side::kSell, "100", "11.04", "1.00"},
              {5, false, Side::kBuy, "200", "10.11", "1.00"},
              {7, false, Side::kSell, "200", "10.49", "1.00"},
              {10, false, Side::kBuy, "200", "10.51", "1.00"},
              {11, true, Side::kSell, "100", "10.89", "1.00"}},
             "100162.00");
}

// Z-score(3): 1.2247, 0.1622, -1.3728, -1.1355, 1.0690, 1.2787, 0.3922,
// -1.3363, -1.2675, 1.1112 from bar 2. Entry 1, exit 0.5. Long-only: long
// from bar 4's decision, held through z > 1 (bars 6, 7), out when |z| < 0.5
// (bar 8), long again from bar 9.
TEST(BacktestEngine, ZScoreReversionLongOnly) {
  const auto rec =
      run(spec("zscore_reversion", {{"n", "3"}, {"entry", "1"}, {"exit", "0.5"}}, false));
  expect_run(rec,
             {{5, false, Side::kBuy, "100", "10.11", "1.00"},
              {9, false, Side::kSell, "100", "10.89", "1.00"},
              {10, false, Side::kBuy, "100", "10.51", "1.00"},
              {11, true, Side::kSell, "100", "10.89", "1.00"}},
             "100112.00");
}

// With shorts: short on z > 1 (bars 2, 6, 7, 11), flat on |z| < 0.5 (bars
// 3, 8), long on z < -1 (bars 4, 5, 9, 10).
TEST(BacktestEngine, ZScoreReversionWithShorts) {
  const auto rec =
      run(spec("zscore_reversion", {{"n", "3"}, {"entry", "1"}, {"exit", "0.5"}}, true));
  expect_run(rec,
             {{3, false, Side::kSell, "100", "11.04", "1.00"},
              {4, false, Side::kBuy, "100", "10.71", "1.00"},
              {5, false, Side::kBuy, "100", "10.11", "1.00"},
              {7, false, Side::kSell, "200", "10.49", "1.00"},
              {9, false, Side::kBuy, "100", "10.91", "1.00"},
              {10, false, Side::kBuy, "100", "10.51", "1.00"},
              {11, true, Side::kSell, "100", "10.89", "1.00"}},
             "100060.00");
}

// Ensemble of sma_cross(2, 3) and macd(2, 3, 2) needing both votes: both
// long only on bar 7 (sma_cross long on 2, 3, 7, 8; macd on 6, 7, 11).
TEST(BacktestEngine, EnsembleNeedsTheVotes) {
  auto s = spec("ensemble", {{"min_votes", "2"}}, false);
  strategies::StrategySpec a, b;
  a.type = "sma_cross";
  a.params = {{"fast", "2"}, {"slow", "3"}};
  b.type = "macd";
  b.params = {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}};
  s.members = {a, b};
  const auto rec = run(s);
  expect_run(rec,
             {{8, false, Side::kBuy, "100", "11.31", "1.00"},
              {9, false, Side::kSell, "100", "10.89", "1.00"}},
             "99956.00");
}

// The account (core/portfolio.h) agrees with the loop's own equity.
TEST(BacktestEngine, PortfolioAgreesAndPositionsEndFlat) {
  BacktestEngine engine(settings());
  auto strategy =
      strategies::make_strategy(spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, true));
  ASSERT_TRUE(engine.add_strategy("s", std::move(*strategy)));
  const auto data = bars();
  MemoryBarSource source(data);
  Recorder rec;
  auto summary = engine.run(source, rec);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(engine.account().cash(), d("99652"));
  EXPECT_EQ(engine.account().position_qty(Symbol("SPY")), Decimal());
  EXPECT_EQ(engine.account().equity(), d("99652"));
  EXPECT_EQ(summary->final_equity, d("99652"));
}

TEST(BacktestEngine, RiskChecksOfLiveTradingRefuseOrders) {
  auto st = settings();
  st.risk.max_order_qty = Decimal::from_int(150);  // a flip of 200 is refused
  BacktestEngine engine(st);
  auto strategy =
      strategies::make_strategy(spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, true));
  ASSERT_TRUE(engine.add_strategy("s", std::move(*strategy)));
  const auto data = bars();
  MemoryBarSource source(data);
  Recorder rec;
  auto summary = engine.run(source, rec);
  ASSERT_TRUE(summary.has_value());
  EXPECT_GT(summary->denials["max_order_qty"], 0u);
  ASSERT_FALSE(rec.fills.empty());
  for (const auto& f : rec.fills) EXPECT_LE(f.qty, Decimal::from_int(150));
}

TEST(BacktestEngine, BadSetupIsRefused) {
  auto st = settings();
  st.slippage_bps = Decimal::from_int(10000);
  EXPECT_THROW(BacktestEngine{st}, std::invalid_argument);
  BacktestEngine engine(settings());
  auto sp = spec("sma_cross", {{"fast", "2"}, {"slow", "3"}}, false);
  sp.symbols = {Symbol("QQQ")};
  auto strategy = strategies::make_strategy(sp);
  ASSERT_TRUE(strategy.has_value());
  const auto st2 = engine.add_strategy("q", std::move(*strategy));
  ASSERT_FALSE(st2);
  EXPECT_NE(st2.error().message.find("QQQ"), std::string::npos);
}

TEST(BacktestEngine, BarsOutOfOrderAreAnError) {
  BacktestEngine engine(settings());
  auto data = bars();
  std::swap(data[3], data[4]);
  MemoryBarSource source(data);
  Recorder rec;
  auto summary = engine.run(source, rec);
  ASSERT_FALSE(summary.has_value());
  EXPECT_NE(summary.error().message.find("out of time order"), std::string::npos);
}

}  // namespace
}  // namespace td::backtest
