#pragma once
// The report's performance metrics, computed while the backtest runs: one
// add() per bar close, constant memory however many bars (a 10-million-bar
// run must not keep its equity curve). The definitions are exact and written
// down in docs/backtest.md ("Metrics") so that an independent implementation
// can reproduce every number: money stays td::Decimal, only the ratios
// (returns, Sharpe, drawdown fractions) are double.
#include <cstdint>
#include <optional>
#include <vector>

#include "backtest/trade_ledger.h"
#include "core/decimal.h"
#include "core/time.h"

namespace td::backtest {

struct Metrics {
  Decimal initial_cash, final_equity, net_profit, commissions, gross_profit, gross_loss;
  uint64_t bars = 0, trades = 0, wins = 0, losses = 0;
  std::optional<double> total_return, cagr, sharpe, sortino, max_drawdown, win_rate, profit_factor,
      exposure;
  int64_t max_drawdown_duration_bars = 0;
  double periods_per_year = 0;
};

class EquityStats {
 public:
  EquityStats(Decimal initial_cash, double periods_per_year);
  // Once per bar close (per distinct bar time): the equity then and whether
  // any position was open during the bar.
  void add(Timestamp close_time, Decimal equity, bool exposed);
  Metrics finish(const std::vector<Trade>& trades, Decimal commissions) const;
  // Current (peak - equity) / peak, for the equity CSV.
  double drawdown() const { return drawdown_; }
  Decimal peak() const { return peak_; }

 private:
  Decimal initial_cash_;
  double periods_per_year_;
  Decimal last_;  // E_{t-1} (initial_cash before the first bar)
  Decimal peak_;
  uint64_t n_ = 0, exposed_ = 0;
  // Welford's running mean and sum of squared deviations of the returns.
  double mean_ = 0, m2_ = 0;
  double downside_sq_ = 0;  // sum of min(r, 0)^2
  bool has_negative_ = false;
  bool returns_undefined_ = false;  // a previous equity <= 0: no return is defined
  double drawdown_ = 0, max_drawdown_ = 0;
  int64_t run_ = 0, max_run_ = 0;  // consecutive bars below the peak
};

}  // namespace td::backtest
