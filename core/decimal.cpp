#include "core/decimal.h"

#include <cmath>

namespace td {
namespace {

using i128 = __int128;

constexpr int64_t kPow10[] = {1,           10,           100,          1000,      10000,
                              100000,      1000000,      10000000,     100000000, 1000000000,
                              10000000000, 100000000000, 1000000000000};

// num / den rounded with `mode`; den != 0.
i128 div_round(i128 num, i128 den, Rounding mode) {
  if (den < 0) num = -num, den = -den;
  i128 q = num / den;  // truncates toward zero
  i128 r = num % den;  // same sign as num
  if (r == 0) return q;
  const int sign = num < 0 ? -1 : 1;
  const i128 twice = (r < 0 ? -r : r) * 2;
  bool away = false;  // move one step away from zero
  switch (mode) {
    case Rounding::kDown:
      away = false;
      break;
    case Rounding::kUp:
      away = true;
      break;
    case Rounding::kFloor:
      away = sign < 0;
      break;
    case Rounding::kCeiling:
      away = sign > 0;
      break;
    case Rounding::kHalfUp:
      away = twice >= den;
      break;
    case Rounding::kHalfEven:
      away = twice > den || (twice == den && (q % 2 != 0));
      break;
  }
  return away ? q + sign : q;
}

tl::expected<Decimal, DecimalError> from_i128(i128 v) {
  if (v > INT64_MAX || v < -INT64_MAX) return tl::unexpected(DecimalError::kOverflow);
  return Decimal::from_units(static_cast<int64_t>(v));
}

Decimal or_throw(tl::expected<Decimal, DecimalError> r, const char* what) {
  if (!r)
    throw DecimalOverflow(std::string("decimal ") + what + ": " +
                          std::string(to_string(r.error())));
  return *r;
}

tl::expected<Decimal, DecimalError> parse_impl(std::string_view s, bool allow_round,
                                               Rounding mode) {
  if (s.empty()) return tl::unexpected(DecimalError::kEmpty);
  size_t i = 0;
  bool neg = false;
  if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
  // Collect up to 40 significant digits into an i128 mantissa with a decimal exponent.
  i128 mant = 0;
  int exp10 = 0;
  int int_digits = 0, frac_digits = 0;
  bool nonzero_dropped = false;  // digits beyond what i128 holds (all must be handled)
  auto take_digit = [&](int d, bool frac) {
    if (mant > (i128(1) << 100)) {  // more digits than can ever matter
      if (!frac) ++exp10;
      if (d != 0) nonzero_dropped = true;
      return;
    }
    mant = mant * 10 + d;
    if (frac) --exp10;
  };
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') take_digit(s[i++] - '0', false), ++int_digits;
  if (int_digits == 0) return tl::unexpected(DecimalError::kSyntax);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      take_digit(s[i++] - '0', true), ++frac_digits;
    if (frac_digits == 0) return tl::unexpected(DecimalError::kSyntax);
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    int e = 0, ed = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (e < 10000) e = e * 10 + (s[i] - '0');
      ++i, ++ed;
    }
    if (ed == 0) return tl::unexpected(DecimalError::kSyntax);
    exp10 += eneg ? -e : e;
  }
  if (i != s.size()) return tl::unexpected(DecimalError::kSyntax);
  if (nonzero_dropped) {
    // The value lies strictly between mant and mant + 1 (at 10^exp10): append a
    // sticky digit so that rounding (and the precision check) still see it. A
    // mantissa this long is either out of range (shift >= 0 below) or has at
    // least 12 digits below 1e-8, so the sticky digit never lands on a tie.
    mant = mant * 10 + 1;
    --exp10;
  }
  if (neg) mant = -mant;
  // units = mant * 10^(exp10 + kScale)
  int shift = exp10 + Decimal::kScale;
  if (mant == 0) return Decimal();
  if (shift >= 0) {
    if (mant > INT64_MAX || mant < -INT64_MAX) return tl::unexpected(DecimalError::kOverflow);
    while (shift-- > 0) {
      mant *= 10;
      if (mant > INT64_MAX || mant < -INT64_MAX) return tl::unexpected(DecimalError::kOverflow);
    }
    return from_i128(mant);
  }
  // Negative shift: digits below 1e-8.
  // |mant| < 2^104 < 10^32, so a divisor of 10^38 already rounds exactly as any larger one.
  if (!allow_round && -shift > 38) return tl::unexpected(DecimalError::kPrecision);
  if (shift < -38) shift = -38;
  i128 den = 1;
  for (int k = 0; k < -shift; ++k) den *= 10;
  // Out of range wins over too many decimals ("100000000000.000000001").
  if ((mant < 0 ? -mant : mant) / den > INT64_MAX) return tl::unexpected(DecimalError::kOverflow);
  if (mant % den != 0 && !allow_round) return tl::unexpected(DecimalError::kPrecision);
  return from_i128(div_round(mant, den, mode));
}

}  // namespace

std::string_view to_string(DecimalError e) {
  switch (e) {
    case DecimalError::kEmpty:
      return "empty number";
    case DecimalError::kSyntax:
      return "not a decimal number";
    case DecimalError::kPrecision:
      return "more than 8 decimal places";
    case DecimalError::kOverflow:
      return "out of range";
    case DecimalError::kDivisionByZero:
      return "division by zero";
  }
  return "?";
}

tl::expected<Decimal, DecimalError> Decimal::checked_from_int(int64_t v) {
  return from_i128(i128(v) * kUnitsPerOne);
}
Decimal Decimal::from_int(int64_t v) {
  return or_throw(checked_from_int(v), "from_int");
}

