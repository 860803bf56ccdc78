#include "api/routes/api_router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "api/json/parse.h"
#include "api/routes/query.h"
#include "api/routes/router_impl.h"

namespace td::api {

using nlohmann::json;

http::HttpResponse json_response(int status, const json& body) {
  return http::HttpResponse::json(status, dump_json(body));  // never throws on bad UTF-8
}

http::HttpResponse problem_response(Problem p, std::string_view instance) {
  if (p.instance.empty()) p.instance = std::string(instance.substr(0, 256));
  auto r = http::HttpResponse::json(p.status, to_json_text(p));
  r.headers.set("Content-Type", std::string(kProblemContentType));
  if (p.status == 401) r.headers.set("WWW-Authenticate", "Bearer");
  if (p.status == 429) r.headers.set("Retry-After", "1");
  return r;
}

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = std::min(path.find('/', i), path.size());
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_json_media_type(std::string_view ct) {
  const size_t semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return http::iequals(type, "application/json");
}

// Routes whose body is a JSON object (possibly optional). The other
// commands (queue pause/resume, strategy start/stop, config reload) take
// none: a non-blank body is 400 whatever its type, never ignored.
bool takes_body(const RouteInfo& r) {
  static constexpr std::string_view kWithBody[] = {
      "POST /api/v1/orders",        "PATCH /api/v1/orders/{id}",      "POST /api/v1/kill-switch",
      "DELETE /api/v1/kill-switch", "POST /api/v1/flatten",           "PUT /api/v1/trading-state",
      "PATCH /api/v1/risk/limits",  "PATCH /api/v1/strategies/{name}"};
  const std::string route = std::string(r.method) + " " + std::string(r.path);
  return std::find(std::begin(kWithBody), std::end(kWithBody), route) != std::end(kWithBody);
}

// The emergency routes are never held back by the per-token request rate.
bool is_emergency(const RouteInfo& r) {
  return r.path == "/api/v1/kill-switch" || r.path == "/api/v1/flatten" ||
         (r.method == "DELETE" && r.path == "/api/v1/orders");
}

bool blank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

ApiRouter::Impl::Impl(ApiBackend b, const SnapshotStore& s, auth::TokenStore t,
                      auth::FailureLimiter& f, Clock& w, ApiRouterOptions o)
    : backend(std::move(b)), snapshots(s), tokens(std::move(t)), failures(f), wall(w), options(o) {
  const std::map<std::string, Handler, std::less<>> handlers = {
      {"GET /healthz", &Impl::get_healthz},
      {"GET /readyz", &Impl::get_readyz},
      {"GET /metrics", &Impl::get_metrics},
      {"GET /api/v1/openapi.json", &Impl::get_openapi},
      {"GET /api/v1/status", &Impl::get_status},
      {"GET /api/v1/orders", &Impl::get_orders},
      {"POST /api/v1/orders", &Impl::post_order},
      {"DELETE /api/v1/orders", &Impl::delete_orders},
      {"GET /api/v1/orders/{id}", &Impl::get_order},
      {"PATCH /api/v1/orders/{id}", &Impl::patch_order},
      {"DELETE /api/v1/orders/{id}", &Impl::delete_order},
      {"GET /api/v1/orders/by-client-id/{client_order_id}", &Impl::get_order_by_client_id},
      {"GET /api/v1/queue", &Impl::get_queue},
      {"DELETE /api/v1/queue/{id}", &Impl::delete_queued},
      {"POST /api/v1/queue/pause", &Impl::post_queue_pause},
      {"POST /api/v1/queue/resume", &Impl::post_queue_resume},
      {"GET /api/v1/positions", &Impl::get_positions},
      {"GET /api/v1/positions/{symbol}", &Impl::get_position},
      {"DELETE /api/v1/positions/{symbol}", &Impl::delete_position},
      {"GET /api/v1/pnl", &Impl::get_pnl},
      {"GET /api/v1/pnl/history", &Impl::get_pnl_history},
      {"GET /api/v1/fills", &Impl::get_fills},
      {"GET /api/v1/kill-switch", &Impl::get_kill_switch},
      {"POST /api/v1/kill-switch", &Impl::post_kill_switch},
      {"DELETE /api/v1/kill-switch", &Impl::delete_kill_switch},
      {"POST /api/v1/flatten", &Impl::post_flatten},
      {"GET /api/v1/trading-state", &Impl::get_trading_state},
      {"PUT /api/v1/trading-state", &Impl::put_trading_state},
      {"GET /api/v1/risk", &Impl::get_risk},
      {"PATCH /api/v1/risk/limits", &Impl::patch_risk_limits},
      {"GET /api/v1/strategies", &Impl::get_strategies},
      {"GET /api/v1/strategies/{name}", &Impl::get_strategy},
      {"PATCH /api/v1/strategies/{name}", &Impl::patch_strategy},
      {"POST /api/v1/strategies/{name}/start", &Impl::post_strategy_start},
      {"POST /api/v1/strategies/{name}/stop", &Impl::post_strategy_stop},
      {"POST /api/v1/config/reload", &Impl::post_config_reload},
      {"GET /api/v1/events", &Impl::get_events},
      {"GET /api/v1/stream", &Impl::get_stream},
  };
  for (const RouteInfo& info : route_table()) {
    auto it = handlers.find(std::string(info.method) + " " + std::string(info.path));
    if (it == handlers.end())
      throw std::logic_error("no handler for " + std::string(info.method) + " " +
                             std::string(info.path));
    routes.push_back({&info, split_path(info.path), it->second});
  }
  if (handlers.size() != routes.size()) throw std::logic_error("a handler has no route");
}

bool ApiRouter::Impl::take_token(const std::string& name) {
  if (options.rate_per_second <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(rate_mu);
  auto [it, fresh] = buckets.try_emplace(name);
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = options.rate_burst;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(options.rate_burst, b.tokens + elapsed * options.rate_per_second);
  }
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void ApiRouter::Impl::handle(http::HttpRequest request, http::Reply reply) {
  auto c = std::make_shared<Call>();
  c->start = std::chrono::steady_clock::now();
  c->req = std::move(request);
  // Metrics see every answer with the route template, never the raw path.
  c->reply = [this, c_weak = std::weak_ptr<Call>(c), reply = std::move(reply),
              start = c->start](http::HttpResponse r) mutable {
    if (backend.observe) {
      const auto cs = c_weak.lock();
      backend.observe(cs ? cs->route : nullptr, cs ? std::string_view(cs->req.method) : "",
                      r.status,
                      std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - start));
    }
    reply(std::move(r));
  };

  const std::string path(c->req.path());
  const auto segments = split_path(path);
  std::string method = c->req.method;
  const bool head = method == "HEAD";
  if (head) method = "GET";

  // Match: a literal segment beats a parameter ("/queue/pause" is not {id}):
  // the path resolves to the templates with the most literal segments, and
  // only then is the method looked at (DELETE /queue/pause is 405, not a
  // DELETE of queued order "pause").
  const Route* best = nullptr;
  int best_literals = -1;
  std::vector<std::string_view> allowed;
  std::map<std::string, std::string> best_params;
  bool bad_escape = false;
  for (const Route& r : routes) {
    if (r.segments.size() != segments.size()) continue;
    int literals = 0;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& t = r.segments[i];
      if (t.size() > 2 && t.front() == '{' && t.back() == '}') {
        auto v = percent_decode(segments[i]);
        if (!v || v->empty()) {
          ok = false;
          bad_escape = bad_escape || !v;
        } else {
          params[t.substr(1, t.size() - 2)] = std::move(*v);
        }
      } else if (t == segments[i]) {
        ++literals;
      } else {
        ok = false;
      }
    }
    if (!ok || literals < best_literals) continue;
    if (literals > best_literals) {  // a more literal template: forget the others
      best = nullptr;
      best_literals = literals;
      allowed.clear();
    }
    if (std::find(allowed.begin(), allowed.end(), r.info->method) == allowed.end())
      allowed.push_back(r.info->method);
    if (r.info->method == method && !best) {
      best = &r;
      best_params = std::move(params);
    }
  }
  if (!best) {
    if (allowed.empty()) {
      fail(c, not_found(bad_escape ? "malformed percent-encoding in the path"
                                   : "no route " + path.substr(0, 200)));
      return;
    }
    Problem p;
    p.status = 405;
    p.slug = "method-not-allowed";
    p.title = "Method not allowed";
    std::string allow;
    for (auto m : allowed) allow += (allow.empty() ? "" : ", ") + std::string(m);
    p.detail = path.substr(0, 200) + " answers " + allow;
    auto r = problem_response(std::move(p), path);
    r.headers.set("Allow", allow);
    c->reply(std::move(r));
    return;
  }
  c->route = best->info;
  c->params = std::move(best_params);
  const RouteInfo& info = *best->info;

