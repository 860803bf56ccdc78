#include "api/routes/route_table.h"

#include <array>

namespace td::api {

std::string_view to_string(Access a) {
  switch (a) {
    case Access::kPublic:
      return "public";
    case Access::kViewer:
      return "viewer";
    case Access::kTrader:
      return "trader";
    case Access::kAdmin:
      return "admin";
    case Access::kMetrics:
      return "metrics";
  }
  return "?";
}

namespace {
using enum Access;
constexpr std::array kRoutes{
    RouteInfo{"GET", "/healthz", kPublic, false, "Liveness: the process serves"},
    RouteInfo{"GET", "/readyz", kPublic, false, "Readiness: broker connected and store writable"},
    RouteInfo{"GET", "/metrics", kMetrics, false, "Prometheus metrics"},
    RouteInfo{"GET", "/api/v1/openapi.json", kPublic, false, "This API as OpenAPI 3.1"},
    RouteInfo{"GET", "/api/v1/status", kViewer, false, "Daemon, broker, store and strategy status"},
    RouteInfo{"GET", "/api/v1/orders", kViewer, false, "List orders, newest first"},
    RouteInfo{"POST", "/api/v1/orders", kTrader, true, "Submit an order"},
    RouteInfo{"DELETE", "/api/v1/orders", kTrader, true, "Cancel every open and queued order"},
    RouteInfo{"GET", "/api/v1/orders/{id}", kViewer, false, "One order"},
    RouteInfo{"PATCH", "/api/v1/orders/{id}", kTrader, true, "Modify an open order"},
    RouteInfo{"DELETE", "/api/v1/orders/{id}", kTrader, true, "Cancel an order"},
    RouteInfo{"GET", "/api/v1/orders/by-client-id/{client_order_id}", kViewer, false,
              "One order by its client_order_id"},
    RouteInfo{"GET", "/api/v1/queue", kViewer, false, "Orders accepted but not yet routed"},
    RouteInfo{"DELETE", "/api/v1/queue/{id}", kTrader, true, "Cancel a queued order"},
    RouteInfo{"POST", "/api/v1/queue/pause", kTrader, true, "Hold routing of queued orders"},
    RouteInfo{"POST", "/api/v1/queue/resume", kTrader, true, "Release routing of queued orders"},
    RouteInfo{"GET", "/api/v1/positions", kViewer, false, "Every position"},
    RouteInfo{"GET", "/api/v1/positions/{symbol}", kViewer, false, "One position"},
    RouteInfo{"DELETE", "/api/v1/positions/{symbol}", kTrader, true, "Close a position"},
    RouteInfo{"GET", "/api/v1/pnl", kViewer, false, "Account P&L"},
    RouteInfo{"GET", "/api/v1/pnl/history", kViewer, false, "Equity and P&L over time"},
    RouteInfo{"GET", "/api/v1/fills", kViewer, false, "List fills, newest first"},
    RouteInfo{"GET", "/api/v1/kill-switch", kViewer, false, "Kill switch state"},
    RouteInfo{"POST", "/api/v1/kill-switch", kTrader, true, "Engage the kill switch"},
    RouteInfo{"DELETE", "/api/v1/kill-switch", kAdmin, true, "Re-arm: trading active again"},
    RouteInfo{"POST", "/api/v1/flatten", kTrader, true,
              "Emergency: engage, cancel everything, close every position"},
    RouteInfo{"GET", "/api/v1/trading-state", kViewer, false, "Trading state"},
    RouteInfo{"PUT", "/api/v1/trading-state", kTrader, true,
              "Change the trading state (back to active: admin)"},
    RouteInfo{"GET", "/api/v1/risk", kViewer, false, "Risk limits, usage and breakers"},
    RouteInfo{"PATCH", "/api/v1/risk/limits", kAdmin, true, "Change risk limits at run time"},
    RouteInfo{"GET", "/api/v1/strategies", kViewer, false, "Every strategy"},
    RouteInfo{"GET", "/api/v1/strategies/{name}", kViewer, false, "One strategy"},
    RouteInfo{"PATCH", "/api/v1/strategies/{name}", kAdmin, true, "Change a strategy's params"},
    RouteInfo{"POST", "/api/v1/strategies/{name}/start", kAdmin, true, "Start a strategy"},
    RouteInfo{"POST", "/api/v1/strategies/{name}/stop", kAdmin, true, "Stop a strategy"},
    RouteInfo{"POST", "/api/v1/config/reload", kAdmin, true,
              "Reload the configuration file (as SIGHUP)"},
    RouteInfo{"GET", "/api/v1/events", kViewer, false, "Audit log: state changes and API calls"},
    RouteInfo{"GET", "/api/v1/stream", kViewer, false, "WebSocket stream (upgrade)"},
};
}  // namespace

std::span<const RouteInfo> route_table() {
  return kRoutes;
}

}  // namespace td::api
