// PgStore while its database goes away: a stopped server (fast shutdown) and
// a killed one (SIGKILL to every server process) are both noticed within a
// second even with nothing to write; what is queued meanwhile, and the batch
// that was in flight, all land once the server is back, exactly once; with
// the outage buffer full, telemetry is dropped (oldest first) and nothing
// else is.
#include <gtest/gtest.h>

#include "persistence/migrations.h"
#include "persistence/pg_store.h"
#include "tests/integration/store_test_support.h"

namespace td::test {
namespace {

using persistence::PgConn;
using persistence::PgStore;
using persistence::PgStoreOptions;

class StoreOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = PgTestCluster::start();
    dsn_ = pg_->create_database("outage");
    auto c = PgConn::connect(dsn_);
    ASSERT_TRUE(c);
    ASSERT_TRUE(persistence::migrate(*c));
  }
  PgStoreOptions options() {
    PgStoreOptions o;
    o.dsn = dsn_;
    o.post = posted_.poster();
    return o;
  }
  std::string scalar(const std::string& sql) {
    auto c = PgConn::connect(dsn_);
    if (!c) return c.error().message;
    auto r = c->query(sql);
    return r ? std::string(r->get(0, 0)) : r.error().message;
  }
  // Orders n..n+count-1 with a status change each.
  void orders(PgStore& store, uint64_t first, int count) {
    for (int i = 0; i < count; ++i) {
      const uint64_t id = first + static_cast<uint64_t>(i);
      store.on_event(ev_.created(id, "o-" + std::to_string(id)));
      store.on_event(ev_.changed(OrderStatus::kPendingSubmit));
    }
  }
  void outage_and_back(bool kill);

  std::unique_ptr<PgTestCluster> pg_;
  std::string dsn_;
  PostedQueue posted_;
  RecordingListener listener_;
  HandEvents ev_;
};

void StoreOutage::outage_and_back(bool kill) {
  PgStore store(options());
  store.set_listener(&listener_);
  ASSERT_TRUE(store.start());
  orders(store, 1, 100);
  ASSERT_TRUE(posted_.pump_until([&] { return listener_.last_committed() == ev_.last_seq(); }));
  // A batch in flight when the server goes (with kill), or an idle store
  // that only its health check can tell (with stop).
  if (kill) {
    orders(store, 101, 400);
    pg_->cluster().kill();
  } else {
    ASSERT_TRUE(pg_->cluster().stop());
  }
  const auto gone = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      posted_.pump_until([&] { return listener_.last_state_is(false); }, std::chrono::seconds(1)))
      << "no on_store_state(false) within 1 s";
  EXPECT_LT(std::chrono::steady_clock::now() - gone, std::chrono::seconds(1));
  EXPECT_FALSE(store.writable());
  EXPECT_FALSE(store.stats().connected);

  // Kill switch and flatten records queued while the database is away.
  orders(store, 501, 50);
  store.record_kv("risk.kill_switch", "engaged");
  store.record_audit(from_unix_seconds(1'800'000'000), "signal:SIGUSR1", "kill_switch.engage",
                     "operator", 200);
  store.record_equity({from_unix_seconds(1'800'000'000), Decimal::from_int(1), Decimal(), Decimal(),
                       Decimal(), Decimal()});
  EXPECT_GT(store.stats().pending, 0u);

  ASSERT_TRUE(pg_->cluster().start_again());
  ASSERT_TRUE(posted_.pump_until([&] {
    return listener_.last_state_is(true) && listener_.last_committed() == ev_.last_seq();
  })) << "committed "
      << listener_.last_committed() << " of " << ev_.last_seq();
  EXPECT_TRUE(store.writable());
  EXPECT_TRUE(std::is_sorted(listener_.committed.begin(), listener_.committed.end()));
  const int orders_written = kill ? 550 : 150;
  EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE status = 'pending_submit'"),
            std::to_string(orders_written));
  EXPECT_EQ(scalar("SELECT count(*) FROM events"), std::to_string(ev_.last_seq()));
  EXPECT_EQ(scalar("SELECT value FROM kv WHERE key = 'risk.kill_switch'"), "engaged");
  EXPECT_EQ(scalar("SELECT actor FROM api_audit"), "signal:SIGUSR1");
  EXPECT_EQ(scalar("SELECT count(*) FROM equity_snapshots"), "1");
  EXPECT_TRUE(listener_.duplicates.empty());
  EXPECT_TRUE(store.flush_and_stop());
  EXPECT_EQ(store.stats().pending, 0u);
}

TEST_F(StoreOutage, StoppedServerIsNoticedAndNothingQueuedIsLost) {
  outage_and_back(false);
}

TEST_F(StoreOutage, KilledServerMidBatchLosesNothing) {
  outage_and_back(true);
}

TEST_F(StoreOutage, FullBufferDropsTelemetryFirst) {
  auto o = options();
  o.buffer_limit = 50;
  PgStore store(o);
  store.set_listener(&listener_);
  ASSERT_TRUE(store.start());
  ASSERT_TRUE(pg_->cluster().stop());
  ASSERT_TRUE(posted_.pump_until([&] { return listener_.last_state_is(false); }));
  const Timestamp t0 = from_unix_seconds(1'800'000'000);
  for (int i = 0; i < 30; ++i)
    store.record_equity({t0 + std::chrono::seconds(i), Decimal::from_int(i), Decimal(), Decimal(),
                         Decimal(), Decimal()});
  for (int i = 0; i < 40; ++i) store.record_kv("k" + std::to_string(i), std::to_string(i));
  orders(store, 1, 10);  // past the limit with no telemetry left: kept all the same
  EXPECT_EQ(store.stats().dropped_telemetry, 30u);
  EXPECT_EQ(store.stats().pending, 60u);

  ASSERT_TRUE(pg_->cluster().start_again());
  ASSERT_TRUE(posted_.pump_until([&] { return listener_.last_committed() == ev_.last_seq(); }));
  EXPECT_EQ(scalar("SELECT count(*) FROM kv"), "40");
  EXPECT_EQ(scalar("SELECT count(*) FROM orders"), "10");
  EXPECT_EQ(scalar("SELECT count(*) FROM equity_snapshots"), "0");
}

TEST_F(StoreOutage, FlushAndStopGivesUpAtItsDeadline) {
  PgStore store(options());
  ASSERT_TRUE(store.start());
  ASSERT_TRUE(pg_->cluster().stop());
  orders(store, 1, 5);
  const auto t0 = std::chrono::steady_clock::now();
  auto st = store.flush_and_stop(std::chrono::milliseconds(500));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "store stopped with 10 record(s) not written");
}

}  // namespace
}  // namespace td::test
