// The built tradingd binary, run as an operator runs it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "tests/integration/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using td::testing::lines_containing;
using td::testing::Process;
using td::testing::TempDir;

namespace {

const std::string kBin = TRADINGD_BIN;
const std::string kPaper = std::string(TRADINGD_SOURCE_DIR) + "/config/paper.yaml";

bool has_all(const std::string& out, std::initializer_list<const char*> needles) {
  for (const char* n : needles)
    if (out.find(n) == std::string::npos) return false;
  return true;
}

}  // namespace

// The acceptance run: the paper config as scripts/run uses it trades within a
// minute, and SIGTERM stops it cleanly (exit 0) within 5 s.
TEST(Daemon, PaperModeTradesThenStopsOnSigterm) {
  TempDir dir;
  Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
             "api.listen=127.0.0.1:0"});
  const bool traded = p.wait_for(
      [](const std::string& o) {
        return has_all(o, {" order ", " fill ", " position ", " pnl equity="});
      },
      60s);
  EXPECT_TRUE(traded) << p.output();
  p.signal(SIGTERM);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value()) << "did not stop within 5 s\n" << p.output();
  EXPECT_EQ(*rc, 0) << p.output();
  EXPECT_NE(p.output().find("stopping (SIGTERM)"), std::string::npos);
  EXPECT_NE(p.output().find("[info] stopped"), std::string::npos);
}

// config.md start-up contract: one "listening on" line, then GET /healthz.
TEST(Daemon, ListensAndAnswersHealthz) {
  TempDir dir;
  Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
             "api.listen=127.0.0.1:0"});
  const int port = td::testing::wait_for_listening(p, 30s);
  ASSERT_GT(port, 0) << p.output();
  const std::string ok = td::testing::http_get(port, "/healthz");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok;
  EXPECT_NE(ok.find(R"({"status":"ok"})"), std::string::npos) << ok;
  EXPECT_NE(ok.find("X-Request-Id"), std::string::npos) << ok;
  const std::string missing = td::testing::http_get(port, "/nope");
  EXPECT_EQ(missing.rfind("HTTP/1.1 404", 0), 0u) << missing;
  EXPECT_NE(missing.find("application/problem+json"), std::string::npos) << missing;
  EXPECT_EQ(lines_containing(p.output(), "listening on").size(), 1u);
  p.signal(SIGTERM);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << p.output();
}

// The CPUs a thread of `pid` may run on ("0", "1", "0-3"), by its name (comm).
std::map<std::string, std::string> thread_cpus(int pid) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(e.path() / "status");
    std::string line, name, cpus;
    while (std::getline(in, line)) {
      if (line.rfind("Name:", 0) == 0) name = line.substr(line.find_first_not_of(" \t", 5));
      if (line.rfind("Cpus_allowed_list:", 0) == 0)
        cpus = line.substr(line.find_first_not_of(" \t", 18));
    }
    out[name + "/" + e.path().filename().string()] = cpus;
  }
  return out;
}

// engine.cpu: the engine thread (the main thread) on that CPU, the API
// threads on the others (docs/configuration.md).
TEST(Daemon, EngineCpuPinsTheEngineAndMovesTheApiThreadsAway) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs two CPUs";
  TempDir dir;
  Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
             "api.listen=127.0.0.1:0", "--set", "engine.cpu=0", "--set", "api.threads=2"});
  ASSERT_GT(td::testing::wait_for_listening(p, 30s), 0) << p.output();
  ASSERT_TRUE(p.wait_for_text("engine thread pinned to CPU 0", 5s)) << p.output();
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  const std::string away = n == 2 ? "1" : "1-" + std::to_string(n - 1);
  // The API threads pin themselves as they start, which may be just after
  // the "listening on" line: wait for it (with a deadline).
  auto pinned = [&] {
    int engine = 0, api = 0, stray = 0;
    for (const auto& [thread, allowed] : thread_cpus(p.pid())) {
      if (thread == "tradingd/" + std::to_string(p.pid()))
        engine += allowed == "0" ? 1 : 0;
      else if (allowed == "0")
        ++stray;  // only the engine thread may be on CPU 0 alone
      else if (allowed == away)
        ++api;
    }
    return engine == 1 && stray == 0 && api >= 2;
  };
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!pinned() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_TRUE(pinned()) << "engine thread on CPU 0 alone, both API threads on the others";
  p.signal(SIGTERM);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << p.output();
}

