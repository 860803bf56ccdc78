// GET routes: answered on the API thread from the current snapshot.
#include <charconv>

#include "api/json/mapping.h"
#include "api/routes/query.h"
#include "api/routes/router_impl.h"
#include "api/snapshot/views.h"

namespace td::api {

using nlohmann::json;

void ApiRouter::Impl::get_healthz(const CallPtr& c) {
  c->reply(http::HttpResponse::json(200, R"({"status":"ok"})"));
}

void ApiRouter::Impl::get_readyz(const CallPtr& c) {
  bool ready = false;
  json body = readiness_json(*snapshots.load(), ready);
  c->reply(json_response(ready ? 200 : 503, body));
}

void ApiRouter::Impl::get_metrics(const CallPtr& c) {
  if (!query(c, {})) return;
  if (!backend.metrics_text) {
    fail(c, unavailable("metrics are not enabled"));
    return;
  }
  c->reply(http::HttpResponse::text(200, backend.metrics_text(),
                                    "text/plain; version=0.0.4; charset=utf-8"));
}

void ApiRouter::Impl::get_openapi(const CallPtr& c) {
  if (!query(c, {})) return;
  if (!backend.openapi_json) {
    fail(c, not_found("the OpenAPI document is not built in"));
    return;
  }
  c->reply(http::HttpResponse::json(200, std::string(backend.openapi_json())));
}

void ApiRouter::Impl::get_status(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, status_json(*snapshots.load(), wall.now())));
}

void ApiRouter::Impl::get_orders(const CallPtr& c) {
  auto q = query(c, {"status", "symbol", "since", "limit", "cursor"});
  if (!q) return;
  std::vector<FieldError> errors;
  const ListParams lp = list_params(*q, errors);
  const auto since = time_param(*q, "since", errors);
  std::string status = "open";
  if (auto it = q->find("status"); it != q->end()) {
    status = it->second;
    if (status != "open" && status != "closed" && status != "all")
      errors.push_back({"status", "must be open, closed or all"});
  }
  std::optional<Symbol> symbol;
  if (auto it = q->find("symbol"); it != q->end()) symbol = Symbol(it->second);
  if (!errors.empty()) {
    fail(c, validation_error(std::move(errors)));
    return;
  }
  auto snap = snapshots.load();
  json list = json::array();
  bool more = false;
  uint64_t last_id = 0;
  // Newest first, below the cursor (the last id of the previous page).
  auto take = [&](const Order& o) {  // false: the page is full and one more exists
    if (symbol && o.symbol() != *symbol) return true;
    if (since && o.created_at() < *since) return true;
    if ((status == "open" && !o.is_open()) || (status == "closed" && o.is_open())) return true;
    if (list.size() == lp.limit) return false;
    list.push_back(to_json(o));
    last_id = o.id().value();
    return true;
  };
  const uint64_t below = lp.cursor.value_or(UINT64_MAX);
  if (status == "open") {
    for (auto it = snap->open_orders.rbegin(); it != snap->open_orders.rend() && !more; ++it)
      if (it->value() < below)
        if (const Order* o = snap->order(*it)) more = !take(*o);
  } else {
    for (uint64_t id = std::min<uint64_t>(snap->orders.size() + 1, below); id > 1 && !more; --id)
      if (const Order* o = snap->orders.at(id - 2)) more = !take(*o);
  }
  json body = {{"orders", std::move(list)},
               {"next_cursor", more ? json(std::to_string(last_id)) : json(nullptr)}};
  c->reply(json_response(200, body));
}

void ApiRouter::Impl::get_order(const CallPtr& c) {
  if (!query(c, {})) return;
  auto id = order_id_param(c);
  if (!id) return;
  auto snap = snapshots.load();
  const Order* o = snap->order(*id);
  if (!o) {
    fail(c, not_found("no order " + id->to_string()));
    return;
  }
  c->reply(json_response(200, to_json(*o)));
}

