// tradingd backtest / optimize / walkforward through their library entry
// points, on files in a temporary directory: results are the same bytes with
// 1 and 2 jobs and with 3 shards merged; merges of mixed or incomplete shard
// sets are refused; bad data makes the backtest fail with every problem and
// its line, leaving no report; grid and shard syntax errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "backtest/backtest_run.h"
#include "backtest/gen_data.h"
#include "backtest/sweep.h"
#include "core/decimal.h"

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file). Every
// test file that prints Decimals needs it: gtest's printer is a template, and
// when files disagree the linker keeps one of them for all (the sanitizer
// build once printed bytes in DecimalFormat.TestFailuresPrintDecimalsAsText).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}
}  // namespace td

namespace td::backtest {
namespace {

namespace fs = std::filesystem;

class BacktestSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/td-sweep-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    GenDataOptions g;
    g.seed = 7;
    g.bars = 6000;
    g.start = from_unix_seconds(1704205800);
    g.volatility = 0.4;
    ASSERT_TRUE(generate_bars(g, (dir_ / "spy.csv").string()));
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunSpec spec() const {
    RunSpec s;
    Instrument spy;
    spy.symbol = Symbol("SPY");
    s.settings.instruments = {spy};
    s.settings.slippage_bps = Decimal::from_int(1);
    s.data = {{Symbol("SPY"), (dir_ / "spy.csv").string()}};
    strategies::StrategySpec st;
    st.name = "cross";
    st.type = "sma_cross";
    st.symbols = {Symbol("SPY")};
    st.qty = Decimal::from_int(100);
    st.allow_short = true;
    s.strategies = {st};
    return s;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  int optimize(const Grid& g, size_t jobs, Shard shard, const std::string& out) {
    SweepOptions o;
    o.jobs = jobs;
    o.shard = shard;
    o.fingerprint = "test";
    std::ostringstream sout, serr;
    const int rc = optimize_command(spec(), g, o, path(out), sout, serr);
    EXPECT_EQ(rc, 0) << serr.str();
    return rc;
  }

  fs::path dir_;
};

TEST_F(BacktestSweep, OptimizeIsTheSameWithOneAndTwoJobsAndWithShardsMerged) {
  // 4 x 4 points; fast=20 with slow=20 is invalid (fast must be below slow).
  auto grid = parse_grid("fast=5:20:5,slow=20:50:10");
  ASSERT_TRUE(grid.has_value());
  ASSERT_EQ(grid->size(), 16u);
  optimize(*grid, 1, {}, "one");
  optimize(*grid, 2, {}, "two");
  for (size_t i = 0; i < 3; ++i) optimize(*grid, 2, Shard{i, 3}, "shard" + std::to_string(i));
  std::ostringstream out, err;
  ASSERT_EQ(merge_command({path("shard0"), path("shard1"), path("shard2") + "/results.json"},
                          path("merged"), out, err),
            0)
      << err.str();
  const std::string one = read(dir_ / "one" / "results.json");
  EXPECT_EQ(one, read(dir_ / "two" / "results.json"));
  EXPECT_EQ(one, read(dir_ / "merged" / "results.json"));
  const std::string csv = read(dir_ / "one" / "results.csv");
  EXPECT_EQ(csv, read(dir_ / "two" / "results.csv"));
  EXPECT_EQ(csv, read(dir_ / "merged" / "results.csv"));

  const auto doc = nlohmann::json::parse(one);
  ASSERT_EQ(doc["results"].size(), 16u);
  // Ranked by sharpe, best first; the invalid point last with its error.
  double prev = 1e300;
  for (size_t i = 0; i + 1 < doc["results"].size(); ++i) {
    const auto& m = doc["results"][i]["metrics"];
    ASSERT_TRUE(m.is_object()) << i;
    const double v = m["sharpe"].get<double>();
    EXPECT_LE(v, prev);
    prev = v;
  }
  const auto& last = doc["results"][15];
  EXPECT_TRUE(last["metrics"].is_null());
  EXPECT_EQ(last["params"]["fast"], "20");
  EXPECT_EQ(last["params"]["slow"], "20");
  EXPECT_NE(last["error"].get<std::string>().find("fast"), std::string::npos);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "rank,index,fast,slow,sharpe,sortino,total_return,cagr,max_drawdown,"
            "max_drawdown_duration_bars,trades,win_rate,profit_factor,exposure,net_profit,"
            "commissions,final_equity,error");
}

TEST_F(BacktestSweep, MergeRefusesIncompleteMixedAndRepeatedShards) {
  auto grid = parse_grid("fast=5|10,slow=30|40");
  auto other = parse_grid("fast=5|10,slow=30|50");
  optimize(*grid, 1, Shard{0, 2}, "a0");
  optimize(*grid, 1, Shard{1, 2}, "a1");
  optimize(*other, 1, Shard{1, 2}, "b1");
  std::ostringstream out, err;
  EXPECT_EQ(merge_command({path("a0")}, path("m"), out, err), 1);
  EXPECT_NE(err.str().find("incomplete: 1 of 2 shards"), std::string::npos) << err.str();
  err.str("");
  EXPECT_EQ(merge_command({path("a0"), path("b1")}, path("m"), out, err), 1);
  EXPECT_NE(err.str().find("another sweep"), std::string::npos) << err.str();
  err.str("");
  EXPECT_EQ(merge_command({path("a0"), path("a0")}, path("m"), out, err), 1);
  EXPECT_NE(err.str().find("given twice"), std::string::npos) << err.str();
  err.str("");
  EXPECT_EQ(merge_command({path("nowhere")}, path("m"), out, err), 1);
  EXPECT_NE(err.str().find("cannot read"), std::string::npos) << err.str();
  EXPECT_FALSE(fs::exists(dir_ / "m" / "results.json"));
}

TEST_F(BacktestSweep, WalkForwardIsTheSameWithOneAndTwoJobs) {
  auto grid = parse_grid("fast=5|10,slow=30|60");
  for (bool anchored : {false, true}) {
    std::string docs[2];
    for (size_t jobs : {1u, 2u}) {
      WalkForwardOptions o;
      o.folds = 3;
      o.train_fraction = 0.7;
      o.anchored = anchored;
      o.jobs = jobs;
      std::ostringstream out, err;
      const std::string out_dir = path("wf" + std::to_string(anchored) + std::to_string(jobs));
      ASSERT_EQ(walkforward_command(spec(), *grid, o, out_dir, out, err), 0) << err.str();
      docs[jobs - 1] = read(fs::path(out_dir) / "walkforward.json");
      EXPECT_EQ(read(fs::path(out_dir) / "oos_equity.csv").substr(0, 12), "time,equity\n");
    }
    EXPECT_EQ(docs[0], docs[1]);
    const auto doc = nlohmann::json::parse(docs[0]);
    ASSERT_EQ(doc["fold_results"].size(), 3u);
    // 6000 bar times: test = floor(6000 / (3 + 0.7/0.3)) = 1125, train = 2625.
    EXPECT_EQ(doc["fold_results"][0]["test"]["start"], "2024-01-04T10:15:00.000Z");
    if (anchored) {
      EXPECT_EQ(doc["fold_results"][2]["train"]["start"], "2024-01-02T14:30:00.000Z");
    } else {
      EXPECT_EQ(doc["fold_results"][1]["train"]["start"], "2024-01-03T09:15:00.000Z");
    }
    EXPECT_TRUE(doc["out_of_sample"]["final_equity"].is_string());
    EXPECT_TRUE(doc["parameter_drift"].contains("fast"));
  }
}

TEST_F(BacktestSweep, BadDataFailsWithEveryProblemAndWritesNothing) {
  std::ofstream(path("bad.csv")) << "time,open,high,low,close,volume\n"
                                    "2024-01-02T14:30:00Z,10,11,9,10.5,100\n"
                                    "2024-01-02T14:31:00Z,10,9,9,10.5,100\n"   // high < close
                                    "2024-01-02T14:29:00Z,10,11,9,10.5,100\n"  // unsorted
                                    "2024-01-02T14:32:00Z,10,11,9,abc,100\n"   // non-numeric
                                    "2024-01-02T14:33:00Z,10,11,9\n"           // missing columns
                                    "2024-01-02T14:34:00Z,10,11,9,10.5,100\n";
  RunSpec s = spec();
  s.data = {{Symbol("SPY"), path("bad.csv")}};
  std::ostringstream out, err;
  EXPECT_EQ(backtest_command(s, path("report"), {}, out, err), 1);
  const std::string e = err.str();
  for (const char* want : {"bad.csv:3: error:", "bad.csv:4: error:", "bad.csv:5: error:",
                           "bad.csv:6: error:", "--allow-bad-data"})
    EXPECT_NE(e.find(want), std::string::npos) << want << "\n" << e;
  EXPECT_FALSE(fs::exists(dir_ / "report" / "report.json"));
  EXPECT_FALSE(fs::exists(dir_ / "report" / "equity.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "report" / "equity.csv.partial"));

  s.allow_bad_data = true;
  err.str("");
  EXPECT_EQ(backtest_command(s, path("report"), {}, out, err), 0) << err.str();
  const auto report = nlohmann::json::parse(read(dir_ / "report" / "report.json"));
  EXPECT_EQ(report["data"]["bars"], 2);
  EXPECT_NE(report["warnings"].dump().find("4 bad rows skipped"), std::string::npos)
      << report["warnings"].dump();
  for (const char* f : {"trades.csv", "equity.csv", "report.html"})
    EXPECT_TRUE(fs::exists(dir_ / "report" / f)) << f;
}

TEST_F(BacktestSweep, EmptyFileAndWrongHeaderAreErrors) {
  std::ofstream(path("empty.csv")) << "";
  std::ofstream(path("header.csv")) << "date,o,h,l,c,v\n2024-01-02T14:30:00Z,1,1,1,1,1\n";
  for (const auto& [name, want] :
       {std::pair<std::string, std::string>{"empty.csv", "empty.csv: error: "},
        {"header.csv",
         "header.csv:1: error: wrong header: expected "
         "'time,open,high,low,close,volume', found 'date,o,h,l,c,v'"}}) {
    RunSpec s = spec();
    s.data = {{Symbol("SPY"), path(name)}};
    s.allow_bad_data = true;  // a file that is not bar data is refused all the same
    std::ostringstream out, err;
    EXPECT_EQ(backtest_command(s, path("r"), {}, out, err), 1) << name;
    EXPECT_NE(err.str().find(want), std::string::npos) << err.str();
    EXPECT_FALSE(fs::exists(dir_ / "r" / "report.json"));
  }
}

TEST_F(BacktestSweep, FromAndToSelectTheBars) {
  RunSpec s = spec();
  s.from = from_unix_seconds(1704205800 + 600);
  s.to = from_unix_seconds(1704205800 + 3600);
  std::ostringstream out, err;
  ASSERT_EQ(backtest_command(s, path("r"), {}, out, err), 0) << err.str();
  const auto report = nlohmann::json::parse(read(dir_ / "r" / "report.json"));
  EXPECT_EQ(report["data"]["bars"], 50);
  EXPECT_EQ(report["data"]["first_bar"], "2024-01-02T14:40:00.000Z");
  EXPECT_EQ(report["data"]["last_bar"], "2024-01-02T15:29:00.000Z");
}

TEST(BacktestGrid, Syntax) {
  auto g = parse_grid("fast=5:20:5, slow=20:60:10,k=1.5|2|2.5,n=14,cross.exit=0.1:0.3:0.1");
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_EQ(g->size(), 4u * 5u * 3u * 1u * 3u);
  EXPECT_EQ(g->point(0),
            (std::map<std::string, std::string>{
                {"fast", "5"}, {"slow", "20"}, {"k", "1.5"}, {"n", "14"}, {"cross.exit", "0.1"}}));
  EXPECT_EQ(g->point(1).at("cross.exit"), "0.2");  // the last parameter changes fastest
  EXPECT_EQ(g->point(g->size() - 1).at("fast"), "20");
  for (const char* bad :
       {"", "fast", "fast=", "fast=5:20", "fast=5:20:0", "fast=20:5:1", "fast=a:b:c",
        "fast=1,fast=2", "fa st=1", "fast=1||2", "x=1:1000000:1,y=1:3:1"}) {
    auto r = parse_grid(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().message.rfind("--grid: ", 0), 0u) << r.error().message;
    }
  }
  auto s = parse_shard("2/4");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->contains(6));
  EXPECT_FALSE(s->contains(7));
  for (const char* bad : {"4/4", "1", "a/2", "1/0", "-1/2", "1/2x", ""})
    EXPECT_FALSE(parse_shard(bad).has_value()) << bad;
}

TEST(BacktestGrid, PointsNameAStrategyWhenThereAreSeveral) {
  RunSpec s;
  strategies::StrategySpec a, b;
  a.name = "a";
  b.name = "b";
  s.strategies = {a, b};
  EXPECT_FALSE(apply_point(s, {{"fast", "5"}}).has_value());
  EXPECT_FALSE(apply_point(s, {{"c.fast", "5"}}).has_value());
  auto r = apply_point(s, {{"b.fast", "5"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->strategies[1].params.at("fast"), "5");
  EXPECT_TRUE(r->strategies[0].params.empty());
}

}  // namespace
}  // namespace td::backtest
