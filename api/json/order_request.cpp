#include "api/json/order_request.h"

#include <set>
#include <utility>
#include <vector>

#include "api/json/object_reader.h"
#include "api/json/parse.h"

namespace td::api {

using nlohmann::json;

bool valid_symbol(std::string_view s) {
  if (s.empty() || s.size() > kMaxSymbolLength) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.')) return false;
  return true;
}

bool valid_client_order_id(std::string_view s) {
  if (s.empty() || s.size() > kMaxClientOrderIdLength) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

bool blank(std::string_view body) {
  for (char c : body)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

// The body as a JSON value; an empty body is {} when `empty_ok`.
Parsed<json> body_json(std::string_view body, bool empty_ok) {
  if (blank(body)) {
    if (empty_ok) return json::object();
    return tl::unexpected(std::vector<FieldError>{{"", "a JSON object is required"}});
  }
  return parse_json(body);
}

std::string symbol_message() {
  return "must be 1.." + std::to_string(kMaxSymbolLength) +
         " upper-case letters, digits or '.' (e.g. \"SPY\", \"EUR.USD\")";
}

// An optional free-text reason: at most kMaxReasonLength bytes, printable.
std::string read_reason(ObjectReader& r) {
  auto s = r.string("reason");
  if (!s) return {};
  if (s->size() > kMaxReasonLength) {
    r.error("reason", "at most " + std::to_string(kMaxReasonLength) + " bytes");
    return {};
  }
  for (char c : *s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      r.error("reason", "must not contain control characters");
      return {};
    }
  }
  return *s;
}

// A price: > 0 when given.
std::optional<Decimal> read_price(ObjectReader& r, std::string_view key) {
  auto p = r.decimal(key);
  if (p && p->sign() <= 0) {
    r.error(key, "must be > 0");
    return std::nullopt;
  }
  return p;
}

template <class T>
Parsed<T> done(T value, std::vector<FieldError>& errors) {
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return value;
}

}  // namespace

Parsed<OrderRequest> order_request_from_json(const json& body) {
  std::vector<FieldError> errors;
  ObjectReader r(body, errors);
  if (!r.ok_object()) return tl::unexpected(std::move(errors));
  OrderRequest req;

  if (auto s = r.string("symbol", Need::kRequired)) {
    if (valid_symbol(*s))
      req.symbol = Symbol(std::move(*s));
    else
      r.error("symbol", symbol_message());
  }
  if (auto side = r.choice("side", parse_side, "buy, sell", Need::kRequired)) req.side = *side;
  if (auto qty = r.decimal("qty", Need::kRequired)) {
    if (qty->sign() <= 0)
      r.error("qty", "must be > 0");
    else
      req.qty = *qty;
  }
  const bool type_given = r.get("type") != nullptr;
  auto type = r.choice("type", parse_order_type, "market, limit, stop, stop_limit");
  if (type) req.type = *type;
  const bool type_ok = !type_given || type.has_value();

  const bool limit_given = r.get("limit_price") != nullptr;
  req.limit_price = read_price(r, "limit_price");
  const bool stop_given = r.get("stop_price") != nullptr;
  req.stop_price = read_price(r, "stop_price");
  if (type_ok) {
    // Only when the type is known: otherwise the type's own error says it all.
    const bool needs_limit = req.type == OrderType::kLimit || req.type == OrderType::kStopLimit;
    const bool needs_stop = req.type == OrderType::kStop || req.type == OrderType::kStopLimit;
    const std::string type_name(to_string(req.type));
    if (needs_limit && !limit_given) r.error("limit_price", "required for type " + type_name);
    if (!needs_limit && limit_given) r.error("limit_price", "not allowed for type " + type_name);
    if (needs_stop && !stop_given) r.error("stop_price", "required for type " + type_name);
    if (!needs_stop && stop_given) r.error("stop_price", "not allowed for type " + type_name);
  }

  if (auto tif = r.choice("tif", parse_tif, "day, gtc, ioc")) req.tif = *tif;
  if (auto id = r.string("client_order_id")) {
    if (valid_client_order_id(*id))
      req.client_order_id = std::move(*id);
    else
      r.error("client_order_id", "must be 1.." + std::to_string(kMaxClientOrderIdLength) +
                                     " characters of [A-Za-z0-9._:-]");
  }
  if (auto b = r.boolean("outside_rth")) req.outside_rth = *b;
  if (auto b = r.boolean("reduce_only")) req.reduce_only = *b;
  req.submit_at = r.time("submit_at");
  r.finish();

  if (errors.empty()) {
    // The core's own structural check, so that the API can never accept what
    // the engine would refuse (it reports one problem: "field: message").
    if (auto st = validate(req); !st) {
      const std::string& m = st.error().message;
      const size_t colon = m.find(": ");
      if (colon == std::string::npos)
        errors.push_back({"", m});
      else
        errors.push_back({m.substr(0, colon), m.substr(colon + 2)});
    }
  }
  return done(std::move(req), errors);
}

Parsed<OrderRequest> parse_order_request(std::string_view body) {
  auto j = body_json(body, false);
  if (!j) return tl::unexpected(std::move(j.error()));
  return order_request_from_json(*j);
}

Parsed<OrderModification> parse_order_modification(std::string_view body) {
  auto j = body_json(body, false);
  if (!j) return tl::unexpected(std::move(j.error()));
  std::vector<FieldError> errors;
  ObjectReader r(*j, errors);
  if (!r.ok_object()) return tl::unexpected(std::move(errors));
  OrderModification m;
  m.qty = r.decimal("qty");
  if (m.qty && m.qty->sign() <= 0) {
    r.error("qty", "must be > 0");
    m.qty.reset();
  }
  m.limit_price = read_price(r, "limit_price");
  m.stop_price = read_price(r, "stop_price");
  r.finish();
  if (errors.empty() && !m.qty && !m.limit_price && !m.stop_price)
    errors.push_back({"", "nothing to change: give qty, limit_price or stop_price"});
  return done(std::move(m), errors);
}

Parsed<TradingStateRequest> parse_trading_state_request(std::string_view body) {
  auto j = body_json(body, false);
  if (!j) return tl::unexpected(std::move(j.error()));
  std::vector<FieldError> errors;
  ObjectReader r(*j, errors);
  if (!r.ok_object()) return tl::unexpected(std::move(errors));
  TradingStateRequest req;
  if (auto s = r.choice("state", parse_trading_state, "active, reducing", Need::kRequired)) {
    if (*s == TradingState::kHalted)
      r.error("state", "halted is the kill switch: POST /api/v1/kill-switch");
    else
      req.state = *s;
  }
  req.reason = read_reason(r);
  r.finish();
  return done(std::move(req), errors);
}

Parsed<KillSwitchEngageRequest> parse_kill_switch_engage(std::string_view body) {
  auto j = body_json(body, true);
  if (!j) return tl::unexpected(std::move(j.error()));
  std::vector<FieldError> errors;
  ObjectReader r(*j, errors);
  if (!r.ok_object()) return tl::unexpected(std::move(errors));
  KillSwitchEngageRequest req;
  req.reason = read_reason(r);
  if (auto f = r.boolean("flatten")) req.flatten = *f;
  r.finish();
  return done(std::move(req), errors);
}

namespace {
template <class T>
Parsed<T> reason_only(std::string_view body) {
  auto j = body_json(body, true);
  if (!j) return tl::unexpected(std::move(j.error()));
  std::vector<FieldError> errors;
  ObjectReader r(*j, errors);
  if (!r.ok_object()) return tl::unexpected(std::move(errors));
  T req;
  req.reason = read_reason(r);
  r.finish();
  return done(std::move(req), errors);
}
}  // namespace

Parsed<KillSwitchRearmRequest> parse_kill_switch_rearm(std::string_view body) {
  return reason_only<KillSwitchRearmRequest>(body);
}

Parsed<FlattenRequest> parse_flatten_request(std::string_view body) {
  return reason_only<FlattenRequest>(body);
}

Parsed<risk::RiskLimits> parse_risk_limits_patch(std::string_view body,
                                                 const risk::RiskLimits& current) {
  using risk::BreakerAction;
  auto j = body_json(body, false);
  if (!j) return tl::unexpected(std::move(j.error()));
  std::vector<FieldError> errors;
  ObjectReader r(*j, errors);
  if (!r.ok_object()) return tl::unexpected(std::move(errors));
  risk::RiskLimits out = current;

  auto dec = [&](const char* key, Decimal& field, bool percent = false) {
    auto v = r.decimal(key, Need::kNonNull);
    if (!v) return;
    if (v->sign() < 0)
      r.error(key, "must be >= 0");
    else if (percent && *v > Decimal::from_int(100))
      r.error(key, "must be within 0..100 (a percentage)");
    else
      field = *v;
  };
  auto dur = [&](const char* key, Duration& field) {
    if (auto v = r.duration(key, Need::kNonNull)) field = *v;
  };
  auto integer = [&](const char* key, int64_t& field, int64_t max) {
    if (auto v = r.integer(key, 0, max, Need::kNonNull)) field = *v;
  };
  auto action = [&](const char* key, BreakerAction& field) {
    if (auto a = r.choice(key, risk::parse_breaker_action, "reduce, halt, alert", Need::kNonNull))
      field = *a;
  };

  // Pre-trade checks, in the order of docs/configuration.md.
  dec("max_order_qty", out.max_order_qty);
  dec("max_order_notional", out.max_order_notional);
  dec("min_notional", out.min_notional);
  dec("price_collar_pct", out.price_collar_pct, true);
  dur("reference_max_age", out.reference_max_age);
  dec("max_position_qty", out.max_position_qty);
  dec("max_position_notional", out.max_position_notional);
  dec("max_gross_exposure", out.max_gross_exposure);
  dec("max_net_exposure", out.max_net_exposure);
  integer("max_working_orders", out.max_working_orders, INT64_MAX);
  integer("max_orders_per_second", out.max_orders_per_second, risk::kMaxRateLimit);
  integer("max_orders_per_minute", out.max_orders_per_minute, risk::kMaxRateLimit);
  if (auto t = r.choice("throttle", risk::parse_throttle_action, "refuse, queue", Need::kNonNull))
    out.throttle_action = *t;
  dur("duplicate_window", out.duplicate_window);
  if (const json* list = r.get("allowed_symbols", Need::kNonNull)) {
    if (!list->is_array()) {
      r.error("allowed_symbols", "must be a list of symbols");
    } else {
      std::set<Symbol> symbols;
      bool ok = true;
      for (size_t i = 0; i < list->size(); ++i) {
        const json& e = (*list)[i];
        const std::string key = "allowed_symbols[" + std::to_string(i) + "]";
        if (!e.is_string() || !valid_symbol(e.get_ref<const std::string&>())) {
          r.error(key, symbol_message());
          ok = false;
        } else if (!symbols.insert(Symbol(e.get<std::string>())).second) {
          r.error(key, "duplicate symbol " + e.get<std::string>());
          ok = false;
        }
      }
      if (ok) out.allowed_symbols = std::move(symbols);
    }
  }
  if (auto b = r.boolean("allow_short", Need::kNonNull)) out.allow_short = *b;

  // Circuit breakers.
  dec("daily_loss_limit", out.daily_loss_limit);
  action("daily_loss_action", out.daily_loss_action);
  dec("max_drawdown", out.max_drawdown);
  dec("max_drawdown_pct", out.max_drawdown_pct, true);
  action("max_drawdown_action", out.max_drawdown_action);
  integer("max_consecutive_losses", out.max_consecutive_losses, INT64_MAX);
  dur("consecutive_losses_cooldown", out.consecutive_losses_cooldown);
  action("consecutive_losses_action", out.consecutive_losses_action);
  dur("max_position_duration", out.max_position_duration);
  dur("stale_data_after", out.stale_data_after);
  dur("broker_disconnect_after", out.broker_disconnect_after);
  action("broker_disconnect_action", out.broker_disconnect_action);

  if (r.get("trading_hours"))
    r.error("trading_hours",
            "configured per instrument (instruments[].trading_hours); not changeable at run time");
  r.finish();

  if (errors.empty()) {
    // The whole set, as the risk manager will judge it ("key: message").
    for (const std::string& problem : risk::validate(out)) {
      const size_t colon = problem.find(": ");
      std::string field = colon == std::string::npos ? "" : problem.substr(0, colon);
      std::string message = colon == std::string::npos ? problem : problem.substr(colon + 2);
      if (field == "throttle_action") field = "throttle";  // the struct's name for the key
      errors.push_back({std::move(field), std::move(message)});
    }
  }
  return done(std::move(out), errors);
}

}  // namespace td::api
