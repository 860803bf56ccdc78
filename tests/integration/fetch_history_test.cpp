// `tradingd fetch-history` against tradingd-ibsim: bars in the backtest CSV
// format, and a second run that resumes after the file's last bar instead of
// writing any bar twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "core/clock.h"
#include "core/time.h"
#include "tests/integration/ibsim_process.h"
#include "tests/integration/process.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::string iso(Timestamp t) {
  return format_rfc3339(t);
}

TEST(FetchHistory, WritesBacktestCsvAndResumesWithoutDuplicates) {
  IbSimProcess sim;
  TempDir dir;
  const std::string out = (dir.path() / "spy.csv").string();
  const Timestamp now = std::chrono::floor<std::chrono::minutes>(RealClock().now());
  auto run = [&](Timestamp from, Timestamp to) {
    Process p({kTradingdBin, "fetch-history", "--symbol", "SPY", "--bar", "1min", "--from",
               iso(from), "--to", iso(to), "--out", out, "--port", std::to_string(sim.port()),
               "--client-id", "50"});
    return p.wait_exit(60s);
  };
  ASSERT_EQ(run(now - 3h, now - 2h), 0);
  auto first = lines_of(out);
  ASSERT_EQ(first.size(), 61u);  // header + 60 one-minute bars
  EXPECT_EQ(first[0], "time,open,high,low,close,volume");
  EXPECT_EQ(first[1].substr(0, first[1].find(',')), iso(now - 3h));
  // Asked again with a later end: only the bars after the file's last one.
  ASSERT_EQ(run(now - 3h, now - 1h), 0);
  auto second = lines_of(out);
  ASSERT_EQ(second.size(), 121u);
  std::set<std::string> times;
  std::string previous;
  for (size_t i = 1; i < second.size(); ++i) {
    const std::string t = second[i].substr(0, second[i].find(','));
    EXPECT_TRUE(times.insert(t).second) << "duplicate bar " << t;
    EXPECT_LT(previous, t);
    previous = t;
    EXPECT_EQ(std::count(second[i].begin(), second[i].end(), ','), 5) << second[i];
  }
  // A bar size IB does not serve is refused before anything is asked.
  Process bad({kTradingdBin, "fetch-history", "--symbol", "SPY", "--bar", "7min", "--from",
               iso(now - 1h), "--to", iso(now), "--out", out});
  EXPECT_EQ(bad.wait_exit(10s), 2);
  EXPECT_EQ(lines_of(out).size(), 121u);
}

}  // namespace
}  // namespace td::testing
