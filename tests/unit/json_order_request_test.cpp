// Request bodies (api/json/order_request.h): POST /orders, PATCH /orders/{id},
// PUT /trading-state, the kill switch, flatten and PATCH /risk/limits. Every
// problem is reported with its field, all at once; unknown fields are errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>

#include "api/json/order_request.h"

namespace td {
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}
namespace api {
[[maybe_unused]] static void PrintTo(const FieldError& e, std::ostream* os) {
  *os << "{" << e.field << ": " << e.message << "}";
}

namespace {

Decimal D(const char* s) {
  return Decimal::parse(s).value();
}

template <class T>
std::vector<FieldError> errors_of(const Parsed<T>& p) {
  EXPECT_FALSE(p.has_value());
  return p ? std::vector<FieldError>{} : p.error();
}

// The message of the error for `field` ("" when there is none).
template <class T>
std::string error_for(const Parsed<T>& p, const std::string& field) {
  for (const FieldError& e : errors_of(p))
    if (e.field == field) return e.message;
  return "";
}

TEST(JsonOrderRequest, FullBodyOfTheContract) {
  auto r = parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": "100", "type": "limit",
    "limit_price": "450.10", "stop_price": null, "tif": "day",
    "client_order_id": "my-2026-11-21-001", "outside_rth": false,
    "reduce_only": false, "submit_at": null})");
  ASSERT_TRUE(r.has_value()) << r.error().front().field << ": " << r.error().front().message;
  EXPECT_EQ(r->symbol.str(), "SPY");
  EXPECT_EQ(r->side, Side::kBuy);
  EXPECT_EQ(r->qty, Decimal::from_int(100));
  EXPECT_EQ(r->type, OrderType::kLimit);
  EXPECT_EQ(r->limit_price, D("450.1"));
  EXPECT_EQ(r->stop_price, std::nullopt);
  EXPECT_EQ(r->tif, TimeInForce::kDay);
  EXPECT_EQ(r->client_order_id, "my-2026-11-21-001");
  EXPECT_FALSE(r->outside_rth);
  EXPECT_FALSE(r->reduce_only);
  EXPECT_EQ(r->submit_at, std::nullopt);
  EXPECT_EQ(r->source, "api");
}

TEST(JsonOrderRequest, EveryFieldSet) {
  auto r = parse_order_request(R"({"symbol": "EUR.USD", "side": "sell", "qty": 2.5,
    "type": "stop_limit", "limit_price": 1.0842, "stop_price": "1.0850", "tif": "gtc",
    "client_order_id": "A.b_c:d-9", "outside_rth": true, "reduce_only": true,
    "submit_at": "2026-11-21T16:30:00.250+02:00"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->symbol.str(), "EUR.USD");
  EXPECT_EQ(r->side, Side::kSell);
  EXPECT_EQ(r->qty, D("2.5"));
  EXPECT_EQ(r->type, OrderType::kStopLimit);
  EXPECT_EQ(r->limit_price, D("1.0842"));
  EXPECT_EQ(r->stop_price, D("1.085"));
  EXPECT_EQ(r->tif, TimeInForce::kGtc);
  EXPECT_EQ(r->client_order_id, "A.b_c:d-9");
  EXPECT_TRUE(r->outside_rth);
  EXPECT_TRUE(r->reduce_only);
  ASSERT_TRUE(r->submit_at);
  EXPECT_EQ(format_rfc3339(*r->submit_at), "2026-11-21T14:30:00.250Z");
}

TEST(JsonOrderRequest, Defaults) {
  auto r = parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": "1"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, OrderType::kMarket);
  EXPECT_EQ(r->tif, TimeInForce::kDay);
  EXPECT_EQ(r->client_order_id, "");  // the engine makes one
  EXPECT_FALSE(r->outside_rth);
  EXPECT_FALSE(r->reduce_only);
  EXPECT_FALSE(r->limit_price);
  EXPECT_FALSE(r->stop_price);
  EXPECT_FALSE(r->submit_at);
  // null is "not given" for optional fields.
  r = parse_order_request(
      R"({"symbol": "SPY", "side": "buy", "qty": "1", "type": null, "tif": null,
          "client_order_id": null, "outside_rth": null, "reduce_only": null})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, OrderType::kMarket);
  EXPECT_EQ(r->tif, TimeInForce::kDay);
}

