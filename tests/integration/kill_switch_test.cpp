// The kill switch through the built binary: signals engage it, it is latched
// in data_dir across a restart, and only a re-arm lets trading resume.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "tests/integration/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using td::testing::lines_containing;
using td::testing::Process;
using td::testing::TempDir;

namespace {

const std::string kBin = td::testing::kTradingdBin;
const std::string kPaper = td::testing::kPaperConfig;
using td::testing::paper_args;

}  // namespace

// "... position SYM qty=Q ..." log lines: (symbol, |Q|) in order.
std::vector<std::pair<std::string, double>> position_lines(const std::string& output) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& line : lines_containing(output, " position ")) {
    const auto sym_at = line.find(" position ") + 10;
    const auto q_at = line.find("qty=");
    if (q_at == std::string::npos) continue;
    out.emplace_back(line.substr(sym_at, line.find(' ', sym_at) - sym_at),
                     std::abs(std::stod(line.substr(q_at + 4, line.find(' ', q_at) - q_at - 4))));
  }
  return out;
}

TEST(KillSwitch, SigusrEngagesAndItSurvivesARestartUntilRearmed) {
  TempDir dir;
  std::map<std::string, double> last_qty;  // |position| per symbol, from the log
  {
    Process p(paper_args(dir));
    ASSERT_TRUE(p.wait_for_text(" fill ", 60s)) << p.output();
    p.signal(SIGUSR2);  // engage and flatten
    ASSERT_TRUE(p.wait_for_text("kill switch engaged by SIGUSR2", 10s)) << p.output();
    // Every position is closed by the flatten orders.
    ASSERT_TRUE(p.wait_for_text("source=flatten", 10s)) << p.output();
    p.signal(SIGTERM);
    auto rc = p.wait_exit(10s);
    ASSERT_TRUE(rc.has_value());
    EXPECT_EQ(*rc, 0) << p.output();
    for (const auto& [sym, q] : position_lines(p.output())) last_qty[sym] = q;
  }
  ASSERT_TRUE(fs::exists(dir.path() / "risk-state"));
  {
    // Restarted: still engaged; strategies' new exposure is denied.
    Process p(paper_args(dir));
    ASSERT_TRUE(p.wait_for_text("kill switch ENGAGED", 30s)) << p.output();
    ASSERT_TRUE(p.wait_for_text("check=kill_switch_engaged", 60s)) << p.output();
    // The positions the store kept are closed, never grown: every position
    // line of this run is nearer zero than the one before it (the first
    // against the last of the previous run).
    for (const auto& [sym, q] : position_lines(p.output())) {
      auto it = last_qty.find(sym);
      ASSERT_NE(it, last_qty.end()) << "a position opened after the restart: " << sym;
      EXPECT_LE(q, it->second) << "the position in " << sym << " grew after the restart";
      it->second = q;
    }
    // An offline re-arm is refused while the daemon holds the data_dir.
    Process r({kBin, "rearm", "--config", kPaper, "--set", "data_dir=" + dir.path().string(),
               "--set", "api.listen=127.0.0.1:0", "--reason", "test"});
    auto rrc = r.wait_exit(10s);
    ASSERT_TRUE(rrc.has_value());
    EXPECT_NE(*rrc, 0) << r.output();
    p.signal(SIGTERM);
    ASSERT_TRUE(p.wait_exit(5s).has_value());
  }
  {
    Process r({kBin, "rearm", "--config", kPaper, "--set", "data_dir=" + dir.path().string(),
               "--set", "api.listen=127.0.0.1:0", "--reason", "checked, resume"});
    auto rc = r.wait_exit(10s);
    ASSERT_TRUE(rc.has_value());
    EXPECT_EQ(*rc, 0) << r.output();
  }
  {
    Process p(paper_args(dir));
    ASSERT_TRUE(p.wait_for_text(" fill ", 60s)) << p.output();
    EXPECT_EQ(p.output().find("kill switch ENGAGED"), std::string::npos);
    p.signal(SIGTERM);
    ASSERT_TRUE(p.wait_exit(5s).has_value());
  }
}

TEST(KillSwitch, TwoDaemonsCannotShareADataDir) {
  TempDir dir;
  Process a(paper_args(dir));
  ASSERT_TRUE(a.wait_for_text("paper mode:", 30s)) << a.output();
  Process b(paper_args(dir));
  auto rc = b.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 1);
  EXPECT_NE(b.output().find("in use"), std::string::npos) << b.output();
  a.signal(SIGTERM);
  ASSERT_TRUE(a.wait_exit(5s).has_value());
}

TEST(KillSwitch, CorruptStateFileStartsHalted) {
  TempDir dir;
  { std::ofstream(dir.path() / "risk-state") << "garbage\n"; }
  Process p(paper_args(dir));
  ASSERT_TRUE(p.wait_for_text("kill switch ENGAGED", 30s)) << p.output();
  p.signal(SIGTERM);
  ASSERT_TRUE(p.wait_exit(5s).has_value());
}

// SIGHUP applies new risk limits from the file; an invalid file changes nothing.
TEST(KillSwitch, SighupAppliesRiskLimits) {
  TempDir dir;
  std::ifstream in(kPaper);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const fs::path cfg = dir.path() / "paper.yaml";
  std::ofstream(cfg) << text;
  Process p({kBin, "run", "--config", cfg.string(), "--set", "data_dir=" + dir.path().string(),
             "--set", "api.listen=127.0.0.1:0"});
  ASSERT_TRUE(p.wait_for_text("paper mode:", 30s)) << p.output();
  const std::string from = "max_order_qty: 1000";
  ASSERT_NE(text.find(from), std::string::npos);
  std::string changed = text;
  changed.replace(changed.find(from), from.size(), "max_order_qty: 1");
  std::ofstream(cfg) << changed;
  p.signal(SIGHUP);
  ASSERT_TRUE(p.wait_for_text("risk limits_changed", 10s)) << p.output();
  // Strategies' orders above one share are now refused by the new limit.
  EXPECT_TRUE(p.wait_for_text("check=max_order_qty", 60s)) << p.output();
  std::string invalid = text;
  invalid.replace(invalid.find(from), from.size(), "max_order_qty: -1");
  std::ofstream(cfg) << invalid;
  p.signal(SIGHUP);
  EXPECT_TRUE(p.wait_for_text("reload refused", 10s)) << p.output();
  p.signal(SIGTERM);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0);
}
