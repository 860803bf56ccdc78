#pragma once
// The SQL the store's writer runs, as prepared statements, and the mapping
// of records to them. Every statement is idempotent (insert-if-absent,
// upsert to a snapshot, update to a value), so a batch whose COMMIT may or
// may not have happened before the connection broke is simply sent again.
#include <span>
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
  // The order-insert statements: each result has one row per order.
  std::vector<size_t> order_inserts;
};

// The statements of `records`, in one transaction's order. Rows of one kind
// travel together as arrays (unnest), one statement for many rows: every
// event row of the batch, each run of consecutive order inserts, each run of
// consecutive order updates (the last update of an order in a run is its
// whole mutable state, so only that one is sent). Everything else is one
// statement per row. Each order's statements stay in record order.
BatchStatements build_statements(std::span<const StoreRecord> records);

// What an order-insert result says about each order: (id, existing) when
// the client_order_id belongs to another order `existing`, or (id, id) when
// the id is another client_order_id's; nothing for an order inserted now or
// found already there as itself (a batch sent again).
std::vector<std::pair<OrderId, OrderId>> duplicates_in(const PgResult& insert_result);

// The event log's text for an order or fill record (other events carry theirs).
std::string event_detail(const StoreRecord& r);

}  // namespace td::persistence