TEST(JsonOrderRequest, NumberAndStringDecimalsAreExact) {
  for (
      const char* body :
      {R"({"symbol": "SPY", "side": "buy", "qty": 100, "type": "limit", "limit_price": 450.10})",
       R"({"symbol": "SPY", "side": "buy", "qty": "100", "type": "limit", "limit_price": "450.10"})",
       R"({"symbol": "SPY", "side": "buy", "qty": 1e2, "type": "limit", "limit_price": 45010e-2})"}) {
    auto r = parse_order_request(body);
    ASSERT_TRUE(r.has_value()) << body;
    EXPECT_EQ(r->qty.units(), 100 * Decimal::kUnitsPerOne) << body;
    EXPECT_EQ(r->limit_price->units(), 45'010'000'000) << body;
    EXPECT_EQ(r->limit_price->to_string(), "450.1") << body;
  }
  auto r = parse_order_request(
      R"({"symbol": "SPY", "side": "buy", "qty": 0.1, "type": "limit", "limit_price": 0.29})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->qty.units(), 10'000'000);
  EXPECT_EQ(r->limit_price->units(), 29'000'000);
}

TEST(JsonOrderRequest, EachErrorNamesItsField) {
  auto base = [](const std::string& extra) {
    return parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": "1")" + extra + "}");
  };
  EXPECT_EQ(error_for(parse_order_request(R"({"side": "buy", "qty": "1"})"), "symbol"), "required");
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": null, "side": "buy", "qty": "1"})"), "symbol"),
      "required");
  EXPECT_EQ(error_for(parse_order_request(R"({"symbol": "SPY", "qty": "1"})"), "side"), "required");
  EXPECT_EQ(error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy"})"), "qty"),
            "required");
  const std::string symbol_msg =
      "must be 1..32 upper-case letters, digits or '.' (e.g. \"SPY\", \"EUR.USD\")";
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "spy", "side": "buy", "qty": "1"})"), "symbol"),
      symbol_msg);
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "", "side": "buy", "qty": "1"})"), "symbol"),
      symbol_msg);
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SP Y", "side": "buy", "qty": "1"})"), "symbol"),
      symbol_msg);
  EXPECT_EQ(error_for(parse_order_request(R"({"symbol": ")" + std::string(33, 'A') +
                                          R"(", "side": "buy", "qty": "1"})"),
                      "symbol"),
            symbol_msg);
  EXPECT_TRUE(parse_order_request(R"({"symbol": ")" + std::string(32, 'A') +
                                  R"(", "side": "buy", "qty": "1"})")
                  .has_value());
  EXPECT_EQ(error_for(parse_order_request(R"({"symbol": 5, "side": "buy", "qty": "1"})"), "symbol"),
            "must be a string");
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "long", "qty": "1"})"), "side"),
      "must be one of buy, sell");
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "BUY", "qty": "1"})"), "side"),
      "must be one of buy, sell");
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": "0"})"), "qty"),
      "must be > 0");
  EXPECT_EQ(error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": -5})"), "qty"),
            "must be > 0");
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": true})"), "qty"),
      "must be a decimal (a string such as \"150.25\" or a number)");
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": 0.000000001})"),
                "qty"),
      "more than 8 decimal places");
  EXPECT_EQ(error_for(base(R"(, "type": "trailing")"), "type"),
            "must be one of market, limit, stop, stop_limit");
  EXPECT_EQ(error_for(base(R"(, "type": "limit")"), "limit_price"), "required for type limit");
  EXPECT_EQ(error_for(base(R"(, "type": "stop_limit", "stop_price": "1")"), "limit_price"),
            "required for type stop_limit");
  EXPECT_EQ(error_for(base(R"(, "type": "stop")"), "stop_price"), "required for type stop");
  EXPECT_EQ(error_for(base(R"(, "limit_price": "1")"), "limit_price"),
            "not allowed for type market");
  EXPECT_EQ(
      error_for(base(R"(, "type": "limit", "limit_price": "1", "stop_price": "2")"), "stop_price"),
      "not allowed for type limit");
  EXPECT_EQ(error_for(base(R"(, "type": "limit", "limit_price": "0")"), "limit_price"),
            "must be > 0");
  EXPECT_EQ(error_for(base(R"(, "type": "stop", "stop_price": "-1")"), "stop_price"),
            "must be > 0");
  EXPECT_EQ(error_for(base(R"(, "type": "limit", "limit_price": [1])"), "limit_price"),
            "must be a decimal (a string such as \"150.25\" or a number)");
  EXPECT_EQ(error_for(base(R"(, "tif": "fok")"), "tif"), "must be one of day, gtc, ioc");
  EXPECT_EQ(error_for(base(R"(, "tif": 1)"), "tif"), "must be a string");
  const std::string id_msg = "must be 1..64 characters of [A-Za-z0-9._:-]";
  EXPECT_EQ(error_for(base(R"(, "client_order_id": "a b")"), "client_order_id"), id_msg);
  EXPECT_EQ(error_for(base(R"(, "client_order_id": "")"), "client_order_id"), id_msg);
  EXPECT_EQ(
      error_for(base(R"(, "client_order_id": ")" + std::string(65, 'x') + "\""), "client_order_id"),
      id_msg);
  EXPECT_TRUE(base(R"(, "client_order_id": ")" + std::string(64, 'x') + "\"").has_value());
  EXPECT_EQ(error_for(base(R"(, "outside_rth": "yes")"), "outside_rth"), "must be true or false");
  EXPECT_EQ(error_for(base(R"(, "reduce_only": 1)"), "reduce_only"), "must be true or false");
  const std::string time_msg = "must be an RFC 3339 time such as \"2026-11-21T14:30:00Z\"";
  EXPECT_EQ(error_for(base(R"(, "submit_at": "tomorrow")"), "submit_at"), time_msg);
  EXPECT_EQ(error_for(base(R"(, "submit_at": "1700000000")"), "submit_at"), time_msg);
  EXPECT_EQ(error_for(base(R"(, "submit_at": 1700000000)"), "submit_at"), time_msg);
  EXPECT_EQ(error_for(base(R"(, "submit_at": "2026-02-30T10:00:00Z")"), "submit_at"), time_msg);
  EXPECT_EQ(error_for(base(R"(, "source": "strategy:x")"), "source"), "unknown field");
  EXPECT_EQ(error_for(base(R"(, "quantity": "1")"), "quantity"), "unknown field");
}

