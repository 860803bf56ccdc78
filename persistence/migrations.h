#pragma once
// Brings a database to the schema this build knows, at start-up, before
// anything reads or writes it. Each pending version runs in its own
// transaction with its row in schema_migrations, so a failure leaves the
// database at the previous version, never between two. A session advisory
// lock serialises two processes migrating the same database. A database newer
// than the build is refused rather than written with an old idea of its
// tables (forward-only: there are no down migrations).
#include <span>
#include <vector>

#include "persistence/pg_conn.h"
#include "persistence/schema.h"

namespace td::persistence {

struct MigrationReport {
  int from_version = 0;  // 0: an empty database
  int to_version = 0;
  std::vector<int> applied;
};

// `migrations` ascending by version (tests pass their own lists).
Result<MigrationReport> migrate(PgConn& conn,
                                std::span<const Migration> migrations = schema_migrations());

// The highest version applied, 0 when schema_migrations is absent or empty.
Result<int> schema_version(PgConn& conn);

}  // namespace td::persistence
