// Streaming indicators against values computed by hand (arithmetic in the
// comments), their readiness boundaries, and the exactness of window means.
#include "strategies/indicators.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/decimal.h"

namespace td::strategies {
namespace {

double px(const char* s) {
  return operator""_d(s, std::char_traits<char>::length(s)).to_double();
}

TEST(Sma, MeanOfLastNAndReadiness) {
  Sma sma(3);
  sma.update(1);
  EXPECT_FALSE(sma.ready());
  sma.update(2);
  EXPECT_FALSE(sma.ready());  // undefined for the first n-1 = 2 bars
  sma.update(3);
  ASSERT_TRUE(sma.ready());
  EXPECT_DOUBLE_EQ(sma.value(), 2.0);  // (1+2+3)/3
  sma.update(4);
  EXPECT_DOUBLE_EQ(sma.value(), 3.0);  // (2+3+4)/3
  sma.update(5);
  EXPECT_DOUBLE_EQ(sma.value(), 4.0);  // (3+4+5)/3
}

TEST(Sma, PeriodOneIsTheClose) {
  Sma sma(1);
  sma.update(7.25);
  ASSERT_TRUE(sma.ready());
  EXPECT_EQ(sma.value(), 7.25);
}

TEST(Sma, RejectsPeriodBelowOne) {
  EXPECT_THROW(Sma(0), std::invalid_argument);
  EXPECT_THROW(Ema(-1), std::invalid_argument);
  EXPECT_THROW(Rsi(0), std::invalid_argument);
}

TEST(Sma, EqualMeansOfCentPricesCompareEqual) {
  // SMA(2) of 100.01, 100.03 = 100.02 and SMA(3) of 100.02, 100.01, 100.03 =
  // 300.06/3 = 100.02: equal exactly, so SMA(fast) > SMA(slow) must be false.
  Sma fast(2), slow(3);
  for (const char* c : {"100.02", "100.01", "100.03"}) {
    fast.update(px(c));
    slow.update(px(c));
  }
  EXPECT_EQ(fast.value(), slow.value());
  EXPECT_EQ(fast.value(), px("100.02"));
}

TEST(Sma, FlatSeriesMeanIsTheClose) {
  Sma fast(10), slow(30);
  for (int i = 0; i < 100; ++i) {
    fast.update(px("100.37"));
    slow.update(px("100.37"));
  }
  EXPECT_EQ(fast.value(), px("100.37"));
  EXPECT_EQ(slow.value(), px("100.37"));
}

TEST(Sma, DoesNotDriftOverAMillionUpdates) {
  // Alternating huge and tiny prices wreck a naive double running sum; the
  // exact sum gives the mean of the last 3 exactly after 1e6 updates.
  Sma sma(3);
  for (int i = 0; i < 1'000'000; ++i) sma.update(i % 2 == 0 ? px("987654.32") : px("0.01"));
  // Last three: i = 999997 (0.01), 999998 (987654.32), 999999 (0.01).
  // (0.01 + 987654.32 + 0.01) / 3 = 987654.34 / 3 = 329218.1133..., i.e. the
  // exact sum in 1e-8 units divided by 3 (rounded once), then by 1e8.
  EXPECT_EQ(sma.value(), (98765434000000.0 / 3) / 1e8);
  EXPECT_NEAR(sma.value(), 329218.11333333, 1e-8);
}

TEST(Ema, SeededWithSmaThenAlpha) {
  // EMA(3): alpha = 2/(3+1) = 0.5, seed = SMA of the first 3 values.
  Ema ema(3);
  ema.update(2);
  ema.update(4);
  EXPECT_FALSE(ema.ready());
  ema.update(6);
  ASSERT_TRUE(ema.ready());
  EXPECT_DOUBLE_EQ(ema.value(), 4.0);  // (2+4+6)/3
  ema.update(8);
  EXPECT_DOUBLE_EQ(ema.value(), 6.0);  // 4 + 0.5*(8-4)
  ema.update(4);
  EXPECT_DOUBLE_EQ(ema.value(), 5.0);  // 6 + 0.5*(4-6)
}

TEST(Ema, NonTrivialAlpha) {
  // EMA(4): alpha = 2/5 = 0.4; seed (1+2+3+4)/4 = 2.5; then 2.5 + 0.4*(10-2.5) = 5.5.
  Ema ema(4);
  for (double x : {1.0, 2.0, 3.0, 4.0, 10.0}) ema.update(x);
  EXPECT_DOUBLE_EQ(ema.value(), 5.5);
}

TEST(Rsi, WilderStepByStep) {
  // RSI(3) on 10, 11, 10.5, 11.5, 12, 11: changes +1, -0.5, +1, +0.5, -1.
  Rsi rsi(3);
  for (double x : {10.0, 11.0, 10.5}) {
    rsi.update(x);
    EXPECT_FALSE(rsi.ready());
  }
  rsi.update(11.5);  // 4th close = n+1: first 3 changes seen
  ASSERT_TRUE(rsi.ready());
  // avg_gain = (1+0+1)/3 = 2/3, avg_loss = (0+0.5+0)/3 = 1/6, RS = 4.
  EXPECT_DOUBLE_EQ(rsi.avg_gain(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(rsi.avg_loss(), 1.0 / 6);
  EXPECT_DOUBLE_EQ(rsi.value(), 80.0);  // 100 - 100/(1+4)
  rsi.update(12);
  // avg_gain = (2/3*2 + 0.5)/3 = 11/18, avg_loss = (1/6*2 + 0)/3 = 2/18,
  // RS = 5.5, RSI = 100 - 100/6.5.
  EXPECT_DOUBLE_EQ(rsi.avg_gain(), 11.0 / 18);
  EXPECT_DOUBLE_EQ(rsi.avg_loss(), 2.0 / 18);
  EXPECT_NEAR(rsi.value(), 100 - 100 / 6.5, 1e-12);
  rsi.update(11);
  // avg_gain = (11/18*2 + 0)/3 = 11/27, avg_loss = (2/18*2 + 1)/3 = 11/27: RS = 1.
  EXPECT_NEAR(rsi.value(), 50.0, 1e-12);
}

TEST(Rsi, HundredWhenNoLoss) {
  Rsi up(3);
  for (double x : {1.0, 2.0, 3.0, 4.0}) up.update(x);
  ASSERT_TRUE(up.ready());
  EXPECT_EQ(up.value(), 100.0);
  Rsi flat(3);  // nothing moved: avg_loss is 0, so 100 (the documented choice)
  for (int i = 0; i < 4; ++i) flat.update(5);
  EXPECT_EQ(flat.value(), 100.0);
}

TEST(Rsi, ZeroWhenNoGain) {
  Rsi down(2);
  for (double x : {3.0, 2.0, 1.0}) down.update(x);
  ASSERT_TRUE(down.ready());
  EXPECT_EQ(down.value(), 0.0);  // RS = 0: 100 - 100/1
}

TEST(Macd, SmallPeriodsByHand) {
  // MACD(2, 3, 2) on 2, 4, 6, 8, 4, 2, 6, 10.
  // EMA(2): alpha 2/3, seed (2+4)/2 = 3; then 5, 7, 5, 3, 5, 8.333...
  // EMA(3): alpha 1/2, seed (2+4+6)/3 = 4; then 6, 5, 3.5, 4.75, 7.375
  // line (from bar 3): 1, 1, 0, -0.5, 0.25, 0.958333...
  // signal = EMA(2) of the line: seed (1+1)/2 = 1 at bar 4 (= slow+signal-1);
  // then 1 + 2/3*(0-1) = 1/3; 1/3 + 2/3*(-0.5-1/3) = -2/9;
  // -2/9 + 2/3*(0.25+2/9) = 10/108; 10/108 + 2/3*(23/24 - 10/108) = 0.66975...
  Macd macd(2, 3, 2);
  const std::vector<double> closes = {2, 4, 6, 8, 4, 2, 6, 10};
  struct Want {
    double line, signal;
  };
  const std::vector<Want> want = {
      {1, 1}, {0, 1.0 / 3}, {-0.5, -2.0 / 9}, {0.25, 10.0 / 108}, {23.0 / 24, 0.66975308641975}};
  for (size_t i = 0; i < closes.size(); ++i) {
    macd.update(closes[i]);
    if (i < 3) {
      EXPECT_FALSE(macd.ready()) << "bar " << i + 1;
      continue;
    }
    ASSERT_TRUE(macd.ready()) << "bar " << i + 1;
    const Macd::Value v = macd.value();
    EXPECT_NEAR(v.macd, want[i - 3].line, 1e-12) << "bar " << i + 1;
    EXPECT_NEAR(v.signal, want[i - 3].signal, 1e-12) << "bar " << i + 1;
    EXPECT_NEAR(v.histogram, want[i - 3].line - want[i - 3].signal, 1e-12);
  }
}

TEST(Bollinger, PopulationStdevBands) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32,
  // population variance 32/8 = 4, stdev 2; k = 2: 5 -/+ 4.
  Bollinger bb(8, 2);
  const std::vector<double> closes = {2, 4, 4, 4, 5, 5, 7, 9};
  for (size_t i = 0; i < closes.size(); ++i) {
    EXPECT_FALSE(bb.ready());
    bb.update(closes[i]);
  }
  ASSERT_TRUE(bb.ready());
  EXPECT_DOUBLE_EQ(bb.value().lower, 1.0);
  EXPECT_DOUBLE_EQ(bb.value().middle, 5.0);
  EXPECT_DOUBLE_EQ(bb.value().upper, 9.0);
}

TEST(Bollinger, SlidesAndUsesK) {
  // (3, 2) on 1, 2, 3: mean 2, variance (1+0+1)/3 = 2/3, width 2*sqrt(2/3).
  Bollinger bb(3, 2);
  for (double x : {1.0, 2.0, 3.0}) bb.update(x);
  EXPECT_NEAR(bb.value().lower, 2 - 2 * std::sqrt(2.0 / 3), 1e-12);
  EXPECT_NEAR(bb.value().upper, 2 + 2 * std::sqrt(2.0 / 3), 1e-12);
  // Then 6: window 2, 3, 6, mean 11/3, deviations -5/3, -2/3, 7/3,
  // variance (25+4+49)/9/3 = 26/9, stdev sqrt(26)/3.
  bb.update(6);
  EXPECT_NEAR(bb.value().middle, 11.0 / 3, 1e-12);
  EXPECT_NEAR(bb.value().upper, 11.0 / 3 + 2 * std::sqrt(26.0) / 3, 1e-12);
}

TEST(Bollinger, FlatWindowCollapsesOnTheClose) {
  Bollinger bb(20, 2);
  for (int i = 0; i < 25; ++i) bb.update(px("123.45"));
  EXPECT_EQ(bb.value().lower, px("123.45"));
  EXPECT_EQ(bb.value().middle, px("123.45"));
  EXPECT_EQ(bb.value().upper, px("123.45"));
}

TEST(ZScore, ByHand) {
  // Window 2, 4, 4, 4, 5, 5, 7, 9: mean 5, stdev 2, close 9: z = (9-5)/2 = 2.
  ZScore z(8);
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0}) {
    z.update(x);
    EXPECT_FALSE(z.ready());
  }
  z.update(9);
  ASSERT_TRUE(z.ready());
  EXPECT_DOUBLE_EQ(z.value(), 2.0);
  // Then 1: window 4, 4, 4, 5, 5, 7, 9, 1: mean 39/8 = 4.875; squared
  // deviations 3*0.765625 + 2*0.015625 + 4.515625 + 17.015625 + 15.015625
  // = 38.875, variance 4.859375; z = (1 - 4.875)/sqrt(4.859375) = -1.75784...
  z.update(1);
  EXPECT_NEAR(z.value(), -3.875 / std::sqrt(4.859375), 1e-12);
}

TEST(ZScore, FlatWindowIsZero) {
  ZScore z(5);
  for (int i = 0; i < 5; ++i) z.update(px("99.99"));
  ASSERT_TRUE(z.ready());
  EXPECT_EQ(z.value(), 0.0);
}

TEST(RollingWindow, StdevOfLargePricesWithSmallMoves) {
  // Prices near 1e6 moving by a cent: sum-of-squares formulas lose the
  // variance to cancellation. Window 1000000.00, 1000000.01, 1000000.02:
  // deviations -0.01, 0, 0.01, variance 0.0002/3.
  RollingWindow w(3);
  for (const char* c : {"1000000.00", "1000000.01", "1000000.02"}) w.push(px(c));
  EXPECT_NEAR(w.stdev_units() / RollingWindow::kUnitsPerOne, std::sqrt(0.0002 / 3), 1e-12);
  EXPECT_EQ(w.mean(), px("1000000.01"));
}

}  // namespace
}  // namespace td::strategies
