// load_state against a real cluster: only open and recent orders (and their
// fills) come back, with exact totals over every fill; a value that does not
// parse is an error naming table, row and column. The full round trip from
// the writer is in store_writer_test.cpp; the million-row timing in
// bench_store.
#include <gtest/gtest.h>

#include "persistence/recovery_loader.h"
#include "tests/integration/store_test_support.h"

namespace td::test {
namespace {

using persistence::PgConn;

Decimal D(const char* s) {
  return *Decimal::parse(s);
}
const Timestamp kT0 = from_unix_seconds(1'800'000'000);

class StoreRecovery : public StoreClusterTest {};

TEST_F(StoreRecovery, LoadStateRefusesARowThatDoesNotParse) {
  const std::string dsn = migrated_database();
  PgConn c = connect(dsn);
  ASSERT_TRUE(c.exec(
      "INSERT INTO orders (id, client_order_id, symbol, side, type, tif, qty, source, status, "
      "created_at_ns, updated_at_ns) VALUES (5, 'x', 'SPY', 'buy', 'market', 'day', 1, 'api', "
      "'sideways', 0, 0)"));
  auto st = persistence::load_state(c, {kT0});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "recovery: orders row 5: column status has 'sideways', which does not parse");
  ASSERT_TRUE(c.exec("UPDATE orders SET status = 'submitted', qty = 0.123456789"));
  st = persistence::load_state(c, {kT0});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "recovery: orders row 5: column qty has '0.123456789', which does not parse");
}

TEST_F(StoreRecovery, LoadsOpenAndRecentOrdersOnly) {
  const std::string dsn = migrated_database();
  PgConn c = connect(dsn);
  const int64_t now = to_unix_nanos(kT0);
  const int64_t old = now - int64_t{48} * 3600 * 1'000'000'000;
  const int64_t recent = now - int64_t{3600} * 1'000'000'000;
  // 10,000 old terminal orders with a fill each, 3 open old ones, 2 recent
  // terminal ones.
  ASSERT_TRUE(c.exec(fmt::format(
      "INSERT INTO orders (id, client_order_id, symbol, side, type, tif, qty, source, status, "
      "filled_qty, avg_fill_price, created_at_ns, updated_at_ns) "
      "SELECT g, 'c' || g, 'SPY', 'buy', 'market', 'day', 1, 'api', "
      "CASE WHEN g IN (17, 5000, 9999) THEN 'submitted' ELSE 'filled' END, "
      "CASE WHEN g IN (17, 5000, 9999) THEN 0 ELSE 1 END, 0, {0}, "
      "CASE WHEN g IN (10000, 9998) THEN {1} ELSE {0} END FROM generate_series(1, 10000) g;"
      "INSERT INTO fills (id, order_id, symbol, side, qty, price, commission, realized, time_ns, "
      "broker_exec_id, source) SELECT g, g, 'SPY', 'buy', 1, 100.5, 0.01, 0.25, {0} + g, "
      "'x' || g, 'api' FROM generate_series(1, 10000) g WHERE g NOT IN (17, 5000, 9999)",
      old, recent)));
  persistence::LoadOptions lo{kT0};
  lo.session_start = Timestamp(Duration(old + 9990));
  auto st = persistence::load_state(c, lo);
  ASSERT_TRUE(st) << st.error().message;
  std::vector<uint64_t> ids;
  for (const auto& o : st->orders) ids.push_back(o.id.value());
  EXPECT_EQ(ids, (std::vector<uint64_t>{17, 5000, 9998, 9999, 10000}));
  ASSERT_EQ(st->fills.size(), 2u);
  EXPECT_EQ(st->fills[0].order_id, OrderId(9998));
  EXPECT_EQ(st->next_order_id, 10001u);
  EXPECT_EQ(st->next_fill_id, 10001u);
  EXPECT_EQ(st->next_event_seq, 1u);
  EXPECT_EQ(st->realized, D("2499.25"));  // 9,997 fills
  EXPECT_EQ(st->commissions, D("99.97"));
  EXPECT_EQ(st->session_realized, D("2.5"));  // fills 9990..10000 less 9999
  EXPECT_EQ(st->session_commissions, D("0.1"));
  EXPECT_EQ(st->last_execution, Timestamp(Duration(old + 10000)));
}

}  // namespace
}  // namespace td::test
