#pragma once
// Response objects of the control API (api-v1.md), built from the core's and
// the risk manager's types. Conventions (docs/api.md, "JSON conventions"):
// decimals are strings in their shortest exact form ("450.1", "100", "-0.5";
// Decimal::to_string, never through a double); times are RFC 3339 UTC with
// milliseconds; a value that does not exist (no limit price, no fill yet,
// no broker id, kill switch not engaged) is null, never "" or "0"; ids are
// strings. Member names are the contract's; additions are marked below.
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "core/order.h"
#include "core/portfolio.h"
#include "core/risk_hook.h"
#include "core/time.h"
#include "risk/risk_limits.h"
#include "risk/risk_manager.h"

namespace td::api {

// "2026-11-21T14:30:00.123Z", or null.
nlohmann::json time_to_json(std::optional<Timestamp> t);
// A non-empty string, or null.
nlohmann::json text_or_null(std::string_view s);
// ["12", "13"]
nlohmann::json ids_to_json(const std::vector<OrderId>& ids);
// Durations as the configuration writes them, in the largest exact unit:
// "0s", "500ms", "30s", "5m", "1h", "1d" (parse_duration reads them back).
std::string format_duration(Duration d);

// The order object: id, client_order_id, symbol, side, qty, filled_qty,
// avg_fill_price (null before the first fill), type, limit_price,
// stop_price, tif, status, reject_reason, source, broker_order_id (null when
// the broker has not given one), created_at, updated_at, fills[{id, qty,
// price, commission, time}]. Additions: outside_rth, reduce_only, submit_at,
// and queued_reason when given (the queue listing: scheduled |
// broker_disconnected | market_closed | throttled | paused | persisting).
nlohmann::json to_json(const Order& o,
                       std::optional<std::string_view> queued_reason = std::nullopt);

// An entry of an order's "fills": {id, qty, price, commission, time}.
nlohmann::json order_fill_to_json(const Fill& f);
// The /fills object: {id, order_id, symbol, side, qty, price, commission,
// time, broker_exec_id (null when empty)}.
nlohmann::json to_json(const Fill& f);

// The /positions object from the portfolio's holding (the multiplier is the
// position's own): symbol, qty (signed), avg_cost (null when flat),
// market_price and market_value (null before the first mark),
// unrealized_pnl, realized_pnl, realized_pnl_today, opened_at (null when
// flat), multiplier.
nlohmann::json position_to_json(const Portfolio::Holding& h);

// The /pnl object: realized, unrealized, commissions, total,
// today{realized, unrealized, commissions, total}, equity, peak_equity,
// drawdown, drawdown_pct (a percentage of the peak: "5" is 5 %, as
// risk.max_drawdown_pct), as_of. Addition: cash.
nlohmann::json pnl_to_json(const Portfolio& p, Timestamp as_of);

// {engaged, reason, engaged_at, engaged_by}: reason/engaged_at/engaged_by
// are null unless engaged. Additions: rearmed_at, rearmed_by (the last
// re-arm while not engaged, else null).
nlohmann::json to_json(const risk::KillSwitchState& k);
// {state, reason, since, by}; empty texts and unknown times are null.
nlohmann::json to_json(const risk::TradingStateInfo& s);
// {name, tripped, tripped_at, detail}; detail null when empty.
nlohmann::json to_json(const risk::BreakerStatus& b);
// Every limit under its configuration key (docs/configuration.md risk.*):
// decimals as strings, integers as numbers, durations as format_duration,
// throttle/actions as words, allowed_symbols as a list, allow_short as a
// bool; plus trading_hours {SYMBOL: {timezone, open, close, days,
// outside_rth}} (read-only: configured per instrument).
nlohmann::json to_json(const risk::RiskLimits& l);
// GET /risk: {trading_state ("active|reducing|halted", as in /status),
// limits, usage, breakers[]}.
nlohmann::json risk_to_json(const risk::TradingStateInfo& state, const risk::RiskLimits& limits,
                            const std::vector<risk::BreakerStatus>& breakers,
                            nlohmann::json usage = nlohmann::json::object());

// An entry of POST /flatten's "positions": {symbol, qty, closing_order (the
// order object, or null), error (null when none)}.
nlohmann::json flatten_position_to_json(const FlattenResult& r, const Order* closing_order);

}  // namespace td::api
