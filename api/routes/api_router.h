#pragma once
// The control API's router (api-v1.md): request in, response out, no sockets,
// so tests can call it directly and the fuzzer can drive it.
//
// Reads answer at once from the published Snapshot on the calling API
// thread; commands are posted to the engine thread and answered from there
// after the publisher has flushed, so a client always reads its own writes.
// Before any handler runs: route match (404/405), auth (401, per-address
// failure limit 429), role (403), per-token request rate (429; the emergency
// routes — kill switch, flatten, cancel all — are never rate limited), media
// type (415) and body presence. Every mutating call that names a token goes
// into the audit log with the token's name and the status it got.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/auth/failure_limiter.h"
#include "api/auth/token_store.h"
#include "api/http/router.h"
#include "api/routes/route_table.h"
#include "api/snapshot/publisher.h"
#include "api/snapshot/snapshot.h"
#include "core/clock.h"
#include "core/engine.h"
#include "risk/risk_manager.h"

namespace td::api {

// What commands reach on the engine thread, and the daemon's hooks.
struct ApiBackend {
  Engine* engine = nullptr;
  risk::RiskManager* risk = nullptr;
  SnapshotPublisher* publisher = nullptr;
  // Runs a closure on the engine thread (never inline from an API thread).
  std::function<void(std::function<void()>)> post;
  // Engine thread. Each may be empty (then the route answers 503 unavailable).
  std::function<Status(const std::string& actor)> reload_config;
  std::function<void(const risk::RiskLimits&)> limits_changed;  // persist them
  std::function<Status(const std::string& name, const std::map<std::string, std::string>& params)>
      set_strategy_params;
  // API thread: the Prometheus text (empty function: 503) and the OpenAPI document.
  std::function<std::string()> metrics_text;
  std::function<std::string_view()> openapi_json;
  // Called on the API thread after each response (the matched route or
  // nullptr, the request's method, status, time taken): metrics.
  std::function<void(const RouteInfo* route, std::string_view method, int status,
                     std::chrono::nanoseconds elapsed)>
      observe;
};

struct ApiRouterOptions {
  bool metrics_public = false;  // GET /metrics without a token
  // Requests per second per token (a token bucket of `rate_burst`); 0 = off.
  double rate_per_second = 200;
  double rate_burst = 400;
  size_t body_limit = 64 * 1024;
};

class ApiRouter final : public http::Router {
 public:
  ApiRouter(ApiBackend backend, const SnapshotStore& snapshots, auth::TokenStore tokens,
            auth::FailureLimiter& failures, Clock& wall, ApiRouterOptions options = {});
  ~ApiRouter() override;

  void handle(http::HttpRequest request, http::Reply reply) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace td::api
