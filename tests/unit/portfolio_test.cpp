// Portfolio: cash, equity, P&L, peak/drawdown and the daily figures, to the
// cent. Conventions (portfolio.h): realized is gross of commissions; equity =
// initial + realized + unrealized - commissions, which must also equal cash +
// the sum of market values.
#include "core/portfolio.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}

namespace {

Timestamp at(const char* rfc3339) {
  auto t = parse_time(rfc3339);
  if (!t) throw std::invalid_argument(rfc3339);
  return *t;
}
Timestamp T(int64_t seconds) {
  return from_unix_seconds(1'700'000'000 + seconds);
}

Fill make_fill(const char* symbol, Side side, const char* qty, const char* price,
               const char* commission, Timestamp time) {
  Fill f;
  f.symbol = Symbol(symbol);
  f.side = side;
  f.qty = Decimal::parse(qty).value();
  f.price = Decimal::parse(price).value();
  f.commission = Decimal::parse(commission).value();
  f.time = time;
  return f;
}

Decimal market_values(const Portfolio& p) {
  Decimal mv;
  for (const auto& [s, h] : p.holdings())
    if (h.mark) mv += h.position.market_value(*h.mark);
  return mv;
}

// The two ways of computing equity agree, to the unit.
void expect_consistent(const Portfolio& p, const std::string& where = "") {
  EXPECT_EQ(p.equity(), p.initial_cash() + p.realized() + p.unrealized() - p.commissions())
      << where;
  EXPECT_EQ(p.equity(), p.cash() + market_values(p)) << where;
  EXPECT_EQ(p.total_pnl(), p.realized() + p.unrealized() - p.commissions()) << where;
  EXPECT_EQ(p.drawdown(), p.peak_equity() - p.equity()) << where;
  EXPECT_GE(p.peak_equity(), p.equity()) << where;
  Decimal unrealized;
  for (const auto& [s, h] : p.holdings()) unrealized += h.unrealized;
  EXPECT_EQ(unrealized, p.unrealized()) << where;
}

TEST(Portfolio, Empty) {
  Portfolio p;
  EXPECT_EQ(p.initial_cash(), "100000"_d);
  EXPECT_EQ(p.cash(), "100000"_d);
  EXPECT_EQ(p.equity(), "100000"_d);
  EXPECT_EQ(p.peak_equity(), "100000"_d);
  EXPECT_EQ(p.drawdown(), Decimal());
  EXPECT_EQ(p.drawdown_pct(), Decimal());
  EXPECT_EQ(p.total_pnl(), Decimal());
  EXPECT_EQ(p.gross_exposure(), Decimal());
  EXPECT_EQ(p.holding(Symbol("SPY")), nullptr);
  EXPECT_EQ(p.position_qty(Symbol("SPY")), Decimal());
  EXPECT_EQ(p.today_total(), Decimal());
  expect_consistent(p);
}

TEST(Portfolio, StockTradeToTheCent) {
  Portfolio p("100000"_d);
  const Symbol spy("SPY");
  // Buy 100 @ 450.10, commission 1.00.
  auto e = p.apply_fill(make_fill("SPY", Side::kBuy, "100", "450.10", "1.00", T(1)));
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(p.cash(), "54989.00"_d);  // 100000 - 45010 - 1
  ASSERT_NE(p.holding(spy), nullptr);
  EXPECT_EQ(p.holding(spy)->mark, "450.10"_d);  // the first fill is the first mark
  EXPECT_EQ(p.unrealized(), Decimal());
  EXPECT_EQ(p.commissions(), "1.00"_d);
  EXPECT_EQ(p.equity(), "99999.00"_d);
  EXPECT_EQ(p.total_pnl(), "-1.00"_d);
  EXPECT_EQ(p.peak_equity(), "100000"_d);
  EXPECT_EQ(p.drawdown(), "1.00"_d);
  EXPECT_EQ(p.drawdown_pct(), "0.00001"_d);  // 1 / 100000
  EXPECT_EQ(p.position_qty(spy), "100"_d);
  EXPECT_EQ(p.gross_exposure(), "45010"_d);
  expect_consistent(p, "after buy");

  // Mark 451: unrealized 100 * 0.90 = 90; equity 100000 + 90 - 1 = 100089 (a new peak).
  p.mark(spy, "451"_d, T(2));
  EXPECT_EQ(p.unrealized(), "90"_d);
  EXPECT_EQ(p.holding(spy)->unrealized, "90"_d);
  EXPECT_EQ(p.equity(), "100089"_d);
  EXPECT_EQ(p.peak_equity(), "100089"_d);
  EXPECT_EQ(p.drawdown(), Decimal());
  expect_consistent(p, "mark 451");

  // Sell 40 @ 452: realized 40 * (452 - 450.10) = 76; the mark stays 451:
  // unrealized 60 * 0.90 = 54; equity 100000 + 76 + 54 - 2 = 100128.
  e = p.apply_fill(make_fill("SPY", Side::kSell, "40", "452", "1.00", T(3)));
  EXPECT_EQ(e.realized, "76"_d);
  EXPECT_EQ(p.realized(), "76"_d);
  EXPECT_EQ(p.holding(spy)->mark, "451"_d);
  EXPECT_EQ(p.unrealized(), "54"_d);
  EXPECT_EQ(p.commissions(), "2"_d);
  EXPECT_EQ(p.cash(), "73068"_d);  // 54989 + 18080 - 1
  EXPECT_EQ(p.equity(), "100128"_d);
  EXPECT_EQ(p.peak_equity(), "100128"_d);
  expect_consistent(p, "sell 40");

  // Mark 455: unrealized 60 * 4.90 = 294; equity 100368 (peak).
  p.mark(spy, "455"_d, T(4));
  EXPECT_EQ(p.equity(), "100368"_d);
  EXPECT_EQ(p.peak_equity(), "100368"_d);
  // Mark 440: unrealized 60 * -10.10 = -606; equity 99468; drawdown 900;
  // drawdown_pct 900 / 100368 = 0.0089670014... -> 0.00896700.
  p.mark(spy, "440"_d, T(5));
  EXPECT_EQ(p.unrealized(), "-606"_d);
  EXPECT_EQ(p.equity(), "99468"_d);
  EXPECT_EQ(p.peak_equity(), "100368"_d);
  EXPECT_EQ(p.drawdown(), "900"_d);
  EXPECT_EQ(p.drawdown_pct(), "0.008967"_d);
  expect_consistent(p, "mark 440");
  // Mark 445: a partial recovery keeps the peak: equity 99768, drawdown 600,
  // 600 / 100368 = 0.0059780009... -> 0.00597800.
  p.mark(spy, "445"_d, T(6));
  EXPECT_EQ(p.equity(), "99768"_d);
  EXPECT_EQ(p.drawdown(), "600"_d);
  EXPECT_EQ(p.drawdown_pct(), "0.005978"_d);

  // Sell the last 60 @ 446: realized 60 * (446 - 450.10) = -246; total -170.
  e = p.apply_fill(make_fill("SPY", Side::kSell, "60", "446", "1.00", T(7)));
  EXPECT_EQ(e.realized, "-246"_d);
  EXPECT_EQ(p.realized(), "-170"_d);
  EXPECT_EQ(p.unrealized(), Decimal());
  EXPECT_EQ(p.commissions(), "3"_d);
  EXPECT_EQ(p.cash(), "99827"_d);  // 73068 + 26760 - 1
  EXPECT_EQ(p.equity(), "99827"_d);
  EXPECT_EQ(p.total_pnl(), "-173"_d);
  EXPECT_EQ(p.gross_exposure(), Decimal());
  EXPECT_EQ(p.position_qty(spy), Decimal());
  expect_consistent(p, "flat");
}

TEST(Portfolio, FuturesAndOptionsUseTheirMultipliers) {
  Portfolio p("100000"_d);
  p.set_multiplier(Symbol("MESZ6"), "5"_d);
  p.set_multiplier(Symbol("SPYC600"), "100"_d);
  p.apply_fill(make_fill("MESZ6", Side::kBuy, "2", "5000.25", "1.24", T(1)));
  p.apply_fill(make_fill("SPYC600", Side::kBuy, "3", "2.35", "1.95", T(2)));
  EXPECT_EQ(p.holding(Symbol("MESZ6"))->position.multiplier(), "5"_d);
  EXPECT_EQ(p.holding(Symbol("SPYC600"))->position.multiplier(), "100"_d);
  // cash = 100000 - 2 * 5000.25 * 5 - 1.24 - 3 * 2.35 * 100 - 1.95
  //      = 100000 - 50002.50 - 1.24 - 705 - 1.95 = 49289.31
  EXPECT_EQ(p.cash(), "49289.31"_d);
  p.mark(Symbol("MESZ6"), "5010"_d, T(3));
  p.mark(Symbol("SPYC600"), "2.50"_d, T(4));
  // Unrealized: MES (10020 - 10000.50) * 5 = 97.50; option (7.50 - 7.05) * 100 = 45.
  EXPECT_EQ(p.holding(Symbol("MESZ6"))->unrealized, "97.50"_d);
  EXPECT_EQ(p.holding(Symbol("SPYC600"))->unrealized, "45"_d);
  EXPECT_EQ(p.unrealized(), "142.50"_d);
  // Market values 2 * 5010 * 5 = 50100 and 3 * 2.50 * 100 = 750.
  EXPECT_EQ(p.gross_exposure(), "50850"_d);
  EXPECT_EQ(p.commissions(), "3.19"_d);
  EXPECT_EQ(p.equity(), "100139.31"_d);  // 100000 + 142.50 - 3.19 = 49289.31 + 50850
  expect_consistent(p, "marked");

  // Sell 1 MES @ 5012.75: (5012.75 - 5000.25) * 5 = 62.50; MES unrealized at
  // 5010 is now (5010 - 5000.25) * 5 = 48.75.
  EXPECT_EQ(p.apply_fill(make_fill("MESZ6", Side::kSell, "1", "5012.75", "0.62", T(5))).realized,
            "62.50"_d);
  EXPECT_EQ(p.unrealized(), "93.75"_d);  // 48.75 + 45
  EXPECT_EQ(p.cash(), "74352.44"_d);     // 49289.31 + 25063.75 - 0.62
  EXPECT_EQ(p.equity(), "100152.44"_d);  // 100000 + 62.50 + 93.75 - 3.81
  expect_consistent(p, "sold 1 MES");

  // Sell the 3 options @ 2.10: (6.30 - 7.05) * 100 = -75; realized 62.50 - 75 = -12.50.
  EXPECT_EQ(p.apply_fill(make_fill("SPYC600", Side::kSell, "3", "2.10", "1.95", T(6))).realized,
            "-75"_d);
  EXPECT_EQ(p.realized(), "-12.50"_d);
  EXPECT_EQ(p.unrealized(), "48.75"_d);
  EXPECT_EQ(p.commissions(), "5.76"_d);
  EXPECT_EQ(p.cash(), "74980.49"_d);     // 74352.44 + 630 - 1.95
  EXPECT_EQ(p.equity(), "100030.49"_d);  // 100000 - 12.50 + 48.75 - 5.76 = 74980.49 + 25050
  expect_consistent(p, "sold options");
}

TEST(Portfolio, MultiplierIsFixedOnceASymbolHasTraded) {
  Portfolio p;
  // A mark before any fill creates a flat holding; a multiplier set later applies.
  p.mark(Symbol("MESZ6"), "5000"_d, T(1));
  p.set_multiplier(Symbol("MESZ6"), "5"_d);
  EXPECT_EQ(p.holding(Symbol("MESZ6"))->position.multiplier(), "5"_d);
  // After a fill it no longer changes the position (set it before the first fill).
  p.apply_fill(make_fill("XYZ", Side::kBuy, "1", "10", "0", T(2)));
  p.set_multiplier(Symbol("XYZ"), "100"_d);
  EXPECT_EQ(p.holding(Symbol("XYZ"))->position.multiplier(), "1"_d);
}

TEST(Portfolio, ShortsAndFlips) {
  Portfolio p;
  const Symbol xyz("XYZ");
  p.apply_fill(make_fill("XYZ", Side::kSell, "100", "50", "1", T(1)));
  EXPECT_EQ(p.cash(), "104999"_d);  // 100000 + 5000 - 1
  EXPECT_EQ(p.position_qty(xyz), "-100"_d);
  p.mark(xyz, "48"_d, T(2));
  // -100 * 48 - (-5000) = 200; market value -4800; equity 100199 = 104999 - 4800.
  EXPECT_EQ(p.unrealized(), "200"_d);
  EXPECT_EQ(p.equity(), "100199"_d);
  EXPECT_EQ(p.gross_exposure(), "4800"_d);
  expect_consistent(p, "short");
  // Buy 150 @ 47: covers 100 (100 * 3 = 300), opens +50 at 47; mark still 48.
  auto e = p.apply_fill(make_fill("XYZ", Side::kBuy, "150", "47", "1", T(3)));
  EXPECT_EQ(e.realized, "300"_d);
  EXPECT_TRUE(e.opened);
  EXPECT_EQ(p.position_qty(xyz), "50"_d);
  EXPECT_EQ(p.holding(xyz)->position.avg_cost(), "47"_d);
  EXPECT_EQ(p.unrealized(), "50"_d);  // 50 * (48 - 47)
  EXPECT_EQ(p.cash(), "97948"_d);     // 104999 - 7050 - 1
  EXPECT_EQ(p.equity(), "100348"_d);  // 100000 + 300 + 50 - 2 = 97948 + 2400
  expect_consistent(p, "flipped long");
  // Sell 80 @ 49: closes 50 (50 * 2 = 100), opens -30 at 49.
  e = p.apply_fill(make_fill("XYZ", Side::kSell, "80", "49", "1", T(4)));
  EXPECT_EQ(e.realized, "100"_d);
  EXPECT_EQ(p.position_qty(xyz), "-30"_d);
  EXPECT_EQ(p.unrealized(), "30"_d);  // -30 * 48 + 30 * 49
  expect_consistent(p, "flipped short");
}

TEST(Portfolio, FullRoundTripReconcilesWithTheFills) {
  Portfolio p;
  const std::vector<Fill> fills = {
      make_fill("SPY", Side::kBuy, "3", "100.01", "1.00", T(1)),
      make_fill("SPY", Side::kSell, "1", "100.02", "1.00", T(2)),
      make_fill("SPY", Side::kSell, "2", "99.99", "1.00", T(3)),
  };
  Decimal flows, commissions;
  for (const auto& f : fills) {
    p.apply_fill(f);
    const Decimal v = f.qty.mul(f.price, Rounding::kHalfEven);
    flows += f.side == Side::kSell ? v : -v;
    commissions += f.commission;
    expect_consistent(p);
  }
  // -300.03 + 100.02 + 199.98 = -0.03, no rounding residue.
  EXPECT_EQ(flows, "-0.03"_d);
  EXPECT_EQ(p.realized(), flows);
  EXPECT_EQ(p.commissions(), "3.00"_d);
  EXPECT_EQ(p.unrealized(), Decimal());
  EXPECT_EQ(p.holding(Symbol("SPY"))->position.cost_basis(), Decimal());
  EXPECT_EQ(p.equity(), "99996.97"_d);  // 100000 - 0.03 - 3.00
  EXPECT_EQ(p.cash(), "99996.97"_d);
  EXPECT_EQ(p.total_pnl(), "-3.03"_d);
}

TEST(Portfolio, ManyFillsReconcileExactly) {
  // A deterministic pseudo-random walk over three instruments (multipliers 1, 5
  // and 100): after every fill and mark the two equity formulas agree exactly;
  // after flattening, realized P&L is exactly the sum of the fills' cash flows.
  Portfolio p("250000"_d);
  const std::vector<std::pair<std::string, Decimal>> instruments = {
      {"SPY", "1"_d}, {"MESZ6", "5"_d}, {"SPYC600", "100"_d}};
  for (const auto& [s, m] : instruments) p.set_multiplier(Symbol(s), m);
  std::map<std::string, Decimal> flows;
  Decimal commissions;
  uint64_t seed = 12345;
  auto next = [&seed](uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  const std::vector<int64_t> base_cents = {45013, 500025, 237};
  int64_t t = 0;
  for (int step = 0; step < 600; ++step) {
    const size_t k = next(3);
    const auto& [sym, mult] = instruments[k];
    const int64_t cents = base_cents[k] + static_cast<int64_t>(next(41)) - 20;
    const Decimal price = Decimal::from_units(cents * 1'000'000);
    if (next(4) == 0) {
      p.mark(Symbol(sym), price, T(++t));
    } else {
      Fill f;
      f.symbol = Symbol(sym);
      f.side = next(2) ? Side::kBuy : Side::kSell;
      f.qty = Decimal::from_int(static_cast<int64_t>(next(9)) + 1);
      f.price = price;
      f.commission = Decimal::from_units(static_cast<int64_t>(next(300)) * 1'000'000);
      f.time = T(++t);
      const Decimal v = f.qty.mul(f.price, Rounding::kHalfEven) * mult;
      flows[sym] += f.side == Side::kSell ? v : -v;
      commissions += f.commission;
      p.apply_fill(f);
    }
    expect_consistent(p, "step " + std::to_string(step));
  }
  // Flatten everything.
  for (size_t k = 0; k < instruments.size(); ++k) {
    const auto& [sym, mult] = instruments[k];
    const Decimal q = p.position_qty(Symbol(sym));
    if (q.is_zero()) continue;
    Fill f;
    f.symbol = Symbol(sym);
    f.side = q.sign() > 0 ? Side::kSell : Side::kBuy;
    f.qty = q.abs();
    f.price = Decimal::from_units((base_cents[k] + 1) * 1'000'000);
    f.time = T(++t);
    const Decimal v = f.qty.mul(f.price, Rounding::kHalfEven) * mult;
    flows[sym] += f.side == Side::kSell ? v : -v;
    p.apply_fill(f);
  }
  Decimal total_flows;
  for (const auto& [sym, mult] : instruments) {
    const auto* h = p.holding(Symbol(sym));
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(h->position.flat()) << sym;
    EXPECT_EQ(h->position.cost_basis(), Decimal()) << sym;
    EXPECT_EQ(h->position.realized_pnl(), flows[sym]) << sym;
    total_flows += flows[sym];
  }
  EXPECT_EQ(p.realized(), total_flows);
  EXPECT_EQ(p.commissions(), commissions);
  EXPECT_EQ(p.unrealized(), Decimal());
  EXPECT_EQ(p.cash(), "250000"_d + total_flows - commissions);
  EXPECT_EQ(p.equity(), p.cash());
  expect_consistent(p, "flat");
}

TEST(Portfolio, PeakAndDrawdownPctWhenThePeakIsNotPositive) {
  Portfolio p(Decimal{});
  EXPECT_EQ(p.peak_equity(), Decimal());
  p.apply_fill(make_fill("XYZ", Side::kBuy, "1", "10", "1", T(1)));
  EXPECT_EQ(p.equity(), "-1"_d);
  EXPECT_EQ(p.drawdown(), "1"_d);
  EXPECT_EQ(p.drawdown_pct(), Decimal());  // no positive peak: 0
}

// ---------------------------------------------------------------------------
// The trading day (session boundary 17:00 America/New_York)

SessionCalendar new_york_17() {
  return SessionCalendar::make("America/New_York", "17:00").value();
}

TEST(PortfolioDay, FillsAt1659And1701EtFallInDifferentSessions) {
  Portfolio p("100000"_d, new_york_17());
  const Symbol xyz("XYZ");
  // Wednesday 2024-01-10 (EST, UTC-5).
  p.apply_fill(make_fill("XYZ", Side::kBuy, "10", "100", "1", at("2024-01-10T15:00:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-01-09T22:00:00Z"));  // Tue 17:00 EST
  EXPECT_EQ(p.today_commissions(), "1"_d);
  EXPECT_EQ(p.today_realized(), Decimal());
  p.mark(xyz, "101"_d, at("2024-01-10T21:00:00Z"));
  EXPECT_EQ(p.today_unrealized(), "10"_d);  // 10 * (101 - 100)
  EXPECT_EQ(p.today_total(), "9"_d);        // 10 - 1
  // 16:59 EST: sell 4 @ 101 -> realized 4; unrealized 6.
  p.apply_fill(make_fill("XYZ", Side::kSell, "4", "101", "1", at("2024-01-10T21:59:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-01-09T22:00:00Z"));
  EXPECT_EQ(p.today_realized(), "4"_d);
  EXPECT_EQ(p.today_commissions(), "2"_d);
  EXPECT_EQ(p.holding(xyz)->realized_today, "4"_d);
  // 17:01 EST, same calendar day: a new session. At its start unrealized was 6
  // and equity 100000 + 4 + 6 - 2 = 100008.
  // Sell 3 @ 102: realized 3 * 2 = 6; unrealized 3 * (101 - 100) = 3.
  p.apply_fill(make_fill("XYZ", Side::kSell, "3", "102", "1", at("2024-01-10T22:01:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-01-10T22:00:00Z"));
  EXPECT_EQ(p.today_realized(), "6"_d);
  EXPECT_EQ(p.today_commissions(), "1"_d);
  EXPECT_EQ(p.holding(xyz)->realized_today, "6"_d);
  EXPECT_EQ(p.realized(), "10"_d);
  EXPECT_EQ(p.commissions(), "3"_d);
  EXPECT_EQ(p.today_unrealized(), "-3"_d);  // 3 - 6
  // today_total = equity - equity at the start = (100000 + 10 + 3 - 3) - 100008 = 2
  //             = today_realized + today_unrealized - today_commissions = 6 - 3 - 1.
  EXPECT_EQ(p.today_total(), "2"_d);
  // Next morning, same session (it runs to 17:00): mark 103 -> unrealized 9.
  p.mark(xyz, "103"_d, at("2024-01-11T14:00:00Z"));
  EXPECT_EQ(p.session_start(), at("2024-01-10T22:00:00Z"));
  EXPECT_EQ(p.today_unrealized(), "3"_d);  // 9 - 6
  EXPECT_EQ(p.today_total(), "8"_d);       // 6 + 3 - 1
  EXPECT_EQ(p.today_total(), p.today_realized() + p.today_unrealized() - p.today_commissions());
  expect_consistent(p);
}

TEST(PortfolioDay, BoundaryFollowsTheSpringForwardDstChange) {
  Portfolio p("100000"_d, new_york_17());
  // Friday 2024-03-08 15:00 EST.
  p.apply_fill(make_fill("XYZ", Side::kBuy, "10", "50", "0", at("2024-03-08T20:00:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-03-07T22:00:00Z"));
  // Clocks go forward on Sunday 2024-03-10. Sunday 17:30 EDT = 21:30Z is after
  // Sunday's 17:00 EDT boundary (21:00Z), though before 22:00Z.
  p.on_time(at("2024-03-10T21:30:00Z"));
  EXPECT_EQ(p.session_start(), at("2024-03-10T21:00:00Z"));
  // Monday 16:59 EDT: still Sunday's session.
  p.apply_fill(make_fill("XYZ", Side::kSell, "2", "51", "0", at("2024-03-11T20:59:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-03-10T21:00:00Z"));
  EXPECT_EQ(p.today_realized(), "2"_d);
  // Monday 17:01 EDT (21:01Z): a new session, although 21:01Z is before 17:00 EST.
  p.apply_fill(make_fill("XYZ", Side::kSell, "3", "52", "0", at("2024-03-11T21:01:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-03-11T21:00:00Z"));
  EXPECT_EQ(p.today_realized(), "6"_d);  // 3 * 2 only
  EXPECT_EQ(p.realized(), "8"_d);
}

TEST(PortfolioDay, BoundaryFollowsTheFallBackDstChange) {
  Portfolio p("100000"_d, new_york_17());
  // Clocks go back on Sunday 2024-11-03; Monday 17:00 EST = 22:00Z.
  p.apply_fill(make_fill("XYZ", Side::kBuy, "10", "50", "0", at("2024-11-04T15:00:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-11-03T22:00:00Z"));  // Sunday 17:00 EST
  // 21:30Z is 16:30 EST: the same session (in EDT it would have been 17:30).
  p.apply_fill(make_fill("XYZ", Side::kSell, "2", "51", "0", at("2024-11-04T21:30:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-11-03T22:00:00Z"));
  EXPECT_EQ(p.today_realized(), "2"_d);
  p.apply_fill(make_fill("XYZ", Side::kSell, "2", "52", "0", at("2024-11-04T22:01:00Z")));
  EXPECT_EQ(p.session_start(), at("2024-11-04T22:00:00Z"));
  EXPECT_EQ(p.today_realized(), "4"_d);
}

TEST(PortfolioDay, OnTimeRollsOnlyForwardAndResetsTheDay) {
  Portfolio p;  // UTC midnight sessions
  p.apply_fill(make_fill("XYZ", Side::kBuy, "10", "10", "1", at("2024-05-01T10:00:00Z")));
  p.apply_fill(make_fill("XYZ", Side::kSell, "5", "11", "1", at("2024-05-01T11:00:00Z")));
  EXPECT_EQ(p.today_realized(), "5"_d);
  EXPECT_EQ(p.today_commissions(), "2"_d);
  // An earlier time (a late message) does not roll anything back.
  p.on_time(at("2024-04-30T23:00:00Z"));
  EXPECT_EQ(p.session_start(), at("2024-05-01T00:00:00Z"));
  EXPECT_EQ(p.today_realized(), "5"_d);
  // Later in the same session: nothing changes.
  p.on_time(at("2024-05-01T23:59:59Z"));
  EXPECT_EQ(p.today_realized(), "5"_d);
  // The next day: today's figures restart; totals do not.
  p.on_time(at("2024-05-02T00:00:00Z"));
  EXPECT_EQ(p.session_start(), at("2024-05-02T00:00:00Z"));
  EXPECT_EQ(p.today_realized(), Decimal());
  EXPECT_EQ(p.today_commissions(), Decimal());
  EXPECT_EQ(p.today_unrealized(), Decimal());
  EXPECT_EQ(p.today_total(), Decimal());
  EXPECT_EQ(p.holding(Symbol("XYZ"))->realized_today, Decimal());
  EXPECT_EQ(p.realized(), "5"_d);
  EXPECT_EQ(p.commissions(), "2"_d);
  // A session can be skipped entirely (a weekend): the roll still happens once.
  p.mark(Symbol("XYZ"), "12"_d, at("2024-05-05T12:00:00Z"));
  EXPECT_EQ(p.session_start(), at("2024-05-05T00:00:00Z"));
  // The mark stayed at the first fill's 10, so unrealized was 0 at the start;
  // now 5 * (12 - 10) = 10.
  EXPECT_EQ(p.today_unrealized(), "10"_d);
  EXPECT_EQ(p.today_total(), "10"_d);
}

}  // namespace
}  // namespace td
