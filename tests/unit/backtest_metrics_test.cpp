// TradeLedger (round trips, commission split of a flip, VWAP, multiplier) and
// EquityStats (every metric of docs/backtest.md "Metrics") against values
// computed by hand; the arithmetic is in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "backtest/equity_stats.h"
#include "backtest/trade_ledger.h"

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}

namespace backtest {
namespace {

const Symbol kSpy("SPY");
const Symbol kEs("ES");

Timestamp at(int64_t s) {
  return from_unix_seconds(1'700'000'000 + s);
}

// A trade in one line: "SYMBOL long|short QTY ENTRY->EXIT pnl PNL commission C [t0..t1]"
// with times as seconds after at(0).
std::string describe(const Trade& t) {
  return fmt::format("{} {} {} {}->{} pnl {} commission {} [{}..{}]", t.symbol,
                     t.side > 0 ? "long" : "short", t.qty, t.entry_price, t.exit_price, t.pnl,
                     t.commission, to_unix_seconds(t.entry_time) - to_unix_seconds(at(0)),
                     to_unix_seconds(t.exit_time) - to_unix_seconds(at(0)));
}

TEST(TradeLedger, LongRoundTripNetOfBothCommissions) {
  TradeLedger l;
  l.on_fill(kSpy, at(0), Side::kBuy, "100"_d, "10.00"_d, "1.00"_d);
  EXPECT_EQ(l.open_qty(kSpy), "100"_d);
  EXPECT_TRUE(l.trades().empty());
  l.on_fill(kSpy, at(60), Side::kSell, "100"_d, "11.50"_d, "1.00"_d);
  EXPECT_EQ(l.open_qty(kSpy), "0"_d);
  ASSERT_EQ(l.trades().size(), 1u);
  // gross = 100 * 11.50 - 100 * 10.00 = 150; commissions 1.00 + 1.00 = 2.00
  EXPECT_EQ(describe(l.trades()[0]), "SPY long 100 10->11.5 pnl 148 commission 2 [0..60]");
}

TEST(TradeLedger, ShortRoundTrip) {
  TradeLedger l;
  l.on_fill(kSpy, at(0), Side::kSell, "50"_d, "20.00"_d, "1.00"_d);
  EXPECT_EQ(l.open_qty(kSpy), "-50"_d);
  l.on_fill(kSpy, at(60), Side::kBuy, "50"_d, "18.50"_d, "1.00"_d);
  ASSERT_EQ(l.trades().size(), 1u);
  // gross = sells - buys = 50 * 20 - 50 * 18.50 = 1000 - 925 = 75; - 2.00
  EXPECT_EQ(describe(l.trades()[0]), "SPY short 50 20->18.5 pnl 73 commission 2 [0..60]");
}

TEST(TradeLedger, FlipClosesAndOpensWithTheCommissionSplitByShares) {
  TradeLedger l;
  l.on_fill(kSpy, at(0), Side::kBuy, "10"_d, "100"_d, "1.00"_d);
  // Sell 30: 10 close the long, 20 open a short. Closing part of the 1.01
  // commission: 1.01 * 10 / 30 = 0.33666.. -> 0.34; the opening part 1.01 - 0.34 = 0.67.
  l.on_fill(kSpy, at(60), Side::kSell, "30"_d, "110"_d, "1.01"_d);
  EXPECT_EQ(l.open_qty(kSpy), "-20"_d);
  ASSERT_EQ(l.trades().size(), 1u);
  // 10 * 110 - 10 * 100 = 100; commission 1.00 + 0.34 = 1.34
  EXPECT_EQ(describe(l.trades()[0]), "SPY long 10 100->110 pnl 98.66 commission 1.34 [0..60]");
  l.on_fill(kSpy, at(120), Side::kBuy, "20"_d, "105"_d, "1.00"_d);
  ASSERT_EQ(l.trades().size(), 2u);
  // 20 * 110 - 20 * 105 = 100; commission 0.67 + 1.00 = 1.67
  EXPECT_EQ(describe(l.trades()[1]), "SPY short 20 110->105 pnl 98.33 commission 1.67 [60..120]");
  EXPECT_EQ(l.open_qty(kSpy), "0"_d);
}

TEST(TradeLedger, FlipCommissionSplitRoundsHalfUpToTheCent) {
  TradeLedger l;
  l.on_fill(kSpy, at(0), Side::kBuy, "10"_d, "100"_d, "0"_d);
  // 1.01 * 10 / 20 = 0.505: half up -> 0.51 (half-even would give 0.50); rest 0.50.
  l.on_fill(kSpy, at(1), Side::kSell, "20"_d, "100"_d, "1.01"_d);
  l.on_fill(kSpy, at(2), Side::kBuy, "10"_d, "100"_d, "0"_d);
  // 1.00 * 1 / 8 = 0.125 -> 0.13 closing, 0.87 opening.
  l.on_fill(kSpy, at(3), Side::kSell, "1"_d, "50"_d, "0"_d);
  l.on_fill(kSpy, at(4), Side::kBuy, "8"_d, "50"_d, "1.00"_d);
  l.on_fill(kSpy, at(5), Side::kSell, "7"_d, "50"_d, "0"_d);
  ASSERT_EQ(l.trades().size(), 4u);
  EXPECT_EQ(describe(l.trades()[0]), "SPY long 10 100->100 pnl -0.51 commission 0.51 [0..1]");
  EXPECT_EQ(describe(l.trades()[1]), "SPY short 10 100->100 pnl -0.5 commission 0.5 [1..2]");
  EXPECT_EQ(describe(l.trades()[2]), "SPY short 1 50->50 pnl -0.13 commission 0.13 [3..4]");
  EXPECT_EQ(describe(l.trades()[3]), "SPY long 7 50->50 pnl -0.87 commission 0.87 [4..5]");
}

TEST(TradeLedger, ScaleInAndOutUseVolumeWeightedPrices) {
  TradeLedger l;
  l.on_fill(kSpy, at(0), Side::kBuy, "100"_d, "10"_d, "1"_d);
  l.on_fill(kSpy, at(1), Side::kBuy, "200"_d, "10.30"_d, "1"_d);
  l.on_fill(kSpy, at(2), Side::kBuy, "3"_d, "10.01"_d, "1"_d);
  l.on_fill(kSpy, at(3), Side::kSell, "150"_d, "11"_d, "1"_d);
  EXPECT_EQ(l.open_qty(kSpy), "153"_d);
  l.on_fill(kSpy, at(4), Side::kSell, "153"_d, "12"_d, "1"_d);
  ASSERT_EQ(l.trades().size(), 1u);
  // entry: (1000 + 2060 + 30.03) / 303 = 3090.03 / 303 = 10.198118811881.. -> 10.19811881
  // exit: (1650 + 1836) / 303 = 3486 / 303 = 11.504950495.. -> 11.50495050
  // gross exact: 3486 - 3090.03 = 395.97; 5 commissions of 1
  EXPECT_EQ(describe(l.trades()[0]),
            "SPY long 303 10.19811881->11.5049505 pnl 390.97 commission 5 [0..4]");
}

TEST(TradeLedger, QtyIsTheLargestPositionOfTheTrade) {
  TradeLedger l;
  l.on_fill(kSpy, at(0), Side::kBuy, "100"_d, "10"_d, "0"_d);
  l.on_fill(kSpy, at(1), Side::kSell, "50"_d, "11"_d, "0"_d);
  l.on_fill(kSpy, at(2), Side::kBuy, "100"_d, "12"_d, "0"_d);  // position 150
  l.on_fill(kSpy, at(3), Side::kSell, "150"_d, "13"_d, "0"_d);
  ASSERT_EQ(l.trades().size(), 1u);
  // entry (1000 + 1200) / 200 = 11; exit (550 + 1950) / 200 = 12.5;
  // pnl 550 + 1950 - 1000 - 1200 = 300
  EXPECT_EQ(describe(l.trades()[0]), "SPY long 150 11->12.5 pnl 300 commission 0 [0..3]");
}

TEST(TradeLedger, MultiplierScalesGrossPnlNotCommissions) {
  TradeLedger l;
  l.on_fill(kEs, at(0), Side::kBuy, "2"_d, "4500.25"_d, "1.24"_d, "5"_d);
  l.on_fill(kSpy, at(1), Side::kBuy, "1"_d, "100"_d, "0"_d);  // another symbol, still open
  l.on_fill(kEs, at(2), Side::kSell, "2"_d, "4510.50"_d, "1.24"_d, "5"_d);
  ASSERT_EQ(l.trades().size(), 1u);
  // Prices stay per unit. gross = (9021.00 - 9000.50) * 5 = 102.50; commissions 2.48
  EXPECT_EQ(describe(l.trades()[0]), "ES long 2 4500.25->4510.5 pnl 100.02 commission 2.48 [0..2]");
  EXPECT_EQ(l.open_qty(kSpy), "1"_d);
  EXPECT_EQ(l.open_qty(Symbol("QQQ")), "0"_d);
}

// Equity 100 -> 110, 99, 110, 99, 88, 99, 121 (initial_cash 100, 252 bars a year).
//   returns: 1/10, -1/10, 11/99 = 1/9, -1/10, -11/99 = -1/9, 11/88 = 1/8, 22/99 = 2/9
//   mean = (1/10 - 1/10 + 1/9 - 1/10 - 1/9 + 1/8 + 2/9) / 7 = (89/360) / 7 = 89/2520
//        = 0.0353174603..
//   sum r^2 = 3/100 + 1/81 + 1/81 + 4/81 + 1/64 = 5171/43200
//   sample variance = (5171/43200 - 7 * (89/2520)^2) / 6 = 10067/544320 = 0.0184946355..
//   sharpe = 0.0353174603 / sqrt(0.0184946355) * sqrt(252) = 4.1225586976..
//   downside: (1/100 + 1/100 + 1/81) / 7 = (131/4050) / 7 = 0.0046208113
//   sortino = 0.0353174603 / sqrt(0.0046208113) * sqrt(252) = 8.2476575439..
//   peak 100, 110, 110, 110, 110, 110, 110, 121; drawdowns 0, 0.1, 0, 0.1, 0.2, 0.1, 0
//   max_drawdown 22/110 = 0.2; longest run below the peak: bars 4, 5, 6 = 3
//   total_return 121/100 - 1 = 0.21; cagr = 1.21^(252/7) - 1 = 1.21^36 - 1 = 954.59381772..
TEST(EquityStats, HandComputedSeries) {
  EquityStats s("100"_d, 252);
  const char* eq[] = {"110", "99", "110", "99", "88", "99", "121"};
  const bool exposed[] = {true, true, false, true, true, true, false};
  const double dd[] = {0, 0.1, 0, 0.1, 0.2, 0.1, 0};
  for (int i = 0; i < 7; ++i) {
    s.add(at(i), Decimal::parse(eq[i]).value(), exposed[i]);
    EXPECT_NEAR(s.drawdown(), dd[i], 1e-15) << i;
  }
  // Trades: +10, -4, +6, 0 -> wins 2, losses 1 (0 is neither), gross +16 / -4.
  std::vector<Trade> trades(4);
  trades[0].pnl = "10"_d;
  trades[1].pnl = "-4"_d;
  trades[2].pnl = "6"_d;
  trades[3].pnl = "0"_d;
  const Metrics m = s.finish(trades, "7.5"_d);
  EXPECT_EQ(m.initial_cash, "100"_d);
  EXPECT_EQ(m.final_equity, "121"_d);
  EXPECT_EQ(m.net_profit, "21"_d);
  EXPECT_EQ(m.commissions, "7.5"_d);
  EXPECT_EQ(m.bars, 7u);
  EXPECT_DOUBLE_EQ(m.periods_per_year, 252);
  EXPECT_DOUBLE_EQ(*m.total_return, 0.21);
  EXPECT_NEAR(*m.cagr, 954.5938177273, 1e-8);
  EXPECT_NEAR(*m.sharpe, 4.122558697648, 1e-10);
  EXPECT_NEAR(*m.sortino, 8.247657543923, 1e-10);
  EXPECT_NEAR(*m.max_drawdown, 0.2, 1e-15);
  EXPECT_EQ(m.max_drawdown_duration_bars, 3);
  EXPECT_DOUBLE_EQ(*m.exposure, 5.0 / 7.0);
  EXPECT_EQ(m.trades, 4u);
  EXPECT_EQ(m.wins, 2u);
  EXPECT_EQ(m.losses, 1u);
  EXPECT_EQ(m.gross_profit, "16"_d);
  EXPECT_EQ(m.gross_loss, "-4"_d);
  EXPECT_DOUBLE_EQ(*m.win_rate, 0.5);
  EXPECT_DOUBLE_EQ(*m.profit_factor, 4.0);  // 16 / |-4|
}

TEST(EquityStats, NoBars) {
  const Metrics m = EquityStats("1000"_d, 252).finish({}, "0"_d);
  EXPECT_EQ(m.final_equity, "1000"_d);
  EXPECT_EQ(m.net_profit, "0"_d);
  EXPECT_EQ(m.bars, 0u);
  EXPECT_DOUBLE_EQ(*m.total_return, 0.0);
  EXPECT_FALSE(m.cagr);  // n = 0
  EXPECT_FALSE(m.sharpe);
  EXPECT_FALSE(m.sortino);
  EXPECT_FALSE(m.max_drawdown);
  EXPECT_FALSE(m.exposure);
  EXPECT_FALSE(m.win_rate);  // no trades
  EXPECT_FALSE(m.profit_factor);
  EXPECT_EQ(m.max_drawdown_duration_bars, 0);
}

TEST(EquityStats, OneBarHasNoSharpe) {
  EquityStats s("100"_d, 252);
  s.add(at(0), "90"_d, true);  // r = -0.1
  const Metrics m = s.finish({}, "0"_d);
  EXPECT_FALSE(m.sharpe);  // n < 2
  // sortino = -0.1 / sqrt(0.01 / 1) * sqrt(252) = -sqrt(252)
  EXPECT_NEAR(*m.sortino, -std::sqrt(252.0), 1e-12);
  EXPECT_NEAR(*m.max_drawdown, 0.1, 1e-15);
  EXPECT_EQ(m.max_drawdown_duration_bars, 1);
  // cagr = 0.9^252 - 1
  EXPECT_NEAR(*m.cagr, std::pow(0.9, 252) - 1, 1e-15);
}

TEST(EquityStats, AllFlat) {
  EquityStats s("100"_d, 252);
  for (int i = 0; i < 5; ++i) s.add(at(i), "100"_d, false);
  const Metrics m = s.finish({}, "0"_d);
  EXPECT_FALSE(m.sharpe);   // stdev 0
  EXPECT_FALSE(m.sortino);  // no negative return
  EXPECT_DOUBLE_EQ(*m.total_return, 0);
  EXPECT_DOUBLE_EQ(*m.cagr, 0);
  EXPECT_DOUBLE_EQ(*m.max_drawdown, 0);
  EXPECT_EQ(m.max_drawdown_duration_bars, 0);
  EXPECT_DOUBLE_EQ(*m.exposure, 0);
}

TEST(EquityStats, RisingSeriesHasNoSortinoAndNoLossHasNoProfitFactor) {
  EquityStats s("100"_d, 4);
  s.add(at(0), "110"_d, true);  // r = 0.1
  s.add(at(1), "132"_d, true);  // r = 0.2
  std::vector<Trade> trades(1);
  trades[0].pnl = "32"_d;
  const Metrics m = s.finish(trades, "0"_d);
  EXPECT_FALSE(m.sortino);
  EXPECT_FALSE(m.profit_factor);
  EXPECT_DOUBLE_EQ(*m.win_rate, 1);
  // mean 0.15, sample stdev sqrt((0.05^2 + 0.05^2) / 1) = 0.0707106781; * sqrt(4)
  EXPECT_NEAR(*m.sharpe, 0.15 / std::sqrt(0.005) * 2, 1e-12);
  // cagr = 1.32^(4/2) - 1 = 0.7424
  EXPECT_NEAR(*m.cagr, 0.7424, 1e-12);
  EXPECT_DOUBLE_EQ(*m.max_drawdown, 0);
}

TEST(EquityStats, NonPositiveFinalEquityHasNoCagr) {
  EquityStats s("100"_d, 252);
  s.add(at(0), "50"_d, true);
  s.add(at(1), "-10"_d, true);  // -60 / 50 = -1.2
  const Metrics m = s.finish({}, "0"_d);
  EXPECT_FALSE(m.cagr);
  EXPECT_DOUBLE_EQ(*m.total_return, -1.1);
  EXPECT_NEAR(*m.max_drawdown, 1.1, 1e-15);  // (100 - -10) / 100
  EXPECT_EQ(m.max_drawdown_duration_bars, 2);
}

}  // namespace
}  // namespace backtest
}  // namespace td
