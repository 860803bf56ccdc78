#pragma once
// Synthetic bar files (`tradingd gen-data`, docs/backtest.md "gen-data"). Why:
// backtests, benchmarks and demos need large, realistic, valid bar files that
// anyone can recreate from a seed — so the bars come from the simulator's own
// price process (regimes, volatility clustering, gaps) driven by its portable
// RNG and det_math, and the same options give byte-identical files on every
// machine. Every file written passes the data checks of bar_file.h.
#include <cstdint>
#include <ostream>
#include <string>

#include "core/decimal.h"
#include "core/status.h"
#include "core/time.h"

namespace td::backtest {

struct GenDataOptions {
  uint64_t seed = 1;
  uint64_t bars = 0;                            // at least 1
  Duration interval = std::chrono::minutes(1);  // whole seconds
  Timestamp start;                              // the first bar's time, whole seconds
  Decimal price = Decimal::from_units(100 * Decimal::kUnitsPerOne);  // the first open
  double volatility = 0.2, drift = 0.05;  // annualised, in trading time (price_process.h)
  Decimal tick = Decimal::from_units(Decimal::kUnitsPerOne / 100);  // every price a multiple
};

// The options a generation refuses (bars 0, interval not whole seconds, ...),
// with the reason; empty when fine.
Status check_gen_options(const GenDataOptions& o);

// The CSV (header and o.bars rows) to `out`.
Status generate_bars(const GenDataOptions& o, std::ostream& out);
// The CSV to `path`, written to a temporary file beside it and moved into
// place only when complete. An existing `path` is refused unless `overwrite`.
Status generate_bars(const GenDataOptions& o, const std::string& path, bool overwrite = false);

}  // namespace td::backtest