TEST(JsonOrderRequest, EveryErrorAtOnce) {
  auto r = parse_order_request(
      R"({"symbol": "spy", "side": "hold", "qty": "-1", "type": "limit", "tif": "fok",
          "client_order_id": "no spaces", "outside_rth": "no", "submit_at": "later",
          "colour": "red", "limt_price": "1"})");
  const auto errors = errors_of(r);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields,
            (std::vector<std::string>{"client_order_id", "colour", "limit_price", "limt_price",
                                      "outside_rth", "qty", "side", "submit_at", "symbol", "tif"}));
}

TEST(JsonOrderRequest, MalformedEmptyAndNonObjectBodies) {
  auto errs = errors_of(parse_order_request(R"({"symbol": "SPY", "side": })"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].field, "");
  EXPECT_NE(errs[0].message.find("malformed JSON at byte offset 26"), std::string::npos)
      << errs[0].message;

  errs = errors_of(parse_order_request(""));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], (FieldError{"", "a JSON object is required"}));

  for (const char* body : {"[]", "\"SPY\"", "42", "null", "true", R"([{"symbol": "SPY"}])"}) {
    errs = errors_of(parse_order_request(body));
    ASSERT_EQ(errs.size(), 1u) << body;
    EXPECT_EQ(errs[0], (FieldError{"", "must be a JSON object"})) << body;
  }
}

