#pragma once
// Parameter sweeps over one set of bars held in memory: `tradingd optimize`
// runs every grid point (on all cores), `--shard i/n` runs one slice and
// `--merge` joins slices into the table a single run would have written, and
// `tradingd walkforward` picks the best point in each training window and
// measures it on the window after. Every point is an independent,
// deterministic backtest and results are ordered by (metric, point index), so
// the output does not depend on the number of jobs or shards.
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backtest/backtest_run.h"
#include "backtest/grid.h"

namespace td::backtest {

// The metrics a sweep can rank by; max_drawdown ranks lowest first.
const std::vector<std::string>& sweep_metrics();
bool lower_is_better(const std::string& metric);
std::optional<double> metric_value(const Metrics& m, const std::string& metric);

struct PointResult {
  size_t index = 0;
  std::map<std::string, std::string> params;
  std::optional<Metrics> metrics;  // unset when the point failed
  std::string error;
};

// The spec with a grid point's parameters applied.
Result<RunSpec> apply_point(const RunSpec& base, const std::map<std::string, std::string>& point);

// Runs the given points over `bars` on `jobs` threads; results in `points` order.
std::vector<PointResult> run_points(const RunSpec& base, const Grid& grid,
                                    std::span<const SourceBar> bars,
                                    const std::vector<size_t>& points, size_t jobs);
// The same over a source made per point (make_source is called from the
// worker threads).
std::vector<PointResult> run_points(const RunSpec& base, const Grid& grid,
                                    const std::function<std::unique_ptr<BarSource>()>& make_source,
                                    const std::vector<size_t>& points, size_t jobs,
                                    const std::function<void()>& first_job = {});

// Best first by the metric; points without a value (failed, undefined
// metric) last; ties by point index.
void rank(std::vector<PointResult>& results, const std::string& metric);

struct SweepOptions {
  std::string metric = "sharpe";
  size_t jobs = 1;
  Shard shard;
  std::string fingerprint;  // what the results depend on besides the grid (config, data)
};

// `tradingd optimize`: results.json and results.csv in out_dir. 0 ok, 1 error.
int optimize_command(const RunSpec& spec, const Grid& grid, const SweepOptions& options,
                     const std::string& out_dir, std::ostream& out, std::ostream& err);
// `tradingd optimize --merge`: joins the results.json of every shard
// (directories or files) into out_dir; refuses mixed or incomplete sets.
int merge_command(const std::vector<std::string>& inputs, const std::string& out_dir,
                  std::ostream& out, std::ostream& err);

struct WalkForwardOptions {
  size_t folds = 5;
  double train_fraction = 0.7;  // of each window (rolling) / of the first one (anchored)
  bool anchored = false;
  std::string metric = "sharpe";
  size_t jobs = 1;
};

// `tradingd walkforward`: walkforward.json, folds.csv, oos_equity.csv.
int walkforward_command(const RunSpec& spec, const Grid& grid, const WalkForwardOptions& options,
                        const std::string& out_dir, std::ostream& out, std::ostream& err);

}  // namespace td::backtest