void ApiRouter::Impl::get_order_by_client_id(const CallPtr& c) {
  if (!query(c, {})) return;
  const std::string& cid = c->params["client_order_id"];
  auto snap = snapshots.load();
  for (size_t i = snap->orders.size(); i > 0; --i) {
    const Order* o = snap->orders.at(i - 1);
    if (o && o->client_order_id() == cid) {
      c->reply(json_response(200, to_json(*o)));
      return;
    }
  }
  fail(c, not_found("no order with client_order_id " + cid.substr(0, 64)));
}

void ApiRouter::Impl::get_queue(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, queue_json(*snapshots.load())));
}

void ApiRouter::Impl::get_positions(const CallPtr& c) {
  if (!query(c, {})) return;
  auto snap = snapshots.load();
  c->reply(http::HttpResponse::json(200, snap->positions_body()));
}

void ApiRouter::Impl::get_position(const CallPtr& c) {
  if (!query(c, {})) return;
  auto sym = symbol_param(c);
  if (!sym) return;
  auto snap = snapshots.load();
  const Portfolio::Holding* h = snap->portfolio ? snap->portfolio->holding(*sym) : nullptr;
  if (!h) {
    fail(c, not_found("no position in " + sym->str()));
    return;
  }
  c->reply(json_response(200, position_to_json(*h)));
}

void ApiRouter::Impl::get_pnl(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, pnl_json(*snapshots.load())));
}

void ApiRouter::Impl::get_pnl_history(const CallPtr& c) {
  auto q = query(c, {"interval", "from", "to"});
  if (!q) return;
  std::vector<FieldError> errors;
  Duration step = std::chrono::minutes(1);
  if (auto it = q->find("interval"); it != q->end()) {
    if (it->second == "1m")
      step = std::chrono::minutes(1);
    else if (it->second == "1h")
      step = std::chrono::hours(1);
    else if (it->second == "1d")
      step = std::chrono::hours(24);
    else
      errors.push_back({"interval", "must be 1m, 1h or 1d"});
  }
  auto from = time_param(*q, "from", errors);
  auto to = time_param(*q, "to", errors);
  if (from && to && *from > *to) errors.push_back({"from", "must not be after to"});
  if (!errors.empty()) {
    fail(c, validation_error(std::move(errors)));
    return;
  }
  auto snap = snapshots.load();
  constexpr size_t kMaxPoints = 10000;
  const Timestamp end = to.value_or(snap->as_of);
  const Timestamp begin = from.value_or(end - step * 1000);
  // The last point of each interval, oldest first.
  json points = json::array();
  std::optional<int64_t> bucket;
  const PnlPoint* pending = nullptr;
  auto emit = [&](const PnlPoint& p) {
    points.push_back({{"time", time_to_json(p.time)},
                      {"equity", p.equity.to_string()},
                      {"realized", p.realized.to_string()},
                      {"unrealized", p.unrealized.to_string()}});
  };
  for (size_t i = 0; i < snap->pnl_points.size(); ++i) {
    const PnlPoint* p = snap->pnl_points.at(i);
    if (!p || p->time < begin) continue;
    if (p->time > end) break;
    const int64_t b = p->time.time_since_epoch() / step;
    if (bucket && *bucket != b && pending) emit(*pending);
    bucket = b;
    pending = p;
    if (points.size() >= kMaxPoints) break;
  }
  if (pending && points.size() < kMaxPoints) emit(*pending);
  c->reply(json_response(200, {{"interval", q->count("interval") ? q->at("interval") : "1m"},
                               {"points", std::move(points)}}));
}

