#pragma once
// `tradingd check-data` and `tradingd gen-data` (docs/backtest.md, "Data files"
// and "gen-data"), apart from main.cpp's flag parsing so that tests call them
// directly with string streams. Why a command of its own for checking: bad
// data is the most common reason a backtest is wrong, and an operator should
// see every problem in a file with its line before running anything on it.
// Exit codes as tradingd's: 0 fine, 1 problems or failure, 2 bad usage.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "backtest/bar_file.h"
#include "backtest/gen_data.h"
#include "core/time.h"

namespace td::backtest {

// Checks each file: every error as "FILE:LINE: error: ..." ("FILE: error: ..."
// for the file as a whole), gap warnings as "FILE:LINE: warning: ...", all on
// `err`; then a quality summary per file on `out`. 0 when no file has an
// error (warnings allowed), else 1.
int check_data_command(const std::vector<std::string>& files, std::optional<Duration> interval,
                       std::ostream& out, std::ostream& err);

// Writes the bars to out_path (a temporary file moved into place when
// complete). An existing out_path is refused (exit 1) unless `overwrite`;
// options generate_bars refuses are bad usage (exit 2).
int gen_data_command(const GenDataOptions& o, const std::string& out_path, std::ostream& err,
                     bool overwrite = false);

}  // namespace td::backtest
