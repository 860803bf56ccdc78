#pragma once
// Internals shared by the route files (api_router.cpp: matching, auth,
// limits; read_routes.cpp: GETs from the snapshot; command_routes.cpp: work
// on the engine thread). Not for use outside api/routes.
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/problem.h"
#include "api/routes/api_router.h"

namespace td::api {

struct Call {
  http::HttpRequest req;
  http::Reply reply;
  const RouteInfo* route = nullptr;
  std::map<std::string, std::string> params;  // path parameters, percent-decoded
  std::optional<auth::Principal> principal;
  std::chrono::steady_clock::time_point start;

  // Who the engine and the risk manager are told acted: "api:<token name>".
  std::string actor() const { return principal ? "api:" + principal->name : "api"; }
  bool is_admin() const { return principal && principal->role == auth::Role::kAdmin; }
};
using CallPtr = std::shared_ptr<Call>;

http::HttpResponse json_response(int status, const nlohmann::json& body);
http::HttpResponse problem_response(Problem p, std::string_view instance);

struct ApiRouter::Impl {
  using Handler = void (Impl::*)(const CallPtr&);
  struct Route {
    const RouteInfo* info;
    std::vector<std::string> segments;  // "{x}" for a parameter
    Handler handler;
  };

  Impl(ApiBackend b, const SnapshotStore& s, auth::TokenStore t, auth::FailureLimiter& f, Clock& w,
       ApiRouterOptions o);

  void handle(http::HttpRequest request, http::Reply reply);

  // Answers a call. Mutating calls by a known token are audited first, on
  // the engine thread, so the audit entry is readable once the client has
  // its answer.
  void respond(const CallPtr& c, http::HttpResponse r);
  void fail(const CallPtr& c, Problem p) {
    respond(c, problem_response(std::move(p), c->req.path()));
  }
  // Runs `work` on the engine thread; its response is audited, the
  // publisher flushed, and then the client answered.
  void on_engine(const CallPtr& c, std::function<http::HttpResponse()> work);
  // As on_engine, for work that answers later (on the engine thread): an
  // order is acknowledged only once its row is committed.
  using Respond = std::function<void(http::HttpResponse)>;
  void on_engine_async(const CallPtr& c, std::function<void(Respond)> work);
  // Engine thread: the audit entry of a mutating call by a known token.
  void audit_call(const Call& c, int status);
  // Parses the query (allowed keys); answers 400 and returns nullopt on error.
  std::optional<std::map<std::string, std::string>> query(const CallPtr& c,
                                                          const std::set<std::string>& allowed);
  bool take_token(const std::string& name);  // per-token rate limit

  // Read routes (read_routes.cpp).
  void get_healthz(const CallPtr& c);
  void get_readyz(const CallPtr& c);
  void get_metrics(const CallPtr& c);
  void get_openapi(const CallPtr& c);
  void get_status(const CallPtr& c);
  void get_orders(const CallPtr& c);
  void get_order(const CallPtr& c);
  void get_order_by_client_id(const CallPtr& c);
  void get_queue(const CallPtr& c);
  void get_positions(const CallPtr& c);
  void get_position(const CallPtr& c);
  void get_pnl(const CallPtr& c);
  void get_pnl_history(const CallPtr& c);
  void get_fills(const CallPtr& c);
  void get_kill_switch(const CallPtr& c);
  void get_trading_state(const CallPtr& c);
  void get_risk(const CallPtr& c);
  void get_strategies(const CallPtr& c);
  void get_strategy(const CallPtr& c);
  void get_events(const CallPtr& c);
  void get_stream(const CallPtr& c);

  // Commands (command_routes.cpp).
  void post_order(const CallPtr& c);
  void patch_order(const CallPtr& c);
  void delete_order(const CallPtr& c);
  void delete_orders(const CallPtr& c);
  void delete_queued(const CallPtr& c);
  void post_queue_pause(const CallPtr& c);
  void post_queue_resume(const CallPtr& c);
  void delete_position(const CallPtr& c);
  void post_kill_switch(const CallPtr& c);
  void delete_kill_switch(const CallPtr& c);
  void post_flatten(const CallPtr& c);
  void put_trading_state(const CallPtr& c);
  void patch_risk_limits(const CallPtr& c);
  void patch_strategy(const CallPtr& c);
  void post_strategy_start(const CallPtr& c);
  void post_strategy_stop(const CallPtr& c);
  void post_config_reload(const CallPtr& c);
  void set_routing(const CallPtr& c, bool paused);
  void set_strategy_enabled(const CallPtr& c, bool enabled);

  // Path parameter {id} as an order id; answers 404 and returns nullopt when it is not one.
  std::optional<OrderId> order_id_param(const CallPtr& c);
  // Path parameter {symbol}: a configured instrument, else 404.
  std::optional<Symbol> symbol_param(const CallPtr& c);

  ApiBackend backend;
  const SnapshotStore& snapshots;
  auth::TokenStore tokens;
  auth::FailureLimiter& failures;
  Clock& wall;
  ApiRouterOptions options;
  std::vector<Route> routes;

  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex rate_mu;
  std::unordered_map<std::string, Bucket> buckets;
};

}  // namespace td::api