TEST(JsonOrderRequest, HostileInputIsAnErrorNotACrash) {
  // Overflow of the decimal range, of double, of int64.
  EXPECT_NE(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": 1e300})"), "qty")
          .find("out of range"),
      std::string::npos);
  EXPECT_EQ(
      error_for(parse_order_request(R"({"symbol": "SPY", "side": "buy", "qty": 1e400})"), "qty"),
      "number out of range");
  EXPECT_NE(error_for(parse_order_request(
                          R"({"symbol": "SPY", "side": "buy", "qty": 99999999999999999999999999})"),
                      "qty")
                .find("out of range"),
            std::string::npos);
  EXPECT_NE(error_for(parse_order_request(
                          R"({"symbol": "SPY", "side": "buy", "qty": "1e99999999999999999"})"),
                      "qty")
                .find("out of range"),
            std::string::npos);
  // Deep nesting, in a field and at the top.
  auto errs = errors_of(parse_order_request(R"({"symbol": )" + std::string(100000, '[')));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].message.find("nested deeper"), std::string::npos);
  errs = errors_of(parse_order_request(std::string(100000, '[')));
  ASSERT_EQ(errs.size(), 1u);
  // Invalid UTF-8 and NUL bytes in strings.
  errs = errors_of(parse_order_request("{\"symbol\": \"SP\xc3\", \"side\": \"buy\", \"qty\": 1}"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].field, "");
  EXPECT_NE(errs[0].message.find("malformed JSON"), std::string::npos);
  EXPECT_NE(error_for(parse_order_request(R"({"symbol": "SPY\u0000", "side": "buy", "qty": 1})"),
                      "symbol"),
            "");
  EXPECT_EQ(error_for(parse_order_request(
                          std::string(R"({"symbol": "SPY", "side": "buy", "qty": 1)") + '\0' + "}"),
                      ""),
            "malformed JSON at byte offset 41: NUL byte");
  // Duplicate keys cannot smuggle a second value.
  errs = errors_of(parse_order_request(R"({"symbol": "SPY", "side": "buy", "side": "sell",
    "qty": 1})"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], (FieldError{"side", "duplicate field"}));
}

// ------------------------------------------------------------ other bodies

TEST(JsonRequests, OrderModification) {
  auto m = parse_order_modification(R"({"qty": 50, "limit_price": "450.20"})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->qty, Decimal::from_int(50));
  EXPECT_EQ(m->limit_price, D("450.2"));
  EXPECT_FALSE(m->stop_price);

  m = parse_order_modification(R"({"stop_price": 10.5, "qty": null})");
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->qty);
  EXPECT_EQ(m->stop_price, D("10.5"));

  EXPECT_EQ(
      errors_of(parse_order_modification("{}")),
      (std::vector<FieldError>{{"", "nothing to change: give qty, limit_price or stop_price"}}));
  EXPECT_EQ(
      errors_of(parse_order_modification(R"({"qty": "0", "limit_price": "x", "tif": "gtc"})")),
      (std::vector<FieldError>{{"qty", "must be > 0"},
                               {"limit_price", "not a decimal number"},
                               {"tif", "unknown field"}}));
  EXPECT_EQ(errors_of(parse_order_modification("")).size(), 1u);
  EXPECT_EQ(errors_of(parse_order_modification("[1]")),
            (std::vector<FieldError>{{"", "must be a JSON object"}}));
}

TEST(JsonRequests, TradingState) {
  auto s = parse_trading_state_request(R"({"state": "reducing", "reason": "news at 14:30"})");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, TradingState::kReducing);
  EXPECT_EQ(s->reason, "news at 14:30");
  s = parse_trading_state_request(R"({"state": "active"})");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, TradingState::kActive);
  EXPECT_EQ(s->reason, "");

  EXPECT_EQ(errors_of(parse_trading_state_request("{}")),
            (std::vector<FieldError>{{"state", "required"}}));
  EXPECT_EQ(errors_of(parse_trading_state_request(R"({"state": "paused", "by": "me"})")),
            (std::vector<FieldError>{{"state", "must be one of active, reducing"},
                                     {"by", "unknown field"}}));
  EXPECT_EQ(
      errors_of(parse_trading_state_request(R"({"state": "halted"})")),
      (std::vector<FieldError>{{"state", "halted is the kill switch: POST /api/v1/kill-switch"}}));
  EXPECT_EQ(errors_of(parse_trading_state_request(R"({"state": "reducing", "reason": 5})")),
            (std::vector<FieldError>{{"reason", "must be a string"}}));
  EXPECT_EQ(errors_of(parse_trading_state_request("")).size(), 1u);
}

