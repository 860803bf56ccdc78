#include "fuzz_router.h"

#include <string>
#include <string_view>
#include <vector>

#include "api/json/order_request.h"
#include "api/openapi/openapi.h"
#include "api/problem.h"
#include "api/routes/route_table.h"

namespace td::fuzz {

namespace {

using api::http::HttpRequest;
using api::http::HttpResponse;
using api::http::Reply;

HttpResponse problem(api::Problem p, std::string_view path) {
  p.instance = std::string(path);
  const int status = p.status;
  auto r = HttpResponse::json(status, api::to_json_text(p));
  r.headers.set("Content-Type", std::string(api::kProblemContentType));
  return r;
}

// "/api/v1/orders/{id}" matches "/api/v1/orders/7": a {param} segment is any
// non-empty segment.
bool matches(std::string_view tmpl, std::string_view path) {
  while (!tmpl.empty() && !path.empty()) {
    const size_t ts = tmpl.find('/', 1), ps = path.find('/', 1);
    const std::string_view t = tmpl.substr(0, ts), p = path.substr(0, ps);
    const bool param = t.size() > 2 && t[1] == '{' && t.back() == '}';
    if (param ? p.size() < 2 : t != p) return false;
    tmpl = ts == std::string_view::npos ? std::string_view() : tmpl.substr(ts);
    path = ps == std::string_view::npos ? std::string_view() : path.substr(ps);
  }
  return tmpl.empty() && path.empty();
}

// The body parser of a route with a body; errors only (the stub changes nothing).
std::vector<api::FieldError> parse_body(std::string_view method, std::string_view tmpl,
                                        std::string_view body) {
  auto errors = [](const auto& parsed) {
    return parsed ? std::vector<api::FieldError>{} : parsed.error();
  };
  if (tmpl == "/api/v1/orders" && method == "POST") return errors(api::parse_order_request(body));
  if (tmpl == "/api/v1/orders/{id}" && method == "PATCH")
    return errors(api::parse_order_modification(body));
  if (tmpl == "/api/v1/trading-state") return errors(api::parse_trading_state_request(body));
  if (tmpl == "/api/v1/kill-switch" && method == "POST")
    return errors(api::parse_kill_switch_engage(body));
  if (tmpl == "/api/v1/kill-switch") return errors(api::parse_kill_switch_rearm(body));
  if (tmpl == "/api/v1/flatten") return errors(api::parse_flatten_request(body));
  if (tmpl == "/api/v1/risk/limits") return errors(api::parse_risk_limits_patch(body, {}));
  return {};
}

// Stands in for the API router: route lookup, the auth header's presence,
// Content-Type, and the body parsers. Answers at once, always.
class StubRouter final : public api::http::Router {
 public:
  void handle(HttpRequest req, Reply reply) override {
    const std::string_view path = req.path();
    const api::RouteInfo* route = nullptr;
    bool path_known = false;
    for (const api::RouteInfo& r : api::route_table()) {
      if (!matches(r.path, path)) continue;
      path_known = true;
      if (r.method == req.method) route = &r;
    }
    if (!route) {
      if (!path_known) return reply(problem(api::not_found("no route"), path));
      api::Problem p;
      p.status = 405;
      p.slug = "method-not-allowed";
      p.title = "Method not allowed";
      return reply(problem(std::move(p), path));
    }
    if (route->access != api::Access::kPublic && !req.headers.contains("Authorization"))
      return reply(problem(api::unauthorized(), path));
    if (route->path == "/api/v1/openapi.json")
      return reply(HttpResponse::json(200, std::string(api::openapi_json())));
    if (route->mutating && !req.body.empty() &&
        req.headers.get("Content-Type").substr(0, 16) != "application/json")
      return reply(problem(api::unsupported_media_type(), path));
    auto errors = parse_body(route->method, route->path, req.body);
    if (!errors.empty()) return reply(problem(api::validation_error(std::move(errors)), path));
    reply(HttpResponse::json(200, "{}"));
  }
};

}  // namespace

FuzzRouter make_fuzz_router() {
  return FuzzRouter{std::make_unique<StubRouter>(), {}};
}

}  // namespace td::fuzz
