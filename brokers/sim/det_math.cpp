#include "brokers/sim/det_math.h"

#include <cmath>
#include <limits>

namespace td::sim {
namespace {

// fdlibm's split of ln 2: kLn2Hi has its low bits zero, so k * kLn2Hi is exact
// for every exponent k a double can have.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;

}  // namespace

double det_log(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1); exact
  if (m < kSqrtHalf) {
    m *= 2;  // exact
    --e;
  }
  // m in [sqrt(1/2), sqrt(2)): log(m) = 2 atanh(f), f = (m-1)/(m+1), |f| < 0.172.
  const double f = (m - 1) / (m + 1);
  const double s = f * f;
  // sum_{k=0..14} s^k / (2k+1) by Horner; the first omitted term is < 1e-24.
  double p = 0;
  for (int k = 14; k >= 0; --k) p = p * s + 1.0 / (2 * k + 1);
  const double log_m = 2 * f * p;
  const double de = e;
  return de * kLn2Hi + (log_m + de * kLn2Lo);
}

double det_exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2.
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // e^r = sum_{n=0..17} r^n / n! by Horner; the first omitted term is < 1e-23.
  double coef[18];
  coef[0] = 1;
  for (int n = 1; n < 18; ++n) coef[n] = coef[n - 1] / n;
  double p = 0;
  for (int n = 17; n >= 0; --n) p = p * r + coef[n];
  return std::ldexp(p, static_cast<int>(k));
}

}  // namespace td::sim
