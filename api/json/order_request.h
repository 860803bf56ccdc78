#pragma once
// Request bodies of the control API (api-v1.md), parsed and checked without
// any engine state: every problem is reported (one FieldError per field),
// not only the first; unknown fields are errors. Checks that need state
// (is the symbol a configured instrument? is submit_at in the future? may
// this role do this?) belong to the caller.
//
// Defaults and choices (docs/api.md, "JSON conventions"):
// - POST /orders: symbol, side and qty are required; type defaults to
//   "market", tif to "day", outside_rth and reduce_only to false;
//   client_order_id, limit_price, stop_price and submit_at are optional
//   (null = absent). limit_price is required for limit/stop_limit and refused
//   for market/stop; stop_price likewise for stop/stop_limit. A client cannot
//   set `source` (always "api").
// - Bodies of POST /kill-switch, DELETE /kill-switch and POST /flatten may be
//   empty (the emergency button must never fail on a missing body); every
//   `reason` is optional, at most 500 bytes, without control characters.
// - PUT /trading-state: state is required; "halted" is refused here (it is
//   the kill switch: POST /api/v1/kill-switch).
// - PATCH /risk/limits: any subset of the risk.* keys of docs/configuration.md,
//   applied onto the current limits; the result must pass td::risk::validate.
//   null is refused (0 turns a limit off). trading_hours is configured per
//   instrument and cannot be changed here.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/json/field_error.h"
#include "core/broker.h"
#include "core/order.h"
#include "core/risk_hook.h"
#include "risk/risk_limits.h"

namespace td::api {

inline constexpr size_t kMaxSymbolLength = 32;
inline constexpr size_t kMaxClientOrderIdLength = 64;
inline constexpr size_t kMaxReasonLength = 500;

// Upper-case letters, digits and '.', 1..32 characters ("SPY", "MESZ6", "EUR.USD").
bool valid_symbol(std::string_view s);
// 1..64 characters of [A-Za-z0-9._:-].
bool valid_client_order_id(std::string_view s);

// POST /api/v1/orders
Parsed<OrderRequest> parse_order_request(std::string_view body);
Parsed<OrderRequest> order_request_from_json(const nlohmann::json& body);

// PATCH /api/v1/orders/{id}: {"qty", "limit_price", "stop_price"}, at least
// one of them; null = unchanged.
Parsed<OrderModification> parse_order_modification(std::string_view body);

// PUT /api/v1/trading-state
struct TradingStateRequest {
  TradingState state = TradingState::kActive;
  std::string reason;
};
Parsed<TradingStateRequest> parse_trading_state_request(std::string_view body);

// POST /api/v1/kill-switch
struct KillSwitchEngageRequest {
  std::string reason;
  bool flatten = false;
};
Parsed<KillSwitchEngageRequest> parse_kill_switch_engage(std::string_view body);

// DELETE /api/v1/kill-switch
struct KillSwitchRearmRequest {
  std::string reason;
};
Parsed<KillSwitchRearmRequest> parse_kill_switch_rearm(std::string_view body);

// POST /api/v1/flatten
struct FlattenRequest {
  std::string reason;
};
Parsed<FlattenRequest> parse_flatten_request(std::string_view body);

// PATCH /api/v1/risk/limits: `current` with the body's keys applied.
Parsed<risk::RiskLimits> parse_risk_limits_patch(std::string_view body,
                                                 const risk::RiskLimits& current);

}  // namespace td::api
