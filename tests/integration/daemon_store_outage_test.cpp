// The store going away under a running daemon (issue 6, "Store outage"):
// tradingd in paper mode on a PostgreSQL the test owns; the server is
// stopped (and once SIGKILLed) while orders flow. New orders are refused
// within 1 s, readiness drops, the kill switch still engages and flattens,
// and when the server returns every buffered record lands and nothing that
// was acknowledged is missing.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "persistence/pg_conn.h"
#include "tests/integration/process.h"
#include "tests/support/pg_test_cluster.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string token_in(const std::string& output) {
  std::smatch m;
  static const std::regex re("td_[A-Za-z0-9_-]{43}");
  return std::regex_search(output, m, re) ? m.str() : "";
}

// Polls pred() until it holds, draining the daemon's output meanwhile.
bool wait_until(Process& d, const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() >= deadline) return false;
    d.wait_for([](const std::string&) { return false; }, 20ms);
  }
  return true;
}

std::string order_body(const std::string& cid, const char* side = "buy") {
  return json{
      {"symbol", "SPY"}, {"side", side}, {"qty", "1"}, {"type", "market"}, {"client_order_id", cid}}
      .dump();
}

int64_t count(persistence::PgConn& c, const std::string& sql) {
  auto r = c.query(sql);
  if (!r || r->rows() != 1) return -1;
  return std::stoll(std::string(r->get(0, 0)));
}

class DaemonStoreOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    pg = td::test::PgTestCluster::start();
    std::vector<std::string> args = paper_args(dir);
    // No strategies: the orders in the store are the test's and the flatten's.
    args.insert(args.end(), {"--set", "database.dsn=" + pg->dsn(), "--set", "strategies=[]"});
    daemon = std::make_unique<Process>(args);
    port = wait_for_listening(*daemon, 60s);
    ASSERT_GT(port, 0) << daemon->output();
    ASSERT_TRUE(daemon->wait_for([](const std::string& o) { return !token_in(o).empty(); }, 10s))
        << daemon->output();
    token = token_in(daemon->output());
    ASSERT_TRUE(wait_until(
        *daemon, [&] { return status_of(http_get(port, "/readyz")) == 200; }, 30s))
        << daemon->output();
  }
  void TearDown() override {
    if (daemon) {
      daemon->signal(SIGTERM);
      daemon->wait_exit(20s);
    }
  }
  int post_order(const std::string& cid, const char* side = "buy") {
    return status_of(http_request(port, "POST", "/api/v1/orders", token, order_body(cid, side)));
  }
  persistence::PgConn db() {
    auto c = persistence::PgConn::connect(pg->dsn());
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }

  TempDir dir;
  std::unique_ptr<td::test::PgTestCluster> pg;
  std::unique_ptr<Process> daemon;
  int port = 0;
  std::string token;
};

