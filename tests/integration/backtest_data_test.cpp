// `tradingd check-data` and `tradingd gen-data` as an operator runs them: exit
// codes, the problem lines and the summary, the generated file (docs/backtest.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/tradingd_run.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;

TEST(BacktestData, GenDataThenCheckData) {
  TempDir dir;
  const std::string a = (dir.path() / "a.csv").string(), b = (dir.path() / "b.csv").string();
  const std::vector<std::string> gen = {
      "gen-data",   "--seed", "11", "--bars", "5000", "--start", "2024-01-02T14:30:00Z",
      "--interval", "5m"};
  auto with_out = [&](std::vector<std::string> args, const std::string& out) {
    args.push_back("--out");
    args.push_back(out);
    return args;
  };
  ASSERT_EQ(run_tradingd(with_out(gen, a)).code, 0);
  ASSERT_EQ(run_tradingd(with_out(gen, b)).code, 0);
  EXPECT_EQ(read_whole_file(a), read_whole_file(b));  // same seed, same bytes
  EXPECT_EQ(read_whole_file(a).substr(0, 53),
            "time,open,high,low,close,volume\n2024-01-02T14:30:00Z,");

  // An existing file is not overwritten without --force.
  auto again = run_tradingd(with_out(gen, a));
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.output.find("exists (not overwritten)"), std::string::npos) << again.output;
  auto forced = with_out(gen, a);
  forced.push_back("--force");
  EXPECT_EQ(run_tradingd(forced).code, 0);

  auto check = run_tradingd({"check-data", a, b, "--interval", "5m"});
  EXPECT_EQ(check.code, 0) << check.output;
  EXPECT_NE(check.output.find(a + ": ok, 5000 rows, 5000 good bars, 0 errors, 0 warnings"),
            std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("interval 5m, gaps 0"), std::string::npos);
}

TEST(BacktestData, CheckDataReportsProblemsWithLinesAndExitsOne) {
  TempDir dir;
  const std::string bad = dir.write("bad.csv",
                                    "time,open,high,low,close,volume\n"
                                    "2024-01-02T14:30:00Z,10,11,9,10,100\n"
                                    "2024-01-02T14:31:00Z,10,11,9\n"
                                    "2024-01-02T14:32:00Z,10,11,9,abc,100\n"
                                    "2024-01-02T15:32:00Z,10,11,9,10,100\n");
  auto r = run_tradingd({"check-data", bad, "--interval", "1m"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find(bad + ":3: error: expected 6 fields, found 4"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(bad + ":4: error: close: not a number: 'abc'"), std::string::npos);
  EXPECT_NE(r.output.find(bad + ":5: warning: gap of 1h2m between line 2 and line 5"),
            std::string::npos);
  EXPECT_NE(r.output.find("errors by kind: bad number 1, wrong field count 1"), std::string::npos);

  const std::string empty = dir.write("empty.csv", "");
  auto e = run_tradingd({"check-data", empty});
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.output.find(empty + ": error: empty file"), std::string::npos) << e.output;

  // Warnings alone do not fail.
  const std::string gappy = dir.write("gappy.csv",
                                      "time,open,high,low,close,volume\n"
                                      "1704205800,10,11,9,10,100\n"
                                      "1704209400,10,11,9,10,100\n");
  EXPECT_EQ(run_tradingd({"check-data", gappy, "--interval", "1m"}).code, 0);
}

TEST(BacktestData, BadUsageExitsTwo) {
  TempDir dir;
  const std::string f = dir.write("f.csv", "time,open,high,low,close,volume\n");
  EXPECT_EQ(run_tradingd({"check-data"}).code, 2);
  auto bad_interval = run_tradingd({"check-data", f, "--interval", "soon"});
  EXPECT_EQ(bad_interval.code, 2);
  EXPECT_NE(bad_interval.output.find("--interval 'soon'"), std::string::npos);
  const std::string out = (dir.path() / "x.csv").string();
  EXPECT_EQ(run_tradingd({"gen-data", "--seed", "1", "--bars", "10", "--out", out}).code,
            2);  // no --start
  EXPECT_EQ(
      run_tradingd({"gen-data", "--seed", "1", "--bars", "0", "--start", "0", "--out", out}).code,
      2);
  auto bad_price = run_tradingd(
      {"gen-data", "--seed", "1", "--bars", "10", "--start", "0", "--price", "x", "--out", out});
  EXPECT_EQ(bad_price.code, 2);
  EXPECT_NE(bad_price.output.find("--price 'x' is not a decimal"), std::string::npos);
  EXPECT_EQ(run_tradingd({"gen-data", "--seed", "1", "--bars", "10", "--start", "0", "--tick", "0",
                          "--out", out})
                .code,
            2);
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace td::testing
