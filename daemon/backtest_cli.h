#pragma once
// The backtest subcommands of tradingd (docs/backtest.md): `backtest`,
// `optimize` and `walkforward`. They read the same configuration file as the
// daemon (instruments with their ticks and commissions, strategies, risk
// limits, portfolio.initial_cash, the backtest section), so what is tested is
// what will trade. Kept out of main.cpp: it only registers and dispatches.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config.h"

namespace td::daemon {

class BacktestCli {
 public:
  explicit BacktestCli(CLI::App& app);
  // The exit code when one of these subcommands was chosen (after parse).
  std::optional<int> dispatch();

 private:
  struct Common {
    LoadOptions cfg;
    std::vector<std::string> data;  // SYMBOL=FILE.csv
    std::string from, to;
    bool allow_bad_data = false;
    std::string out;
  };
  void add_common(CLI::App* cmd, Common& c, bool data_required);
  int backtest();
  int optimize();
  int walkforward();

  CLI::App* backtest_ = nullptr;
  CLI::App* optimize_ = nullptr;
  CLI::App* walkforward_ = nullptr;
  Common bt_, opt_, wf_;
  std::string opt_grid_, opt_metric_ = "sharpe", opt_shard_;
  std::vector<std::string> opt_merge_;
  size_t opt_jobs_ = 0;
  std::string wf_grid_, wf_metric_ = "sharpe", wf_train_ = "70%";
  size_t wf_folds_ = 5, wf_jobs_ = 0;
  bool wf_anchored_ = false;
};

}  // namespace td::daemon
