#include "backtest/periods.h"

#include <chrono>

namespace td::backtest {

double periods_per_year(Duration bar_interval) {
  using namespace std::chrono;
  const double secs = duration<double>(bar_interval).count();
  if (secs <= 0) return 252.0 * 390.0;
  const double day = 86400.0;
  if (secs < day) {
    // Intraday: the US equity session has 390 minutes.
    const double per_day = (390.0 * 60.0) / secs;
    return 252.0 * (per_day < 1.0 ? 1.0 : per_day);
  }
  if (secs == day) return 252.0;
  if (secs == 7 * day) return 52.0;
  return 365.25 * day / secs;
}

}  // namespace td::backtest