// A CPU the machine does not have: a warning, nothing pinned, the daemon runs.
TEST(Daemon, EngineCpuBeyondTheMachineIsAWarningAndPinsNothing) {
  TempDir dir;
  Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
             "api.listen=127.0.0.1:0", "--set", "engine.cpu=1023"});
  ASSERT_GT(td::testing::wait_for_listening(p, 30s), 0) << p.output();
  EXPECT_NE(p.output().find("engine.cpu 1023: this machine has CPUs 0.."), std::string::npos)
      << p.output();
  EXPECT_EQ(p.output().find("engine thread pinned"), std::string::npos) << p.output();
  if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
    for (const auto& [thread, allowed] : thread_cpus(p.pid()))
      EXPECT_NE(allowed, "0") << thread << ": nothing is pinned";
  }
  p.signal(SIGTERM);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << p.output();
}

TEST(Daemon, PortInUseIsAClearError) {
  TempDir a_dir, b_dir;
  Process a({kBin, "run", "--config", kPaper, "--set", "data_dir=" + a_dir.path().string(), "--set",
             "api.listen=127.0.0.1:0"});
  const int port = td::testing::wait_for_listening(a, 30s);
  ASSERT_GT(port, 0) << a.output();
  Process b({kBin, "run", "--config", kPaper, "--set", "data_dir=" + b_dir.path().string(), "--set",
             "api.listen=127.0.0.1:" + std::to_string(port)});
  auto rc = b.wait_exit(30s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 1);
  EXPECT_NE(b.output().find("in use"), std::string::npos) << b.output();
  a.signal(SIGTERM);
  ASSERT_TRUE(a.wait_exit(5s).has_value());
}

TEST(Daemon, SigintStopsCleanly) {
  TempDir dir;
  Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
             "api.listen=127.0.0.1:0"});
  ASSERT_TRUE(p.wait_for_text("paper mode:", 30s)) << p.output();
  p.signal(SIGINT);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value()) << p.output();
  EXPECT_EQ(*rc, 0) << p.output();
}

// Same seed, simulated clock: byte-identical fill logs.
TEST(Daemon, SameSeedGivesIdenticalFills) {
  auto run_once = [&] {
    TempDir dir;  // a fresh store each time: a second run over the same one continues it
    Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
               "api.listen=127.0.0.1:0", "--set", "market.speed=0", "--set",
               "market.start=2026-01-05T14:30:00Z", "--set", "market.duration=8h"});
    auto rc = p.wait_exit(120s);
    EXPECT_TRUE(rc.has_value() && *rc == 0) << p.output();
    return lines_containing(p.output(), " fill ");
  };
  const auto a = run_once();
  const auto b = run_once();
  ASSERT_GT(a.size(), 10u) << "too few fills to compare";
  EXPECT_EQ(a, b);
}

TEST(Daemon, DifferentSeedGivesDifferentFills) {
  TempDir dir;
  auto run_seed = [&](const char* seed) {
    Process p({kBin, "run", "--config", kPaper, "--set", "data_dir=" + dir.path().string(), "--set",
               "api.listen=127.0.0.1:0", "--set", "market.speed=0", "--set",
               "market.start=2026-01-05T14:30:00Z", "--set", "market.duration=4h", "--set",
               std::string("market.seed=") + seed});
    auto rc = p.wait_exit(120s);
    EXPECT_TRUE(rc.has_value() && *rc == 0) << p.output();
    return lines_containing(p.output(), " fill ");
  };
  EXPECT_NE(run_seed("1"), run_seed("2"));
}

TEST(Daemon, VersionPrints) {
  Process p({kBin, "version"});
  auto rc = p.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0);
  EXPECT_NE(p.output().find("tradingd "), std::string::npos);
}

TEST(Daemon, ShippedConfigsValidate) {
  for (const auto& entry : fs::directory_iterator(std::string(TRADINGD_SOURCE_DIR) + "/config")) {
    if (entry.path().extension() != ".yaml") continue;
    Process p({kBin, "validate-config", entry.path().string()});
    auto rc = p.wait_exit(10s);
    ASSERT_TRUE(rc.has_value());
    EXPECT_EQ(*rc, 0) << entry.path() << "\n" << p.output();
  }
}

// Every error at once, each with key and line; run starts nothing.
TEST(Daemon, ValidateConfigWarnsAboutALivePortWithoutALossLimit) {
  const std::string live = std::string(TRADINGD_SOURCE_DIR) + "/config/ib-live.yaml";
  Process p({kBin, "validate-config", live, "--set", "risk.daily_loss_limit=0"});
  auto rc = p.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << p.output();  // a warning, not an error
  EXPECT_NE(p.output().find("warning: broker.ib.port 4001 is a LIVE port and "
                            "risk.daily_loss_limit is off (0)"),
            std::string::npos)
      << p.output();
}

