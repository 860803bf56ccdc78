// The OpenAPI document's schemas against the code: what api/json/mapping.h
// and api/problem.h really send validates against the response schemas
// (members, nulls, decimal strings, time format), and the request examples
// of the document and of tests/data/openapi/examples are accepted or refused
// by the request parsers (api/json/order_request.h) as the schemas say.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "api/json/mapping.h"
#include "api/json/order_request.h"
#include "api/problem.h"
#include "openapi_test_support.h"

namespace td::api {
namespace {

using nlohmann::json;
using openapi_test::component_schema;
using openapi_test::schema_errors;

Timestamp at(const char* rfc3339) {
  return parse_time(rfc3339).value();
}
Decimal D(const char* s) {
  return Decimal::parse(s).value();
}

void expect_valid(const std::string& schema, const json& value) {
  const auto errors = schema_errors(schema, value);
  EXPECT_TRUE(errors.empty()) << schema << ": " << (errors.empty() ? "" : errors.front())
                              << "\n  in " << value.dump();
}

// The members a closed object schema lists, and the ones it requires.
std::set<std::string> keys_of(const json& object) {
  std::set<std::string> out;
  for (const auto& [k, v] : object.items()) out.insert(k);
  return out;
}
std::set<std::string> property_names(const std::string& schema) {
  return keys_of(component_schema(schema).at("properties"));
}
std::set<std::string> required_names(const std::string& schema) {
  std::set<std::string> out;
  for (const json& k : component_schema(schema).at("required")) out.insert(k.get<std::string>());
  return out;
}

Fill make_fill(uint64_t id, const char* qty, const char* price, const char* time) {
  Fill f;
  f.id = FillId(id);
  f.order_id = OrderId(7);
  f.symbol = Symbol("SPY");
  f.side = Side::kBuy;
  f.qty = D(qty);
  f.price = D(price);
  f.commission = D("1.00");
  f.time = at(time);
  f.broker_exec_id = "0001." + std::to_string(id);
  f.source = "api";
  return f;
}

Order filled_order() {
  OrderRequest req;
  req.symbol = Symbol("SPY");
  req.side = Side::kBuy;
  req.qty = Decimal::from_int(100);
  req.type = OrderType::kLimit;
  req.limit_price = D("450.10");
  req.client_order_id = "my-2026-11-21-001";
  Order o(OrderId(7), req, at("2026-11-21T14:30:00.123Z"));
  EXPECT_TRUE(o.transition(OrderStatus::kPendingSubmit, at("2026-11-21T14:30:00.130Z")));
  o.set_broker_order_id("1234");
  EXPECT_TRUE(o.transition(OrderStatus::kSubmitted, at("2026-11-21T14:30:00.180Z")));
  EXPECT_TRUE(o.apply_fill(make_fill(3, "40", "450.07", "2026-11-21T14:30:01.5Z")));
  return o;
}

TEST(OpenApiShapes, OrderObjectsValidate) {
  const Order o = filled_order();
  const json j = to_json(o);
  expect_valid("Order", j);
  // Every member always present: the required list is the whole object.
  EXPECT_EQ(keys_of(j), required_names("Order"));
  std::set<std::string> with_queued = required_names("Order");
  with_queued.insert("queued_reason");
  EXPECT_EQ(property_names("Order"), with_queued);

  OrderRequest req;
  req.symbol = Symbol("MESZ6");
  req.side = Side::kSell;
  req.qty = D("2");
  req.type = OrderType::kStopLimit;
  req.limit_price = D("5000");
  req.stop_price = D("5000.25");
  req.submit_at = at("2026-11-22T15:00:00Z");
  req.source = "strategy:sma";
  req.client_order_id = "td-9";
  const Order queued(OrderId(9), req, at("2026-11-21T14:30:00Z"));
  expect_valid("Order", to_json(queued));
  expect_valid("QueuedOrder", to_json(queued, "scheduled"));
  EXPECT_FALSE(schema_errors("QueuedOrder", to_json(queued)).empty()) << "queued_reason required";
  EXPECT_FALSE(schema_errors("Order", to_json(queued, "napping")).empty());

  Order rejected = queued;
  ASSERT_TRUE(rejected.reject("max_order_qty: 2 > 1", at("2026-11-21T14:30:00.001Z")));
  expect_valid("Order", to_json(rejected));

  expect_valid("OrderFill", order_fill_to_json(o.fills().front()));
  EXPECT_EQ(keys_of(order_fill_to_json(o.fills().front())), property_names("OrderFill"));
  expect_valid("OrderList",
               json{{"orders", {to_json(o), to_json(rejected)}}, {"next_cursor", nullptr}});
}

TEST(OpenApiShapes, FillObjectsValidate) {
  Fill f = make_fill(12, "0.5", "1.08425", "2026-11-21T14:30:00.123456Z");
  expect_valid("Fill", to_json(f));
  EXPECT_EQ(keys_of(to_json(f)), property_names("Fill"));
  f.broker_exec_id.clear();
  expect_valid("Fill", to_json(f));
  expect_valid("FillList", json{{"fills", {to_json(f)}}, {"next_cursor", "abc"}});
}

TEST(OpenApiShapes, PositionAndPnlValidate) {
  Portfolio pf(Decimal::from_int(100000));
  pf.set_multiplier(Symbol("MES"), Decimal::from_int(5));
  Fill f = make_fill(1, "2", "5000.25", "2026-11-20T15:00:00Z");
  f.symbol = Symbol("MES");
  f.side = Side::kSell;
  pf.apply_fill(f);
  pf.mark(Symbol("MES"), D("4999.75"), at("2026-11-20T15:00:01Z"));
  const json pos = position_to_json(*pf.holding(Symbol("MES")));
  expect_valid("Position", pos);
  EXPECT_EQ(keys_of(pos), property_names("Position"));
  const Portfolio::Holding unmarked{Position(Symbol("QQQ"), Decimal::from_int(1)), std::nullopt,
                                    Decimal(), Decimal()};
  expect_valid("Position", position_to_json(unmarked));
  expect_valid("PositionList", json{{"positions", {pos, position_to_json(unmarked)}}});

  const json pnl = pnl_to_json(pf, at("2026-11-20T15:03:00.5Z"));
  expect_valid("Pnl", pnl);
  EXPECT_EQ(keys_of(pnl), property_names("Pnl"));
  expect_valid("Pnl", pnl_to_json(Portfolio(), at("2026-11-20T15:03:00Z")));
}

TEST(OpenApiShapes, KillSwitchTradingStateRiskValidate) {
  risk::KillSwitchState k;
  expect_valid("KillSwitch", to_json(k));
  EXPECT_EQ(keys_of(to_json(k)), property_names("KillSwitch"));
  k.engaged = true;
  k.reason = "runaway strategy";
  k.engaged_by = "api:alice";
  k.engaged_at = at("2026-11-21T14:30:00.123Z");
  expect_valid("KillSwitch", to_json(k));

  risk::TradingStateInfo s;
  expect_valid("TradingState", to_json(s));
  s.state = TradingState::kReducing;
  s.reason = "daily loss";
  s.by = "breaker:daily_loss";
  s.since = at("2026-11-21T14:30:00Z");
  expect_valid("TradingState", to_json(s));
  EXPECT_EQ(keys_of(to_json(s)), property_names("TradingState"));

  risk::RiskLimits l;
  l.max_order_notional = D("1000000.50");
  l.max_orders_per_second = 10;
  l.throttle_action = risk::ThrottleAction::kQueue;
  l.allowed_symbols = {Symbol("SPY"), Symbol("EUR.USD")};
  l.duplicate_window = std::chrono::milliseconds(1500);
  l.trading_hours[Symbol("MES")] = risk::TradingHours{};
  expect_valid("RiskLimits", to_json(l));
  EXPECT_EQ(keys_of(to_json(l)), property_names("RiskLimits"));
  // The patch takes the same keys, less the read-only trading_hours.
  std::set<std::string> patchable = property_names("RiskLimits");
  patchable.erase("trading_hours");
  EXPECT_EQ(property_names("RiskLimitsPatch"), patchable);

  std::vector<risk::BreakerStatus> breakers{
      {"daily_loss", true, at("2026-11-21T15:00:00Z"), "today's P&L -1250 <= -1000"},
      {"stale_data", false, std::nullopt, ""},
  };
  // usage as api/snapshot/views.cpp renders it (every member, always).
  const json usage = {{"working_orders", 3},
                      {"gross_exposure", "45010"},
                      {"today_pnl", "-12.5"},
                      {"drawdown_pct", "0.25"}};
  const json risk = risk_to_json(s, l, breakers, usage);
  expect_valid("Risk", risk);
  EXPECT_FALSE(schema_errors("Risk", risk_to_json(s, l, breakers, json{{"working_orders", 3}}))
                   .empty())
      << "usage has every member";
  EXPECT_EQ(keys_of(risk), property_names("Risk"));
  EXPECT_EQ(keys_of(risk.at("breakers")[0]), property_names("Breaker"));
}

TEST(OpenApiShapes, FlattenResultValidates) {
  const Order o = filled_order();
  FlattenResult closed{Symbol("SPY"), D("-100"), OrderId(7), std::nullopt};
  FlattenResult failed{Symbol("MES"), D("2"), std::nullopt, std::string("market closed")};
  const json result{
      {"kill_switch", to_json(risk::KillSwitchState{})},
      {"cancelled", ids_to_json({OrderId(1), OrderId(2)})},
      {"positions",
       {flatten_position_to_json(closed, &o), flatten_position_to_json(failed, nullptr)}}};
  expect_valid("FlattenResult", result);
  EXPECT_EQ(keys_of(result.at("positions")[0]), property_names("FlattenPosition"));
  expect_valid("CancelledOrders", json{{"cancelled", ids_to_json({OrderId(3)})}});
}

TEST(OpenApiShapes, ProblemsValidate) {
  const std::vector<Problem> problems = {
      validation_error({{"qty", "must be > 0"}, {"side", "required"}}),
      unauthorized(),
      forbidden(),
      not_found(),
      idempotency_conflict("client_order_id reused"),
      trading_halted("kill_switch_engaged", "kill switch engaged"),
      invalid_state("order 7 is filled"),
      payload_too_large(),
      unsupported_media_type(),
      risk_rejected("max_order_notional", "too big"),
      rate_limited(),
      reconciling(),
      unavailable(),
      internal_error(),
  };
  for (Problem p : problems) {
    p.instance = "/api/v1/orders";
    const json j = json::parse(to_json_text(p));
    expect_valid("Problem", j);
  }
}

// A request schema's name -> the parser of that body.
bool parses(const std::string& schema, const json& body) {
  const std::string text = body.dump();
  if (schema == "OrderRequest") return parse_order_request(text).has_value();
  if (schema == "OrderModification") return parse_order_modification(text).has_value();
  if (schema == "TradingStateRequest") return parse_trading_state_request(text).has_value();
  if (schema == "KillSwitchEngageRequest") return parse_kill_switch_engage(text).has_value();
  if (schema == "ReasonRequest")
    return parse_kill_switch_rearm(text).has_value() && parse_flatten_request(text).has_value();
  if (schema == "RiskLimitsPatch") {
    risk::RiskLimits current;
    current.max_order_notional = Decimal::from_int(1'000'000);
    return parse_risk_limits_patch(text, current).has_value();
  }
  ADD_FAILURE() << "no parser for " << schema;
  return false;
}

TEST(OpenApiShapes, RequestExamplesInTheDocumentParse) {
  for (const char* schema : {"OrderRequest", "OrderModification", "TradingStateRequest",
                             "KillSwitchEngageRequest", "ReasonRequest", "RiskLimitsPatch"}) {
    const json& examples = component_schema(schema).at("examples");
    ASSERT_FALSE(examples.empty()) << schema;
    for (const json& ex : examples) {
      EXPECT_TRUE(schema_errors(schema, ex).empty()) << schema << " " << ex.dump();
      EXPECT_TRUE(parses(schema, ex)) << schema << " " << ex.dump();
    }
  }
  // Empty bodies: the emergency routes take them (requestBody not required).
  EXPECT_TRUE(parse_kill_switch_engage("").has_value());
  EXPECT_TRUE(parse_flatten_request("").has_value());
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

TEST(OpenApiShapes, HandMadeExamplesAgreeWithTheSchemasAndTheParsers) {
  const std::string dir = std::string(TD_TEST_DATA_DIR) + "/openapi/examples/";
  // api-v1.md's order object and example body (tests/data/openapi/examples).
  const json orders = read_json(dir + "order.json");
  ASSERT_EQ(orders.at("schema"), "Order");
  for (const json& o : orders.at("valid")) expect_valid("Order", o);
  for (const json& o : orders.at("invalid"))
    EXPECT_FALSE(schema_errors("Order", o).empty()) << o.dump();

  const json requests = read_json(dir + "order_request.json");
  ASSERT_EQ(requests.at("schema"), "OrderRequest");
  for (const json& r : requests.at("valid")) {
    expect_valid("OrderRequest", r);
    EXPECT_TRUE(parses("OrderRequest", r)) << r.dump();
  }
  for (const json& r : requests.at("invalid")) {
    EXPECT_FALSE(schema_errors("OrderRequest", r).empty()) << r.dump();
    EXPECT_FALSE(parses("OrderRequest", r)) << r.dump();
  }
}

}  // namespace
}  // namespace td::api
