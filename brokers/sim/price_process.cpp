#include "brokers/sim/price_process.h"

#include <algorithm>
#include <cmath>

namespace td::sim {
namespace {

constexpr double kLn2 = 0.69314718055994530942;

}  // namespace

std::string_view to_string(Regime r) {
  switch (r) {
    case Regime::kBull:
      return "bull";
    case Regime::kBear:
      return "bear";
    case Regime::kSideways:
      return "sideways";
  }
  return "?";
}

PriceProcess::PriceProcess(double volatility, double drift, const MarketModel& model, Rng rng)
    : volatility_(volatility), drift_(drift), model_(model), rng_(rng) {
  const uint64_t r = rng_.next_u64() % 3;
  regime_ = r == 0 ? Regime::kBull : r == 1 ? Regime::kBear : Regime::kSideways;
}

const RegimeParams& PriceProcess::params() const {
  switch (regime_) {
    case Regime::kBull:
      return model_.bull;
    case Regime::kBear:
      return model_.bear;
    case Regime::kSideways:
      break;
  }
  return model_.sideways;
}

double PriceProcess::vol_ratio() const {
  return params().vol_multiplier * std::sqrt(v_);
}

PriceStep PriceProcess::step(double dt_years) {
  PriceStep out;
  const double dt_hours = dt_years * kTradingHoursPerYear;

  // Regime: leave the current one with probability dt / mean stay, to one of
  // the other two with equal odds.
  const double p_switch = model_.regime_mean_hours > 0 ? dt_hours / model_.regime_mean_hours : 0;
  if (rng_.chance(p_switch)) {
    const bool first = rng_.uniform() < 0.5;
    switch (regime_) {
      case Regime::kBull:
        regime_ = first ? Regime::kBear : Regime::kSideways;
        break;
      case Regime::kBear:
        regime_ = first ? Regime::kBull : Regime::kSideways;
        break;
      case Regime::kSideways:
        regime_ = first ? Regime::kBull : Regime::kBear;
        break;
    }
    out.regime_switched = true;
  }

  const RegimeParams& rp = params();
  const double sigma = volatility_ * rp.vol_multiplier;  // annualised, before clustering
  const double var = sigma * sigma * v_;                 // annualised variance now
  const double z = rng_.normal();
  out.log_return = (drift_ + rp.drift - 0.5 * var) * dt_years + std::sqrt(var * dt_years) * z;

  // Volatility clustering: today's shock feeds tomorrow's variance.
  const double a = std::min(0.9, model_.vol_of_variance * std::sqrt(dt_hours / 2));
  const double b = std::max(0.0, 1 - a - kLn2 / model_.variance_half_life_hours * dt_hours);
  double v = (1 - a - b) + a * v_ * z * z + b * v_;

  const double p_gap = model_.gap_mean_hours > 0 ? dt_hours / model_.gap_mean_hours : 0;
  if (rng_.chance(p_gap)) {
    const double sign = rng_.uniform() < 0.5 ? -1.0 : 1.0;
    out.log_return += sign * model_.gap_size * (1 + 0.5 * std::fabs(rng_.normal()));
    v += model_.gap_variance_boost;
    out.gap = true;
  }
  v_ = std::clamp(v, model_.v_min, model_.v_max);
  out.vol_ratio = vol_ratio();
  return out;
}

}  // namespace td::sim
