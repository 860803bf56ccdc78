#pragma once
// The latent price of one simulated symbol, apart from quoting and bars so the
// dynamics can be read and tuned in one place. Geometric Brownian motion with
// what makes a tape look like a market rather than a random walk:
// - regimes: a bull / bear / sideways Markov chain (switching rarely) that
//   shifts the drift and scales the volatility, so trend strategies have
//   trends to find and mean-reversion strategies have ranges;
// - volatility clustering: a GARCH(1,1) process on the normalised shocks,
//   so calm and turbulent stretches alternate;
// - gaps: rare jumps (with a volatility spike), so stops are tested.
// Time is "trading time": annualised figures use 252 days of 6.5 hours, since
// the simulator trades around the clock, one simulated hour looks like one
// trading hour of a real stock.
#include <cstdint>
#include <string_view>

#include "brokers/sim/random.h"

namespace td::sim {

inline constexpr double kTradingHoursPerYear = 252 * 6.5;

enum class Regime { kBull, kBear, kSideways };
std::string_view to_string(Regime r);

struct RegimeParams {
  double drift = 0;           // annualised, added to the symbol's drift
  double vol_multiplier = 1;  // scales the symbol's volatility
};

// Shape of the simulated market (the same for every symbol); the defaults
// give an equity-like tape.
struct MarketModel {
  RegimeParams bull{0.30, 0.8};
  RegimeParams bear{-0.40, 1.5};
  RegimeParams sideways{0.0, 0.6};
  double regime_mean_hours = 6.5;  // mean stay in one regime (trading hours)
  // Volatility clustering: GARCH(1,1) per tick on the variance ratio v
  // (long-run mean 1), v' = (1 - alpha - beta) + alpha * v * z^2 + beta * v,
  // clamped to [v_min, v_max], where z is the tick's own price shock. alpha and
  // beta come from the time step (alpha = vol_of_variance * sqrt(dt / 2),
  // beta = 1 - alpha - ln2 / half_life * dt, dt in hours): a discretised
  // mean-reverting variance, so the tape clusters alike at any quote interval.
  double variance_half_life_hours = 2.0;  // how long a volatility shock lasts
  double vol_of_variance = 0.5;           // per sqrt(hour)
  double v_min = 0.04;
  double v_max = 25;
  double gap_mean_hours = 32.5;   // one gap per trading week on average
  double gap_size = 0.02;         // typical |log jump|; a gap is gap_size * (1 + |N(0,1)|/2)
  double gap_variance_boost = 3;  // added to v by a gap
};

struct PriceStep {
  double log_return = 0;  // of the latent price, gap included
  double vol_ratio = 1;   // current volatility / the symbol's base volatility
  bool gap = false;
  bool regime_switched = false;
};

class PriceProcess {
 public:
  // volatility and drift annualised; the initial regime is drawn from rng.
  PriceProcess(double volatility, double drift, const MarketModel& model, Rng rng);

  // Advances by dt_years of trading time.
  PriceStep step(double dt_years);

  Regime regime() const { return regime_; }
  double variance_ratio() const { return v_; }
  double vol_ratio() const;

 private:
  const RegimeParams& params() const;

  double volatility_;
  double drift_;
  MarketModel model_;
  Rng rng_;
  Regime regime_;
  double v_ = 1;
};

}  // namespace td::sim