TEST(Daemon, BadConfigListsEveryErrorAndStartsNothing) {
  TempDir dir;
  const std::string bad = dir.write("bad.yaml",
                                    "mode: paper\n"                                      // 1
                                    "market:\n"                                          // 2
                                    "  speed: -3\n"                                      // 3
                                    "  sede: 4\n"                                        // 4
                                    "risk:\n"                                            // 5
                                    "  max_order_qty: -1\n"                              // 6
                                    "  daily_loss_limit: lots\n"                         // 7
                                    "instruments:\n"                                     // 8
                                    "  - {symbol: SPY}\n"                                // 9
                                    "strategies:\n"                                      // 10
                                    "  - {name: a, type: sma_crossover, symbol: SPY}\n"  // 11
                                    "  - {name: b, type: sma_cross, symbol: SPY,\n"      // 12
                                    "     params: {fast: 10, slowish: 30}}\n");          // 13
  Process v({kBin, "validate-config", bad});
  auto rc = v.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2);
  const std::string& out = v.output();
  for (const char* expect : {":3: market.speed", ":4: market.sede", ":6: risk.max_order_qty",
                             ":7: risk.daily_loss_limit", ":11: strategies[0].type",
                             ":13: strategies[1].params.slowish"}) {
    EXPECT_NE(out.find(expect), std::string::npos) << "missing '" << expect << "' in\n" << out;
  }

  Process r({kBin, "run", "--config", bad});
  rc = r.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2);
  EXPECT_NE(r.output().find("refusing to start"), std::string::npos) << r.output();
  EXPECT_EQ(r.output().find("paper mode:"), std::string::npos) << r.output();
}

TEST(Daemon, BadYamlSyntaxAndBadOverride) {
  TempDir dir;
  const std::string broken = dir.write("broken.yaml", "mode: paper\nmarket: [1, 2\n");
  Process v({kBin, "validate-config", broken});
  auto rc = v.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2) << v.output();
  EXPECT_NE(v.output().find("broken.yaml:"), std::string::npos) << v.output();

  Process s({kBin, "run", "--config", kPaper, "--set", "risk.max_order_qty=-5"});
  rc = s.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2) << s.output();
  EXPECT_NE(s.output().find("risk.max_order_qty"), std::string::npos) << s.output();
}

TEST(Daemon, MissingConfigFileIsAnError) {
  Process p({kBin, "run", "--config", "/nonexistent/tradingd.yaml"});
  auto rc = p.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2) << p.output();
}

TEST(Daemon, UnknownSubcommandOrFlagIsUsageError) {
  Process p({kBin, "frobnicate"});
  auto rc = p.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2);
  Process q({kBin, "run", "--config", kPaper, "--bogus"});
  rc = q.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2);
}

// A reload that fails validation changes nothing and the daemon keeps running.
TEST(Daemon, SighupWithBrokenFileKeepsRunning) {
  TempDir dir;
  std::ifstream in(kPaper);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const std::string cfg = dir.write("paper.yaml", text);
  Process p({kBin, "run", "--config", cfg, "--set", "data_dir=" + dir.path().string(), "--set",
             "api.listen=127.0.0.1:0"});
  ASSERT_TRUE(p.wait_for_text("paper mode:", 30s)) << p.output();
  dir.write("paper.yaml", "mode: [\n");
  p.signal(SIGHUP);
  EXPECT_TRUE(p.wait_for_text("reload refused", 10s)) << p.output();
  p.signal(SIGTERM);
  auto rc = p.wait_exit(5s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0);
}

TEST(Daemon, TokenNewPrintsATokenAndItsConfigEntry) {
  Process p({kBin, "token", "new", "--name", "ops", "--role", "trader"});
  auto rc = p.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << p.output();
  EXPECT_NE(p.output().find("  td_"), std::string::npos) << p.output();
  const auto entry = lines_containing(p.output(), "sha256: \"");
  ASSERT_EQ(entry.size(), 1u) << p.output();
  EXPECT_NE(entry[0].find("role: trader"), std::string::npos) << entry[0];
  Process bad({kBin, "token", "new", "--name", "ops", "--role", "root"});
  rc = bad.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2) << bad.output();
  Process badname({kBin, "token", "new", "--name", "a b", "--role", "viewer"});
  rc = badname.wait_exit(10s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 2) << badname.output();
}
