#pragma once
// The JSON bodies of the read routes and of the stream's snapshots, rendered
// from a Snapshot: one rendering for GET and for WebSocket, so both always
// agree. Member names follow api-v1.md; additions are listed in docs/api.md.
#include <nlohmann/json.hpp>

#include "api/snapshot/snapshot.h"

namespace td::api {

// GET /api/v1/status. `wall_now` gives uptime_s.
nlohmann::json status_json(const Snapshot& s, Timestamp wall_now);
// {"positions": [...]} (open positions and flat ones with P&L, by symbol).
nlohmann::json positions_json(const Snapshot& s);
// GET /api/v1/pnl
nlohmann::json pnl_json(const Snapshot& s);
// GET /api/v1/risk: trading state, limits, usage, breakers (+ kill_switch).
nlohmann::json risk_json(const Snapshot& s);
// One entry of GET /api/v1/strategies.
nlohmann::json strategy_json(const StrategySnapshot& st, const Snapshot& s);
nlohmann::json strategies_json(const Snapshot& s);
// GET /api/v1/queue
nlohmann::json queue_json(const Snapshot& s);
// GET /readyz body; `ready` says whether it is 200.
nlohmann::json readiness_json(const Snapshot& s, bool& ready);
// The open orders (stream snapshot of "orders"): {"orders": [...]}, oldest first.
nlohmann::json open_orders_json(const Snapshot& s);
// The last `n` fills, newest first: {"fills": [...]}.
nlohmann::json recent_fills_json(const Snapshot& s, size_t n);

}  // namespace td::api
