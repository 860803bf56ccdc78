#pragma once
// Bars per year for annualising Sharpe, Sortino and CAGR
// (backtest-semantics.md): 252 for daily bars, 252 x 390 for one-minute bars;
// other intraday lengths scale from the 390-minute US equity session
// (5m: 252 x 78), weekly 52, longer bars 365.25 days / interval.
// backtest.periods_per_year in the configuration overrides it.
#include "core/time.h"

namespace td::backtest {

double periods_per_year(Duration bar_interval);

}  // namespace td::backtest
