// `tradingd backtest`, `optimize` and `walkforward` as a user runs them:
// generated data, a configuration file, the report files and their
// contract (report.json keys, trades.csv columns, a self-contained
// report.html), usage errors (exit 2) and failed runs (exit 1, nothing
// written).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/tradingd_run.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class BacktestCli : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_ = (dir_.path() / "spy.csv").string();
    ASSERT_EQ(run_tradingd({"gen-data", "--seed", "5", "--bars", "20000", "--start",
                            "2024-01-02T14:30:00Z", "--interval", "1m", "--out", csv_})
                  .code,
              0);
    config_ = (dir_.path() / "bt.yaml").string();
    std::ofstream(config_) << "instruments: [{symbol: SPY, tick: \"0.01\"}]\n"
                              "backtest: {slippage_bps: 2}\n"
                              "strategies:\n"
                              "  - {name: cross, type: sma_cross, symbols: [SPY], qty: 100,\n"
                              "     allow_short: true, params: {fast: 10, slow: 30}}\n";
  }
  std::string out(const std::string& name) const { return (dir_.path() / name).string(); }

  TempDir dir_;
  std::string csv_, config_;
};

TEST_F(BacktestCli, WritesTheFourReportFiles) {
  const auto r =
      run_tradingd({"backtest", "--config", config_, "--data", "SPY=" + csv_, "--out", out("r")});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("bars 20000"), std::string::npos) << r.output;
  const auto report = nlohmann::json::parse(read_whole_file(fs::path(out("r")) / "report.json"));
  for (const char* k : {"initial_cash", "final_equity", "total_return", "cagr", "sharpe", "sortino",
                        "max_drawdown", "max_drawdown_duration_bars", "trades", "win_rate",
                        "profit_factor", "exposure", "commissions"})
    EXPECT_TRUE(report["metrics"].contains(k)) << k;
  EXPECT_TRUE(report["metrics"]["final_equity"].is_string());
  EXPECT_EQ(report["data"]["bars"], 20000);
  EXPECT_EQ(report["parameters"]["strategies"][0]["params"]["fast"], "10");
  EXPECT_EQ(report["parameters"]["slippage_bps"], "2");
  const std::string trades = read_whole_file(fs::path(out("r")) / "trades.csv");
  EXPECT_EQ(trades.substr(0, trades.find('\n')),
            "entry_time,exit_time,side,qty,entry_price,exit_price,pnl,commission");
  const std::string equity = read_whole_file(fs::path(out("r")) / "equity.csv");
  EXPECT_EQ(std::count(equity.begin(), equity.end(), '\n'), 20001);
  const std::string html = read_whole_file(fs::path(out("r")) / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
}

TEST_F(BacktestCli, UsageAndDataErrors) {
  // Usage: exit 2, nothing written.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"backtest", "--config", config_, "--data", "SPY", "--out", out("u")},
           {"backtest", "--data", "SPY=" + csv_, "--out", out("u")},
           {"backtest", "--config", config_, "--data", "QQQ=" + csv_, "--out", out("u")},
           {"backtest", "--config", config_, "--data", "SPY=" + csv_, "--from", "soon", "--out",
            out("u")},
           {"backtest", "--config", config_, "--data", "SPY=" + csv_, "--set",
            "backtest.slippage_bps=-1", "--out", out("u")},
           {"optimize", "--config", config_, "--data", "SPY=" + csv_, "--grid", "fast=5:1:1",
            "--out", out("u")},
           {"optimize", "--config", config_, "--data", "SPY=" + csv_, "--grid", "fast=5", "--shard",
            "3/3", "--out", out("u")},
           {"walkforward", "--config", config_, "--data", "SPY=" + csv_, "--grid", "fast=5",
            "--train", "100%", "--out", out("u")}}) {
    const auto r = run_tradingd(args);
    EXPECT_EQ(r.code, 2) << args[4] << " " << r.output;
  }
  EXPECT_FALSE(fs::exists(out("u")));
  // A data file that does not exist, and bad rows: exit 1, no report.
  std::ofstream(out("bad.csv")) << "time,open,high,low,close,volume\n"
                                   "2024-01-02T14:30:00Z,10,11,9,10,5\n"
                                   "2024-01-02T14:30:00Z,10,11,9,10,5\n";
  for (const std::string& data : {out("missing.csv"), out("bad.csv")}) {
    const auto r =
        run_tradingd({"backtest", "--config", config_, "--data", "SPY=" + data, "--out", out("f")});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_FALSE(fs::exists(fs::path(out("f")) / "report.json"));
  }
  const auto r = run_tradingd(
      {"backtest", "--config", config_, "--data", "SPY=" + out("bad.csv"), "--out", out("f")});
  EXPECT_NE(r.output.find("bad.csv:3: error: duplicate time"), std::string::npos) << r.output;
}

TEST_F(BacktestCli, OptimizeShardsMergeAndWalkForward) {
  const std::vector<std::string> base = {
      "optimize", "--config", config_, "--data", "SPY=" + csv_, "--grid", "fast=5:15:5,slow=30|50"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  ASSERT_EQ(run_tradingd(with({"--jobs", "2", "--out", out("all")})).code, 0);
  ASSERT_EQ(run_tradingd(with({"--jobs", "1", "--shard", "0/2", "--out", out("s0")})).code, 0);
  ASSERT_EQ(run_tradingd(with({"--jobs", "1", "--shard", "1/2", "--out", out("s1")})).code, 0);
  const auto m =
      run_tradingd({"optimize", "--merge", out("s0"), out("s1"), "--out", out("merged")});
  ASSERT_EQ(m.code, 0) << m.output;
  EXPECT_EQ(read_whole_file(fs::path(out("all")) / "results.json"),
            read_whole_file(fs::path(out("merged")) / "results.json"));
  EXPECT_EQ(read_whole_file(fs::path(out("all")) / "results.csv"),
            read_whole_file(fs::path(out("merged")) / "results.csv"));
  // Another configuration: the shards do not merge.
  std::ofstream(config_, std::ios::app) << "portfolio: {initial_cash: \"50000\"}\n";
  ASSERT_EQ(run_tradingd(with({"--shard", "1/2", "--out", out("other")})).code, 0);
  const auto mixed =
      run_tradingd({"optimize", "--merge", out("s0"), out("other"), "--out", out("m2")});
  EXPECT_EQ(mixed.code, 1);
  EXPECT_NE(mixed.output.find("another sweep"), std::string::npos) << mixed.output;

  const auto wf =
      run_tradingd({"walkforward", "--config", config_, "--data", "SPY=" + csv_, "--grid",
                    "fast=5|10,slow=30|50", "--folds", "3", "--train", "70%", "--out", out("wf")});
  ASSERT_EQ(wf.code, 0) << wf.output;
  const auto doc = nlohmann::json::parse(read_whole_file(fs::path(out("wf")) / "walkforward.json"));
  EXPECT_EQ(doc["fold_results"].size(), 3u);
  EXPECT_TRUE(fs::exists(fs::path(out("wf")) / "oos_equity.csv"));
  EXPECT_NE(wf.output.find("parameter fast:"), std::string::npos) << wf.output;
}

}  // namespace
}  // namespace td::testing
