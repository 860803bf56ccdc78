#pragma once
// Streaming technical indicators, fed one closed bar at a time, with the exact
// definitions of docs/backtest-semantics.md (TA-Lib's): SMA, EMA, RSI (Wilder),
// MACD, Bollinger bands, Z-score.
//
// Why double: indicators are derived values, never reconciled with a broker,
// and they only feed comparisons, so they run on double (as TA-Lib does);
// prices arrive as td::Decimal and are converted with Decimal::to_double().
// Why the window sum is exact: rules compare means with each other or with a
// close (SMA(fast) > SMA(slow), close > SMA(n)). On cent prices such means are
// often *exactly* equal, and a drifting double running sum would decide those
// ties at random. RollingWindow therefore sums prices exactly in units of
// 1e-8 (td::Decimal's unit): equal means compare equal, a flat window has a
// mean equal to its close and a standard deviation of exactly 0, and nothing
// drifts over millions of bars.
//
// Every indicator: update(close) feeds a bar, ready() says whether value() is
// defined yet (TA-Lib's lookback: SMA(n) after n bars, RSI(n) after n+1 ...),
// value() before ready() is meaningless. Nothing allocates after construction;
// SMA updates are O(1), standard deviations O(n) (two passes over the window,
// for precision).
#include <cstdint>
#include <vector>

namespace td::strategies {

// The last n prices and their exact sum. Inputs are prices with at most 8
// decimals (a td::Decimal converted to double); finer digits are rounded to
// 1e-8. Exact while |price| < 2e7 (a double then round-trips its 1e-8 units);
// inputs must be finite and within td::Decimal's range (|x| < 9.2e10).
class RollingWindow {
 public:
  explicit RollingWindow(int n);  // n >= 1, else std::invalid_argument

  void push(double x) {
    const int64_t u = to_units(x);
    if (count_ == n_) {
      sum_ -= buf_[next_];
    } else {
      ++count_;
    }
    buf_[next_] = u;
    sum_ += u;
    if (++next_ == n_) next_ = 0;
  }

  int period() const { return n_; }
  int count() const { return count_; }  // values held, up to period()
  bool full() const { return count_ == n_; }
  // The newest value, in 1e-8 units (count() > 0).
  int64_t last_units() const { return buf_[next_ == 0 ? n_ - 1 : next_ - 1]; }
  // Mean of the values held (count() > 0). Equal exact means give equal doubles.
  double mean() const { return mean_units() / kUnitsPerOne; }
  // Mean in 1e-8 units, one rounding of the exact quotient.
  double mean_units() const {
    // Inline fast path (a double holds integers below 2^53 exactly).
    constexpr __int128 kExact = __int128{1} << 53;
    if (sum_ > -kExact && sum_ < kExact)
      return static_cast<double>(static_cast<int64_t>(sum_)) / count_;
    return mean_units_large();
  }
  // Population standard deviation (divide by count()) in 1e-8 units; 0 for a
  // window of equal values. Two passes over the window: O(n).
  double stdev_units() const;

  static constexpr double kUnitsPerOne = 1e8;
  static int64_t to_units(double x) {
    const double scaled = x * kUnitsPerOne;
    return static_cast<int64_t>(scaled + (scaled >= 0 ? 0.5 : -0.5));
  }

 private:
  double mean_units_large() const;
  std::vector<int64_t> buf_;
  int n_;
  int next_ = 0;
  int count_ = 0;
  __int128 sum_ = 0;
};

// Simple moving average: mean of the last n closes including the current one;
// undefined for the first n-1 bars.
class Sma {
 public:
  explicit Sma(int n) : window_(n) {}
  void update(double close) { window_.push(close); }
  bool ready() const { return window_.full(); }
  double value() const { return window_.mean(); }
  int period() const { return window_.period(); }

 private:
  RollingWindow window_;
};

// Exponential moving average: alpha = 2/(n+1), seeded with the SMA of the
// first n values (TA-Lib's default); defined from the n-th value on.
class Ema {
 public:
  explicit Ema(int n);
  void update(double x) {
    if (count_ < n_) {
      seed_sum_ += x;
      if (++count_ == n_) value_ = seed_sum_ / n_;
    } else {
      value_ = (x - value_) * alpha_ + value_;  // TA-Lib's operation order
    }
  }
  bool ready() const { return count_ == n_; }
  double value() const { return value_; }
  int period() const { return n_; }

 private:
  int n_;
  int count_ = 0;
  double alpha_;
  double seed_sum_ = 0;
  double value_ = 0;
};

// Wilder's RSI(n): the first average gain/loss is the simple mean of the first
// n changes (so it needs n+1 closes), then avg = (avg*(n-1) + x)/n.
// RSI = 100 - 100/(1 + avg_gain/avg_loss), and 100 when avg_loss is 0 (also
// when nothing moved at all; TA-Lib would say 0 there).
class Rsi {
 public:
  explicit Rsi(int n);
  void update(double close);
  bool ready() const { return changes_ >= n_; }
  double value() const;
  double avg_gain() const { return avg_gain_; }
  double avg_loss() const { return avg_loss_; }
  int period() const { return n_; }

 private:
  int n_;
  int changes_ = 0;  // saturates at n
  bool has_prev_ = false;
  double prev_ = 0;
  double avg_gain_ = 0;  // running sums until n changes are seen
  double avg_loss_ = 0;
};

// MACD(fast, slow, signal): line = EMA(fast) - EMA(slow), defined once both
// EMAs are (bar `slow`; each EMA seeded with the SMA of its own first values
// as backtest-semantics.md says); signal = EMA(signal) of the line values,
// seeded with the SMA of the first `signal` of them; ready() once the signal
// is, i.e. after slow + signal - 1 bars.
class Macd {
 public:
  struct Value {
    double macd = 0;
    double signal = 0;
    double histogram = 0;  // macd - signal
  };
  Macd(int fast, int slow, int signal);
  void update(double close);
  bool ready() const { return signal_.ready(); }
  Value value() const { return {line_, signal_.value(), line_ - signal_.value()}; }

 private:
  Ema fast_, slow_, signal_;
  double line_ = 0;
};

// Bollinger(n, k): SMA(n) -/+ k * population standard deviation of the last n
// closes; defined from bar n on.
class Bollinger {
 public:
  struct Value {
    double lower = 0;
    double middle = 0;  // SMA(n)
    double upper = 0;
  };
  Bollinger(int n, double k);
  void update(double close);
  bool ready() const { return window_.full(); }
  Value value() const { return value_; }

 private:
  RollingWindow window_;
  double k_;
  Value value_;
};

// Z-score(n) = (close - SMA(n)) / population stdev(n); defined from bar n on.
// A window of equal values has stdev 0 and the close equals the mean: z = 0.
class ZScore {
 public:
  explicit ZScore(int n) : window_(n) {}
  void update(double close);
  bool ready() const { return window_.full(); }
  double value() const { return value_; }

 private:
  RollingWindow window_;
  double value_ = 0;
};

}  // namespace td::strategies
