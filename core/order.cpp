#include "core/order.h"

#include <fmt/format.h>

#include <algorithm>

namespace td {

std::string_view to_string(Side s) {
  return s == Side::kBuy ? "buy" : "sell";
}
std::string_view to_string(OrderType t) {
  switch (t) {
    case OrderType::kMarket:
      return "market";
    case OrderType::kLimit:
      return "limit";
    case OrderType::kStop:
      return "stop";
    case OrderType::kStopLimit:
      return "stop_limit";
  }
  return "?";
}
std::string_view to_string(TimeInForce t) {
  switch (t) {
    case TimeInForce::kDay:
      return "day";
    case TimeInForce::kGtc:
      return "gtc";
    case TimeInForce::kIoc:
      return "ioc";
  }
  return "?";
}
std::string_view to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::kQueued:
      return "queued";
    case OrderStatus::kPendingSubmit:
      return "pending_submit";
    case OrderStatus::kSubmitted:
      return "submitted";
    case OrderStatus::kPartiallyFilled:
      return "partially_filled";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kPendingCancel:
      return "pending_cancel";
    case OrderStatus::kCancelled:
      return "cancelled";
    case OrderStatus::kRejected:
      return "rejected";
    case OrderStatus::kExpired:
      return "expired";
  }
  return "?";
}

std::optional<Side> parse_side(std::string_view s) {
  if (s == "buy") return Side::kBuy;
  if (s == "sell") return Side::kSell;
  return std::nullopt;
}
std::optional<OrderType> parse_order_type(std::string_view s) {
  for (auto t : {OrderType::kMarket, OrderType::kLimit, OrderType::kStop, OrderType::kStopLimit})
    if (to_string(t) == s) return t;
  return std::nullopt;
}
std::optional<TimeInForce> parse_tif(std::string_view s) {
  for (auto t : {TimeInForce::kDay, TimeInForce::kGtc, TimeInForce::kIoc})
    if (to_string(t) == s) return t;
  return std::nullopt;
}
std::optional<OrderStatus> parse_order_status(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(OrderStatus::kExpired); ++i) {
    auto st = static_cast<OrderStatus>(i);
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}

bool is_terminal(OrderStatus s) {
  return s == OrderStatus::kFilled || s == OrderStatus::kCancelled || s == OrderStatus::kRejected ||
         s == OrderStatus::kExpired;
}

bool can_transition(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  switch (from) {
    case S::kQueued:
      return to == S::kPendingSubmit || to == S::kCancelled || to == S::kRejected ||
             to == S::kExpired;
    case S::kPendingSubmit:
      return to == S::kSubmitted || to == S::kPartiallyFilled || to == S::kFilled ||
             to == S::kPendingCancel || to == S::kCancelled || to == S::kRejected ||
             to == S::kExpired;
    case S::kSubmitted:
      return to == S::kPartiallyFilled || to == S::kFilled || to == S::kPendingCancel ||
             to == S::kCancelled || to == S::kRejected || to == S::kExpired;
    case S::kPartiallyFilled:
      return to == S::kPartiallyFilled || to == S::kFilled || to == S::kPendingCancel ||
             to == S::kCancelled || to == S::kExpired;
    case S::kPendingCancel:
      // A cancel can be confirmed, overtaken by fills or by the end of the day,
      // or refused (back to the working state it left: pending_submit,
      // submitted or partially_filled). A cancel sent before the broker's
      // acknowledgement can also be overtaken by the order's rejection
      // (Order::transition refuses that once the order has fills).
      return to == S::kCancelled || to == S::kFilled || to == S::kPendingSubmit ||
             to == S::kSubmitted || to == S::kPartiallyFilled || to == S::kRejected ||
             to == S::kExpired;
    case S::kFilled:
    case S::kCancelled:
    case S::kRejected:
    case S::kExpired:
      return false;
  }
  return false;
}

Status validate(const OrderRequest& r) {
  if (r.symbol.empty()) return make_error(ErrorCode::kInvalidArgument, "symbol: required");
  if (r.qty.sign() <= 0) return make_error(ErrorCode::kInvalidArgument, "qty: must be > 0");
  const bool needs_limit = r.type == OrderType::kLimit || r.type == OrderType::kStopLimit;
  const bool needs_stop = r.type == OrderType::kStop || r.type == OrderType::kStopLimit;
  if (needs_limit && !r.limit_price)
    return make_error(ErrorCode::kInvalidArgument, "limit_price: required for this order type");
  if (!needs_limit && r.limit_price)
    return make_error(ErrorCode::kInvalidArgument, "limit_price: not allowed for this order type");
  if (needs_stop && !r.stop_price)
    return make_error(ErrorCode::kInvalidArgument, "stop_price: required for this order type");
  if (!needs_stop && r.stop_price)
    return make_error(ErrorCode::kInvalidArgument, "stop_price: not allowed for this order type");
  if (r.limit_price && r.limit_price->sign() <= 0)
    return make_error(ErrorCode::kInvalidArgument, "limit_price: must be > 0");
  if (r.stop_price && r.stop_price->sign() <= 0)
    return make_error(ErrorCode::kInvalidArgument, "stop_price: must be > 0");
  if (r.client_order_id.size() > 64)
    return make_error(ErrorCode::kInvalidArgument, "client_order_id: at most 64 characters");
  for (char c : r.client_order_id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok)
      return make_error(ErrorCode::kInvalidArgument, "client_order_id: only [A-Za-z0-9._:-]");
  }
  return {};
}

