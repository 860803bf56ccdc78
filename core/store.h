#pragma once
// Durable storage as the engine sees it (architecture.md invariant 1:
// persist before send). The store receives every event in order as an
// EventSink, commits them off the engine thread, and reports back on the
// engine thread the highest event seq that is committed. The engine routes an
// order, and the API acknowledges it, only once the event that created it is
// committed. The PostgreSQL implementation lives in persistence/; tests and
// backtests run without one (every event counts as committed at once).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/events.h"
#include "core/order.h"
#include "core/position.h"

namespace td {

class StoreListener {
 public:
  virtual ~StoreListener() = default;
  // Every event up to and including seq is committed (monotonic).
  virtual void on_store_committed(uint64_t seq) = 0;
  // The store became writable again, or stopped being writable.
  virtual void on_store_state(bool writable, const std::string& detail) = 0;
  // The row of order `id` was refused: its client_order_id belongs to
  // `existing`, an order the database has but memory does not (older than
  // what a restart loads). Reported before the commit that covers it; the
  // order must never be sent.
  virtual void on_store_duplicate(OrderId id, OrderId existing) = 0;
};

class Store : public EventSink {
 public:
  // The listener is called on the engine thread only.
  virtual void set_listener(StoreListener* listener) = 0;
  // Engine thread: whether new orders can be made durable now.
  virtual bool writable() const = 0;
};

// An order as the store kept it, enough to rebuild the core Order.
struct StoredOrder {
  OrderId id;
  OrderRequest request;  // qty/limit/stop as last modified
  OrderStatus status = OrderStatus::kQueued;
  Decimal filled_qty;
  Decimal avg_fill_price;
  Decimal commission;
  std::string broker_order_id;
  std::optional<std::string> reject_reason;
  Timestamp created_at{}, updated_at{};
};

struct StoredPosition {
  Symbol symbol;
  Decimal qty;         // signed
  Decimal cost_basis;  // signed sum of open qty * price
  Decimal realized;    // lifetime, gross of commission
  Decimal commissions;
  Timestamp opened_at{};
};

// What start-up recovery hands the engine before it reconciles with the broker.
struct RecoveredState {
  uint64_t next_order_id = 1;
  uint64_t next_fill_id = 1;
  uint64_t next_event_seq = 1;
  // Every open order, and closed ones of the recent past (API history and
  // client_order_id idempotency; older ones are caught by the database).
  std::vector<StoredOrder> orders;
  std::vector<Fill> fills;  // the fills of the loaded orders, in id order
  std::vector<StoredPosition> positions;
  // strategy name -> its own book.
  std::map<std::string, std::vector<StoredPosition>> strategy_positions;
  std::map<std::string, bool> strategy_enabled;
  // Lifetime totals over every fill (not only the loaded ones).
  Decimal realized, commissions;
  // The current session's figures, for the daily loss breaker.
  Timestamp session_start{};
  Decimal session_realized, session_commissions;
  // Time of the last execution applied: reconciliation asks from here.
  Timestamp last_execution{};
  // Opaque values kept for other modules (risk state, broker id marks).
  std::map<std::string, std::string> kv;
};

}  // namespace td
