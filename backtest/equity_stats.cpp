#include "backtest/equity_stats.h"

#include <cmath>

namespace td::backtest {
namespace {

std::optional<double> finite_or_null(double v) {
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

}  // namespace

EquityStats::EquityStats(Decimal initial_cash, double periods_per_year)
    : initial_cash_(initial_cash),
      periods_per_year_(periods_per_year),
      last_(initial_cash),
      peak_(initial_cash) {}

void EquityStats::add(Timestamp /*close_time*/, Decimal equity, bool exposed) {
  ++n_;
  if (exposed) ++exposed_;
  // r_t = (E_t - E_{t-1}) / E_{t-1}: the difference is exact, one division in double.
  if (last_.sign() > 0) {
    const double r = (equity - last_).to_double() / last_.to_double();
    const double delta = r - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (r - mean_);
    if (r < 0) {
      downside_sq_ += r * r;
      has_negative_ = true;
    }
  } else {
    returns_undefined_ = true;
  }
  last_ = equity;
  if (equity > peak_) peak_ = equity;
  if (equity < peak_) {
    drawdown_ = peak_.sign() > 0 ? (peak_ - equity).to_double() / peak_.to_double() : 0.0;
    if (drawdown_ > max_drawdown_) max_drawdown_ = drawdown_;
    if (++run_ > max_run_) max_run_ = run_;
  } else {
    drawdown_ = 0;
    run_ = 0;
  }
}

Metrics EquityStats::finish(const std::vector<Trade>& trades, Decimal commissions) const {
  Metrics m;
  m.initial_cash = initial_cash_;
  m.final_equity = n_ == 0 ? initial_cash_ : last_;
  m.net_profit = m.final_equity - initial_cash_;
  m.commissions = commissions;
  m.bars = n_;
  m.periods_per_year = periods_per_year_;
  m.max_drawdown_duration_bars = max_run_;

  const bool initial_positive = initial_cash_.sign() > 0;
  const double growth =
      initial_positive ? m.final_equity.to_double() / initial_cash_.to_double() : 0.0;
  if (initial_positive) m.total_return = m.net_profit.to_double() / initial_cash_.to_double();
  if (initial_positive && n_ > 0 && m.final_equity.sign() > 0)
    m.cagr = finite_or_null(std::pow(growth, periods_per_year_ / static_cast<double>(n_)) - 1.0);
  if (n_ > 0) {
    m.max_drawdown = max_drawdown_;
    m.exposure = static_cast<double>(exposed_) / static_cast<double>(n_);
  }
  const double annual = std::sqrt(periods_per_year_);
  if (!returns_undefined_ && n_ >= 2) {
    const double stdev = std::sqrt(m2_ / static_cast<double>(n_ - 1));
    if (stdev > 0) m.sharpe = finite_or_null(mean_ / stdev * annual);
  }
  if (!returns_undefined_ && has_negative_) {
    const double downside = std::sqrt(downside_sq_ / static_cast<double>(n_));
    if (downside > 0) m.sortino = finite_or_null(mean_ / downside * annual);
  }

  m.trades = trades.size();
  for (const Trade& t : trades) {
    if (t.pnl.sign() > 0) {
      ++m.wins;
      m.gross_profit += t.pnl;
    } else if (t.pnl.sign() < 0) {
      ++m.losses;
      m.gross_loss += t.pnl;
    }
  }
  if (m.trades > 0) m.win_rate = static_cast<double>(m.wins) / static_cast<double>(m.trades);
  if (m.losses > 0) m.profit_factor = m.gross_profit.to_double() / m.gross_loss.abs().to_double();
  return m;
}

}  // namespace td::backtest
