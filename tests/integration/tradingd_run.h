#pragma once
// Runs `tradingd ARGS...` to its exit (the one-shot subcommands: backtest,
// check-data, gen-data...) and reads the files they leave.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/integration/process.h"

namespace td::testing {

struct TradingdRun {
  int code = -1;
  std::string output;  // stdout and stderr
};

inline TradingdRun run_tradingd(std::vector<std::string> args) {
  args.insert(args.begin(), kTradingdBin);
  Process p(std::move(args));
  const auto code = p.wait_exit(std::chrono::seconds(120));
  return {code.value_or(-1), p.output()};
}

inline std::string read_whole_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace td::testing