TEST_F(DaemonStoreOutage, StoppedServerRefusesOrdersWithinASecondKillSwitchStillFlattens) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(post_order("before-" + std::to_string(i)), 201);
  ASSERT_TRUE(wait_until(
      *daemon,
      [&] {
        auto r = json::parse(body_of(http_request(port, "GET", "/api/v1/positions", token)),
                             nullptr, false);
        return r.is_object() && r["positions"].size() == 1 && r["positions"][0]["qty"] == "5";
      },
      20s))
      << daemon->output();

  ASSERT_TRUE(pg->cluster().stop());
  const auto stopped = Clock::now();
  int n = 0;
  ASSERT_TRUE(wait_until(
      *daemon, [&] { return post_order("during-" + std::to_string(n++)) == 503; }, 5s))
      << daemon->output();
  const auto refused_after = Clock::now() - stopped;
  EXPECT_LT(refused_after, 1s)
      << "new orders refused only after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(refused_after).count() << " ms";
  // Refused orders left nothing behind: a retry once the store is back is new.
  const std::string refused =
      http_request(port, "POST", "/api/v1/orders", token, order_body("refused-one"));
  EXPECT_EQ(status_of(refused), 503);
  EXPECT_NE(body_of(refused).find("unavailable"), std::string::npos) << refused;
  const json ready = json::parse(body_of(http_get(port, "/readyz")), nullptr, false);
  EXPECT_EQ(ready["status"], "not_ready");
  EXPECT_EQ(ready["store"]["connected"], false);

  // The kill switch engages and flattens with the database away.
  const std::string ks = http_request(port, "POST", "/api/v1/kill-switch", token,
                                      R"({"reason":"store outage drill","flatten":true})");
  ASSERT_EQ(status_of(ks), 200) << ks;
  ASSERT_TRUE(wait_until(
      *daemon,
      [&] {
        auto r = json::parse(body_of(http_request(port, "GET", "/api/v1/positions", token)),
                             nullptr, false);
        return r.is_object() && r["positions"].empty();
      },
      20s))
      << daemon->output();

  // The server returns: every buffered record lands.
  ASSERT_TRUE(pg->cluster().start_again());
  ASSERT_TRUE(wait_until(
      *daemon, [&] { return status_of(http_get(port, "/readyz")) == 200; }, 20s))
      << daemon->output();
  auto c = db();
  ASSERT_TRUE(wait_until(
      *daemon,
      [&] {
        return count(c,
                     "SELECT count(*) FROM orders WHERE source = 'flatten' AND status = "
                     "'filled'") == 1 &&
               count(c, "SELECT count(*) FROM positions WHERE qty <> 0") == 0;
      },
      20s))
      << daemon->output();
  EXPECT_EQ(count(c,
                  "SELECT count(*) FROM orders WHERE client_order_id LIKE 'before-%' AND "
                  "status = 'filled'"),
            5);
  EXPECT_EQ(count(c, "SELECT count(*) FROM orders WHERE client_order_id = 'refused-one'"), 0);
  EXPECT_GE(count(c,
                  "SELECT count(*) FROM events WHERE kind = 'risk' AND detail LIKE "
                  "'%kill_switch_engaged%'"),
            1);
  EXPECT_GE(count(c,
                  "SELECT count(*) FROM events WHERE kind = 'risk' AND detail LIKE "
                  "'%store_unavailable%'"),
            1);
  EXPECT_EQ(count(c,
                  "SELECT count(*) FROM fills f JOIN orders o ON o.id = f.order_id WHERE "
                  "o.source = 'flatten'"),
            count(c, "SELECT count(*) FROM fills WHERE source = 'flatten'"));
}

TEST_F(DaemonStoreOutage, KilledServerMidFlowLosesNothingAcknowledged) {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> refused{0};
  std::thread client([&] {
    for (int i = 0; !stop; ++i) {
      const std::string cid = "flow-" + std::to_string(i);
      const int st = post_order(cid, i % 2 ? "sell" : "buy");
      if (st == 201) {
        std::lock_guard lock(mu);
        acked.insert(cid);
      } else if (st == 503) {
        ++refused;
      }
    }
  });
  auto acked_count = [&] {
    std::lock_guard lock(mu);
    return acked.size();
  };
  ASSERT_TRUE(wait_until(
      *daemon, [&] { return acked_count() >= 20; }, 20s));
  pg->cluster().kill();  // SIGKILL, mid-flow
  ASSERT_TRUE(wait_until(
      *daemon, [&] { return refused.load() > 0; }, 5s))
      << daemon->output();
  ASSERT_TRUE(pg->cluster().start_again());
  const size_t after_restart = acked_count();
  ASSERT_TRUE(wait_until(
      *daemon, [&] { return acked_count() >= after_restart + 20; }, 30s))
      << daemon->output();
  stop = true;
  client.join();

  auto c = db();
  std::set<std::string> stored;
  auto r = c.query("SELECT client_order_id FROM orders WHERE source = 'api'");
  ASSERT_TRUE(r) << r.error().message;
  for (int i = 0; i < r->rows(); ++i) stored.insert(std::string(r->get(i, 0)));
  for (const auto& cid : acked)
    EXPECT_TRUE(stored.count(cid)) << "acknowledged, not stored: " << cid;
  EXPECT_GT(refused.load(), 0);
}

}  // namespace
}  // namespace td::testing
