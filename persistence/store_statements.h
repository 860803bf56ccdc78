#pragma once
// The SQL the store's writer runs, as prepared statements, and the mapping
// of each record to them. Every statement is idempotent (insert-if-absent,
// upsert to a snapshot, update to a value), so a batch whose COMMIT may or
// may not have happened before the connection broke is simply sent again.
#include <utility>
#include <vector>

#include "persistence/pg_conn.h"
#include "persistence/pg_pipeline.h"
#include "persistence/store_record.h"

namespace td::persistence {

// Prepares the writer's statements on a new connection.
Status prepare_store_statements(PgConn& conn);

struct BatchStatements {
  std::vector<PgStatement> statements;
  // Which statement inserted which order: its result tells a duplicate.
  std::vector<std::pair<size_t, OrderId>> order_inserts;
};

// Appends the statements of one record (its event row first).
void append_statements(const StoreRecord& r, BatchStatements& out);

// The order an insert's result says owns the client_order_id, when it is
// not `id` itself (nullopt: inserted now, or already there as this order,
// as when a batch is sent again). An id already taken by another
// client_order_id reports `id` itself: that row must not be sent either.
std::optional<OrderId> duplicate_of(OrderId id, const PgResult& insert_result);

// The event log's text for an order or fill record (other events carry theirs).
std::string event_detail(const StoreRecord& r);

}  // namespace td::persistence
