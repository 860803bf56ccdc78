// Response objects (api/json/mapping.h): the exact JSON of api-v1.md, member
// by member, with decimals as exact strings, RFC 3339 millisecond times and
// null (never "" or "0") for what does not exist.
#include <gtest/gtest.h>

#include <string>

#include "api/json/mapping.h"
#include "api/json/parse.h"

namespace td::api {
namespace {

using nlohmann::json;

Timestamp at(const char* rfc3339) {
  auto t = parse_time(rfc3339);
  if (!t) throw std::invalid_argument(rfc3339);
  return *t;
}
Decimal D(const char* s) {
  return Decimal::parse(s).value();
}

// Same members, each equal (type included: "1" is not 1, null is not "").
void expect_same(const json& actual, const json& expected, const std::string& where = "") {
  if (actual.is_number() && expected.is_number()) {  // 0 (signed) equals 0 (unsigned)
    EXPECT_EQ(actual, expected) << where;
    return;
  }
  ASSERT_EQ(actual.type(), expected.type())
      << where << ": " << actual.dump() << " vs " << expected.dump();
  if (expected.is_object()) {
    for (const auto& [k, v] : expected.items()) {
      ASSERT_TRUE(actual.contains(k)) << where << ": missing member " << k;
      expect_same(actual[k], v, where + "." + k);
    }
    for (const auto& [k, v] : actual.items())
      EXPECT_TRUE(expected.contains(k))
          << where << ": unexpected member " << k << " = " << v.dump();
  } else if (expected.is_array()) {
    ASSERT_EQ(actual.size(), expected.size()) << where;
    for (size_t i = 0; i < expected.size(); ++i)
      expect_same(actual[i], expected[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(actual, expected) << where;
  }
}

Fill make_fill(uint64_t id, uint64_t order, const char* qty, const char* price,
               const char* commission, const char* time, std::string exec) {
  Fill f;
  f.id = FillId(id);
  f.order_id = OrderId(order);
  f.symbol = Symbol("SPY");
  f.side = Side::kBuy;
  f.qty = D(qty);
  f.price = D(price);
  f.commission = D(commission);
  f.time = at(time);
  f.broker_exec_id = std::move(exec);
  f.source = "api";
  return f;
}

Order partially_filled_order() {
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
  EXPECT_TRUE(
      o.apply_fill(make_fill(3, 7, "30", "450.07", "1.00", "2026-11-21T14:30:01.5Z", "0001.01")));
  EXPECT_TRUE(
      o.apply_fill(make_fill(4, 7, "10", "450.11", "0", "2026-11-21T14:30:02.999999Z", "0001.02")));
  return o;
}

TEST(JsonMapping, OrderObject) {
  const Order o = partially_filled_order();
  expect_same(to_json(o), json::parse(R"({
    "id": "7", "client_order_id": "my-2026-11-21-001", "symbol": "SPY", "side": "buy",
    "qty": "100", "filled_qty": "40", "avg_fill_price": "450.08",
    "type": "limit", "limit_price": "450.1", "stop_price": null, "tif": "day",
    "status": "partially_filled", "reject_reason": null, "source": "api",
    "broker_order_id": "1234",
    "created_at": "2026-11-21T14:30:00.123Z", "updated_at": "2026-11-21T14:30:02.999Z",
    "fills": [
      {"id": "3", "qty": "30", "price": "450.07", "commission": "1", "time": "2026-11-21T14:30:01.500Z"},
      {"id": "4", "qty": "10", "price": "450.11", "commission": "0", "time": "2026-11-21T14:30:02.999Z"}
    ],
    "outside_rth": false, "reduce_only": false, "submit_at": null})"));
}

TEST(JsonMapping, NewQueuedAndRejectedOrders) {
  OrderRequest req;
  req.symbol = Symbol("MESZ6");
  req.side = Side::kSell;
  req.qty = D("2");
  req.type = OrderType::kStop;
  req.stop_price = D("5000.25");
  req.tif = TimeInForce::kGtc;
  req.client_order_id = "td-9";
  req.outside_rth = true;
  req.reduce_only = true;
  req.submit_at = at("2026-11-22T15:00:00Z");
  req.source = "strategy:sma";
  const Order queued(OrderId(9), req, at("2026-11-21T14:30:00Z"));
  expect_same(to_json(queued, "scheduled"), json::parse(R"({
    "id": "9", "client_order_id": "td-9", "symbol": "MESZ6", "side": "sell",
    "qty": "2", "filled_qty": "0", "avg_fill_price": null,
    "type": "stop", "limit_price": null, "stop_price": "5000.25", "tif": "gtc",
    "status": "queued", "reject_reason": null, "source": "strategy:sma",
    "broker_order_id": null,
    "created_at": "2026-11-21T14:30:00.000Z", "updated_at": "2026-11-21T14:30:00.000Z",
    "fills": [], "outside_rth": true, "reduce_only": true,
    "submit_at": "2026-11-22T15:00:00.000Z", "queued_reason": "scheduled"})"));
  // Without a queued_reason there is no such member.
  EXPECT_FALSE(to_json(queued).contains("queued_reason"));

  Order rejected = queued;
  ASSERT_TRUE(rejected.reject("max_order_qty: 2 > 1", at("2026-11-21T14:30:00.001Z")));
  const json j = to_json(rejected);
  EXPECT_EQ(j["status"], "rejected");
  EXPECT_EQ(j["reject_reason"], "max_order_qty: 2 > 1");
  EXPECT_EQ(j["updated_at"], "2026-11-21T14:30:00.001Z");
}

TEST(JsonMapping, FillObject) {
  Fill f = make_fill(12, 7, "0.5", "1.08425", "0.01", "2026-11-21T14:30:00.123456Z", "e.1");
  f.symbol = Symbol("EUR.USD");
  f.side = Side::kSell;
  expect_same(to_json(f), json::parse(R"({
    "id": "12", "order_id": "7", "symbol": "EUR.USD", "side": "sell", "qty": "0.5",
    "price": "1.08425", "commission": "0.01", "time": "2026-11-21T14:30:00.123Z",
    "broker_exec_id": "e.1"})"));
  f.broker_exec_id.clear();
  EXPECT_TRUE(to_json(f)["broker_exec_id"].is_null());
  expect_same(order_fill_to_json(f), json::parse(R"({
    "id": "12", "qty": "0.5", "price": "1.08425", "commission": "0.01",
    "time": "2026-11-21T14:30:00.123Z"})"));
}

// 100 SPY bought at 450, marked 452, 40 sold at 453, marked 451.
Portfolio traded_portfolio() {
  Portfolio pf(Decimal::from_int(100000));
  Fill buy = make_fill(1, 1, "100", "450", "1", "2026-11-20T15:00:00Z", "b");
  pf.apply_fill(buy);
  pf.mark(Symbol("SPY"), Decimal::from_int(452), at("2026-11-20T15:01:00Z"));
  Fill sell = make_fill(2, 2, "40", "453", "1", "2026-11-20T15:02:00Z", "s");
  sell.side = Side::kSell;
  pf.apply_fill(sell);
  pf.mark(Symbol("SPY"), Decimal::from_int(451), at("2026-11-20T15:03:00Z"));
  return pf;
}

TEST(JsonMapping, PositionObject) {
  const Portfolio pf = traded_portfolio();
  expect_same(position_to_json(*pf.holding(Symbol("SPY"))), json::parse(R"({
    "symbol": "SPY", "qty": "60", "avg_cost": "450", "market_price": "451",
    "market_value": "27060", "unrealized_pnl": "60", "realized_pnl": "120",
    "realized_pnl_today": "120", "opened_at": "2026-11-20T15:00:00.000Z", "multiplier": "1"})"));
}

TEST(JsonMapping, PositionWithMultiplierShortFlatAndUnmarked) {
  Portfolio pf(Decimal::from_int(100000));
  pf.set_multiplier(Symbol("MES"), Decimal::from_int(5));
  Fill f = make_fill(1, 1, "2", "5000.25", "1.24", "2026-11-20T15:00:00Z", "x");
  f.symbol = Symbol("MES");
  f.side = Side::kSell;
  pf.apply_fill(f);
  pf.mark(Symbol("MES"), D("4999.75"), at("2026-11-20T15:00:01Z"));
  expect_same(position_to_json(*pf.holding(Symbol("MES"))), json::parse(R"({
    "symbol": "MES", "qty": "-2", "avg_cost": "5000.25", "market_price": "4999.75",
    "market_value": "-49997.5", "unrealized_pnl": "5", "realized_pnl": "0",
    "realized_pnl_today": "0", "opened_at": "2026-11-20T15:00:00.000Z", "multiplier": "5"})"));

  Fill close = f;
  close.id = FillId(2);
  close.side = Side::kBuy;
  close.price = D("4999.75");
  close.broker_exec_id = "y";
  pf.apply_fill(close);
  const json flat = position_to_json(*pf.holding(Symbol("MES")));
  EXPECT_EQ(flat["qty"], "0");
  EXPECT_TRUE(flat["avg_cost"].is_null());
  EXPECT_TRUE(flat["opened_at"].is_null());
  EXPECT_EQ(flat["realized_pnl"], "5");
  EXPECT_EQ(flat["market_value"], "0");

  const Portfolio::Holding unmarked{Position(Symbol("QQQ"), Decimal::from_int(1)), std::nullopt,
                                    Decimal(), Decimal()};
  const json j = position_to_json(unmarked);
  EXPECT_TRUE(j["market_price"].is_null());
  EXPECT_TRUE(j["market_value"].is_null());
  EXPECT_EQ(j["unrealized_pnl"], "0");
}

TEST(JsonMapping, PnlObject) {
  const Portfolio pf = traded_portfolio();
  expect_same(pnl_to_json(pf, at("2026-11-20T15:03:00.5Z")), json::parse(R"({
    "realized": "120", "unrealized": "60", "commissions": "2", "total": "178",
    "today": {"realized": "120", "unrealized": "60", "commissions": "2", "total": "178"},
    "equity": "100178", "peak_equity": "100238", "drawdown": "60",
    "drawdown_pct": "0.059858", "cash": "73118",
    "as_of": "2026-11-20T15:03:00.500Z"})"));

  const Portfolio fresh;
  const json j = pnl_to_json(fresh, at("2026-11-20T15:00:00Z"));
  EXPECT_EQ(j["equity"], "100000");
  EXPECT_EQ(j["drawdown_pct"], "0");
  EXPECT_EQ(j["today"]["total"], "0");
}

TEST(JsonMapping, KillSwitchObject) {
  risk::KillSwitchState k;
  expect_same(to_json(k), json::parse(R"({"engaged": false, "reason": null, "engaged_at": null,
    "engaged_by": null, "rearmed_at": null, "rearmed_by": null})"));
  k.engaged = true;
  k.reason = "runaway strategy";
  k.engaged_by = "api:alice";
  k.engaged_at = at("2026-11-21T14:30:00.123Z");
  expect_same(to_json(k), json::parse(R"({"engaged": true, "reason": "runaway strategy",
    "engaged_at": "2026-11-21T14:30:00.123Z", "engaged_by": "api:alice",
    "rearmed_at": null, "rearmed_by": null})"));
  // Re-armed: the old engagement is history, not the current state.
  k.engaged = false;
  k.rearmed_at = at("2026-11-21T15:00:00Z");
  k.rearmed_by = "api:admin";
  expect_same(to_json(k), json::parse(R"({"engaged": false, "reason": null, "engaged_at": null,
    "engaged_by": null, "rearmed_at": "2026-11-21T15:00:00.000Z", "rearmed_by": "api:admin"})"));
}

TEST(JsonMapping, TradingStateObject) {
  risk::TradingStateInfo s;
  expect_same(to_json(s),
              json::parse(R"({"state": "active", "reason": null, "since": null, "by": null})"));
  s.state = TradingState::kReducing;
  s.reason = "daily loss";
  s.by = "breaker:daily_loss";
  s.since = at("2026-11-21T14:30:00Z");
  expect_same(to_json(s), json::parse(R"({"state": "reducing", "reason": "daily loss",
    "since": "2026-11-21T14:30:00.000Z", "by": "breaker:daily_loss"})"));
}

TEST(JsonMapping, RiskLimitsUseTheConfigurationKeys) {
  expect_same(to_json(risk::RiskLimits{}), json::parse(R"({
    "max_order_qty": "0", "max_order_notional": "0", "min_notional": "0",
    "price_collar_pct": "0", "reference_max_age": "30s", "max_position_qty": "0",
    "max_position_notional": "0", "max_gross_exposure": "0", "max_net_exposure": "0",
    "max_working_orders": 0, "max_orders_per_second": 0, "max_orders_per_minute": 0,
    "throttle": "refuse", "duplicate_window": "0s", "allowed_symbols": [], "allow_short": true,
    "daily_loss_limit": "0", "daily_loss_action": "halt", "max_drawdown": "0",
    "max_drawdown_pct": "0", "max_drawdown_action": "halt", "max_consecutive_losses": 0,
    "consecutive_losses_cooldown": "1h", "consecutive_losses_action": "reduce",
    "max_position_duration": "0s", "stale_data_after": "0s", "broker_disconnect_after": "0s",
    "broker_disconnect_action": "halt", "trading_hours": {}})"));

  risk::RiskLimits l;
  l.max_order_notional = D("1000000.50");
  l.max_orders_per_second = 10;
  l.throttle_action = risk::ThrottleAction::kQueue;
  l.allowed_symbols = {Symbol("SPY"), Symbol("EUR.USD")};
  l.duplicate_window = std::chrono::milliseconds(1500);
  l.stale_data_after = std::chrono::minutes(5);
  l.max_position_duration = std::chrono::hours(48);
  risk::TradingHours h;
  h.timezone = "America/Chicago";
  h.open = std::chrono::minutes(8 * 60 + 30);
  h.close = std::chrono::minutes(15 * 60 + 15);
  h.weekdays = {1, 2, 3};
  l.trading_hours[Symbol("MES")] = h;
  const json j = to_json(l);
  EXPECT_EQ(j["max_order_notional"], "1000000.5");
  EXPECT_EQ(j["max_orders_per_second"], 10);
  EXPECT_EQ(j["throttle"], "queue");
  EXPECT_EQ(j["allowed_symbols"], json::parse(R"(["EUR.USD", "SPY"])"));
  EXPECT_EQ(j["duplicate_window"], "1500ms");
  EXPECT_EQ(j["stale_data_after"], "5m");
  EXPECT_EQ(j["max_position_duration"], "2d");
  expect_same(j["trading_hours"], json::parse(R"({"MES": {"timezone": "America/Chicago",
    "open": "08:30", "close": "15:15", "days": ["mon", "tue", "wed"], "outside_rth": false}})"));
}

TEST(JsonMapping, RiskObject) {
  risk::TradingStateInfo s;
  s.state = TradingState::kHalted;
  std::vector<risk::BreakerStatus> breakers{
      {"daily_loss", true, at("2026-11-21T15:00:00Z"), "today's P&L -1250 <= -1000"},
      {"stale_data", false, std::nullopt, ""},
  };
  const json j = risk_to_json(s, risk::RiskLimits{}, breakers);
  EXPECT_EQ(j["trading_state"], "halted");
  expect_same(j["limits"], to_json(risk::RiskLimits{}));
  EXPECT_EQ(j["usage"], json::object());
  expect_same(j["breakers"], json::parse(R"([
    {"name": "daily_loss", "tripped": true, "tripped_at": "2026-11-21T15:00:00.000Z",
     "detail": "today's P&L -1250 <= -1000"},
    {"name": "stale_data", "tripped": false, "tripped_at": null, "detail": null}])"));
  EXPECT_EQ(j.size(), 4u);
  const json with_usage = risk_to_json(s, risk::RiskLimits{}, {}, json{{"working_orders", 3}});
  EXPECT_EQ(with_usage["usage"]["working_orders"], 3);
  EXPECT_EQ(with_usage["breakers"], json::array());
}

TEST(JsonMapping, FlattenEntriesAndIds) {
  const Order o = partially_filled_order();
  FlattenResult r{Symbol("SPY"), D("-100"), OrderId(7), std::nullopt};
  const json j = flatten_position_to_json(r, &o);
  EXPECT_EQ(j["symbol"], "SPY");
  EXPECT_EQ(j["qty"], "-100");
  expect_same(j["closing_order"], to_json(o));
  EXPECT_TRUE(j["error"].is_null());
  r.error = "market closed: the order waits in the queue";
  const json k = flatten_position_to_json(r, nullptr);
  EXPECT_TRUE(k["closing_order"].is_null());
  EXPECT_EQ(k["error"], "market closed: the order waits in the queue");
  EXPECT_EQ(ids_to_json({OrderId(1), OrderId(22)}), json::parse(R"(["1", "22"])"));
  EXPECT_EQ(ids_to_json({}), json::array());
}

TEST(JsonMapping, TimesAndDurations) {
  EXPECT_EQ(time_to_json(at("2026-11-21T14:30:00.123999Z")), "2026-11-21T14:30:00.123Z");
  EXPECT_TRUE(time_to_json(std::nullopt).is_null());
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(std::chrono::seconds(90)), "90s");
  EXPECT_EQ(format_duration(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(format_duration(std::chrono::hours(25)), "25h");
  EXPECT_EQ(format_duration(std::chrono::hours(24)), "1d");
  // Every form reads back to the same duration.
  for (Duration d : {Duration(std::chrono::milliseconds(1)), Duration(std::chrono::seconds(59)),
                     Duration(std::chrono::hours(3)), Duration(std::chrono::hours(24 * 7))})
    EXPECT_EQ(parse_duration(format_duration(d)), d);
}

TEST(JsonMapping, ResponsesDumpAsStrings) {
  // Decimals leave as strings in the text too (no number anywhere in an order's money).
  const std::string text = dump_json(to_json(partially_filled_order()));
  EXPECT_NE(text.find(R"("avg_fill_price":"450.08")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("limit_price":"450.1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("stop_price":null)"), std::string::npos) << text;
}

}  // namespace
}  // namespace td::api
