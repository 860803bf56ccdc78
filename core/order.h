#pragma once
// An order's whole life. The state machine is the one of api-v1.md; a change
// the machine does not allow is refused (and logged by the caller), never
// applied, so a late or duplicated broker message cannot corrupt an order.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace td {

enum class Side { kBuy, kSell };
enum class OrderType { kMarket, kLimit, kStop, kStopLimit };
enum class TimeInForce { kDay, kGtc, kIoc };
enum class OrderStatus {
  kQueued,         // accepted, not yet routed (scheduled, disconnected, throttled, paused)
  kPendingSubmit,  // sent to the broker, no acknowledgement yet
  kSubmitted,      // working at the broker
  kPartiallyFilled,
  kFilled,
  kPendingCancel,  // cancel sent, no confirmation yet
  kCancelled,
  kRejected,
  kExpired,
};

std::string_view to_string(Side s);
std::string_view to_string(OrderType t);
std::string_view to_string(TimeInForce t);
std::string_view to_string(OrderStatus s);
std::optional<Side> parse_side(std::string_view s);
std::optional<OrderType> parse_order_type(std::string_view s);
std::optional<TimeInForce> parse_tif(std::string_view s);
std::optional<OrderStatus> parse_order_status(std::string_view s);

inline int sign_of(Side s) {
  return s == Side::kBuy ? 1 : -1;
}
inline Side opposite(Side s) {
  return s == Side::kBuy ? Side::kSell : Side::kBuy;
}

bool is_terminal(OrderStatus s);
// Whether the state machine allows from -> to (a self-transition
// partially_filled -> partially_filled is allowed: another partial fill).
bool can_transition(OrderStatus from, OrderStatus to);

struct OrderRequest {
  Symbol symbol;
  Side side = Side::kBuy;
  Decimal qty;
  OrderType type = OrderType::kMarket;
  std::optional<Decimal> limit_price;
  std::optional<Decimal> stop_price;
  TimeInForce tif = TimeInForce::kDay;
  std::string client_order_id;  // empty: the engine makes one
  bool outside_rth = false;
  bool reduce_only = false;
  std::optional<Timestamp> submit_at;
  std::string source = "api";  // api | strategy:<name> | flatten | external
};

// Structural checks that need no market or account state.
Status validate(const OrderRequest& r);

struct Fill {
  FillId id;
  OrderId order_id;
  Symbol symbol;
  Side side = Side::kBuy;
  Decimal qty;
  Decimal price;
  Decimal commission;
  Timestamp time;
  std::string broker_exec_id;
  std::string source;  // the order's source, for per-strategy attribution
};

class Order {
 public:
  Order(OrderId id, OrderRequest req, Timestamp created_at);
  // An order as the store kept it (start-up recovery). Its fills are the
  // record: filled quantity, value and commission are summed from them, and
  // a status that lags them (the fill committed, the status change not) is
  // brought forward. No transition is checked: this is what was.
  static Order restored(OrderId id, OrderRequest req, OrderStatus status,
                        std::string broker_order_id, std::optional<std::string> reject_reason,
                        Timestamp created_at, Timestamp updated_at, std::vector<Fill> fills);

  OrderId id() const { return id_; }
  const OrderRequest& request() const { return req_; }
  const Symbol& symbol() const { return req_.symbol; }
  Side side() const { return req_.side; }
  Decimal qty() const { return req_.qty; }
  const std::string& client_order_id() const { return req_.client_order_id; }
  const std::string& source() const { return req_.source; }
  OrderStatus status() const { return status_; }
  Decimal filled_qty() const { return filled_qty_; }
  Decimal remaining_qty() const { return req_.qty - filled_qty_; }
  // Signed remaining quantity: + for buys, - for sells.
  Decimal signed_remaining() const {
    return side() == Side::kBuy ? remaining_qty() : -remaining_qty();
  }
  // Volume-weighted fill price (8 decimals), 0 before the first fill.
  Decimal avg_fill_price() const;
  Decimal commission() const { return commission_; }
  const std::string& broker_order_id() const { return broker_order_id_; }
  const std::optional<std::string>& reject_reason() const { return reject_reason_; }
  Timestamp created_at() const { return created_at_; }
  Timestamp updated_at() const { return updated_at_; }
  const std::vector<Fill>& fills() const { return fills_; }
  bool is_open() const { return !is_terminal(status_); }
  // The working state a refused cancel returns to.
  OrderStatus status_before_cancel() const { return before_cancel_; }

  // Refused (kIllegalTransition) when the state machine does not allow it, and
  // -> rejected once the order has fills.
  Status transition(OrderStatus to, Timestamp now);
  Status reject(std::string reason, Timestamp now);
  // Applies a fill: refuses fills of queued (never sent) and rejected orders,
  // duplicate exec ids (kConflict) and overfills. A fill is a fact at the
  // broker: a late fill of a pending_cancel order is applied (filled when
  // complete; otherwise a refused cancel returns to partially_filled), and one
  // arriving after the cancel/expiry was confirmed is recorded while the status
  // stays cancelled/expired.
  Status apply_fill(const Fill& f);
  // The broker acknowledged the order after a cancel request overtook the
  // acknowledgement: a refused cancel then returns to submitted, not to
  // pending_submit. No effect in any other state.
  void note_accepted() {
    if (status_ == OrderStatus::kPendingCancel && before_cancel_ == OrderStatus::kPendingSubmit)
      before_cancel_ = OrderStatus::kSubmitted;
  }
  void set_broker_order_id(std::string id) { broker_order_id_ = std::move(id); }
  // Working quantity/price change (modify); qty may not go below filled.
  Status modify(std::optional<Decimal> qty, std::optional<Decimal> limit_price,
                std::optional<Decimal> stop_price, Timestamp now);

 private:
  OrderId id_;
  OrderRequest req_;
  OrderStatus status_;
  OrderStatus before_cancel_ = OrderStatus::kSubmitted;  // restored if a cancel is refused
  Decimal filled_qty_;
  Decimal filled_value_;  // sum of qty * price, exact
  Decimal commission_;
  std::string broker_order_id_;
  std::optional<std::string> reject_reason_;
  Timestamp created_at_;
  Timestamp updated_at_;
  std::vector<Fill> fills_;
};

}  // namespace td
