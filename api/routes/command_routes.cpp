// Commands: bodies are parsed on the API thread (no engine state needed);
// the work runs on the engine thread through on_engine(), which audits,
// flushes the snapshot and answers.
#include "api/json/mapping.h"
#include "api/json/order_request.h"
#include "api/routes/router_impl.h"
#include "api/snapshot/views.h"

namespace td::api {

using nlohmann::json;

namespace {

std::string reason_or(const std::string& reason, const CallPtr& c, std::string_view what) {
  if (!reason.empty()) return reason;
  return std::string(what) + " by " + c->actor();
}

}  // namespace

void ApiRouter::Impl::post_order(const CallPtr& c) {
  auto parsed = parse_order_request(c->req.body);
  if (!parsed) {
    fail(c, validation_error(std::move(parsed.error())));
    return;
  }
  OrderRequest req = std::move(*parsed);
  req.source = "api";
  {
    auto snap = snapshots.load();
    if (!snap->info || !snap->info->symbols.count(req.symbol)) {
      fail(c, validation_error({{"symbol", "not a configured instrument: " + req.symbol.str()}}));
      return;
    }
  }
  on_engine_async(c, [this, c, req = std::move(req)](Respond respond) mutable {
    Engine& engine = *backend.engine;
    if (req.submit_at && *req.submit_at <= engine.now() &&
        !(req.client_order_id.size() && engine.order_by_client_id(req.client_order_id))) {
      respond(problem_response(
          validation_error({{"submit_at", "must be in the future (engine time " +
                                              format_rfc3339(engine.now()) + ")"}}),
          c->req.path()));
      return;
    }
    auto out = engine.submit(std::move(req));
    if (!out) return respond(problem_response(problem_for(out.error()), c->req.path()));
    if (out->denial) return respond(problem_response(problem_for(*out->denial), c->req.path()));
    // 201 only once the order's row is committed (persist before
    // acknowledge); a retry of an order still being stored waits the same.
    const OrderId id = out->order->id();
    const bool existing = out->existing;
    engine.when_durable(id, [this, c, id, existing, respond](Status st) {
      if (!st) return respond(problem_response(problem_for(st.error()), c->req.path()));
      const Order* o = backend.engine->order(id);
      auto r = json_response(existing ? 200 : 201, to_json(*o));
      r.headers.set("Location", "/api/v1/orders/" + id.to_string());
      respond(std::move(r));
    });
  });
}

void ApiRouter::Impl::patch_order(const CallPtr& c) {
  auto id = order_id_param(c);
  if (!id) return;
  auto parsed = parse_order_modification(c->req.body);
  if (!parsed) {
    fail(c, validation_error(std::move(parsed.error())));
    return;
  }
  on_engine(c, [this, c, id = *id, m = *parsed]() -> http::HttpResponse {
    Engine& engine = *backend.engine;
    if (auto st = engine.modify(id, m); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    return json_response(202, to_json(*engine.order(id)));
  });
}

void ApiRouter::Impl::delete_order(const CallPtr& c) {
  auto id = order_id_param(c);
  if (!id) return;
  on_engine(c, [this, c, id = *id]() -> http::HttpResponse {
    Engine& engine = *backend.engine;
    if (auto st = engine.cancel(id); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    return json_response(202, to_json(*engine.order(id)));
  });
}

void ApiRouter::Impl::delete_orders(const CallPtr& c) {
  on_engine(c, [this, c]() -> http::HttpResponse {
    auto ids = backend.engine->cancel_all("cancel all by " + c->actor());
    return json_response(202, {{"cancelled", ids_to_json(ids)}});
  });
}

void ApiRouter::Impl::delete_queued(const CallPtr& c) {
  auto id = order_id_param(c);
  if (!id) return;
  on_engine(c, [this, c, id = *id]() -> http::HttpResponse {
    Engine& engine = *backend.engine;
    const Order* o = engine.order(id);
    if (!o) return problem_response(not_found("no order " + id.to_string()), c->req.path());
    if (o->status() != OrderStatus::kQueued)
      return problem_response(
          invalid_state("order " + id.to_string() + " is " + std::string(to_string(o->status())) +
                        ", not queued (DELETE /api/v1/orders/" + id.to_string() + " cancels it)"),
          c->req.path());
    if (auto st = engine.cancel(id); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    return json_response(202, to_json(*engine.order(id)));
  });
}

void ApiRouter::Impl::set_routing(const CallPtr& c, bool paused) {
  on_engine(c, [this, paused]() -> http::HttpResponse {
    backend.engine->set_routing_paused(paused);
    if (backend.publisher) {
      backend.publisher->invalidate();
      backend.publisher->flush();
    }
    return json_response(200, queue_json(*snapshots.load()));
  });
}

void ApiRouter::Impl::post_queue_pause(const CallPtr& c) {
  set_routing(c, true);
}
void ApiRouter::Impl::post_queue_resume(const CallPtr& c) {
  set_routing(c, false);
}

void ApiRouter::Impl::delete_position(const CallPtr& c) {
  auto sym = symbol_param(c);
  if (!sym) return;
  on_engine(c, [this, c, sym = *sym]() -> http::HttpResponse {
    Engine& engine = *backend.engine;
    if (engine.portfolio().position_qty(sym).is_zero())
      return problem_response(not_found("no open position in " + sym.str()), c->req.path());
    // "flatten": the risk manager's closing source (it can only reduce, and
    // it passes a halted state: closing must work when everything else is off).
    FlattenResult r =
        engine.close_position(sym, "flatten", "close " + sym.str() + " by " + c->actor());
    const Order* o = r.closing_order ? engine.order(*r.closing_order) : nullptr;
    if (!o)
      return problem_response(invalid_state(r.error.value_or("the position could not be closed")),
                              c->req.path());
    // The order says what became of the close (queued while the broker is
    // away, rejected with its reason); POST /flatten also lists r.error.
    return json_response(202, to_json(*o));
  });
}

void ApiRouter::Impl::post_kill_switch(const CallPtr& c) {
  auto parsed = parse_kill_switch_engage(c->req.body);
  if (!parsed) {
    fail(c, validation_error(std::move(parsed.error())));
    return;
  }
  on_engine(c, [this, c, req = *parsed]() -> http::HttpResponse {
    auto r = backend.risk->engage(reason_or(req.reason, c, "kill switch"), c->actor(), req.flatten,
                                  backend.engine->now());
    if (backend.publisher) backend.publisher->note_risk_change();
    return json_response(200, to_json(r.kill_switch));
  });
}

void ApiRouter::Impl::delete_kill_switch(const CallPtr& c) {
  auto parsed = parse_kill_switch_rearm(c->req.body);
  if (!parsed) {
    fail(c, validation_error(std::move(parsed.error())));
    return;
  }
  on_engine(c, [this, c, req = *parsed]() -> http::HttpResponse {
    if (!backend.risk->kill_switch().engaged)
      return problem_response(invalid_state("the kill switch is not engaged"), c->req.path());
    if (auto st = backend.risk->rearm(reason_or(req.reason, c, "re-armed"), c->actor(),
                                      backend.engine->now());
        !st)
      return problem_response(problem_for(st.error()), c->req.path());
    if (backend.publisher) backend.publisher->note_risk_change();
    return json_response(200, to_json(backend.risk->kill_switch()));
  });
}

void ApiRouter::Impl::post_flatten(const CallPtr& c) {
  auto parsed = parse_flatten_request(c->req.body);
  if (!parsed) {
    fail(c, validation_error(std::move(parsed.error())));
    return;
  }
  on_engine(c, [this, c, req = *parsed]() -> http::HttpResponse {
    Engine& engine = *backend.engine;
    auto r =
        backend.risk->engage(reason_or(req.reason, c, "flatten"), c->actor(), true, engine.now());
    if (backend.publisher) backend.publisher->note_risk_change();
    json positions = json::array();
    for (const auto& p : r.positions)
      positions.push_back(
          flatten_position_to_json(p, p.closing_order ? engine.order(*p.closing_order) : nullptr));
    return json_response(202, {{"kill_switch", to_json(r.kill_switch)},
                               {"cancelled", ids_to_json(r.cancelled)},
                               {"positions", std::move(positions)}});
  });
}

void ApiRouter::Impl::put_trading_state(const CallPtr& c) {
  auto parsed = parse_trading_state_request(c->req.body);
  if (!parsed) {
    fail(c, validation_error(std::move(parsed.error())));
    return;
  }
  on_engine(c, [this, c, req = *parsed]() -> http::HttpResponse {
    risk::RiskManager& risk = *backend.risk;
    if (req.state == TradingState::kActive && risk.trading_state().state != TradingState::kActive &&
        !c->is_admin())
      return problem_response(forbidden("moving back to active needs the admin role"),
                              c->req.path());
    if (auto st = risk.set_trading_state(req.state, reason_or(req.reason, c, "state change"),
                                         c->actor(), c->is_admin(), backend.engine->now());
        !st)
      return problem_response(problem_for(st.error()), c->req.path());
    if (backend.publisher) backend.publisher->note_risk_change();
    return json_response(200, to_json(risk.trading_state()));
  });
}

void ApiRouter::Impl::patch_risk_limits(const CallPtr& c) {
  on_engine(c, [this, c]() -> http::HttpResponse {
    risk::RiskManager& risk = *backend.risk;
    auto parsed = parse_risk_limits_patch(c->req.body, risk.limits());
    if (!parsed)
      return problem_response(validation_error(std::move(parsed.error())), c->req.path());
    if (auto st = risk.set_limits(*parsed, c->actor()); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    if (backend.limits_changed) backend.limits_changed(risk.limits());
    if (backend.publisher) {
      backend.publisher->note_risk_change();
      backend.publisher->flush();
    }
    return json_response(200, risk_json(*snapshots.load()));
  });
}

void ApiRouter::Impl::set_strategy_enabled(const CallPtr& c, bool enabled) {
  on_engine(c, [this, c, enabled]() -> http::HttpResponse {
    const std::string& name = c->params["name"];
    if (auto st = backend.engine->set_strategy_enabled(name, enabled); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    if (backend.publisher) backend.publisher->flush();
    auto snap = snapshots.load();
    const StrategySnapshot* s = snap->strategy(name);
    if (!s) return problem_response(not_found("no strategy " + name.substr(0, 64)), c->req.path());
    return json_response(200, strategy_json(*s, *snap));
  });
}

void ApiRouter::Impl::post_strategy_start(const CallPtr& c) {
  set_strategy_enabled(c, true);
}
void ApiRouter::Impl::post_strategy_stop(const CallPtr& c) {
  set_strategy_enabled(c, false);
}

void ApiRouter::Impl::patch_strategy(const CallPtr& c) {
  // {"params": {"fast": 10, "slow": "30"}}: scalars, written as the configuration writes them.
  json body;
  std::vector<FieldError> errors;
  try {
    body = json::parse(c->req.body);
  } catch (const json::exception&) {
    fail(c, validation_error({{"body", "malformed JSON"}}));
    return;
  }
  std::map<std::string, std::string> params;
  if (!body.is_object()) {
    errors.push_back({"body", "must be a JSON object"});
  } else {
    for (const auto& [k, v] : body.items())
      if (k != "params") errors.push_back({k, "unknown field"});
    if (!body.contains("params")) {
      errors.push_back({"params", "required"});
    } else if (!body["params"].is_object()) {
      errors.push_back({"params", "must be an object"});
    } else {
      for (const auto& [k, v] : body["params"].items()) {
        if (v.is_string())
          params[k] = v.get<std::string>();
        else if (v.is_number_integer() || v.is_boolean())
          params[k] = v.dump();
        else if (v.is_number_float())
          params[k] = v.dump();
        else
          errors.push_back({"params." + k, "must be a string, number or boolean"});
      }
    }
  }
  if (!errors.empty()) {
    fail(c, validation_error(std::move(errors)));
    return;
  }
  on_engine(c, [this, c, params = std::move(params)]() -> http::HttpResponse {
    if (!backend.set_strategy_params)
      return problem_response(unavailable("changing parameters is not available"), c->req.path());
    if (auto st = backend.set_strategy_params(c->params["name"], params); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    if (backend.publisher) {
      backend.publisher->invalidate();
      backend.publisher->flush();
    }
    auto snap = snapshots.load();
    const StrategySnapshot* s = snap->strategy(c->params["name"]);
    if (!s)
      return problem_response(not_found("no strategy " + c->params["name"].substr(0, 64)),
                              c->req.path());
    return json_response(200, strategy_json(*s, *snap));
  });
}

void ApiRouter::Impl::post_config_reload(const CallPtr& c) {
  on_engine(c, [this, c]() -> http::HttpResponse {
    if (!backend.reload_config)
      return problem_response(unavailable("reload is not available"), c->req.path());
    if (auto st = backend.reload_config(c->actor()); !st)
      return problem_response(problem_for(st.error()), c->req.path());
    if (backend.publisher) {
      backend.publisher->invalidate();
      backend.publisher->flush();
    }
    return json_response(200, {{"reloaded", true}, {"reloaded_at", time_to_json(wall.now())}});
  });
}

}  // namespace td::api