Order::Order(OrderId id, OrderRequest req, Timestamp created_at)
    : id_(id),
      req_(std::move(req)),
      status_(OrderStatus::kQueued),
      created_at_(created_at),
      updated_at_(created_at) {}

Decimal Order::avg_fill_price() const {
  if (filled_qty_.is_zero()) return Decimal();
  return filled_value_.div(filled_qty_, Rounding::kHalfEven);
}

Order Order::restored(OrderId id, OrderRequest req, OrderStatus status, std::string broker_order_id,
                      std::optional<std::string> reject_reason, Timestamp created_at,
                      Timestamp updated_at, std::vector<Fill> fills) {
  Order o(id, std::move(req), created_at);
  o.status_ = status;
  o.broker_order_id_ = std::move(broker_order_id);
  o.reject_reason_ = std::move(reject_reason);
  o.updated_at_ = updated_at;
  for (const Fill& f : fills) {
    o.filled_qty_ += f.qty;
    o.filled_value_ += f.qty.mul(f.price, Rounding::kHalfEven);
    o.commission_ += f.commission;
  }
  o.fills_ = std::move(fills);
  if (o.filled_qty_.sign() > 0 && o.filled_qty_ >= o.req_.qty) {
    o.status_ = OrderStatus::kFilled;
  } else if (o.filled_qty_.sign() > 0 &&
             (status == OrderStatus::kQueued || status == OrderStatus::kPendingSubmit ||
              status == OrderStatus::kSubmitted)) {
    o.status_ = OrderStatus::kPartiallyFilled;
  }
  if (o.status_ == OrderStatus::kPendingCancel)
    o.before_cancel_ =
        o.filled_qty_.sign() > 0 ? OrderStatus::kPartiallyFilled : OrderStatus::kSubmitted;
  return o;
}

Status Order::transition(OrderStatus to, Timestamp now) {
  if (!can_transition(status_, to)) {
    return make_error(ErrorCode::kIllegalTransition,
                      fmt::format("order {}: {} -> {} is not allowed", id_.value(),
                                  to_string(status_), to_string(to)));
  }
  if (to == OrderStatus::kRejected && !filled_qty_.is_zero()) {
    // The broker accepted an order that has traded; it ends cancelled or expired.
    return make_error(ErrorCode::kIllegalTransition,
                      fmt::format("order {}: {} -> rejected is not allowed after fills",
                                  id_.value(), to_string(status_)));
  }
  if (to == OrderStatus::kPendingCancel) before_cancel_ = status_;
  status_ = to;
  updated_at_ = now;
  return {};
}

Status Order::reject(std::string reason, Timestamp now) {
  auto st = transition(OrderStatus::kRejected, now);
  if (st) reject_reason_ = std::move(reason);
  return st;
}

Status Order::apply_fill(const Fill& f) {
  if (f.qty.sign() <= 0 || f.price.sign() <= 0)
    return make_error(ErrorCode::kInvalidArgument, "fill: qty and price must be > 0");
  if (f.side != side())
    return make_error(ErrorCode::kInvalidArgument, "fill: side differs from order");
  if (status_ == OrderStatus::kQueued || status_ == OrderStatus::kRejected)
    return make_error(ErrorCode::kIllegalTransition,
                      fmt::format("order {}: fill while {}", id_.value(), to_string(status_)));
  // A replayed execution is a duplicate (checked first: a replay of the fill
  // that completed the order is not an overfill).
  if (!f.broker_exec_id.empty()) {
    for (const auto& g : fills_)
      if (g.broker_exec_id == f.broker_exec_id)
        return make_error(ErrorCode::kConflict, "fill: duplicate exec id " + f.broker_exec_id);
  }
  if (f.qty > remaining_qty())
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("order {}: fill of {} exceeds remaining {}", id_.value(),
                                  f.qty.to_string(), remaining_qty().to_string()));
  filled_qty_ += f.qty;
  filled_value_ += f.qty.mul(f.price, Rounding::kHalfEven);
  commission_ += f.commission;
  fills_.push_back(f);
  updated_at_ = f.time;
  // A fill is a fact at the broker: it is recorded even on a cancelled or
  // expired order (the broker filled it before the cancel took effect); the
  // status only moves when the machine allows it.
  const bool full = remaining_qty().is_zero();
  if (status_ == OrderStatus::kPendingCancel) {
    if (full)
      status_ = OrderStatus::kFilled;
    else
      before_cancel_ = OrderStatus::kPartiallyFilled;
  } else if (!is_terminal(status_)) {
    status_ = full ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  }
  return {};
}

Status Order::modify(std::optional<Decimal> qty, std::optional<Decimal> limit_price,
                     std::optional<Decimal> stop_price, Timestamp now) {
  if (!is_open()) return make_error(ErrorCode::kIllegalTransition, "modify: order is not open");
  if (status_ == OrderStatus::kPendingCancel)
    return make_error(ErrorCode::kIllegalTransition, "modify: cancel pending");
  OrderRequest next = req_;
  if (qty) next.qty = *qty;
  if (limit_price) next.limit_price = *limit_price;
  if (stop_price) next.stop_price = *stop_price;
  if (auto st = validate(next); !st) return st;
  if (next.qty <= filled_qty_)
    return make_error(ErrorCode::kInvalidArgument, "qty: must exceed the filled quantity");
  req_ = std::move(next);
  updated_at_ = now;
  return {};
}

}  // namespace td