  const bool needs_token = info.access != Access::kPublic &&
                           !(info.access == Access::kMetrics && options.metrics_public);
  if (needs_token) {
    if (failures.blocked(c->req.remote_address)) {
      Problem p = rate_limited("too many failed authentications from this address");
      p.check = "auth_failures";
      fail(c, std::move(p));
      return;
    }
    const std::string* auth = c->req.headers.find("Authorization");
    c->principal = auth ? tokens.authenticate(*auth) : std::nullopt;
    if (!c->principal) {
      failures.record_failure(c->req.remote_address);
      spdlog::warn("API: {} {} from {}: {} token", c->req.method, info.path, c->req.remote_address,
                   auth ? "invalid" : "no");
      fail(c, unauthorized(auth ? "invalid bearer token" : "missing bearer token"));
      return;
    }
    failures.record_success(c->req.remote_address);
    auth::Role need = auth::Role::kViewer;
    if (info.access == Access::kTrader) need = auth::Role::kTrader;
    if (info.access == Access::kAdmin) need = auth::Role::kAdmin;
    if (!auth::allows(c->principal->role, need)) {
      fail(c, forbidden("this needs the " + std::string(auth::to_string(need)) + " role; token '" +
                        c->principal->name + "' is " +
                        std::string(auth::to_string(c->principal->role))));
      return;
    }
    if (!is_emergency(info) && !take_token(c->principal->name)) {
      Problem p = rate_limited("too many requests for this token");
      p.check = "api_rate_limit";
      fail(c, std::move(p));
      return;
    }
  }

