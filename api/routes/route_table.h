#pragma once
// Every route the daemon serves, with who may call it: the one list that the
// router dispatches on, the OpenAPI document is checked against (route
// inventory test) and the metrics label requests with. A route missing here
// is not served; a route here that openapi.json lacks fails the tests.
#include <span>
#include <string_view>

namespace td::api {

// Who may call a route. Roles are ordered (api-v1.md): viewer < trader < admin.
// kMetrics: viewer unless the configuration makes /metrics public.
enum class Access { kPublic, kViewer, kTrader, kAdmin, kMetrics };
std::string_view to_string(Access a);  // "public" | "viewer" | "trader" | "admin" | "metrics"

struct RouteInfo {
  std::string_view method;  // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string_view path;    // template: "/api/v1/orders/{id}"
  Access access;
  bool mutating;  // goes into the audit log with the caller's token name
  std::string_view summary;
};

std::span<const RouteInfo> route_table();

}  // namespace td::api
