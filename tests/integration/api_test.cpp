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
using td::testing::listening_port;
using td::testing::Process;
using td::testing::status_of;
using td::testing::TempDir;

namespace {

const std::string kBin = TRADINGD_BIN;
const std::string kPaper = std::string(TRADINGD_SOURCE_DIR) + "/config/paper.yaml";

std::vector<std::string> paper_args(const TempDir& d) {
  return {kBin,       "run",
          "--config", kPaper,
          "--set",    "data_dir=" + d.path().string(),
          "--set",    "api.listen=127.0.0.1:0"};
}

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
    ASSERT_TRUE(p.wait_for_text("listening on http://", 30s)) << p.output();
    ASSERT_TRUE(p.wait_for_text("/api/v1/status", 10s)) << p.output();
    token = token_in(p.output());
    ASSERT_FALSE(token.empty()) << p.output();
    const int port = listening_port(p.output());
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
    ASSERT_TRUE(p.wait_for_text("listening on http://", 30s)) << p.output();
    EXPECT_TRUE(token_in(p.output()).empty()) << p.output();
    const int port = listening_port(p.output());
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
    const int port = listening_port(p.output());
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
    ASSERT_TRUE(p.wait_for_text("listening on http://", 30s)) << p.output();
    const int port = listening_port(p.output());
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