TEST(JsonRequests, KillSwitchAndFlatten) {
  auto e = parse_kill_switch_engage(R"({"reason": "runaway strategy", "flatten": true})");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->reason, "runaway strategy");
  EXPECT_TRUE(e->flatten);
  // The emergency button works without a body.
  for (const char* body : {"", "  \r\n", "{}", R"({"reason": null, "flatten": null})"}) {
    e = parse_kill_switch_engage(body);
    ASSERT_TRUE(e.has_value()) << body;
    EXPECT_EQ(e->reason, "");
    EXPECT_FALSE(e->flatten);
  }
  EXPECT_EQ(
      errors_of(parse_kill_switch_engage(R"({"flatten": "true", "why": "x"})")),
      (std::vector<FieldError>{{"flatten", "must be true or false"}, {"why", "unknown field"}}));
  EXPECT_EQ(errors_of(parse_kill_switch_engage(R"({"reason": "a\nb"})")),
            (std::vector<FieldError>{{"reason", "must not contain control characters"}}));
  EXPECT_EQ(errors_of(parse_kill_switch_engage(R"({"reason": ")" + std::string(501, 'x') + "\"}")),
            (std::vector<FieldError>{{"reason", "at most 500 bytes"}}));
  EXPECT_TRUE(
      parse_kill_switch_engage(R"({"reason": ")" + std::string(500, 'x') + "\"}").has_value());
  EXPECT_EQ(errors_of(parse_kill_switch_engage("{")).size(), 1u);

  auto r = parse_kill_switch_rearm(R"({"reason": "fixed"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, "fixed");
  EXPECT_TRUE(parse_kill_switch_rearm("").has_value());
  EXPECT_EQ(errors_of(parse_kill_switch_rearm(R"({"reason": "x", "flatten": true})")),
            (std::vector<FieldError>{{"flatten", "unknown field"}}));

  auto f = parse_flatten_request(R"({"reason": "end of day"})");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, "end of day");
  EXPECT_TRUE(parse_flatten_request("").has_value());
  EXPECT_EQ(errors_of(parse_flatten_request(R"("now")")),
            (std::vector<FieldError>{{"", "must be a JSON object"}}));
}

TEST(JsonRequests, RiskLimitsPatchAppliesOntoTheCurrentLimits) {
  risk::RiskLimits current;
  current.max_order_qty = Decimal::from_int(1000);
  current.max_drawdown_pct = Decimal::from_int(10);
  auto l = parse_risk_limits_patch(R"({
      "max_order_notional": "1000000", "min_notional": 100, "price_collar_pct": 5,
      "reference_max_age": "10s", "max_position_qty": "500", "max_position_notional": 1e5,
      "max_gross_exposure": "2000000", "max_net_exposure": "1500000.50",
      "max_working_orders": 20, "max_orders_per_second": 10, "max_orders_per_minute": 100,
      "throttle": "queue", "duplicate_window": 2, "allowed_symbols": ["SPY", "QQQ"],
      "allow_short": false, "daily_loss_limit": "5000", "daily_loss_action": "reduce",
      "max_drawdown": "7500.25", "max_drawdown_action": "alert",
      "max_consecutive_losses": 3, "consecutive_losses_cooldown": "30m",
      "consecutive_losses_action": "halt", "max_position_duration": "1d",
      "stale_data_after": "500ms", "broker_disconnect_after": "1m",
      "broker_disconnect_action": "reduce"})",
                                   current);
  ASSERT_TRUE(l.has_value()) << l.error().front().field << ": " << l.error().front().message;
  EXPECT_EQ(l->max_order_qty, Decimal::from_int(1000));   // untouched
  EXPECT_EQ(l->max_drawdown_pct, Decimal::from_int(10));  // untouched
  EXPECT_EQ(l->max_order_notional, Decimal::from_int(1000000));
  EXPECT_EQ(l->min_notional, Decimal::from_int(100));
  EXPECT_EQ(l->price_collar_pct, Decimal::from_int(5));
  EXPECT_EQ(l->reference_max_age, std::chrono::seconds(10));
  EXPECT_EQ(l->max_position_qty, Decimal::from_int(500));
  EXPECT_EQ(l->max_position_notional, Decimal::from_int(100000));
  EXPECT_EQ(l->max_gross_exposure, Decimal::from_int(2000000));
  EXPECT_EQ(l->max_net_exposure, D("1500000.5"));
  EXPECT_EQ(l->max_working_orders, 20);
  EXPECT_EQ(l->max_orders_per_second, 10);
  EXPECT_EQ(l->max_orders_per_minute, 100);
  EXPECT_EQ(l->throttle_action, risk::ThrottleAction::kQueue);
  EXPECT_EQ(l->duplicate_window, std::chrono::seconds(2));
  EXPECT_EQ(l->allowed_symbols, (std::set<Symbol>{Symbol("QQQ"), Symbol("SPY")}));
  EXPECT_FALSE(l->allow_short);
  EXPECT_EQ(l->daily_loss_limit, Decimal::from_int(5000));
  EXPECT_EQ(l->daily_loss_action, risk::BreakerAction::kReduce);
  EXPECT_EQ(l->max_drawdown, D("7500.25"));
  EXPECT_EQ(l->max_drawdown_action, risk::BreakerAction::kAlert);
  EXPECT_EQ(l->max_consecutive_losses, 3);
  EXPECT_EQ(l->consecutive_losses_cooldown, std::chrono::minutes(30));
  EXPECT_EQ(l->consecutive_losses_action, risk::BreakerAction::kHalt);
  EXPECT_EQ(l->max_position_duration, std::chrono::hours(24));
  EXPECT_EQ(l->stale_data_after, std::chrono::milliseconds(500));
  EXPECT_EQ(l->broker_disconnect_after, std::chrono::minutes(1));
  EXPECT_EQ(l->broker_disconnect_action, risk::BreakerAction::kReduce);

  // An empty patch changes nothing.
  l = parse_risk_limits_patch("{}", current);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->max_order_qty, Decimal::from_int(1000));
  // 0 turns a limit off.
  l = parse_risk_limits_patch(R"({"max_order_qty": 0, "allowed_symbols": []})", current);
  ASSERT_TRUE(l.has_value());
  EXPECT_TRUE(l->max_order_qty.is_zero());
  EXPECT_TRUE(l->allowed_symbols.empty());
}

