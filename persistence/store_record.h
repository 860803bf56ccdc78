#pragma once
// What the engine thread hands the store's writer: a self-contained copy of
// one event (the Order, the Fill and the positions it changed) or of one
// piece of state, with no pointer into engine memory. Events carry pointers
// that are valid only while the sink runs, so everything the writer needs
// is copied at once; formatting text and parameters happens on the writer
// thread, keeping the engine's cost to the copies and a queue push.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/engine.h"
#include "core/events.h"
#include "core/store.h"

namespace td::persistence {

struct EventRow {
  std::string kind;  // order | fill | order_denied | transition_refused | ...
  std::optional<OrderId> order_id;
  std::string detail;  // filled in by the writer for order and fill events
};

struct OrderInsert {  // the order-created event
  StoredOrder order;
};
struct OrderUpdate {  // any later change of status, fill totals or working values
  StoredOrder order;
  OrderStatus previous = OrderStatus::kQueued;
};
struct FillRecord {
  Fill fill;
  Decimal realized;
  StoredOrder order;  // its totals after the fill (no order event follows a partial)
  std::optional<StoredPosition> position;  // none without an engine to read it from
  std::vector<std::pair<std::string, StoredPosition>> strategy_positions;
};
struct KvRecord {
  std::string key, value;
};
struct AuditRecord {
  uint64_t id = 0;  // given by the writer on the first attempt, kept for retries
  Timestamp time{};
  std::string actor, action, detail;
  int status = 0;
};
struct EquityRecord {
  Timestamp time{};
  Decimal equity, cash, realized, unrealized, commissions;
};
struct DailyPnlRecord {
  Timestamp session_start{};
  Decimal realized, commissions, equity_close;
};

struct StoreRecord {
  uint64_t seq = 0;  // the event's seq; 0 for state records
  Timestamp time{};
  std::optional<EventRow> event;
  std::variant<std::monostate, OrderInsert, OrderUpdate, FillRecord, KvRecord, AuditRecord,
               EquityRecord, DailyPnlRecord>
      body;
};

StoredOrder stored_order(const Order& o);
StoredPosition stored_position(const Position& p);

// Engine thread: the record of one event. `engine` (may be null) is read for
// the positions a fill changed: the account's and each strategy book's row
// for the fill's symbol, as they are right after the fill.
StoreRecord make_record(const Event& e, const Engine* engine);

}  // namespace td::persistence
