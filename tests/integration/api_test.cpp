// The control API through the built binary: the first-start admin token,
// commands over HTTP reaching the engine, and what they latch in data_dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/integration/process.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using td::testing::body_of;
using td::testing::http_request;
using td::testing::Process;
using td::testing::status_of;
using td::testing::TempDir;
using td::testing::wait_for_listening;

namespace {

const std::string kBin = td::testing::kTradingdBin;
const std::string kPaper = td::testing::kPaperConfig;
using td::testing::paper_args;

std::string token_in(const std::string& output) {
  std::smatch m;
  static const std::regex re("td_[A-Za-z0-9_-]{43}");
  return std::regex_search(output, m, re) ? m.str() : "";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(Api, FirstStartPrintsAnAdminTokenOnceKeepsOnlyItsHashAndItWorks) {
  TempDir dir;
  std::string token;
  {
    Process p(paper_args(dir));
    const int port = wait_for_listening(p, 30s);
    ASSERT_GT(port, 0) << p.output();
    ASSERT_TRUE(p.wait_for_text("/api/v1/status", 10s)) << p.output();
    token = token_in(p.output());
    ASSERT_FALSE(token.empty()) << p.output();
    auto ok = http_request(port, "GET", "/api/v1/status", token);
    EXPECT_EQ(status_of(ok), 200) << ok;
    EXPECT_NE(body_of(ok).find("\"mode\":\"paper\""), std::string::npos);
    EXPECT_EQ(status_of(http_request(port, "GET", "/api/v1/status")), 401);
    EXPECT_EQ(status_of(http_request(port, "GET", "/healthz")), 200);
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(5s), 0) << p.output();
    // The token appears once, in the banner, never in a log line.
    size_t count = 0;
    for (size_t at = p.output().find(token); at != std::string::npos;
         at = p.output().find(token, at + 1))
      ++count;
    EXPECT_EQ(count, 2u) << p.output();  // the token line and the curl example
  }
  const auto hash_file = dir.path() / "api-admin-token.sha256";
  ASSERT_TRUE(fs::exists(hash_file));
  EXPECT_EQ(read_file(hash_file).find(token), std::string::npos);
  EXPECT_EQ(fs::status(hash_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  {
    Process p(paper_args(dir));
    const int port = wait_for_listening(p, 30s);
    ASSERT_GT(port, 0) << p.output();
    EXPECT_TRUE(token_in(p.output()).empty()) << p.output();
    EXPECT_EQ(status_of(http_request(port, "GET", "/api/v1/positions", token)), 200);
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(5s), 0) << p.output();
  }
}

TEST(Api, FlattenOverHttpLatchesTheKillSwitchAndLimitsSurviveARestart) {
  TempDir dir;
  std::string token;
  {
    Process p(paper_args(dir));
    ASSERT_TRUE(p.wait_for_text(" fill ", 60s)) << p.output();
    token = token_in(p.output());
    const int port = wait_for_listening(p, 10s);
    auto f = http_request(port, "POST", "/api/v1/flatten", token, R"({"reason":"it test"})");
    ASSERT_EQ(status_of(f), 202) << f;
    EXPECT_NE(body_of(f).find("\"engaged\":true"), std::string::npos) << f;
    auto l = http_request(port, "PATCH", "/api/v1/risk/limits", token, R"({"max_order_qty":"77"})");
    ASSERT_EQ(status_of(l), 200) << l;
    auto o = http_request(port, "POST", "/api/v1/orders", token,
                          R"({"symbol":"SPY","side":"buy","qty":"1"})");
    EXPECT_EQ(status_of(o), 409) << o;
    EXPECT_NE(body_of(o).find("kill_switch_engaged"), std::string::npos) << o;
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(5s), 0) << p.output();
  }
  {
    Process p(paper_args(dir));
    const int port = wait_for_listening(p, 30s);
    ASSERT_GT(port, 0) << p.output();
    auto ks = http_request(port, "GET", "/api/v1/kill-switch", token);
    EXPECT_NE(body_of(ks).find("\"engaged\":true"), std::string::npos) << ks;
    auto risk = http_request(port, "GET", "/api/v1/risk", token);
    EXPECT_NE(body_of(risk).find("\"max_order_qty\":\"77\""), std::string::npos) << risk;
    // Re-arm over HTTP (admin), then trading resumes.
    auto rearm = http_request(port, "DELETE", "/api/v1/kill-switch", token, R"({"reason":"ok"})");
    EXPECT_EQ(status_of(rearm), 200) << rearm;
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(5s), 0) << p.output();
  }
}

