// Schema migrations against a real cluster: an empty database reaches the
// latest version, a second run changes nothing, a database newer than the
// build is refused with the message operators see, and a migration that
// fails leaves no trace of itself.
#include <gtest/gtest.h>

#include "persistence/migrations.h"
#include "tests/integration/store_test_support.h"

namespace td::test {
namespace {

using persistence::migrate;
using persistence::Migration;
using persistence::PgConn;

class StoreMigrations : public StoreClusterTest {};

TEST_F(StoreMigrations, EmptyDatabaseReachesLatestAndRerunIsNoOp) {
  PgConn c = connect(fresh_database());
  auto first = migrate(c);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, persistence::latest_schema_version());
  EXPECT_EQ(first->applied.size(), persistence::schema_migrations().size());
  for (const char* table : {"events", "orders", "fills", "positions", "strategy_positions",
                            "equity_snapshots", "daily_pnl", "kv", "api_audit"})
    EXPECT_EQ(scalar(c, std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  EXPECT_EQ(scalar(c, "SELECT name FROM schema_migrations WHERE version = 1"), "initial schema");

  auto again = migrate(c);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, persistence::latest_schema_version());
  EXPECT_EQ(scalar(c, "SELECT count(*) FROM schema_migrations"),
            std::to_string(persistence::schema_migrations().size()));
  auto v = persistence::schema_version(c);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, persistence::latest_schema_version());
}

TEST_F(StoreMigrations, NewerDatabaseIsRefused) {
  PgConn c = connect(fresh_database());
  ASSERT_TRUE(migrate(c));
  const int newer = persistence::latest_schema_version() + 1;
  ASSERT_TRUE(c.exec("INSERT INTO schema_migrations (version, name) VALUES (" +
                     std::to_string(newer) + ", 'from the future')"));
  auto r = migrate(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "database schema version " + std::to_string(newer) +
                                   " is newer than this tradingd supports (" +
                                   std::to_string(persistence::latest_schema_version()) +
                                   "): upgrade tradingd or point database.dsn at another database");
  // Refused before anything ran: the lock is released for the next caller.
  EXPECT_EQ(scalar(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), "0");
}

TEST_F(StoreMigrations, FailedMigrationLeavesNothingHalfApplied) {
  PgConn c = connect(fresh_database());
  const Migration good{1, "one", "CREATE TABLE a (x int)"};
  const Migration bad{2, "two", "CREATE TABLE b (x int); INSERT INTO a VALUES (1); SELECT 1/0"};
  const Migration list[] = {good, bad};
  auto r = migrate(c, list);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("schema migration 2 (two) failed, database left at version 1"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("division by zero"), std::string::npos) << r.error().message;
  EXPECT_EQ(scalar(c, "SELECT max(version) FROM schema_migrations"), "1");
  EXPECT_EQ(scalar(c, "SELECT to_regclass('b') IS NULL"), "t");
  EXPECT_EQ(scalar(c, "SELECT count(*) FROM a"), "0");
  // The connection is usable afterwards (no transaction left open).
  EXPECT_EQ(scalar(c, "SELECT 1"), "1");
  EXPECT_EQ(PQtransactionStatus(c.raw()), PQTRANS_IDLE);
}

TEST_F(StoreMigrations, ConcurrentMigratorsApplyOnce) {
  const std::string dsn = fresh_database();
  PgConn a = connect(dsn);
  PgConn b = connect(dsn);
  Result<persistence::MigrationReport> ra, rb;
  std::thread t([&] { ra = migrate(a); });
  rb = migrate(b);
  t.join();
  ASSERT_TRUE(ra) << ra.error().message;
  ASSERT_TRUE(rb) << rb.error().message;
  EXPECT_EQ(ra->applied.size() + rb->applied.size(), persistence::schema_migrations().size());
  EXPECT_EQ(scalar(a, "SELECT count(*) FROM schema_migrations"),
            std::to_string(persistence::schema_migrations().size()));
}

TEST(StorePgConn, RedactsPasswords) {
  using persistence::redact_dsn;
  EXPECT_EQ(redact_dsn("host=/tmp user=td password=s3cret dbname=x"),
            "host=/tmp user=td password=*** dbname=x");
  EXPECT_EQ(redact_dsn("password='a b\\'c' host=h"), "password=*** host=h");
  EXPECT_EQ(redact_dsn("postgresql://td:s3cret@db:5432/x?sslmode=require"),
            "postgresql://td:***@db:5432/x?sslmode=require");
  EXPECT_EQ(redact_dsn("postgres://db/x?user=td&password=s3cret&x=1"),
            "postgres://db/x?user=td&password=***&x=1");
  EXPECT_EQ(redact_dsn("host=/tmp dbname=x"), "host=/tmp dbname=x");
}

TEST_F(StoreMigrations, ServerErrorsCarryTheServersMessage) {
  PgConn c = connect(fresh_database());
  auto r = c.query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("relation \"no_such_table\" does not exist"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("42P01"), std::string::npos);
  auto bad = PgConn::connect("host=/nonexistent-dir user=x password=hunter2");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(bad.error().message.find("hunter2"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace td::test
