// commission_for: IB fixed pricing as backtest-semantics.md states it:
// max(min_per_order, per_share * shares), capped at max_pct % of the trade
// value, rounded half up to the cent (1.005 -> 1.01).
#include <gtest/gtest.h>

#include <ostream>

#include "core/instrument.h"

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}

namespace {

Decimal stock(const char* shares, const char* price) {
  const Decimal q = Decimal::parse(shares).value();
  const Decimal v = q.abs().mul(Decimal::parse(price).value(), Rounding::kHalfEven);
  return commission_for(CommissionSchedule{}, q, v);
}

TEST(Instrument, SecTypeNames) {
  for (auto t : {SecType::kStock, SecType::kFuture, SecType::kOption, SecType::kCash})
    EXPECT_EQ(parse_sec_type(to_string(t)), t);
  EXPECT_EQ(to_string(SecType::kFuture), "FUT");
  EXPECT_EQ(parse_sec_type("stk"), std::nullopt);
  EXPECT_EQ(parse_sec_type(""), std::nullopt);
  const Instrument spy;
  EXPECT_EQ(spy.tick, "0.01"_d);
  EXPECT_EQ(spy.multiplier, "1"_d);
  EXPECT_EQ(spy.sec_type, SecType::kStock);
}

TEST(Commission, DefaultScheduleIsIbFixedPricing) {
  const CommissionSchedule c;
  EXPECT_EQ(c.per_unit, "0.005"_d);
  EXPECT_EQ(c.min_per_order, "1.00"_d);
  EXPECT_EQ(c.max_pct, "1"_d);
}

TEST(Commission, MinimumPerOrder) {
  EXPECT_EQ(stock("1", "500"), "1.00"_d);   // 0.005 -> 1.00 (cap 5.00)
  EXPECT_EQ(stock("100", "50"), "1.00"_d);  // 0.50 -> 1.00
  EXPECT_EQ(stock("199", "50"), "1.00"_d);  // 0.995 -> 1.00
  EXPECT_EQ(stock("200", "50"), "1.00"_d);  // exactly 1.00
}

TEST(Commission, PerShare) {
  EXPECT_EQ(stock("300", "50"), "1.50"_d);      // 300 * 0.005 = 1.50 (cap 150)
  EXPECT_EQ(stock("1000", "25"), "5.00"_d);     // 5.00 (cap 250)
  EXPECT_EQ(stock("10000", "150"), "50.00"_d);  // 50.00 (cap 15000)
  // 201 * 0.005 = 1.005 -> half up to the cent: 1.01.
  EXPECT_EQ(stock("201", "20"), "1.01"_d);
  // 203 * 0.005 = 1.015 -> 1.02; 209 * 0.005 = 1.045 -> 1.05; 211 -> 1.055 -> 1.06.
  EXPECT_EQ(stock("203", "20"), "1.02"_d);
  EXPECT_EQ(stock("209", "20"), "1.05"_d);
  EXPECT_EQ(stock("211", "20"), "1.06"_d);
  // 1001 * 0.005 = 5.005 -> 5.01.
  EXPECT_EQ(stock("1001", "20"), "5.01"_d);
}

TEST(Commission, SellsUseTheAbsoluteQuantity) {
  EXPECT_EQ(commission_for(CommissionSchedule{}, "-300"_d, "15000"_d), "1.50"_d);
  EXPECT_EQ(commission_for(CommissionSchedule{}, "-300"_d, "-15000"_d), "1.50"_d);
}

TEST(Commission, CapAtOnePercentOfTradeValue) {
  // 1000 shares @ 0.50: per share 5.00; value 500, cap 1 % = 5.00: 5.00 is not
  // above the cap, so 5.00.
  EXPECT_EQ(stock("1000", "0.50"), "5.00"_d);
  // 1000 @ 0.40: value 400, cap 4.00 < 5.00 -> 4.00.
  EXPECT_EQ(stock("1000", "0.40"), "4.00"_d);
  // 5000 @ 0.25: per share 25.00; value 1250, cap 12.50.
  EXPECT_EQ(stock("5000", "0.25"), "12.50"_d);
  // The cap applies after the minimum (IB: "maximum per order 1 % of trade
  // value"): 100 @ 0.50 -> value 50, cap 0.50 < min 1.00 -> 0.50.
  EXPECT_EQ(stock("100", "0.50"), "0.50"_d);
  // 1 share @ 50: value 50, cap 0.50 < min 1.00 -> 0.50.
  EXPECT_EQ(stock("1", "50"), "0.50"_d);
  // Cap rounding: 1000 @ 0.12345 -> value 123.45, cap 1.2345 -> 1.23.
  EXPECT_EQ(stock("1000", "0.12345"), "1.23"_d);
  // 1000 @ 0.1005 -> value 100.50, cap 1.005 -> half up 1.01.
  EXPECT_EQ(stock("1000", "0.1005"), "1.01"_d);
  // 1000 @ 0.1015 -> 101.50 -> cap 1.015 -> 1.02.
  EXPECT_EQ(stock("1000", "0.1015"), "1.02"_d);
}

TEST(Commission, ZeroQuantityCostsNothing) {
  EXPECT_EQ(commission_for(CommissionSchedule{}, Decimal(), Decimal()), Decimal());
  EXPECT_EQ(commission_for(CommissionSchedule{}, Decimal(), "1000"_d), Decimal());
}

TEST(Commission, FuturesSchedulePerContractNoMinimumNoCap) {
  CommissionSchedule fut;
  fut.per_unit = "0.62"_d;
  fut.min_per_order = Decimal();
  fut.max_pct = Decimal();  // 0 = no cap
  // The trade value is irrelevant without a cap: 1 MES @ 5000 * 5 = 25000.
  EXPECT_EQ(commission_for(fut, "1"_d, "25000"_d), "0.62"_d);
  EXPECT_EQ(commission_for(fut, "3"_d, "75000"_d), "1.86"_d);  // 3 * 0.62
  EXPECT_EQ(commission_for(fut, "-10"_d, "1"_d), "6.20"_d);    // 10 * 0.62, tiny value, no cap
  EXPECT_EQ(commission_for(fut, "1"_d, Decimal()), "0.62"_d);
}

TEST(Commission, RoundsHalfUpToTheCent) {
  CommissionSchedule c;
  c.per_unit = "0.0035"_d;  // IB tiered-like rate, to get odd sub-cent values
  c.min_per_order = Decimal();
  c.max_pct = Decimal();
  EXPECT_EQ(commission_for(c, "3"_d, "0"_d), "0.01"_d);   // 0.0105 -> 0.01
  EXPECT_EQ(commission_for(c, "5"_d, "0"_d), "0.02"_d);   // 0.0175 -> 0.02
  EXPECT_EQ(commission_for(c, "1"_d, "0"_d), "0"_d);      // 0.0035 -> 0.00
  EXPECT_EQ(commission_for(c, "10"_d, "0"_d), "0.04"_d);  // 0.035 -> 0.04 (tie, up)
  EXPECT_EQ(commission_for(c, "30"_d, "0"_d), "0.11"_d);  // 0.105 -> 0.11 (tie, up)
  EXPECT_EQ(commission_for(c, "29"_d, "0"_d), "0.10"_d);  // 0.1015 -> 0.10
}

TEST(Commission, RoundsOnceToTheCent) {
  // The exact fee is rounded to the cent once: intermediate results at 1e-8
  // must not turn a value just below a half cent into a half cent.
  CommissionSchedule c;
  c.min_per_order = Decimal();
  c.max_pct = Decimal();
  // 200.99999999 shares * 0.005 = 1.00499999995 -> 1.00 (not 1.005 -> 1.01).
  EXPECT_EQ(commission_for(c, "200.99999999"_d, Decimal()), "1.00"_d);
  // Cap: 1 % of 100.49999999 = 1.0049999999 -> 1.00.
  CommissionSchedule capped;
  capped.per_unit = "1"_d;
  capped.min_per_order = Decimal();
  EXPECT_EQ(commission_for(capped, "100"_d, "100.49999999"_d), "1.00"_d);
  EXPECT_EQ(commission_for(capped, "100"_d, "100.5"_d), "1.01"_d);  // exactly 1.005
}

TEST(Commission, CumulativeChargingAppliesTheMinimumOnce) {
  // An order filled 100 + 200 shares: the first fill pays the minimum 1.00,
  // the second commission(300) - commission(100) = 1.50 - 1.00 = 0.50.
  const CommissionSchedule c;
  const Decimal first = commission_for(c, "100"_d, "5000"_d);
  const Decimal total = commission_for(c, "300"_d, "15000"_d);
  EXPECT_EQ(first, "1.00"_d);
  EXPECT_EQ(total - first, "0.50"_d);
}

}  // namespace
}  // namespace td
