#pragma once
// One backtest from its inputs to its results: `tradingd backtest` streams
// the CSV files through the loop and leaves report.json, trades.csv,
// equity.csv and report.html in a directory; optimize and walkforward run the
// same loop over bars held in memory and keep only the metrics. Nothing is
// written unless the run succeeds: bad data (unless allowed) leaves the
// output directory as it was.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backtest/backtest_engine.h"
#include "backtest/csv_bar_source.h"
#include "backtest/equity_stats.h"
#include "backtest/trade_ledger.h"
#include "strategies/spec.h"

namespace td::backtest {

struct RunSpec {
  BacktestSettings settings;  // settings.instruments[i] is the symbol of data[i]
  std::vector<strategies::StrategySpec> strategies;
  std::vector<DataFile> data;
  std::optional<Timestamp> from, to;  // bars whose open time is in [from, to)
  bool allow_bad_data = false;
  double periods_per_year = 0;  // 0: from the bar interval (periods.h)
};

struct RunResult {
  Metrics metrics;
  BacktestSummary summary;
  std::vector<Trade> trades;
};

// Trades and metrics as the loop reports fills and bar closes.
class MetricsObserver : public BacktestObserver {
 public:
  MetricsObserver(const BacktestSettings& settings, double periods_per_year);
  void on_fill(const BacktestFill& f) override;
  void on_bar_close(Timestamp t, Decimal equity, bool exposed) override;
  const TradeLedger& ledger() const { return ledger_; }
  TradeLedger& ledger() { return ledger_; }
  const EquityStats& stats() const { return stats_; }

 private:
  const BacktestSettings& settings_;
  TradeLedger ledger_;
  EquityStats stats_;
};

double run_periods_per_year(const RunSpec& spec);

// Builds the strategies and runs the loop over `source`; extra observes too,
// after the metrics (may be null); metrics: the caller's own (its drawdown is
// current when extra sees a bar close), else one of its own. Errors: a
// strategy that cannot be built or added, a failure inside the run.
Result<RunResult> run_once(const RunSpec& spec, BarSource& source,
                           BacktestObserver* extra = nullptr, MetricsObserver* metrics = nullptr);

// The bars of spec.data in [from, to), checked, in memory (for sweeps).
// Every data problem is written to err; bad data is an error unless allowed.
Result<std::vector<SourceBar>> load_bars(const RunSpec& spec, std::ostream& err);

// The data checks a run applies (gaps beyond the bar interval).
DataCheckOptions data_checks(const RunSpec& spec);
// After reading all of `source`: prints every problem; false when they
// refuse the run (errors, and bad data not allowed).
bool data_ok(const RunSpec& spec, const CsvBarSource& source, std::ostream& err);

// `tradingd backtest`: 0 on success (files written to out_dir), 1 when the
// data or the run failed (nothing written). info goes into report.json and
// report.html next to "data" (the files and range read).
int backtest_command(const RunSpec& spec, const std::string& out_dir, nlohmann::json info,
                     std::ostream& out, std::ostream& err);

}  // namespace td::backtest
