// Position: where a fill changes quantity, cost basis and realized P&L.
// Every expected value is computed by hand to the cent (arithmetic in the
// comments); realized P&L over a round trip must equal the sum of the signed
// fill cash flows exactly.
#include "core/position.h"

#include <gtest/gtest.h>

#include <ostream>

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}

namespace {

Timestamp T(int64_t seconds) {
  return from_unix_seconds(1'700'000'000 + seconds);
}

// Signed cash flow of a fill (before multiplier): sells bring cash in.
Decimal flow(Side side, Decimal qty, Decimal price) {
  const Decimal v = qty.mul(price, Rounding::kHalfEven);
  return side == Side::kSell ? v : -v;
}

// Applies fills and keeps the sum of their cash flows.
struct Book {
  Position pos;
  Decimal flows;
  Position::Effect fill(Side side, const char* qty, const char* price, const char* commission = "0",
                        int64_t at = 0) {
    const Decimal q = Decimal::parse(qty).value(), p = Decimal::parse(price).value();
    flows += flow(side, q, p);
    return pos.apply(side, q, p, Decimal::parse(commission).value(), T(at));
  }
};

TEST(Position, StartsFlat) {
  Position p(Symbol("SPY"), "1"_d);
  EXPECT_TRUE(p.flat());
  EXPECT_EQ(p.symbol(), Symbol("SPY"));
  EXPECT_EQ(p.qty(), Decimal());
  EXPECT_EQ(p.cost_basis(), Decimal());
  EXPECT_EQ(p.avg_cost(), Decimal());
  EXPECT_EQ(p.realized_pnl(), Decimal());
  EXPECT_EQ(p.commissions(), Decimal());
  EXPECT_EQ(p.unrealized_pnl("123.45"_d), Decimal());
  EXPECT_EQ(p.market_value("123.45"_d), Decimal());
  EXPECT_EQ(Position().multiplier(), "1"_d);
}

TEST(Position, BuyThenPartialSells) {
  Book b{Position(Symbol("SPY"), "1"_d), {}};
  auto e = b.fill(Side::kBuy, "100", "10.00", "1.00", 1);
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(e.realized, Decimal());
  EXPECT_EQ(e.closed_qty, Decimal());
  EXPECT_EQ(b.pos.opened_at(), T(1));
  EXPECT_EQ(b.pos.qty(), "100"_d);
  EXPECT_EQ(b.pos.cost_basis(), "1000"_d);
  EXPECT_EQ(b.pos.avg_cost(), "10"_d);

  // Sell 40 @ 10.50: 40 * (10.50 - 10.00) = 20.00.
  e = b.fill(Side::kSell, "40", "10.50", "1.00", 2);
  EXPECT_FALSE(e.opened);
  EXPECT_EQ(e.realized, "20"_d);
  EXPECT_EQ(e.closed_qty, "40"_d);
  EXPECT_EQ(b.pos.qty(), "60"_d);
  EXPECT_EQ(b.pos.cost_basis(), "600"_d);
  EXPECT_EQ(b.pos.avg_cost(), "10"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "20"_d);
  EXPECT_EQ(b.pos.opened_at(), T(1));  // a reduction keeps the opening time

  // Unrealized at 10.25: 60 * 10.25 - 600 = 615 - 600 = 15.
  EXPECT_EQ(b.pos.unrealized_pnl("10.25"_d), "15"_d);
  EXPECT_EQ(b.pos.market_value("10.25"_d), "615"_d);

  // Sell the last 60 @ 9.75: 585 - 600 = -15; total realized 20 - 15 = 5.
  e = b.fill(Side::kSell, "60", "9.75", "1.00", 3);
  EXPECT_EQ(e.realized, "-15"_d);
  EXPECT_EQ(e.closed_qty, "60"_d);
  EXPECT_TRUE(b.pos.flat());
  EXPECT_EQ(b.pos.cost_basis(), Decimal());
  EXPECT_EQ(b.pos.avg_cost(), Decimal());
  EXPECT_EQ(b.pos.realized_pnl(), "5"_d);
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);  // -1000 + 420 + 585 = 5
  // Commissions are kept apart: realized is gross.
  EXPECT_EQ(b.pos.commissions(), "3.00"_d);
}

TEST(Position, AddingToAPositionWeightsTheAverageCost) {
  Book b{Position(Symbol("SPY"), "1"_d), {}};
  b.fill(Side::kBuy, "100", "10", "0", 1);
  auto e = b.fill(Side::kBuy, "50", "10.30", "0", 2);
  EXPECT_FALSE(e.opened);
  EXPECT_EQ(b.pos.opened_at(), T(1));
  // (1000 + 515) / 150 = 10.10
  EXPECT_EQ(b.pos.qty(), "150"_d);
  EXPECT_EQ(b.pos.cost_basis(), "1515"_d);
  EXPECT_EQ(b.pos.avg_cost(), "10.10"_d);
  b.fill(Side::kBuy, "25", "10.01", "0", 3);
  // (1515 + 250.25) / 175 = 1765.25 / 175 = 10.0871428571... -> 10.08714286
  EXPECT_EQ(b.pos.cost_basis(), "1765.25"_d);
  EXPECT_EQ(b.pos.avg_cost(), "10.08714286"_d);

  // Reduce 75 @ 10.20: cost released = 1765.25 * 75 / 175 = 756.535714285... -> 756.53571429
  // realized = 765.00 - 756.53571429 = 8.46428571
  e = b.fill(Side::kSell, "75", "10.20", "0", 4);
  EXPECT_EQ(e.realized, "8.46428571"_d);
  EXPECT_EQ(b.pos.cost_basis(), "1008.71428571"_d);  // 1765.25 - 756.53571429
  EXPECT_EQ(b.pos.qty(), "100"_d);
  EXPECT_EQ(b.pos.avg_cost(), "10.08714286"_d);  // 10.0871428571 -> ...86

  // Close 100 @ 10.00: the whole remaining cost is released, no residue:
  // realized = 1000 - 1008.71428571 = -8.71428571; total 8.46428571 - 8.71428571 = -0.25.
  e = b.fill(Side::kSell, "100", "10.00", "0", 5);
  EXPECT_EQ(e.realized, "-8.71428571"_d);
  EXPECT_EQ(b.pos.cost_basis(), Decimal());
  EXPECT_EQ(b.pos.realized_pnl(), "-0.25"_d);
  // Cash flows: -1000 - 515 - 250.25 + 765 + 1000 = -0.25.
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
}

TEST(Position, RoundTripReconcilesToTheFlowsExactly) {
  // The example: buy 3 @ 100.01, sell 1 @ 100.02, sell 2 @ 99.99.
  Book b{Position(Symbol("SPY"), "1"_d), {}};
  b.fill(Side::kBuy, "3", "100.01");  // cost 300.03
  // released 300.03 * 1 / 3 = 100.01; realized 100.02 - 100.01 = 0.01
  EXPECT_EQ(b.fill(Side::kSell, "1", "100.02").realized, "0.01"_d);
  EXPECT_EQ(b.pos.cost_basis(), "200.02"_d);
  // released 200.02 (all); realized 199.98 - 200.02 = -0.04
  EXPECT_EQ(b.fill(Side::kSell, "2", "99.99").realized, "-0.04"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "-0.03"_d);  // -300.03 + 100.02 + 199.98
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
  EXPECT_EQ(b.pos.cost_basis(), Decimal());
}

TEST(Position, RoundTripWithCostsThatDoNotDivideEvenly) {
  Book b{Position(Symbol("SPY"), "1"_d), {}};
  b.fill(Side::kBuy, "1", "10.00");
  b.fill(Side::kBuy, "2", "10.01");  // cost 30.02, avg 10.00666667
  EXPECT_EQ(b.pos.avg_cost(), "10.00666667"_d);
  // released 30.02 / 3 = 10.006666666... -> 10.00666667; realized 10.02 - 10.00666667 = 0.01333333
  EXPECT_EQ(b.fill(Side::kSell, "1", "10.02").realized, "0.01333333"_d);
  EXPECT_EQ(b.pos.cost_basis(), "20.01333333"_d);
  // Full close releases the rest: 20.06 - 20.01333333 = 0.04666667
  EXPECT_EQ(b.fill(Side::kSell, "2", "10.03").realized, "0.04666667"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "0.06"_d);  // -30.02 + 10.02 + 20.06
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
  EXPECT_EQ(b.pos.cost_basis(), Decimal());

  // Seven units bought at two prices, sold in three lots.
  Book c{Position(Symbol("XYZ"), "1"_d), {}};
  c.fill(Side::kBuy, "3", "0.01");
  c.fill(Side::kBuy, "4", "0.02");  // cost 0.11
  // 0.11 / 7 = 0.0157142857... -> 0.01571429; realized 0.02 - 0.01571429 = 0.00428571
  EXPECT_EQ(c.fill(Side::kSell, "1", "0.02").realized, "0.00428571"_d);
  // 0.09428571 * 2 / 6 = 0.03142857; realized 0.06 - 0.03142857 = 0.02857143
  EXPECT_EQ(c.fill(Side::kSell, "2", "0.03").realized, "0.02857143"_d);
  // Close: 0.04 - 0.06285714 = -0.02285714
  EXPECT_EQ(c.fill(Side::kSell, "4", "0.01").realized, "-0.02285714"_d);
  EXPECT_EQ(c.pos.realized_pnl(), "0.01"_d);  // -0.03 - 0.08 + 0.02 + 0.06 + 0.04
  EXPECT_EQ(c.pos.realized_pnl(), c.flows);
  EXPECT_EQ(c.pos.cost_basis(), Decimal());
}

TEST(Position, ShortPositions) {
  Book b{Position(Symbol("XYZ"), "1"_d), {}};
  auto e = b.fill(Side::kSell, "10", "50", "0", 1);
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(b.pos.qty(), "-10"_d);
  EXPECT_EQ(b.pos.cost_basis(), "-500"_d);
  EXPECT_EQ(b.pos.avg_cost(), "50"_d);  // positive per unit
  b.fill(Side::kSell, "10", "51", "0", 2);
  EXPECT_EQ(b.pos.cost_basis(), "-1010"_d);
  EXPECT_EQ(b.pos.avg_cost(), "50.5"_d);
  // Marked at 48: -20 * 48 - (-1010) = -960 + 1010 = 50.
  EXPECT_EQ(b.pos.unrealized_pnl("48"_d), "50"_d);
  EXPECT_EQ(b.pos.market_value("48"_d), "-960"_d);
  // Cover 4 @ 45: released -1010 * -4 / -20 = -202; realized -180 + 202 = 22 = 4 * (50.5 - 45).
  e = b.fill(Side::kBuy, "4", "45", "0", 3);
  EXPECT_EQ(e.realized, "22"_d);
  EXPECT_EQ(e.closed_qty, "4"_d);
  EXPECT_EQ(b.pos.qty(), "-16"_d);
  EXPECT_EQ(b.pos.cost_basis(), "-808"_d);
  // Cover 16 @ 52: -832 + 808 = -24 = 16 * (50.5 - 52).
  e = b.fill(Side::kBuy, "16", "52", "0", 4);
  EXPECT_EQ(e.realized, "-24"_d);
  EXPECT_TRUE(b.pos.flat());
  EXPECT_EQ(b.pos.realized_pnl(), "-2"_d);  // 500 + 510 - 180 - 832
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
}

TEST(Position, FlipLongToShortInOneFill) {
  Book b{Position(Symbol("XYZ"), "1"_d), {}};
  b.fill(Side::kBuy, "10", "20", "1", 1);
  // Sell 15 @ 22: closes 10 (realized 10 * 2 = 20), opens -5 at 22.
  auto e = b.fill(Side::kSell, "15", "22", "1", 2);
  EXPECT_EQ(e.realized, "20"_d);
  EXPECT_EQ(e.closed_qty, "10"_d);
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(b.pos.qty(), "-5"_d);
  EXPECT_EQ(b.pos.cost_basis(), "-110"_d);  // new basis at the fill price
  EXPECT_EQ(b.pos.avg_cost(), "22"_d);
  EXPECT_EQ(b.pos.opened_at(), T(2));
  EXPECT_EQ(b.pos.realized_pnl(), "20"_d);
  EXPECT_EQ(b.pos.commissions(), "2"_d);
  // Cover 5 @ 21: 5 * (22 - 21) = 5.
  EXPECT_EQ(b.fill(Side::kBuy, "5", "21", "1", 3).realized, "5"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "25"_d);  // -200 + 330 - 105
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
}

TEST(Position, FlipShortToLongInOneFill) {
  Book b{Position(Symbol("XYZ"), "1"_d), {}};
  b.fill(Side::kSell, "5", "30", "0", 1);
  // Buy 8 @ 28: covers 5 (5 * (30 - 28) = 10), opens +3 at 28.
  auto e = b.fill(Side::kBuy, "8", "28", "0", 2);
  EXPECT_EQ(e.realized, "10"_d);
  EXPECT_EQ(e.closed_qty, "5"_d);
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(b.pos.qty(), "3"_d);
  EXPECT_EQ(b.pos.cost_basis(), "84"_d);
  EXPECT_EQ(b.pos.avg_cost(), "28"_d);
  EXPECT_EQ(b.pos.opened_at(), T(2));
  EXPECT_EQ(b.fill(Side::kSell, "3", "29", "0", 3).realized, "3"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "13"_d);  // 150 - 224 + 87
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
}

TEST(Position, FlipWithOddPrices) {
  Book b{Position(Symbol("XYZ"), "1"_d), {}};
  b.fill(Side::kBuy, "3", "100.01");
  // Sell 5 @ 100.02: closes 3 (300.06 - 300.03 = 0.03), opens -2 with basis -200.04.
  EXPECT_EQ(b.fill(Side::kSell, "5", "100.02").realized, "0.03"_d);
  EXPECT_EQ(b.pos.cost_basis(), "-200.04"_d);
  // Cover 2 @ 99.99: -199.98 + 200.04 = 0.06.
  EXPECT_EQ(b.fill(Side::kBuy, "2", "99.99").realized, "0.06"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "0.09"_d);  // -300.03 + 500.10 - 199.98
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
  EXPECT_EQ(b.pos.cost_basis(), Decimal());
}

TEST(Position, ExactCloseIsNotAFlip) {
  Book b{Position(Symbol("XYZ"), "1"_d), {}};
  b.fill(Side::kBuy, "10", "20", "0", 1);
  auto e = b.fill(Side::kSell, "10", "21", "0", 2);
  EXPECT_FALSE(e.opened);
  EXPECT_EQ(e.closed_qty, "10"_d);
  EXPECT_TRUE(b.pos.flat());
  // Re-opening after flat is an opening.
  e = b.fill(Side::kSell, "1", "21", "0", 3);
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(b.pos.opened_at(), T(3));
}

TEST(Position, FutureWithMultiplierFive) {
  // MES: $5 per index point.
  Book b{Position(Symbol("MESZ6"), "5"_d), {}};
  b.fill(Side::kBuy, "2", "5000.25", "1.24");
  EXPECT_EQ(b.pos.cost_basis(), "10000.50"_d);  // per unit, not multiplied
  EXPECT_EQ(b.pos.avg_cost(), "5000.25"_d);
  // Unrealized at 5005.00: (2 * 5005 - 10000.50) * 5 = 9.50 * 5 = 47.50.
  EXPECT_EQ(b.pos.unrealized_pnl("5005"_d), "47.50"_d);
  // Market value: 2 * 5005 * 5 = 50050.
  EXPECT_EQ(b.pos.market_value("5005"_d), "50050"_d);
  // Sell 1 @ 5010.50: (5010.50 - 5000.25) * 5 = 10.25 * 5 = 51.25.
  EXPECT_EQ(b.fill(Side::kSell, "1", "5010.50", "0.62").realized, "51.25"_d);
  // Unrealized at 4990: (4990 - 5000.25) * 5 = -51.25.
  EXPECT_EQ(b.pos.unrealized_pnl("4990"_d), "-51.25"_d);
  // Sell 1 @ 4990.75: (4990.75 - 5000.25) * 5 = -47.50; total 51.25 - 47.50 = 3.75.
  EXPECT_EQ(b.fill(Side::kSell, "1", "4990.75", "0.62").realized, "-47.50"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "3.75"_d);
  EXPECT_EQ(b.pos.realized_pnl(), b.flows * "5"_d);  // (-10000.50 + 5010.50 + 4990.75) * 5
  EXPECT_EQ(b.pos.commissions(), "2.48"_d);
}

TEST(Position, ShortFutureWithMultiplierFive) {
  Book b{Position(Symbol("MESZ6"), "5"_d), {}};
  b.fill(Side::kSell, "3", "5000");
  // At 4995.25: (-3 * 4995.25 + 15000) * 5 = 14.25 * 5 = 71.25.
  EXPECT_EQ(b.pos.unrealized_pnl("4995.25"_d), "71.25"_d);
  EXPECT_EQ(b.pos.market_value("4995.25"_d), "-74928.75"_d);  // -3 * 4995.25 * 5
  // Buy 4 @ 4990: covers 3 (3 * 10 * 5 = 150), opens +1 at 4990.
  EXPECT_EQ(b.fill(Side::kBuy, "4", "4990").realized, "150"_d);
  EXPECT_EQ(b.pos.qty(), "1"_d);
  EXPECT_EQ(b.pos.cost_basis(), "4990"_d);
  EXPECT_EQ(b.pos.unrealized_pnl("4991.5"_d), "7.5"_d);  // 1.5 * 5
}

TEST(Position, OptionWithMultiplierHundred) {
  Book b{Position(Symbol("SPY261218C00600000"), "100"_d), {}};
  b.fill(Side::kBuy, "3", "2.35", "1.95");
  // At 2.50: (7.50 - 7.05) * 100 = 45; market value 3 * 2.50 * 100 = 750.
  EXPECT_EQ(b.pos.unrealized_pnl("2.50"_d), "45"_d);
  EXPECT_EQ(b.pos.market_value("2.50"_d), "750"_d);
  // Sell 2 @ 2.80: (5.60 - 4.70) * 100 = 90.
  EXPECT_EQ(b.fill(Side::kSell, "2", "2.80", "1.30").realized, "90"_d);
  EXPECT_EQ(b.pos.unrealized_pnl("2.80"_d), "45"_d);  // (2.80 - 2.35) * 100
  // Sell 1 @ 2.05: (2.05 - 2.35) * 100 = -30; total 60.
  EXPECT_EQ(b.fill(Side::kSell, "1", "2.05", "0.65").realized, "-30"_d);
  EXPECT_EQ(b.pos.realized_pnl(), "60"_d);
  EXPECT_EQ(b.pos.realized_pnl(), b.flows * "100"_d);  // (-7.05 + 5.60 + 2.05) * 100
  EXPECT_EQ(b.pos.commissions(), "3.90"_d);
}

TEST(Position, FractionalQuantities) {
  Book b{Position(Symbol("BTC.USD"), "1"_d), {}};
  b.fill(Side::kBuy, "0.5", "60000.01");   // 30000.005
  b.fill(Side::kBuy, "0.25", "60100.03");  // 15025.0075
  EXPECT_EQ(b.pos.cost_basis(), "45025.0125"_d);
  EXPECT_EQ(b.pos.avg_cost(), "60033.35"_d);  // 45025.0125 / 0.75
  b.fill(Side::kSell, "0.1", "61000");
  b.fill(Side::kSell, "0.65", "59000.99");
  EXPECT_TRUE(b.pos.flat());
  EXPECT_EQ(b.pos.cost_basis(), Decimal());
  EXPECT_EQ(b.pos.realized_pnl(), b.flows);
  // -45025.0125 + 6100 + 38350.6435 = -574.369
  EXPECT_EQ(b.pos.realized_pnl(), "-574.369"_d);
}

}  // namespace
}  // namespace td