void ApiRouter::Impl::get_fills(const CallPtr& c) {
  auto q = query(c, {"symbol", "since", "until", "limit", "cursor"});
  if (!q) return;
  std::vector<FieldError> errors;
  const ListParams lp = list_params(*q, errors);
  const auto since = time_param(*q, "since", errors);
  const auto until = time_param(*q, "until", errors);
  if (!errors.empty()) {
    fail(c, validation_error(std::move(errors)));
    return;
  }
  std::optional<Symbol> symbol;
  if (auto it = q->find("symbol"); it != q->end()) symbol = Symbol(it->second);
  auto snap = snapshots.load();
  // The cursor is the position in the fill history to continue below.
  size_t i = std::min<uint64_t>(snap->fills.size(), lp.cursor.value_or(UINT64_MAX));
  json list = json::array();
  bool more = false;
  for (; i > 0; --i) {
    const Fill* f = snap->fills.at(i - 1);
    if (!f) continue;
    if (symbol && f->symbol != *symbol) continue;
    if (since && f->time < *since) continue;
    if (until && f->time > *until) continue;
    if (list.size() == lp.limit) {
      more = true;
      break;
    }
    list.push_back(to_json(*f));
  }
  json body = {{"fills", std::move(list)},
               {"next_cursor", more ? json(std::to_string(i)) : json(nullptr)}};
  c->reply(json_response(200, body));
}

void ApiRouter::Impl::get_kill_switch(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, to_json(snapshots.load()->kill_switch)));
}

void ApiRouter::Impl::get_trading_state(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, to_json(snapshots.load()->trading)));
}

void ApiRouter::Impl::get_risk(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, risk_json(*snapshots.load())));
}

void ApiRouter::Impl::get_strategies(const CallPtr& c) {
  if (!query(c, {})) return;
  c->reply(json_response(200, strategies_json(*snapshots.load())));
}

void ApiRouter::Impl::get_strategy(const CallPtr& c) {
  if (!query(c, {})) return;
  auto snap = snapshots.load();
  const StrategySnapshot* st = snap->strategy(c->params["name"]);
  if (!st) {
    fail(c, not_found("no strategy " + c->params["name"].substr(0, 64)));
    return;
  }
  c->reply(json_response(200, strategy_json(*st, *snap)));
}

void ApiRouter::Impl::get_events(const CallPtr& c) {
  auto q = query(c, {"after", "limit"});
  if (!q) return;
  std::vector<FieldError> errors;
  const ListParams lp = list_params(*q, errors);
  uint64_t after = 0;
  if (auto it = q->find("after"); it != q->end()) {
    const std::string& v = it->second;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), after);
    if (ec != std::errc() || end != v.data() + v.size() || v.empty())
      errors.push_back({"after", "must be an event seq (an integer >= 0)"});
  }
  if (!errors.empty()) {
    fail(c, validation_error(std::move(errors)));
    return;
  }
  auto snap = snapshots.load();
  // The events are serialised once when logged: the body is put together, not re-encoded.
  std::string body = R"({"events":[)";
  size_t n = 0;
  uint64_t last = after;
  for (uint64_t seq = after + 1; seq <= snap->events.size() && n < lp.limit; ++seq, ++n) {
    const AuditEvent* ev = snap->events.at(seq - 1);
    if (!ev) continue;
    if (n) body += ',';
    body += ev->json();
    last = seq;
  }
  const bool more = last < snap->events.size();
  body += R"(],"next_after":)";
  body += more ? std::to_string(last) : "null";
  body += '}';
  c->reply(http::HttpResponse::json(200, std::move(body)));
}

void ApiRouter::Impl::get_stream(const CallPtr& c) {
  if (!query(c, {})) return;  // tokens never go in the URL
  Problem p;
  p.status = 426;
  p.slug = "upgrade-required";
  p.title = "Upgrade required";
  p.detail = "GET /api/v1/stream is a WebSocket: send Upgrade: websocket";
  auto r = problem_response(std::move(p), c->req.path());
  r.headers.set("Upgrade", "websocket");
  r.headers.set("Connection", "Upgrade");
  c->reply(std::move(r));
}

}  // namespace td::api
