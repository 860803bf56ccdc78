#include "persistence/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace td::persistence {
namespace {

// pg_advisory_lock key: "tdschema" as ASCII in a bigint.
constexpr const char* kLockKey = "8386372089262632293";

class AdvisoryLock {
 public:
  explicit AdvisoryLock(PgConn& conn) : conn_(conn) {}
  Status lock() {
    auto r = conn_.query(std::string("SELECT pg_advisory_lock(") + kLockKey + ")");
    if (!r) return tl::unexpected(r.error());
    held_ = true;
    return {};
  }
  ~AdvisoryLock() {
    if (held_ && conn_.ok())
      (void)conn_.query(std::string("SELECT pg_advisory_unlock(") + kLockKey + ")");
  }

 private:
  PgConn& conn_;
  bool held_ = false;
};

constexpr std::string_view kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    int PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

}  // namespace

Result<int> schema_version(PgConn& conn) {
  auto exists = conn.query("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists) return tl::unexpected(exists.error());
  if (exists->get(0, 0) != "t") return 0;
  auto r = conn.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!r) return tl::unexpected(r.error());
  return std::stoi(std::string(r->get(0, 0)));
}

Result<MigrationReport> migrate(PgConn& conn, std::span<const Migration> migrations) {
  AdvisoryLock lock(conn);
  if (auto s = lock.lock(); !s) return tl::unexpected(s.error());
  if (auto s = conn.exec(kCreateTable); !s) return tl::unexpected(s.error());
  auto current = conn.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!current) return tl::unexpected(current.error());
  MigrationReport report;
  report.from_version = std::stoi(std::string(current->get(0, 0)));
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (report.from_version > latest)
    return make_error(ErrorCode::kInternal,
                      fmt::format("database schema version {} is newer than this tradingd "
                                  "supports ({}): upgrade tradingd or point database.dsn at "
                                  "another database",
                                  report.from_version, latest));
  report.to_version = report.from_version;
  for (const Migration& m : migrations) {
    if (m.version <= report.from_version) continue;
    auto applied = [&]() -> Status {
      if (auto s = conn.exec("BEGIN"); !s) return s;
      if (auto s = conn.exec(m.sql); !s) return s;
      if (auto r = conn.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                              {std::to_string(m.version), std::string(m.name)});
          !r)
        return tl::unexpected(r.error());
      return conn.exec("COMMIT");
    }();
    if (!applied) {
      if (conn.ok()) (void)conn.exec("ROLLBACK");
      return make_error(applied.error().code,
                        fmt::format("schema migration {} ({}) failed, database left at version "
                                    "{}: {}",
                                    m.version, m.name, report.to_version, applied.error().message));
    }
    spdlog::info("database schema migrated to version {} ({})", m.version, m.name);
    report.applied.push_back(m.version);
    report.to_version = m.version;
  }
  return report;
}

}  // namespace td::persistence