tl::expected<Decimal, DecimalError> Decimal::parse(std::string_view s) {
  return parse_impl(s, false, Rounding::kHalfEven);
}
tl::expected<Decimal, DecimalError> Decimal::parse(std::string_view s, Rounding mode) {
  return parse_impl(s, true, mode);
}

tl::expected<Decimal, DecimalError> Decimal::from_double(double v, int places, Rounding mode) {
  if (!std::isfinite(v)) return tl::unexpected(DecimalError::kSyntax);
  if (places < 0 || places > kScale) return tl::unexpected(DecimalError::kPrecision);
  if (std::fabs(v) > 9.0e10) return tl::unexpected(DecimalError::kOverflow);
  // Scale to units, take the nearest integer; then round to the requested places.
  const double scaled = v * static_cast<double>(kUnitsPerOne);
  auto units = static_cast<int64_t>(std::llround(scaled));
  return Decimal(units).round(places, mode);
}

std::string Decimal::to_string() const {
  const bool neg = units_ < 0;
  uint64_t a = neg ? uint64_t(0) - uint64_t(units_) : uint64_t(units_);
  uint64_t ip = a / kUnitsPerOne, fp = a % kUnitsPerOne;
  std::string out = neg ? "-" : "";
  out += std::to_string(ip);
  if (fp != 0) {
    char buf[kScale + 1];
    for (int k = kScale - 1; k >= 0; --k) buf[k] = char('0' + fp % 10), fp /= 10;
    int len = kScale;
    while (len > 0 && buf[len - 1] == '0') --len;
    out += '.';
    out.append(buf, len);
  }
  return out;
}

std::string Decimal::to_string(int places) const {
  if (places < 0) places = 0;
  if (places > kScale) places = kScale;
  // Rounded in 128 bits: text may go one step past the range (max() to cents).
  const int64_t step = kPow10[kScale - places];
  const i128 r = div_round(units_, step, Rounding::kHalfUp);  // in steps of 10^-places
  const bool neg = r < 0;
  const unsigned __int128 a =
      neg ? static_cast<unsigned __int128>(-r) : static_cast<unsigned __int128>(r);
  const uint64_t per_one = static_cast<uint64_t>(kPow10[places]);
  uint64_t ip = static_cast<uint64_t>(a / per_one), fp = static_cast<uint64_t>(a % per_one);
  std::string out = neg ? "-" : "";
  out += std::to_string(ip);
  if (places > 0) {
    std::string frac(places, '0');
    for (int k = places - 1; k >= 0; --k) frac[k] = char('0' + fp % 10), fp /= 10;
    out += '.';
    out += frac;
  }
  return out;
}

Decimal Decimal::abs() const {
  return units_ < 0 ? Decimal(-units_) : *this;
}
Decimal Decimal::operator-() const {
  return Decimal(-units_);
}  // range is symmetric

tl::expected<Decimal, DecimalError> Decimal::checked_add(Decimal o) const {
  return from_i128(i128(units_) + o.units_);
}
tl::expected<Decimal, DecimalError> Decimal::checked_sub(Decimal o) const {
  return from_i128(i128(units_) - o.units_);
}
tl::expected<Decimal, DecimalError> Decimal::checked_mul(Decimal o, Rounding mode) const {
  return from_i128(div_round(i128(units_) * o.units_, kUnitsPerOne, mode));
}
tl::expected<Decimal, DecimalError> Decimal::checked_div(Decimal o, Rounding mode) const {
  if (o.units_ == 0) return tl::unexpected(DecimalError::kDivisionByZero);
  return from_i128(div_round(i128(units_) * kUnitsPerOne, o.units_, mode));
}

tl::expected<Decimal, DecimalError> Decimal::checked_mul_div(Decimal num, Decimal den,
                                                             Rounding mode) const {
  if (den.units_ == 0) return tl::unexpected(DecimalError::kDivisionByZero);
  const i128 p = i128(units_) * num.units_;  // < 2^126: cannot overflow
  return from_i128(div_round(p, den.units_, mode));
}
Decimal Decimal::mul_div(Decimal num, Decimal den, Rounding mode) const {
  return or_throw(checked_mul_div(num, den, mode), "mul_div");
}

Decimal Decimal::mul(Decimal o, Rounding mode) const {
  return or_throw(checked_mul(o, mode), "mul");
}
Decimal Decimal::div(Decimal o, Rounding mode) const {
  return or_throw(checked_div(o, mode), "div");
}
void Decimal::overflow(const char* op) {
  throw DecimalOverflow(std::string("decimal ") + op + ": " +
                        std::string(td::to_string(DecimalError::kOverflow)));
}

Decimal Decimal::round(int places, Rounding mode) const {
  if (places >= kScale) return *this;
  if (places < 0) places = 0;
  const int64_t step = kPow10[kScale - places];
  return or_throw(from_i128(div_round(units_, step, mode) * step), "round");
}

Decimal Decimal::round_to(Decimal increment, Rounding mode) const {
  if (increment.units_ <= 0) throw std::invalid_argument("round_to: increment must be > 0");
  return or_throw(from_i128(div_round(units_, increment.units_, mode) * increment.units_),
                  "round_to");
}

Decimal operator""_d(const char* s, size_t n) {
  auto r = Decimal::parse(std::string_view(s, n));
  if (!r) throw std::invalid_argument("bad decimal literal: " + std::string(s, n));
  return *r;
}

}  // namespace td
