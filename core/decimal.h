#pragma once
// Fixed-point decimal for every price, quantity and amount of money in state.
// Why: binary floating point cannot represent 0.1, so P&L computed in double
// drifts away from the broker's statements. A Decimal is an int64 count of
// 1e-8 units: exact for every tick size and currency we trade, +/-92 billion
// range, overflow always detected (checked_* return an error; the operators
// throw DecimalOverflow, which engine boundaries catch). Rounding is explicit
// wherever precision can be lost (multiplication, division, tick rounding).
#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace td {

enum class Rounding {
  kHalfEven,  // banker's rounding: ties to the even neighbour
  kHalfUp,    // ties away from zero (1.005 -> 1.01, -1.005 -> -1.01)
  kDown,      // toward zero (truncate)
  kUp,        // away from zero
  kFloor,     // toward -infinity
  kCeiling,   // toward +infinity
};

enum class DecimalError { kEmpty, kSyntax, kPrecision, kOverflow, kDivisionByZero };
std::string_view to_string(DecimalError e);

struct DecimalOverflow : std::overflow_error {
  using std::overflow_error::overflow_error;
};

class Decimal {
 public:
  static constexpr int kScale = 8;
  static constexpr int64_t kUnitsPerOne = 100'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal from_units(int64_t units) { return Decimal(units); }
  // Whole number; throws DecimalOverflow beyond the range.
  static Decimal from_int(int64_t v);
  static tl::expected<Decimal, DecimalError> checked_from_int(int64_t v);

  // Exact parse of "[+-]digits[.digits][e[+-]digits]". More than kScale
  // fractional digits is kPrecision unless a rounding mode is given.
  static tl::expected<Decimal, DecimalError> parse(std::string_view s);
  static tl::expected<Decimal, DecimalError> parse(std::string_view s, Rounding mode);
  // For generated (not reconciled) values such as simulated prices.
  static tl::expected<Decimal, DecimalError> from_double(double v, int places, Rounding mode);

  constexpr int64_t units() const { return units_; }
  double to_double() const { return static_cast<double>(units_) / kUnitsPerOne; }
  // Shortest exact form: "150.25", "100", "-0.5".
  std::string to_string() const;
  // Exactly `places` fractional digits, rounded half-up when it cuts digits.
  std::string to_string(int places) const;

  constexpr bool is_zero() const { return units_ == 0; }
  constexpr int sign() const { return (units_ > 0) - (units_ < 0); }
  Decimal abs() const;
  Decimal operator-() const;

  tl::expected<Decimal, DecimalError> checked_add(Decimal o) const;
  tl::expected<Decimal, DecimalError> checked_sub(Decimal o) const;
  tl::expected<Decimal, DecimalError> checked_mul(Decimal o, Rounding mode) const;
  tl::expected<Decimal, DecimalError> checked_div(Decimal o, Rounding mode) const;

  // this * num / den with a 128-bit intermediate (no overflow in the product).
  tl::expected<Decimal, DecimalError> checked_mul_div(Decimal num, Decimal den,
                                                      Rounding mode) const;
  Decimal mul_div(Decimal num, Decimal den, Rounding mode) const;

  Decimal mul(Decimal o, Rounding mode) const;  // throws DecimalOverflow
  Decimal div(Decimal o, Rounding mode) const;  // throws DecimalOverflow (and on /0)
  // Round to `places` fractional digits (0..8).
  Decimal round(int places, Rounding mode) const;
  // Round to a multiple of `increment` (a tick size); increment must be > 0.
  Decimal round_to(Decimal increment, Rounding mode) const;

  // Inline: the backtest loop adds and subtracts on every bar.
  Decimal operator+(Decimal o) const {
    int64_t r = 0;
    if (__builtin_add_overflow(units_, o.units_, &r) || r == INT64_MIN) overflow("add");
    return Decimal(r);
  }
  Decimal operator-(Decimal o) const {
    int64_t r = 0;
    if (__builtin_sub_overflow(units_, o.units_, &r) || r == INT64_MIN) overflow("sub");
    return Decimal(r);
  }
  Decimal operator*(Decimal o) const { return mul(o, Rounding::kHalfEven); }
  Decimal operator/(Decimal o) const { return div(o, Rounding::kHalfEven); }
  Decimal& operator+=(Decimal o) { return *this = *this + o; }
  Decimal& operator-=(Decimal o) { return *this = *this - o; }
  Decimal& operator*=(Decimal o) { return *this = *this * o; }

  constexpr auto operator<=>(const Decimal&) const = default;

  static constexpr Decimal max() { return Decimal(INT64_MAX); }
  static constexpr Decimal min() { return Decimal(-INT64_MAX); }

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  [[noreturn]] static void overflow(const char* op);
  int64_t units_ = 0;
};

// Throws std::invalid_argument on bad input: for literals in code and tests.
Decimal operator""_d(const char* s, size_t n);

}  // namespace td

template <>
struct fmt::formatter<td::Decimal> : fmt::formatter<std::string_view> {
  auto format(const td::Decimal& d, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(d.to_string(), ctx);
  }
};