  if (takes_body(info)) {
    if (!blank(c->req.body)) {
      const std::string* ct = c->req.headers.find("Content-Type");
      if (!ct || !is_json_media_type(*ct)) {
        fail(c, unsupported_media_type());
        return;
      }
    }
  } else if (!blank(c->req.body)) {
    fail(c, validation_error({{"body", "this route takes no body"}}));
    return;
  }

  try {
    (this->*(best->handler))(c);
  } catch (const std::exception& e) {
    spdlog::error("API: {} {}: {}", c->req.method, info.path, e.what());
    fail(c, internal_error());
  }
}

void ApiRouter::Impl::respond(const CallPtr& c, http::HttpResponse r) {
  if (!c->route || !c->route->mutating || !c->principal || !backend.post) {
    c->reply(std::move(r));
    return;
  }
  auto shared = std::make_shared<http::HttpResponse>(std::move(r));
  backend.post([this, c, shared] {
    if (backend.publisher) {
      audit_call(*c, shared->status);
      backend.publisher->flush();
    }
    c->reply(std::move(*shared));
  });
}

void ApiRouter::Impl::audit_call(const Call& c, int status) {
  backend.publisher->audit("api.request", c.principal->name,
                           {{"method", c.req.method},
                            {"route", c.route->path},
                            {"path", std::string(c.req.path()).substr(0, 256)},
                            {"status", status},
                            {"request_id", c.req.request_id}});
}

void ApiRouter::Impl::on_engine(const CallPtr& c, std::function<http::HttpResponse()> work) {
  if (!backend.post || !backend.engine || !backend.risk) {
    fail(c, unavailable("the engine is not running"));
    return;
  }
  backend.post([this, c, work = std::move(work)] {
    http::HttpResponse r;
    try {
      r = work();
    } catch (const std::exception& e) {
      spdlog::error("API: {} {}: {}", c->req.method, c->route->path, e.what());
      r = problem_response(internal_error(), c->req.path());
    }
    if (backend.publisher) {
      if (c->route->mutating && c->principal) audit_call(*c, r.status);
      backend.publisher->flush();
    }
    c->reply(std::move(r));
  });
}

void ApiRouter::Impl::on_engine_async(const CallPtr& c, std::function<void(Respond)> work) {
  if (!backend.post || !backend.engine || !backend.risk) {
    fail(c, unavailable("the engine is not running"));
    return;
  }
  backend.post([this, c, work = std::move(work)] {
    auto answered = std::make_shared<bool>(false);
    Respond respond = [this, c, answered](http::HttpResponse r) {
      if (*answered) return;
      *answered = true;
      if (backend.publisher) {
        if (c->route->mutating && c->principal) audit_call(*c, r.status);
        backend.publisher->flush();
      }
      c->reply(std::move(r));
    };
    try {
      work(respond);
    } catch (const std::exception& e) {
      spdlog::error("API: {} {}: {}", c->req.method, c->route->path, e.what());
      respond(problem_response(internal_error(), c->req.path()));
    }
  });
}

std::optional<std::map<std::string, std::string>> ApiRouter::Impl::query(
    const CallPtr& c, const std::set<std::string>& allowed) {
  auto q = parse_query(c->req.query(), allowed);
  if (!q) {
    fail(c, validation_error(std::move(q.error())));
    return std::nullopt;
  }
  return std::move(*q);
}

std::optional<OrderId> ApiRouter::Impl::order_id_param(const CallPtr& c) {
  const std::string& v = c->params["id"];
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n == 0) {
    fail(c, not_found("no order " + v.substr(0, 64)));
    return std::nullopt;
  }
  return OrderId(n);
}

std::optional<Symbol> ApiRouter::Impl::symbol_param(const CallPtr& c) {
  const std::string& v = c->params["symbol"];
  auto snap = snapshots.load();
  if (snap->info && snap->info->symbols.count(Symbol(v))) return Symbol(v);
  fail(c, not_found("no instrument " + v.substr(0, 64)));
  return std::nullopt;
}

ApiRouter::ApiRouter(ApiBackend backend, const SnapshotStore& snapshots, auth::TokenStore tokens,
                     auth::FailureLimiter& failures, Clock& wall, ApiRouterOptions options)
    : impl_(std::make_unique<Impl>(std::move(backend), snapshots, std::move(tokens), failures, wall,
                                   options)) {}

ApiRouter::~ApiRouter() = default;

void ApiRouter::handle(http::HttpRequest request, http::Reply reply) {
  impl_->handle(std::move(request), std::move(reply));
}

}  // namespace td::api
