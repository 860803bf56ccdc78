#pragma once
// What a restart needs from the database, read in one snapshot (a
// repeatable-read transaction): id high-water marks, every open order and the
// recently closed ones, their fills, positions, P&L totals and key-value
// state. Only open and recent rows come back, through indexes, so the time to
// load does not grow with years of history. A row that does not parse is an
// error naming its table, id and column: recovery never guesses.
#include <string_view>

#include "core/store.h"
#include "core/time.h"
#include "persistence/pg_conn.h"

namespace td::persistence {

struct LoadOptions {
  Timestamp now{};
  // Closed orders updated this recently are loaded too (API history,
  // client_order_id idempotency across a restart).
  Duration recent = std::chrono::hours(24);
  Timestamp session_start{};  // for session_realized / session_commissions
};

// kv keys "strategy.enabled.<name>" with value "true" or "false" also fill
// RecoveredState::strategy_enabled.
inline constexpr std::string_view kStrategyEnabledKeyPrefix = "strategy.enabled.";

Result<RecoveredState> load_state(PgConn& conn, const LoadOptions& options);

}  // namespace td::persistence
