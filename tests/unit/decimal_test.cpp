// Decimal: the fixed-point type behind every price, quantity and amount of
// money. Expected values are written as decimal strings and computed by hand
// (the arithmetic is in the comments).
#include "core/decimal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

namespace td {
// gtest prints these as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}
[[maybe_unused]] static void PrintTo(DecimalError e, std::ostream* os) {
  *os << to_string(e);
}

namespace {

using R = Rounding;

Decimal D(std::string_view s) {
  auto r = Decimal::parse(s);
  if (!r) throw std::invalid_argument("test literal: " + std::string(s));
  return *r;
}

std::string mode_name(R m) {
  switch (m) {
    case R::kHalfEven:
      return "half_even";
    case R::kHalfUp:
      return "half_up";
    case R::kDown:
      return "down";
    case R::kUp:
      return "up";
    case R::kFloor:
      return "floor";
    case R::kCeiling:
      return "ceiling";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Parsing and formatting

TEST(DecimalFormat, CanonicalStringsRoundTrip) {
  const std::vector<std::string> canonical = {
      "0",
      "1",
      "-1",
      "0.5",
      "-0.5",
      "0.1",
      "0.01",
      "150.25",
      "450.08",
      "100",
      "1000000",
      "10",
      "0.00000001",
      "-0.00000001",
      "0.12345678",
      "-0.12345678",
      "1234567.89",
      "99999.99999999",
      "92233720368.54775807",   // Decimal::max(): INT64_MAX units
      "-92233720368.54775807",  // Decimal::min(): -INT64_MAX units
      "92233720368",
      "-92233720368",
      "5000.25",
      "0.0000015",
  };
  for (const auto& s : canonical) {
    auto d = Decimal::parse(s);
    ASSERT_TRUE(d.has_value()) << s;
    EXPECT_EQ(d->to_string(), s);
    // And back again: parse(to_string(x)) == x.
    EXPECT_EQ(Decimal::parse(d->to_string()).value(), *d) << s;
  }
}

TEST(DecimalFormat, NonCanonicalInputsFormatShortest) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"-0", "0"},
      {"+0", "0"},
      {"-0.0", "0"},
      {"0.000", "0"},
      {"000", "0"},
      {"007", "7"},
      {"+1.5", "1.5"},
      {"1.50", "1.5"},
      {"100.10", "100.1"},
      {"1.00000000", "1"},
      {"1.000000000", "1"},  // 9 fractional digits, but the 9th is zero: exact
      {"0.100000000000000000000", "0.1"},
      {"-007.0700", "-7.07"},
  };
  for (const auto& [in, out] : cases) {
    auto d = Decimal::parse(in);
    ASSERT_TRUE(d.has_value()) << in;
    EXPECT_EQ(d->to_string(), out) << in;
  }
}

TEST(DecimalFormat, UnitsAndRangeEnds) {
  EXPECT_EQ(D("0.00000001").units(), 1);
  EXPECT_EQ(D("-0.00000001").units(), -1);
  EXPECT_EQ(D("1").units(), Decimal::kUnitsPerOne);
  EXPECT_EQ(D("92233720368.54775807").units(), INT64_MAX);
  EXPECT_EQ(D("-92233720368.54775807").units(), -INT64_MAX);
  EXPECT_EQ(D("92233720368.54775807"), Decimal::max());
  EXPECT_EQ(D("-92233720368.54775807"), Decimal::min());
  EXPECT_EQ(Decimal::max().to_string(), "92233720368.54775807");
  EXPECT_EQ(Decimal::min().to_string(), "-92233720368.54775807");
  EXPECT_EQ(-Decimal::max(), Decimal::min());  // the range is symmetric
  EXPECT_EQ(Decimal().to_string(), "0");
  EXPECT_TRUE(D("-0").is_zero());
  EXPECT_EQ(D("-0").units(), 0);
}

TEST(DecimalFormat, ShortestFromUnits) {
  EXPECT_EQ(Decimal::from_units(1).to_string(), "0.00000001");
  EXPECT_EQ(Decimal::from_units(150).to_string(), "0.0000015");
  EXPECT_EQ(Decimal::from_units(-150).to_string(), "-0.0000015");
  EXPECT_EQ(Decimal::from_units(100'000'000).to_string(), "1");
  EXPECT_EQ(Decimal::from_units(-1'000'000'000).to_string(), "-10");
  EXPECT_EQ(Decimal::from_units(15'025'000'000).to_string(), "150.25");
  EXPECT_EQ(Decimal::from_units(10'000'000'001).to_string(), "100.00000001");
  EXPECT_EQ(Decimal::from_units(-50'000'000).to_string(), "-0.5");
  EXPECT_EQ(Decimal::from_int(-3).to_string(), "-3");
  EXPECT_EQ(Decimal::from_int(0).to_string(), "0");
}

TEST(DecimalFormat, FixedPlacesPadsAndRoundsHalfUp) {
  const std::vector<std::tuple<std::string, int, std::string>> cases = {
      {"1.5", 2, "1.50"},
      {"1.5", 8, "1.50000000"},
      {"1.5", 12, "1.50000000"},  // clamped to 8
      {"2", 0, "2"},
      {"2", 2, "2.00"},
      {"0", 2, "0.00"},
      {"0", 0, "0"},
      {"1.004", 2, "1.00"},
      {"1.005", 2, "1.01"},  // half up: away from zero
      {"-1.005", 2, "-1.01"},
      {"1.015", 2, "1.02"},
      {"1.025", 2, "1.03"},  // half up, not half even
      {"0.125", 2, "0.13"},
      {"2.5", 0, "3"},
      {"-2.5", 0, "-3"},
      {"2.49999999", 0, "2"},
      {"0.999", 2, "1.00"},  // carries into the integer part
      {"9.995", 2, "10.00"},
      {"-9.995", 2, "-10.00"},
      {"0.001", 2, "0.00"},
      {"-0.001", 2, "0.00"},  // rounds to zero: no "-0.00"
      {"-0.004", 2, "0.00"},
      {"-0.005", 2, "-0.01"},
      {"0.00000001", 8, "0.00000001"},
      {"0.00000001", 7, "0.0000000"},
      {"0.00000005", 7, "0.0000001"},
      {"123.456", -1, "123"},  // negative places: 0
      {"450.08", 4, "450.0800"},
      {"-0.5", 1, "-0.5"},
      {"-0.5", 3, "-0.500"},
  };
  for (const auto& [in, places, out] : cases)
    EXPECT_EQ(D(in).to_string(places), out) << in << " places " << places;
}

TEST(DecimalFormat, FixedPlacesAtTheEndsOfTheRange) {
  // 92233720368.54775807 half up to cents is 92233720368.55, one cent past
  // Decimal::max(): formatting must still work (it only produces text).
  EXPECT_EQ(Decimal::max().to_string(2), "92233720368.55");
  EXPECT_EQ(Decimal::min().to_string(2), "-92233720368.55");
  EXPECT_EQ(Decimal::max().to_string(0), "92233720369");
  EXPECT_EQ(Decimal::max().to_string(8), "92233720368.54775807");
  EXPECT_EQ(Decimal::min().to_string(7), "-92233720368.5477581");
}

TEST(DecimalFormat, FmtFormatterUsesShortestForm) {
  EXPECT_EQ(fmt::format("{}", D("150.250")), "150.25");
  EXPECT_EQ(fmt::format("[{:>8}]", D("-1.5")), "[    -1.5]");
}

TEST(DecimalFormat, TestFailuresPrintDecimalsAsText) {
  EXPECT_EQ(testing::PrintToString("-150.25"_d), "-150.25");
  EXPECT_EQ(testing::PrintToString(DecimalError::kOverflow), "out of range");
}

TEST(DecimalFormat, ToDouble) {
  EXPECT_DOUBLE_EQ(D("150.25").to_double(), 150.25);
  EXPECT_DOUBLE_EQ(D("-0.5").to_double(), -0.5);
  EXPECT_DOUBLE_EQ(D("0").to_double(), 0.0);
}

// ---------------------------------------------------------------------------
// Parse errors and exponents

TEST(DecimalParse, SyntaxErrors) {
  EXPECT_EQ(Decimal::parse("").error(), DecimalError::kEmpty);
  const std::vector<std::string> bad = {
      "abc",  "1.",   ".5",    "1..2",  "--1",   "+-1",  "-+1", "1e",   "1e+",   "1e-",
      "e3",   " 1",   "1 ",    "\t1",   "1\n",   "0x10", "0b1", "1,5",  "1_000", "-",
      "+",    ".",    "1.2.3", "1e3.5", "1e3e4", "NaN",  "inf", "-inf", "1.5f",  "1 000",
      "1e 3", "1.e3", "$1",    "1-",    "1+1",   "٣",    "1/2", "0.5.", "e",     "-.5",
  };
  for (const auto& s : bad) {
    auto d = Decimal::parse(s);
    ASSERT_FALSE(d.has_value()) << "'" << s << "' parsed as " << d->to_string();
    EXPECT_EQ(d.error(), DecimalError::kSyntax) << "'" << s << "'";
  }
  // An embedded NUL is not the end of the number.
  EXPECT_EQ(Decimal::parse(std::string_view("1\0", 2)).error(), DecimalError::kSyntax);
  // A rounding mode does not make bad syntax acceptable.
  EXPECT_EQ(Decimal::parse("abc", R::kHalfUp).error(), DecimalError::kSyntax);
  EXPECT_EQ(Decimal::parse("1.", R::kHalfUp).error(), DecimalError::kSyntax);
  EXPECT_EQ(Decimal::parse("", R::kHalfUp).error(), DecimalError::kEmpty);
}

TEST(DecimalParse, TooManyDecimalsIsPrecisionError) {
  const std::vector<std::string> bad = {
      "0.000000001",
      "-0.000000001",
      "1.123456789",
      "1.0000000010",
      "1e-9",
      "123e-10",
      "0.5e-8",
      "3.14159265358979323846",
      "1.5E-9",
      "0.00000000000000000001",
      "1e-50",
      "1e-99999",
      "1.00000000000000000000000000000000000000000000001",  // nonzero digit past 40 digits
  };
  for (const auto& s : bad) {
    auto d = Decimal::parse(s);
    ASSERT_FALSE(d.has_value()) << s << " parsed as " << d->to_string();
    EXPECT_EQ(d.error(), DecimalError::kPrecision) << s;
  }
}

TEST(DecimalParse, TooManyDecimalsRoundsWhenAModeIsGiven) {
  const std::vector<std::tuple<std::string, R, std::string>> cases = {
      // 1.123456785: the 9th digit is an exact tie.
      {"1.123456785", R::kHalfEven, "1.12345678"},  // 8 is even
      {"1.123456775", R::kHalfEven, "1.12345678"},  // 7 is odd -> 8
      {"1.123456785", R::kHalfUp, "1.12345679"},
      {"1.123456785", R::kDown, "1.12345678"},
      {"1.123456781", R::kUp, "1.12345679"},
      {"-1.123456785", R::kHalfUp, "-1.12345679"},
      {"-1.123456785", R::kHalfEven, "-1.12345678"},
      {"-1.123456781", R::kFloor, "-1.12345679"},
      {"-1.123456789", R::kCeiling, "-1.12345678"},
      {"0.000000001", R::kUp, "0.00000001"},
      {"0.000000001", R::kHalfEven, "0"},
      {"0.000000005", R::kHalfEven, "0"},  // tie -> even (0)
      {"0.000000015", R::kHalfEven, "0.00000002"},
      {"0.000000005", R::kHalfUp, "0.00000001"},
      {"-0.000000005", R::kHalfUp, "-0.00000001"},
      {"-0.000000005", R::kHalfEven, "0"},
      {"-0.000000005", R::kFloor, "-0.00000001"},
      {"-0.000000005", R::kCeiling, "0"},
      {"1e-9", R::kCeiling, "0.00000001"},
      {"1e-99999", R::kUp, "0.00000001"},
      {"1e-99999", R::kHalfUp, "0"},
      {"-1e-99999", R::kFloor, "-0.00000001"},
      {"3.14159265358979323846", R::kHalfEven, "3.14159265"},
      {"3.14159265358979323846", R::kUp, "3.14159266"},
      {"2.718281828459045", R::kHalfUp, "2.71828183"},
      {"1.5", R::kHalfEven, "1.5"},  // exact input: the mode does not matter
      // More digits than the 128-bit mantissa holds: the dropped digits still
      // decide the rounding (a tie plus a tiny bit is above the tie).
      {"0.000000005000000000000000000000000000000001", R::kHalfEven, "0.00000001"},
      {"0.000000005000000000000000000000000000000001", R::kHalfUp, "0.00000001"},
      {"0.000000004999999999999999999999999999999999", R::kHalfUp, "0"},
      {"1.000000000000000000000000000000000000000001", R::kUp, "1.00000001"},
      {"1.000000000000000000000000000000000000000001", R::kDown, "1"},
      {"-1.000000000000000000000000000000000000000001", R::kFloor, "-1.00000001"},
      {"-1.000000000000000000000000000000000000000001", R::kCeiling, "-1"},
  };
  for (const auto& [in, mode, out] : cases) {
    auto d = Decimal::parse(in, mode);
    ASSERT_TRUE(d.has_value()) << in << " " << mode_name(mode);
    EXPECT_EQ(d->to_string(), out) << in << " " << mode_name(mode);
  }
}

TEST(DecimalParse, Exponents) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1e3", "1000"},
      {"1E3", "1000"},
      {"1e+3", "1000"},
      {"1.5E-2", "0.015"},
      {"1.5e-2", "0.015"},
      {"-2.5e2", "-250"},
      {"25e-1", "2.5"},
      {"0.5e1", "5"},
      {"12.5e1", "125"},
      {"1e0", "1"},
      {"1e-0", "1"},
      {"1e000003", "1000"},
      {"1e-8", "0.00000001"},
      {"1e10", "10000000000"},
      {"123.456e-5", "0.00123456"},
      {"0e99999", "0"},
      {"0e-99999", "0"},
      {"-0e5", "0"},
      {"150.25e0", "150.25"},
      {"15025e-2", "150.25"},
      {"0.0000015e2", "0.00015"},
      {"9.2233720368547758070e10", "92233720368.54775807"},
  };
  for (const auto& [in, out] : cases) {
    auto d = Decimal::parse(in);
    ASSERT_TRUE(d.has_value()) << in;
    EXPECT_EQ(d->to_string(), out) << in;
  }
}

TEST(DecimalParse, OverflowIsDetected) {
  const std::vector<std::string> bad = {
      "92233720368.54775808",   // INT64_MAX + 1 units
      "-92233720368.54775808",  // the range is symmetric: -INT64_MAX is the minimum
      "100000000000",
      "-100000000000",
      "1e11",
      "9.3e10",
      "1e99999",
      "-1e99999",
      "99999999999999999999999999999999999999999999999999",
      // More digits than the mantissa holds, all of them significant: this is
      // out of range (not a precision problem).
      "123456789012345678901234567890123456789",
      "-123456789012345678901234567890123456789.5",
      // Out of range and too many decimals: out of range is the error.
      "100000000000.000000001",
      "1000000000000000000000.0000000000001",
  };
  for (const auto& s : bad) {
    auto d = Decimal::parse(s);
    ASSERT_FALSE(d.has_value()) << s << " parsed as " << d->to_string();
    EXPECT_EQ(d.error(), DecimalError::kOverflow) << s;
    // A rounding mode does not help either.
    EXPECT_EQ(Decimal::parse(s, R::kHalfEven).error(), DecimalError::kOverflow) << s;
  }
  // A value that rounds beyond the range overflows too.
  EXPECT_EQ(Decimal::parse("92233720368.547758075", R::kHalfUp).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::parse("92233720368.547758075", R::kDown).value(), Decimal::max());
}

TEST(DecimalParse, UserDefinedLiteral) {
  EXPECT_EQ("150.25"_d, D("150.25"));
  EXPECT_EQ("-0.00000001"_d, Decimal::from_units(-1));
  EXPECT_THROW("abc"_d, std::invalid_argument);
  EXPECT_THROW("0.000000001"_d, std::invalid_argument);
  EXPECT_THROW("1e20"_d, std::invalid_argument);
}

TEST(DecimalParse, ErrorNames) {
  for (auto e : {DecimalError::kEmpty, DecimalError::kSyntax, DecimalError::kPrecision,
                 DecimalError::kOverflow, DecimalError::kDivisionByZero})
    EXPECT_FALSE(to_string(e).empty());
  EXPECT_EQ(to_string(DecimalError::kPrecision), "more than 8 decimal places");
}

// ---------------------------------------------------------------------------
// Rounding

struct RoundCase {
  const char* in;
  int places;
  R mode;
  const char* out;
};

TEST(DecimalRound, EveryModeOnTiesAndNonTies) {
  const std::vector<RoundCase> cases = {
      // Ties at 0 places: 2.5, -2.5 (even neighbour 2), 3.5, -3.5 (even neighbour 4).
      {"2.5", 0, R::kHalfEven, "2"},
      {"-2.5", 0, R::kHalfEven, "-2"},
      {"3.5", 0, R::kHalfEven, "4"},
      {"-3.5", 0, R::kHalfEven, "-4"},
      {"2.5", 0, R::kHalfUp, "3"},
      {"-2.5", 0, R::kHalfUp, "-3"},
      {"3.5", 0, R::kHalfUp, "4"},
      {"-3.5", 0, R::kHalfUp, "-4"},
      {"2.5", 0, R::kDown, "2"},
      {"-2.5", 0, R::kDown, "-2"},
      {"3.5", 0, R::kDown, "3"},
      {"-3.5", 0, R::kDown, "-3"},
      {"2.5", 0, R::kUp, "3"},
      {"-2.5", 0, R::kUp, "-3"},
      {"3.5", 0, R::kUp, "4"},
      {"-3.5", 0, R::kUp, "-4"},
      {"2.5", 0, R::kFloor, "2"},
      {"-2.5", 0, R::kFloor, "-3"},
      {"3.5", 0, R::kFloor, "3"},
      {"-3.5", 0, R::kFloor, "-4"},
      {"2.5", 0, R::kCeiling, "3"},
      {"-2.5", 0, R::kCeiling, "-2"},
      {"3.5", 0, R::kCeiling, "4"},
      {"-3.5", 0, R::kCeiling, "-3"},
      // Non-ties below the half: 2.4, -2.4.
      {"2.4", 0, R::kHalfEven, "2"},
      {"-2.4", 0, R::kHalfEven, "-2"},
      {"2.4", 0, R::kHalfUp, "2"},
      {"-2.4", 0, R::kHalfUp, "-2"},
      {"2.4", 0, R::kDown, "2"},
      {"-2.4", 0, R::kDown, "-2"},
      {"2.4", 0, R::kUp, "3"},
      {"-2.4", 0, R::kUp, "-3"},
      {"2.4", 0, R::kFloor, "2"},
      {"-2.4", 0, R::kFloor, "-3"},
      {"2.4", 0, R::kCeiling, "3"},
      {"-2.4", 0, R::kCeiling, "-2"},
      // Non-ties above the half: 2.6, -2.6.
      {"2.6", 0, R::kHalfEven, "3"},
      {"-2.6", 0, R::kHalfEven, "-3"},
      {"2.6", 0, R::kHalfUp, "3"},
      {"-2.6", 0, R::kHalfUp, "-3"},
      {"2.6", 0, R::kDown, "2"},
      {"-2.6", 0, R::kDown, "-2"},
      {"2.6", 0, R::kUp, "3"},
      {"-2.6", 0, R::kUp, "-3"},
      {"2.6", 0, R::kFloor, "2"},
      {"-2.6", 0, R::kFloor, "-3"},
      {"2.6", 0, R::kCeiling, "3"},
      {"-2.6", 0, R::kCeiling, "-2"},
      // Just off a tie (one unit): never treated as a tie.
      {"2.50000001", 0, R::kHalfEven, "3"},
      {"2.49999999", 0, R::kHalfUp, "2"},
      {"-2.50000001", 0, R::kHalfEven, "-3"},
      {"-2.49999999", 0, R::kHalfUp, "-2"},
      // Between 0 and 1, where the truncated quotient is zero (sign matters).
      {"0.5", 0, R::kHalfEven, "0"},
      {"-0.5", 0, R::kHalfEven, "0"},
      {"0.5", 0, R::kHalfUp, "1"},
      {"-0.5", 0, R::kHalfUp, "-1"},
      {"0.1", 0, R::kFloor, "0"},
      {"-0.1", 0, R::kFloor, "-1"},
      {"0.1", 0, R::kCeiling, "1"},
      {"-0.1", 0, R::kCeiling, "0"},
      // Cents: 1.005 (the backtest commission example), 1.015, 1.025.
      {"1.005", 2, R::kHalfUp, "1.01"},
      {"-1.005", 2, R::kHalfUp, "-1.01"},
      {"1.005", 2, R::kHalfEven, "1"},
      {"-1.005", 2, R::kHalfEven, "-1"},
      {"1.015", 2, R::kHalfEven, "1.02"},
      {"1.025", 2, R::kHalfEven, "1.02"},
      {"1.035", 2, R::kHalfEven, "1.04"},
      {"1.025", 2, R::kHalfUp, "1.03"},
      {"1.0049", 2, R::kHalfUp, "1"},
      {"1.0001", 2, R::kUp, "1.01"},
      {"1.0099", 2, R::kDown, "1"},
      {"-1.0001", 2, R::kFloor, "-1.01"},
      {"-1.0099", 2, R::kCeiling, "-1"},
      // 7 places (one unit of the 8th digit decides).
      {"0.00000005", 7, R::kHalfEven, "0"},
      {"0.00000015", 7, R::kHalfEven, "0.0000002"},
      {"0.00000005", 7, R::kHalfUp, "0.0000001"},
      {"-0.00000005", 7, R::kHalfUp, "-0.0000001"},
      // Exact values are left alone by every mode.
      {"2", 0, R::kUp, "2"},
      {"-2", 0, R::kFloor, "-2"},
      {"1.25", 2, R::kCeiling, "1.25"},
      {"-1.25", 2, R::kDown, "-1.25"},
      // 8 places or more: unchanged; negative places: 0.
      {"1.23456789", 8, R::kUp, "1.23456789"},
      {"1.23456789", 9, R::kDown, "1.23456789"},
      {"2.5", -3, R::kHalfUp, "3"},
      // Carry into the integer part.
      {"9.999", 2, R::kHalfUp, "10"},
      {"-9.999", 2, R::kHalfUp, "-10"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(D(c.in).round(c.places, c.mode).to_string(), c.out)
        << c.in << " round(" << c.places << ", " << mode_name(c.mode) << ")";
  }
}

TEST(DecimalRound, OverflowWhenRoundingPastTheRange) {
  // max() = 92233720368.54775807; rounding it up to a whole number leaves the range.
  EXPECT_THROW((void)Decimal::max().round(0, R::kUp), DecimalOverflow);
  EXPECT_THROW((void)Decimal::min().round(2, R::kHalfUp), DecimalOverflow);
  EXPECT_EQ(Decimal::max().round(0, R::kDown), D("92233720368"));
  EXPECT_EQ(Decimal::min().round(2, R::kCeiling), D("-92233720368.54"));
}

struct TickCase {
  const char* in;
  const char* tick;
  R mode;
  const char* out;
};

TEST(DecimalRound, RoundToTick) {
  const std::vector<TickCase> cases = {
      // 0.25 tick: 10.10 / 0.25 = 40.4 -> 40 ticks = 10.00.
      {"10.10", "0.25", R::kHalfEven, "10"},
      {"10.13", "0.25", R::kHalfEven, "10.25"},  // 40.52 -> 41
      {"10.125", "0.25", R::kHalfEven, "10"},    // 40.5 tie -> 40 (even)
      {"10.375", "0.25", R::kHalfEven, "10.5"},  // 41.5 tie -> 42 (even)
      {"10.125", "0.25", R::kHalfUp, "10.25"},   // 40.5 tie -> 41
      {"-10.125", "0.25", R::kHalfUp, "-10.25"},
      {"-10.125", "0.25", R::kHalfEven, "-10"},
      {"10.24", "0.25", R::kDown, "10"},
      {"10.01", "0.25", R::kUp, "10.25"},
      {"-10.01", "0.25", R::kFloor, "-10.25"},
      {"-10.01", "0.25", R::kCeiling, "-10"},
      {"-10.24", "0.25", R::kDown, "-10"},
      {"-10.01", "0.25", R::kUp, "-10.25"},
      {"10.5", "0.25", R::kUp, "10.5"},              // on the grid already
      {"5000.37", "0.25", R::kHalfEven, "5000.25"},  // MES: 20001.48 ticks -> 20001
      // 0.01 tick.
      {"100.005", "0.01", R::kHalfUp, "100.01"},
      {"100.005", "0.01", R::kHalfEven, "100"},
      {"100.015", "0.01", R::kHalfEven, "100.02"},
      {"99.999", "0.01", R::kDown, "99.99"},
      {"99.991", "0.01", R::kUp, "100"},
      {"99.991", "0.01", R::kCeiling, "100"},
      {"-99.991", "0.01", R::kCeiling, "-99.99"},
      {"0.004", "0.01", R::kHalfUp, "0"},
      // 0.05 and whole-number ticks.
      {"1.23", "0.05", R::kHalfEven, "1.25"},                    // 24.6 -> 25
      {"1.225", "0.05", R::kHalfEven, "1.2"},                    // 24.5 tie -> 24
      {"12", "5", R::kHalfEven, "10"},                           // 2.4 -> 2
      {"13", "5", R::kHalfEven, "15"},                           // 2.6 -> 3
      {"12.5", "5", R::kHalfEven, "10"},                         // 2.5 -> 2
      {"17.5", "5", R::kHalfEven, "20"},                         // 3.5 -> 4
      {"0.00000003", "0.00000002", R::kHalfEven, "0.00000004"},  // 1.5 -> 2
  };
  for (const auto& c : cases) {
    EXPECT_EQ(D(c.in).round_to(D(c.tick), c.mode).to_string(), c.out)
        << c.in << " round_to(" << c.tick << ", " << mode_name(c.mode) << ")";
  }
}

TEST(DecimalRound, RoundToRejectsBadIncrements) {
  EXPECT_THROW((void)D("1").round_to(Decimal(), R::kHalfEven), std::invalid_argument);
  EXPECT_THROW((void)D("1").round_to(D("-0.01"), R::kHalfEven), std::invalid_argument);
  EXPECT_THROW((void)Decimal::max().round_to(D("0.25"), R::kUp), DecimalOverflow);
}

TEST(DecimalRound, SlippageExampleFromTheBacktestSemantics) {
  // slippage_bps = 5: buys fill at open * (1 + 5/10000), rounded up to the tick;
  // sells at open * (1 - 5/10000), rounded down.
  const Decimal open = D("100.03");
  const Decimal bps = D("5");
  const Decimal up = D("1") + bps.div(D("10000"), R::kHalfEven);    // 1.0005
  const Decimal down = D("1") - bps.div(D("10000"), R::kHalfEven);  // 0.9995
  // 100.03 * 1.0005 = 100.080015 -> up to 100.09.
  EXPECT_EQ(open.mul(up, R::kHalfEven), D("100.080015"));
  EXPECT_EQ(open.mul(up, R::kHalfEven).round_to(D("0.01"), R::kCeiling), D("100.09"));
  // 100.03 * 0.9995 = 99.979985 -> down to 99.97.
  EXPECT_EQ(open.mul(down, R::kHalfEven), D("99.979985"));
  EXPECT_EQ(open.mul(down, R::kHalfEven).round_to(D("0.01"), R::kFloor), D("99.97"));
}

// ---------------------------------------------------------------------------
// Arithmetic

TEST(DecimalArithmetic, AddSubExact) {
  EXPECT_EQ(D("0.1") + D("0.2"), D("0.3"));  // the classic binary floating point failure
  EXPECT_EQ(D("100.01") - D("100.02"), D("-0.01"));
  EXPECT_EQ(D("-1.5") + D("1.5"), Decimal());
  EXPECT_EQ(Decimal::max() + Decimal::min(), Decimal());
  EXPECT_EQ(Decimal::max() - D("0.00000001"), Decimal::from_units(INT64_MAX - 1));
  Decimal acc;
  for (int i = 0; i < 10; ++i) acc += D("0.1");
  EXPECT_EQ(acc, D("1"));
  acc -= D("0.25");
  EXPECT_EQ(acc, D("0.75"));
}

TEST(DecimalArithmetic, MulWithEveryRounding) {
  EXPECT_EQ(D("1.5") * D("2"), D("3"));
  EXPECT_EQ(D("0.1") * D("0.2"), D("0.02"));
  EXPECT_EQ(D("450.08") * D("40"), D("18003.2"));
  EXPECT_EQ(D("-3") * D("100.01"), D("-300.03"));
  EXPECT_EQ(D("-3") * D("-0.5"), D("1.5"));
  // 0.00000001 * 0.5 = 0.000000005: a tie at the 9th digit.
  const std::vector<std::tuple<std::string, std::string, R, std::string>> cases = {
      {"0.00000001", "0.5", R::kHalfEven, "0"},
      {"0.00000001", "0.5", R::kHalfUp, "0.00000001"},
      {"0.00000001", "0.5", R::kDown, "0"},
      {"0.00000001", "0.5", R::kUp, "0.00000001"},
      {"0.00000001", "0.5", R::kFloor, "0"},
      {"0.00000001", "0.5", R::kCeiling, "0.00000001"},
      {"-0.00000001", "0.5", R::kHalfEven, "0"},
      {"-0.00000001", "0.5", R::kHalfUp, "-0.00000001"},
      {"-0.00000001", "0.5", R::kDown, "0"},
      {"-0.00000001", "0.5", R::kUp, "-0.00000001"},
      {"-0.00000001", "0.5", R::kFloor, "-0.00000001"},
      {"-0.00000001", "0.5", R::kCeiling, "0"},
      // 0.00000003 * 0.5 = 0.000000015: tie, odd neighbour 1 -> even 2.
      {"0.00000003", "0.5", R::kHalfEven, "0.00000002"},
      {"0.00000003", "0.5", R::kDown, "0.00000001"},
      // 1.23456789 * 1.1 = 1.358024679 (9 digits) -> 1.35802468 (half) / 1.35802467 (down).
      {"1.23456789", "1.1", R::kHalfEven, "1.35802468"},
      {"1.23456789", "1.1", R::kDown, "1.35802467"},
      {"1.23456789", "-1.1", R::kFloor, "-1.35802468"},
      {"1.23456789", "-1.1", R::kCeiling, "-1.35802467"},
  };
  for (const auto& [a, b, mode, out] : cases) {
    EXPECT_EQ(D(a).mul(D(b), mode).to_string(), out) << a << " * " << b << " " << mode_name(mode);
    EXPECT_EQ(D(a).checked_mul(D(b), mode).value().to_string(), out);
  }
  // The operator rounds half even.
  EXPECT_EQ(D("0.00000003") * D("0.5"), D("0.00000002"));
  EXPECT_EQ(D("0.00000001") * D("0.5"), Decimal());
}

TEST(DecimalArithmetic, DivWithEveryRounding) {
  EXPECT_EQ(D("10") / D("4"), D("2.5"));
  EXPECT_EQ(D("1") / D("8"), D("0.125"));
  EXPECT_EQ(D("45009.2") / D("100"), D("450.092"));
  EXPECT_EQ(D("-300.03") / D("3"), D("-100.01"));
  const std::vector<std::tuple<std::string, std::string, R, std::string>> cases = {
      // 1/3 = 0.333333333...
      {"1", "3", R::kHalfEven, "0.33333333"},
      {"1", "3", R::kHalfUp, "0.33333333"},
      {"1", "3", R::kDown, "0.33333333"},
      {"1", "3", R::kUp, "0.33333334"},
      {"1", "3", R::kFloor, "0.33333333"},
      {"1", "3", R::kCeiling, "0.33333334"},
      {"-1", "3", R::kFloor, "-0.33333334"},
      {"-1", "3", R::kCeiling, "-0.33333333"},
      {"1", "-3", R::kUp, "-0.33333334"},
      {"-1", "-3", R::kUp, "0.33333334"},
      // 2/3 = 0.666666666...
      {"2", "3", R::kHalfEven, "0.66666667"},
      {"2", "3", R::kDown, "0.66666666"},
      {"-2", "3", R::kHalfUp, "-0.66666667"},
      // 0.00000001 / 2 = 0.000000005 (tie) and 0.00000003 / 2 = 0.000000015 (tie).
      {"0.00000001", "2", R::kHalfEven, "0"},
      {"0.00000001", "2", R::kHalfUp, "0.00000001"},
      {"0.00000003", "2", R::kHalfEven, "0.00000002"},
      {"-0.00000003", "2", R::kHalfEven, "-0.00000002"},
      {"-0.00000001", "-2", R::kHalfUp, "0.00000001"},
  };
  for (const auto& [a, b, mode, out] : cases) {
    EXPECT_EQ(D(a).div(D(b), mode).to_string(), out) << a << " / " << b << " " << mode_name(mode);
    EXPECT_EQ(D(a).checked_div(D(b), mode).value().to_string(), out);
  }
}

TEST(DecimalArithmetic, DivisionByZero) {
  EXPECT_EQ(D("1").checked_div(Decimal(), R::kHalfEven).error(), DecimalError::kDivisionByZero);
  EXPECT_EQ(Decimal().checked_div(Decimal(), R::kHalfEven).error(), DecimalError::kDivisionByZero);
  EXPECT_THROW((void)D("1").div(Decimal(), R::kHalfEven), DecimalOverflow);
  EXPECT_THROW((void)(D("1") / Decimal()), DecimalOverflow);
  EXPECT_EQ(D("1").checked_mul_div(D("2"), Decimal(), R::kHalfEven).error(),
            DecimalError::kDivisionByZero);
  EXPECT_THROW((void)D("1").mul_div(D("2"), Decimal(), R::kHalfEven), DecimalOverflow);
}

TEST(DecimalArithmetic, MulDivKeepsTheIntermediateExact) {
  // 90000000000 * 50 = 4.5e12 is far outside the range; / 100 brings it back.
  const Decimal a = D("90000000000");
  EXPECT_EQ(a.checked_mul(D("50"), R::kHalfEven).error(), DecimalError::kOverflow);
  EXPECT_EQ(a.mul_div(D("50"), D("100"), R::kHalfEven), D("45000000000"));
  EXPECT_EQ(a.checked_mul_div(D("50"), D("100"), R::kHalfEven).value(), D("45000000000"));
  // The largest possible intermediate: max * max / max.
  EXPECT_EQ(Decimal::max().mul_div(Decimal::max(), Decimal::max(), R::kHalfEven), Decimal::max());
  EXPECT_EQ(Decimal::min().mul_div(Decimal::max(), Decimal::max(), R::kHalfEven), Decimal::min());
  EXPECT_EQ(Decimal::min().mul_div(Decimal::min(), Decimal::max(), R::kHalfEven), Decimal::max());
  // Cost basis release: 300.03 * 1 / 3 = 100.01 exactly.
  EXPECT_EQ(D("300.03").mul_div(D("1"), D("3"), R::kHalfEven), D("100.01"));
  // 30.02 * 1 / 3 = 10.006666666... -> 10.00666667 (half even) / 10.00666666 (down).
  EXPECT_EQ(D("30.02").mul_div(D("1"), D("3"), R::kHalfEven), D("10.00666667"));
  EXPECT_EQ(D("30.02").mul_div(D("1"), D("3"), R::kDown), D("10.00666666"));
  EXPECT_EQ(D("-30.02").mul_div(D("-1"), D("-3"), R::kFloor), D("-10.00666667"));
  // Units are 1e-8: 0.00000001 * 0.00000001 / 0.00000001 = 0.00000001 exactly
  // (a plain mul would have lost it).
  const Decimal u = Decimal::from_units(1);
  EXPECT_EQ(u.mul(u, R::kHalfEven), Decimal());
  EXPECT_EQ(u.mul_div(u, u, R::kHalfEven), u);
  // The result itself must fit.
  EXPECT_EQ(Decimal::max().checked_mul_div(D("2"), D("1"), R::kHalfEven).error(),
            DecimalError::kOverflow);
  EXPECT_THROW((void)Decimal::max().mul_div(D("3"), D("2"), R::kHalfEven), DecimalOverflow);
}

TEST(DecimalRange, AddSubMulAreCheckedAndOperatorsThrow) {
  const Decimal unit = Decimal::from_units(1);
  EXPECT_EQ(Decimal::max().checked_add(unit).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::min().checked_sub(unit).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::max().checked_sub(Decimal::min()).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::min().checked_add(Decimal::min()).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::max().checked_add(Decimal()).value(), Decimal::max());
  EXPECT_EQ(Decimal::min().checked_sub(Decimal()).value(), Decimal::min());
  EXPECT_THROW((void)(Decimal::max() + unit), DecimalOverflow);
  EXPECT_THROW((void)(Decimal::min() - unit), DecimalOverflow);
  // 1,000,000 * 1,000,000 = 1e12 > 9.2e10.
  EXPECT_EQ(D("1000000").checked_mul(D("1000000"), R::kHalfEven).error(), DecimalError::kOverflow);
  EXPECT_THROW((void)D("1000000").mul(D("1000000"), R::kHalfEven), DecimalOverflow);
  EXPECT_THROW((void)(D("1000000") * D("1000000")), DecimalOverflow);
  EXPECT_EQ(Decimal::max().checked_mul(D("1"), R::kHalfEven).value(), Decimal::max());
  EXPECT_EQ(Decimal::max().checked_mul(D("-1"), R::kHalfEven).value(), Decimal::min());
  EXPECT_EQ(Decimal::max().checked_div(D("0.5"), R::kHalfEven).error(), DecimalError::kOverflow);
  EXPECT_THROW((void)(Decimal::max() / D("0.5")), DecimalOverflow);
  EXPECT_EQ(Decimal::max() / D("1"), Decimal::max());
  // A compound assignment that throws leaves the value unchanged.
  Decimal d = Decimal::max();
  EXPECT_THROW(d += unit, DecimalOverflow);
  EXPECT_EQ(d, Decimal::max());
  EXPECT_THROW(d *= D("2"), DecimalOverflow);
  EXPECT_EQ(d, Decimal::max());
  d = Decimal::min();
  EXPECT_THROW(d -= unit, DecimalOverflow);
  EXPECT_EQ(d, Decimal::min());
}

TEST(DecimalRange, FromInt) {
  EXPECT_EQ(Decimal::from_int(92233720368), D("92233720368"));
  EXPECT_EQ(Decimal::from_int(-92233720368), D("-92233720368"));
  EXPECT_EQ(Decimal::checked_from_int(92233720369).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::checked_from_int(-92233720369).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::checked_from_int(INT64_MAX).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::checked_from_int(INT64_MIN).error(), DecimalError::kOverflow);
  EXPECT_THROW((void)Decimal::from_int(92233720369), DecimalOverflow);
  EXPECT_THROW((void)Decimal::from_int(INT64_MIN), DecimalOverflow);
  EXPECT_EQ(Decimal::from_int(0), Decimal());
  EXPECT_EQ(Decimal::from_int(1).units(), Decimal::kUnitsPerOne);
}

TEST(DecimalRange, ErrorMessageNamesTheOperation) {
  try {
    (void)(Decimal::max() + Decimal::max());
    FAIL() << "no exception";
  } catch (const DecimalOverflow& e) {
    EXPECT_NE(std::string(e.what()).find("add"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------
// from_double, sign and friends

TEST(DecimalFromDouble, RoundsToTheRequestedPlaces) {
  struct C {
    double v;
    int places;
    R mode;
    const char* out;
  };
  const std::vector<C> cases = {
      {1.5, 2, R::kHalfEven, "1.5"},
      {0.1, 8, R::kHalfEven, "0.1"},  // the nearest unit, not 0.1000000000000000055...
      {0.29, 2, R::kDown, "0.29"},    // 0.28999999999999998 in binary; nearest unit first
      {1.23456789, 8, R::kHalfEven, "1.23456789"},
      {100.123456789, 8, R::kHalfEven, "100.12345679"},  // 10012345678.9 units -> ...79
      {1.005, 2, R::kHalfUp, "1.01"},  // binary 1.00499999999999989..., 100500000 units
      {-1.005, 2, R::kHalfUp, "-1.01"},
      {2.675, 2, R::kHalfEven, "2.68"},  // 267500000 units: tie, 7 odd -> 8
      {2.665, 2, R::kHalfEven, "2.66"},  // 266500000 units: tie, 6 even
      {-0.125, 2, R::kHalfEven, "-0.12"},
      {-0.125, 2, R::kFloor, "-0.13"},
      {1234.5678, 0, R::kDown, "1234"},
      {0.0, 2, R::kHalfEven, "0"},
      {-0.0, 2, R::kHalfEven, "0"},
      {5e-9, 8, R::kHalfEven, "0.00000001"},  // 0.5 units -> llround away from zero
      {9.0e10, 2, R::kHalfEven, "90000000000"},
  };
  for (const auto& c : cases) {
    auto d = Decimal::from_double(c.v, c.places, c.mode);
    ASSERT_TRUE(d.has_value()) << c.v;
    EXPECT_EQ(d->to_string(), c.out) << c.v << " places " << c.places << " " << mode_name(c.mode);
  }
}

TEST(DecimalFromDouble, Errors) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Decimal::from_double(nan, 2, R::kHalfEven).error(), DecimalError::kSyntax);
  EXPECT_EQ(Decimal::from_double(inf, 2, R::kHalfEven).error(), DecimalError::kSyntax);
  EXPECT_EQ(Decimal::from_double(-inf, 2, R::kHalfEven).error(), DecimalError::kSyntax);
  EXPECT_EQ(Decimal::from_double(1e11, 2, R::kHalfEven).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::from_double(-1e11, 2, R::kHalfEven).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::from_double(1e300, 2, R::kHalfEven).error(), DecimalError::kOverflow);
  EXPECT_EQ(Decimal::from_double(1.0, 9, R::kHalfEven).error(), DecimalError::kPrecision);
  EXPECT_EQ(Decimal::from_double(1.0, -1, R::kHalfEven).error(), DecimalError::kPrecision);
}

TEST(DecimalMisc, SignAbsNegateCompare) {
  EXPECT_EQ(D("-2.5").sign(), -1);
  EXPECT_EQ(D("2.5").sign(), 1);
  EXPECT_EQ(Decimal().sign(), 0);
  EXPECT_TRUE(Decimal().is_zero());
  EXPECT_FALSE(D("0.00000001").is_zero());
  EXPECT_EQ(D("-2.5").abs(), D("2.5"));
  EXPECT_EQ(D("2.5").abs(), D("2.5"));
  EXPECT_EQ(Decimal::min().abs(), Decimal::max());
  EXPECT_EQ(-D("2.5"), D("-2.5"));
  EXPECT_EQ(-Decimal(), Decimal());
  EXPECT_LT(D("-1"), D("-0.99999999"));
  EXPECT_LT(D("0.99999999"), D("1"));
  EXPECT_GT(D("100.01"), D("100.009"));
  EXPECT_EQ(D("1.10"), D("1.1"));
  EXPECT_NE(D("1.1"), D("1.01"));
  EXPECT_LE(Decimal::min(), Decimal());
  EXPECT_GE(Decimal::max(), D("92233720368.54775806"));
  EXPECT_EQ(std::max(D("1.5"), D("1.25")), D("1.5"));
}

}  // namespace
}  // namespace td
