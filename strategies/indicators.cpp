#include "strategies/indicators.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace td::strategies {

namespace {

int checked_period(int n, const char* what) {
  if (n < 1) throw std::invalid_argument(std::string(what) + " period must be >= 1");
  return n;
}

}  // namespace

RollingWindow::RollingWindow(int n)
    : buf_(static_cast<size_t>(checked_period(n, "window"))), n_(n) {}

double RollingWindow::mean_units_large() const {
  // A double holds integers below 2^53 exactly, so double(sum) / count is the
  // exact quotient rounded once (mean_units()): two windows whose exact means
  // are equal get the same double. Larger sums split into integer part +
  // remainder, which keeps that property (both parts are functions of the
  // exact quotient).
  const __int128 q = sum_ / count_;
  const __int128 r = sum_ % count_;
  return static_cast<double>(q) + static_cast<double>(r) / count_;
}

double RollingWindow::stdev_units() const {
  // Corrected two-pass algorithm (deviations from the mean, minus the
  // rounding error of the mean): no cancellation between large squares.
  const double m = mean_units();
  double sum_d = 0;
  double sum_d2 = 0;
  for (int i = 0; i < count_; ++i) {
    const double d = static_cast<double>(buf_[i]) - m;
    sum_d += d;
    sum_d2 += d * d;
  }
  // buf_[0..count_) are exactly the values held: the ring starts overwriting
  // only once it is full.
  const double var = (sum_d2 - sum_d * sum_d / count_) / count_;
  return var > 0 ? std::sqrt(var) : 0.0;
}

Ema::Ema(int n) : n_(checked_period(n, "EMA")), alpha_(2.0 / (static_cast<double>(n) + 1.0)) {}

Rsi::Rsi(int n) : n_(checked_period(n, "RSI")) {}

void Rsi::update(double close) {
  if (!has_prev_) {
    has_prev_ = true;
    prev_ = close;
    return;
  }
  const double change = close - prev_;
  prev_ = close;
  const double gain = change > 0 ? change : 0.0;
  const double loss = change < 0 ? -change : 0.0;
  if (changes_ < n_) {
    avg_gain_ += gain;  // sums until the n-th change, then the first averages
    avg_loss_ += loss;
    if (++changes_ == n_) {
      avg_gain_ /= n_;
      avg_loss_ /= n_;
    }
    return;
  }
  avg_gain_ = (avg_gain_ * (n_ - 1) + gain) / n_;
  avg_loss_ = (avg_loss_ * (n_ - 1) + loss) / n_;
}

double Rsi::value() const {
  if (avg_loss_ == 0) return 100.0;
  return 100.0 - 100.0 / (1.0 + avg_gain_ / avg_loss_);
}

Macd::Macd(int fast, int slow, int signal) : fast_(fast), slow_(slow), signal_(signal) {}

void Macd::update(double close) {
  fast_.update(close);
  slow_.update(close);
  if (fast_.ready() && slow_.ready()) {
    line_ = fast_.value() - slow_.value();
    signal_.update(line_);
  }
}

Bollinger::Bollinger(int n, double k) : window_(n), k_(k) {}

void Bollinger::update(double close) {
  window_.push(close);
  if (!window_.full()) return;
  const double mean = window_.mean();
  const double width = k_ * (window_.stdev_units() / RollingWindow::kUnitsPerOne);
  value_ = {mean - width, mean, mean + width};
}

void ZScore::update(double close) {
  window_.push(close);
  if (!window_.full()) return;
  const double sd = window_.stdev_units();
  if (sd == 0) {
    value_ = 0;
    return;
  }
  // In 1e-8 units, where the close is exact and the mean rounded once.
  value_ = (static_cast<double>(window_.last_units()) - window_.mean_units()) / sd;
}

}  // namespace td::strategies
