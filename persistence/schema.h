#pragma once
// The database schema, one SQL text per version. Forward-only: a released
// version's text never changes (a database that applied it keeps it); a new
// column or index is a new version appended here. Money and quantities are
// `numeric` (written and read back as exact decimal text), times are bigint
// nanoseconds since the Unix epoch (what core/time.h holds, without a
// time-zone conversion in between).
#include <span>
#include <string_view>

namespace td::persistence {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Every version this build knows, ascending from 1.
std::span<const Migration> schema_migrations();
int latest_schema_version();

// Statuses of orders that can still change: the partial index orders_open
// and the recovery loader use the same text.
inline constexpr std::string_view kOpenOrderPredicate =
    "status NOT IN ('filled', 'cancelled', 'rejected', 'expired')";

}  // namespace td::persistence