TEST(Api, TradectlDrivesTheDaemon) {
  TempDir dir;
  Process p(paper_args(dir));
  const int port = wait_for_listening(p, 30s);
  ASSERT_GT(port, 0) << p.output();
  ASSERT_TRUE(p.wait_for_text("/api/v1/status", 10s)) << p.output();
  const std::string token = token_in(p.output());
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string token_file = dir.write("token", token + "\n");
  fs::permissions(token_file, fs::perms::owner_read | fs::perms::owner_write);
  auto tradectl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {TRADECTL_BIN, "--url", url, "--token-file", token_file};
    argv.insert(argv.end(), args.begin(), args.end());
    Process c(argv);
    auto rc = c.wait_exit(20s);
    return std::make_pair(rc.value_or(-1), c.output());
  };
  auto [rc, out] = tradectl({"orders", "submit", "SPY", "buy", "3", "--client-order-id", "ctl-1"});
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"client_order_id\": \"ctl-1\""), std::string::npos) << out;
  std::tie(rc, out) = tradectl({"orders", "get", "--client-id", "ctl-1"});
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = tradectl({"positions", "--table"});
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = tradectl({"flatten", "--reason", "tradectl test"});
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = tradectl({"orders", "submit", "SPY", "buy", "3"});
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("error 409 trading-halted (check kill_switch_engaged)"), std::string::npos)
      << out;
  std::tie(rc, out) = tradectl({"kill-switch", "rearm", "--reason", "done"});
  EXPECT_EQ(rc, 0) << out;
  // The stream: a snapshot of each topic first (seq 1, 2), then updates as
  // the paper market moves.
  std::tie(rc, out) = tradectl({"watch", "status", "quotes:SPY", "--count", "4"});
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find(R"("type":"snapshot","topic":"status","seq":1)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("type":"snapshot","topic":"quotes:SPY","seq":2)"), std::string::npos)
      << out;
  EXPECT_NE(out.find(R"("type":"update","topic":"quotes:SPY","seq":4)"), std::string::npos) << out;
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait_exit(5s), 0) << p.output();
}

TEST(Api, ConfigReloadOverHttpAppliesTheFileOrChangesNothing) {
  TempDir dir;
  std::ifstream in(kPaper);
  std::string yaml((std::istreambuf_iterator<char>(in)), {});
  const std::string config = dir.write("tradingd.yaml", yaml);
  Process p({kBin, "run", "--config", config, "--set", "data_dir=" + dir.path().string() + "/var",
             "--set", "api.listen=127.0.0.1:0"});
  const int port = wait_for_listening(p, 30s);
  ASSERT_GT(port, 0) << p.output();
  ASSERT_TRUE(p.wait_for_text("/api/v1/status", 10s)) << p.output();
  const std::string token = token_in(p.output());
  // A limit changed through the API is replaced by the file's at a reload.
  auto l = http_request(port, "PATCH", "/api/v1/risk/limits", token, R"({"max_order_qty":"3"})");
  ASSERT_EQ(status_of(l), 200) << l;
  ASSERT_TRUE(fs::exists(dir.path() / "var" / "risk-limits.json"));
  auto ok = http_request(port, "POST", "/api/v1/config/reload", token);
  ASSERT_EQ(status_of(ok), 200) << ok;
  EXPECT_NE(body_of(ok).find("\"reloaded\":true"), std::string::npos) << ok;
  EXPECT_FALSE(fs::exists(dir.path() / "var" / "risk-limits.json"));
  auto risk = http_request(port, "GET", "/api/v1/risk", token);
  EXPECT_EQ(body_of(risk).find("\"max_order_qty\":\"3\""), std::string::npos) << risk;
  // A broken file: 400 with the errors, nothing changed.
  dir.write("tradingd.yaml", yaml + "\nrisk: {max_order_qty: -5}\n");
  auto bad = http_request(port, "POST", "/api/v1/config/reload", token);
  EXPECT_EQ(status_of(bad), 400) << bad;
  EXPECT_EQ(status_of(http_request(port, "GET", "/healthz")), 200);
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait_exit(5s), 0) << p.output();
}