TEST(JsonRequests, RiskLimitsPatchErrors) {
  const risk::RiskLimits current;
  auto l = parse_risk_limits_patch(R"({
      "max_order_qty": null, "max_order_notional": "-1", "price_collar_pct": 101,
      "reference_max_age": "1.5s", "max_working_orders": 1.5, "max_orders_per_second": 100001,
      "max_orders_per_minute": "10", "throttle": "drop", "duplicate_window": -1,
      "allowed_symbols": ["SPY", "spy", "SPY", 3], "allow_short": "no",
      "daily_loss_action": "panic", "max_drawdown_pct": "0.000000001",
      "trading_hours": {}, "max_order_qtty": 5})",
                                   current);
  EXPECT_EQ(errors_of(l), (std::vector<FieldError>{
                              {"max_order_qty", "must not be null"},
                              {"max_order_notional", "must be >= 0"},
                              {"price_collar_pct", "must be within 0..100 (a percentage)"},
                              {"reference_max_age",
                               "must be a duration such as \"500ms\", \"30s\", \"5m\", \"1h\", "
                               "\"1d\" or a whole number of seconds (>= 0)"},
                              {"max_working_orders", "must be a whole number"},
                              {"max_orders_per_second", "must be within 0..100000"},
                              {"max_orders_per_minute", "must be an integer"},
                              {"throttle", "must be one of refuse, queue"},
                              {"duplicate_window",
                               "must be a duration such as \"500ms\", \"30s\", \"5m\", \"1h\", "
                               "\"1d\" or a whole number of seconds (>= 0)"},
                              {"allowed_symbols[1]",
                               "must be 1..32 upper-case letters, digits or '.' (e.g. \"SPY\", "
                               "\"EUR.USD\")"},
                              {"allowed_symbols[2]", "duplicate symbol SPY"},
                              {"allowed_symbols[3]",
                               "must be 1..32 upper-case letters, digits or '.' (e.g. \"SPY\", "
                               "\"EUR.USD\")"},
                              {"allow_short", "must be true or false"},
                              {"daily_loss_action", "must be one of reduce, halt, alert"},
                              {"max_drawdown_pct", "more than 8 decimal places"},
                              {"trading_hours",
                               "configured per instrument (instruments[].trading_hours); not "
                               "changeable at run time"},
                              {"max_order_qtty", "unknown field"},
                          }));
  // Rules across keys come from td::risk::validate, under the key.
  l = parse_risk_limits_patch(R"({"min_notional": "500", "max_order_notional": "100"})", current);
  auto errs = errors_of(l);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].field, "min_notional");
  l = parse_risk_limits_patch(R"({"max_consecutive_losses": 2, "consecutive_losses_cooldown": 0})",
                              current);
  errs = errors_of(l);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], (FieldError{"consecutive_losses_cooldown",
                                 "must be > 0 when max_consecutive_losses is set"}));
  EXPECT_EQ(errors_of(parse_risk_limits_patch("", current)).size(), 1u);
  EXPECT_EQ(errors_of(parse_risk_limits_patch("[]", current)),
            (std::vector<FieldError>{{"", "must be a JSON object"}}));
}

}  // namespace
}  // namespace api
}  // namespace td
