// The pre-trade chain: for every check an order just inside the limit passes
// and one just outside is refused with the check's code and a message with
// the figures; which checks spare reducing orders; the trading-state gate;
// exempt sources; throttle (refuse/queue, per source); duplicates; trading
// hours (outside_rth, weekends, DST).
#include <functional>

#include "risk/risk_manager.h"
#include "risk_test_support.h"

namespace td::risk {
namespace {

using namespace std::chrono_literals;
using testing::check_of;
using testing::D;
using testing::FakeView;
using testing::kT0;
using testing::O;
using testing::RecordingActions;

struct CheckCase {
  const char* name;
  std::function<void(RiskLimits&)> limits;
  std::function<void(FakeView&)> setup;
  O inside, outside;
  const char* check;
  const char* message = "";                                // a part of the refusal's message
  std::function<void(FakeView&)> outside_setup = nullptr;  // for the refused order only
};

void base_market(FakeView& v) {
  v.quote("SPY", "100");
  v.quote("QQQ", "50");
  v.quote("AAPL", "200");
  v.quote("ES", "5000");
}

std::vector<CheckCase> cases() {
  const Side B = Side::kBuy, S = Side::kSell;
  auto none = [](FakeView&) {};
  return {
      {"max_order_qty", [](RiskLimits& l) { l.max_order_qty = D("500"); }, none, O("SPY", B, "500"),
       O("SPY", B, "501"), "max_order_qty", "qty 501 exceeds max_order_qty 500"},
      {"max_order_qty_sell", [](RiskLimits& l) { l.max_order_qty = D("0.5"); }, none,
       O("SPY", S, "0.5"), O("SPY", S, "0.50000001"), "max_order_qty"},
      {"max_order_notional_limit", [](RiskLimits& l) { l.max_order_notional = D("50000"); }, none,
       O("SPY", B, "500").limit("100"), O("SPY", B, "500").limit("100.01"), "max_order_notional",
       "notional 50005 (qty 500 x price 100.01 x multiplier 1) exceeds"},
      {"max_order_notional_stop", [](RiskLimits& l) { l.max_order_notional = D("50000"); }, none,
       O("SPY", S, "500").stop("100"), O("SPY", S, "500").stop("100.01"), "max_order_notional"},
      {"max_order_notional_market_uses_reference",
       [](RiskLimits& l) { l.max_order_notional = D("50000"); }, none, O("SPY", B, "500"),
       O("SPY", B, "500.01"), "max_order_notional"},
      {"max_order_notional_multiplier", [](RiskLimits& l) { l.max_order_notional = D("500000"); },
       none, O("ES", B, "2").limit("5000"), O("ES", B, "2").limit("5000.25"), "max_order_notional",
       "x multiplier 50"},
      {"min_notional", [](RiskLimits& l) { l.min_notional = D("1000"); }, none,
       O("SPY", B, "10").limit("100"), O("SPY", B, "10").limit("99.99"), "min_notional",
       "notional 999.9 (qty 10 x price 99.99 x multiplier 1) is below min_notional 1000"},
      {"price_collar_buy_limit", [](RiskLimits& l) { l.price_collar_pct = D("5"); }, none,
       O("SPY", B, "1").limit("105"), O("SPY", B, "1").limit("105.01"), "price_collar",
       "limit price 105.01 is 5.01% from the reference price 100 (price_collar_pct 5)"},
      {"price_collar_sell_limit", [](RiskLimits& l) { l.price_collar_pct = D("5"); }, none,
       O("SPY", S, "1").limit("95"), O("SPY", S, "1").limit("94.99"), "price_collar"},
      {"price_collar_stop", [](RiskLimits& l) { l.price_collar_pct = D("5"); }, none,
       O("SPY", B, "1").stop("105"), O("SPY", B, "1").stop("105.01"), "price_collar", "stop price"},
      {"price_collar_stop_limit", [](RiskLimits& l) { l.price_collar_pct = D("5"); }, none,
       O("SPY", B, "1").stop("104").limit("105"), O("SPY", B, "1").stop("104").limit("105.01"),
       "price_collar"},
      {"price_collar_market_needs_fresh_reference",
       [](RiskLimits& l) {
         l.price_collar_pct = D("5");
         l.reference_max_age = 30s;
       },
       [](FakeView& v) { v.quote("SPY", "100", kT0 - 30s); }, O("SPY", B, "1"), O("SPY", B, "1"),
       "price_collar",
       "no fresh reference price for SPY: the last (100) is 30s old (reference_max_age 30s)",
       [](FakeView& v) { v.quote("SPY", "100", kT0 - 30s - 1ns); }},
      {"price_collar_limit_needs_a_reference_too",
       [](RiskLimits& l) { l.price_collar_pct = D("5"); }, none, O("SPY", B, "1").limit("100"),
       O("SPY", B, "1").limit("100"), "price_collar", "no fresh reference price for SPY (none yet)",
       [](FakeView& v) { v.refs.clear(); }},
      {"max_position_qty_counts_working", [](RiskLimits& l) { l.max_position_qty = D("1000"); },
       [](FakeView& v) {
         v.fill("SPY", Side::kBuy, "600", "100");
         v.set_working("SPY", "200", "300");
       },
       O("SPY", B, "200"), O("SPY", B, "201"), "max_position_qty",
       "projected position SPY 1001 exceeds max_position_qty 1000 (position 600, working buys "
       "200, order 201)"},
      {"max_position_qty_short", [](RiskLimits& l) { l.max_position_qty = D("1000"); },
       [](FakeView& v) { v.set_working("SPY", "0", "400"); }, O("SPY", S, "600"),
       O("SPY", S, "601"), "max_position_qty"},
      {"max_position_notional", [](RiskLimits& l) { l.max_position_notional = D("100000"); },
       [](FakeView& v) { v.fill("SPY", Side::kBuy, "500", "100"); }, O("SPY", B, "500"),
       O("SPY", B, "500.01"), "max_position_notional"},
      {"max_position_notional_multiplier",
       [](RiskLimits& l) { l.max_position_notional = D("1000000"); }, none, O("ES", S, "4"),
       O("ES", S, "4.01"), "max_position_notional", "x multiplier 50"},
      {"max_gross_exposure", [](RiskLimits& l) { l.max_gross_exposure = D("100000"); },
       [](FakeView& v) {
         v.fill("SPY", Side::kBuy, "500", "100");  // +50000
         v.fill("QQQ", Side::kSell, "200", "50");  // -10000
       },
       O("SPY", B, "400"), O("SPY", B, "400.01"), "max_gross_exposure",
       "gross exposure after the order 100001 exceeds max_gross_exposure 100000"},
      {"max_gross_exposure_other_side", [](RiskLimits& l) { l.max_gross_exposure = D("100000"); },
       [](FakeView& v) {
         v.fill("SPY", Side::kBuy, "500", "100");  // +50000
         v.fill("QQQ", Side::kSell, "200", "50");  // -10000
       },
       O("QQQ", S, "800"), O("QQQ", S, "800.01"), "max_gross_exposure"},
      {"max_net_exposure", [](RiskLimits& l) { l.max_net_exposure = D("50000"); },
       [](FakeView& v) {
         v.fill("SPY", Side::kBuy, "500", "100");  // +50000
         v.fill("QQQ", Side::kSell, "200", "50");  // -10000
       },
       O("AAPL", B, "50"), O("AAPL", B, "50.01"), "max_net_exposure",
       "net exposure after the order 50002 exceeds max_net_exposure 50000"},
      {"max_net_exposure_short", [](RiskLimits& l) { l.max_net_exposure = D("50000"); },
       [](FakeView& v) { v.fill("QQQ", Side::kSell, "200", "50"); },  // -10000
       O("AAPL", S, "200"), O("AAPL", S, "200.01"), "max_net_exposure"},
      {"max_working_orders", [](RiskLimits& l) { l.max_working_orders = 3; },
       [](FakeView& v) { v.working_orders_ = 2; }, O("SPY", B, "1"), O("SPY", B, "1"),
       "max_working_orders", "3 orders working: max_working_orders 3 reached",
       [](FakeView& v) { v.working_orders_ = 3; }},
      {"symbol_not_allowed", [](RiskLimits& l) { l.allowed_symbols = {Symbol("SPY")}; }, none,
       O("SPY", B, "1"), O("QQQ", B, "1"), "symbol_not_allowed", "QQQ is not in allowed_symbols"},
      {"symbol_not_configured", [](RiskLimits&) {}, none, O("SPY", B, "1"), O("XYZ", B, "1"),
       "symbol_not_allowed", "XYZ is not a configured instrument"},
      {"short_selling", [](RiskLimits& l) { l.allow_short = false; },
       [](FakeView& v) { v.fill("SPY", Side::kBuy, "100", "100"); }, O("SPY", S, "100"),
       O("SPY", S, "101"), "short_selling",
       "would take SPY to -1 (position 100, working sells 0, order -101): short selling is not "
       "allowed"},
      {"short_selling_counts_working", [](RiskLimits& l) { l.allow_short = false; },
       [](FakeView& v) {
         v.fill("SPY", Side::kBuy, "100", "100");
         v.set_working("SPY", "0", "60");
       },
       O("SPY", S, "40"), O("SPY", S, "41"), "short_selling"},
      {"reduce_only", [](RiskLimits&) {},
       [](FakeView& v) { v.fill("SPY", Side::kBuy, "100", "100"); },
       O("SPY", S, "100").reduce_only(), O("SPY", S, "100.5").reduce_only(), "reduce_only",
       "reduce_only order sell 100.5 SPY market would not only reduce the position SPY 100"},
      {"reduce_only_wrong_side", [](RiskLimits&) {},
       [](FakeView& v) { v.fill("SPY", Side::kSell, "100", "100"); },
       O("SPY", B, "100").reduce_only(), O("SPY", S, "1").reduce_only(), "reduce_only"},
      {"stale_market_data", [](RiskLimits& l) { l.stale_data_after = 10s; },
       [](FakeView& v) { v.quote("SPY", "100", kT0 - 10s); }, O("SPY", B, "1"), O("SPY", B, "1"),
       "stale_market_data", "market data for SPY is 10s old (stale_data_after 10s)",
       [](FakeView& v) { v.quote("SPY", "100", kT0 - 10s - 1ns); }},
      {"stale_market_data_none_yet", [](RiskLimits& l) { l.stale_data_after = 10s; }, none,
       O("SPY", B, "1"), O("SPY", B, "1"), "stale_market_data", "no market data for SPY yet",
       [](FakeView& v) { v.refs.clear(); }},
  };
}

TEST(RiskChecks, EveryCheckPassesJustInsideAndRefusesJustOutside) {
  for (const CheckCase& c : cases()) {
    SCOPED_TRACE(c.name);
    for (int outside = 0; outside < 2; ++outside) {
      FakeView view;
      base_market(view);
      c.setup(view);
      if (outside && c.outside_setup) c.outside_setup(view);
      RecordingActions actions;
      RiskLimits limits;
      c.limits(limits);
      ASSERT_TRUE(validate(limits).empty());
      RiskManager rm(limits, actions);
      const Order order = (outside ? c.outside : c.inside).order();
      const auto d = rm.pre_trade(order, view);
      if (!outside) {
        EXPECT_EQ(check_of(d), "pass") << (d ? d->message : "");
      } else {
        ASSERT_EQ(check_of(d), c.check);
        EXPECT_NE(d->message.find(c.message), std::string::npos) << d->message;
        EXPECT_FALSE(d->retry_at);
      }
    }
  }
}

// Every check switched on, limits far away: an ordinary order passes.
RiskLimits all_on() {
  RiskLimits l;
  l.max_order_qty = D("1000");
  l.max_order_notional = D("1000000");
  l.min_notional = D("1");
  l.price_collar_pct = D("10");
  l.max_position_qty = D("10000");
  l.max_position_notional = D("10000000");
  l.max_gross_exposure = D("50000000");
  l.max_net_exposure = D("50000000");
  l.max_working_orders = 100;
  l.max_orders_per_second = 100;
  l.max_orders_per_minute = 1000;
  l.duplicate_window = 1s;
  l.allowed_symbols = {Symbol("SPY"), Symbol("QQQ"), Symbol("AAPL"), Symbol("ES")};
  l.allow_short = false;
  l.trading_hours[Symbol("SPY")] = TradingHours{};
  l.stale_data_after = 60s;
  l.daily_loss_limit = D("1000");
  l.max_drawdown = D("5000");
  l.max_consecutive_losses = 3;
  l.max_position_duration = std::chrono::hours(24);
  l.broker_disconnect_after = 30s;
  return l;
}

TEST(RiskChecks, EveryCheckOnAnOrdinaryOrderPasses) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  const RiskLimits limits = all_on();
  ASSERT_TRUE(validate(limits).empty());
  RiskManager rm(limits, actions);
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "100").order(), view)), "pass");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "100").limit("101").order(), view)), "pass");
  EXPECT_TRUE(actions.events.empty());
}

TEST(RiskChecks, ExemptSourcesPassEverything) {
  FakeView view;  // no market data at all
  RecordingActions actions;
  RiskLimits limits = all_on();
  limits.max_order_qty = D("1");
  limits.allowed_symbols = {Symbol("QQQ")};
  RiskManager rm(limits, actions);
  rm.engage("test", "api:ops", false, kT0);
  view.set_now(testing::at("2026-03-07T12:00:00Z"));  // Saturday
  for (const char* src : {"flatten", "risk:max_position_duration", "risk:"}) {
    SCOPED_TRACE(src);
    const Order o = O("SPY", Side::kBuy, "5000").limit("1").source(src).order();
    EXPECT_EQ(check_of(rm.pre_trade(o, view)), "pass");
    EXPECT_EQ(check_of(rm.recheck(o, view)), "pass");
  }
  // Only exactly "flatten" and the "risk:" prefix.
  for (const char* src : {"flattenx", "risk", "api:risk:x", "strategy:risk"}) {
    SCOPED_TRACE(src);
    EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "5000").source(src).order(), view)),
              "kill_switch_engaged");
  }
  EXPECT_TRUE(RiskManager::is_exempt_source("flatten"));
  EXPECT_FALSE(RiskManager::is_exempt_source("Flatten"));
}

TEST(RiskChecks, IsReducingCountsWorkingOrdersOnTheSameSide) {
  FakeView view;
  view.fill("SPY", Side::kBuy, "100", "100");
  auto reducing = [&](Side s, const char* q) {
    return RiskManager::is_reducing(O("SPY", s, q).order(), view);
  };
  EXPECT_TRUE(reducing(Side::kSell, "100"));
  EXPECT_FALSE(reducing(Side::kSell, "100.01"));
  EXPECT_FALSE(reducing(Side::kBuy, "1"));
  view.set_working("SPY", "500", "60");  // buys do not matter for a sell
  EXPECT_TRUE(reducing(Side::kSell, "40"));
  EXPECT_FALSE(reducing(Side::kSell, "41"));
  EXPECT_FALSE(RiskManager::is_reducing(O("QQQ", Side::kSell, "1").order(), view));  // flat
  view.fill("QQQ", Side::kSell, "10", "50");
  EXPECT_TRUE(RiskManager::is_reducing(O("QQQ", Side::kBuy, "10").order(), view));
  EXPECT_FALSE(RiskManager::is_reducing(O("QQQ", Side::kSell, "1").order(), view));
}

// Reducing orders from ordinary sources: exposure checks spare them, the
// fat-finger checks do not.
TEST(RiskChecks, ReducingOrdersSkipExposureChecksButNotFatFingerChecks) {
  FakeView view;
  base_market(view);
  view.fill("SPY", Side::kBuy, "1000", "100");
  view.quote("SPY", "100", kT0 - std::chrono::minutes(5));  // stale
  RecordingActions actions;
  RiskLimits l;
  l.max_position_qty = D("10");
  l.max_position_notional = D("10");
  l.max_gross_exposure = D("10");
  l.max_net_exposure = D("10");
  l.min_notional = D("1000000");
  l.allow_short = false;
  l.stale_data_after = 10s;
  l.allowed_symbols = {Symbol("QQQ")};
  RiskManager rm(l, actions);
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kSell, "1000").order(), view)), "pass");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kSell, "1").limit("99").order(), view)), "pass");
  // Not reducing (beyond the position): every check applies again.
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kSell, "1001").order(), view)),
            "symbol_not_allowed");

  RiskLimits f;
  f.max_order_qty = D("500");
  f.max_order_notional = D("10000");
  f.price_collar_pct = D("5");
  f.reference_max_age = 10s;
  view.quote("SPY", "100");
  RiskManager fat(f, actions);
  EXPECT_EQ(check_of(fat.pre_trade(O("SPY", Side::kSell, "501").order(), view)), "max_order_qty");
  EXPECT_EQ(check_of(fat.pre_trade(O("SPY", Side::kSell, "101").order(), view)),
            "max_order_notional");
  EXPECT_EQ(check_of(fat.pre_trade(O("SPY", Side::kSell, "100").limit("94").order(), view)),
            "price_collar");
  EXPECT_EQ(check_of(fat.pre_trade(O("SPY", Side::kSell, "100").limit("95").order(), view)),
            "pass");
}

TEST(RiskChecks, GateRefusesIncreasingOrdersAndAcceptsReducingOnesWhileHaltedOrReducing) {
  FakeView view;
  base_market(view);
  view.fill("SPY", Side::kBuy, "100", "100");
  RecordingActions actions;
  RiskManager rm(RiskLimits{}, actions);
  const Order buy = O("SPY", Side::kBuy, "1").order();
  const Order sell_all = O("SPY", Side::kSell, "100").order();
  const Order sell_more = O("SPY", Side::kSell, "101").order();
  const Order other = O("QQQ", Side::kSell, "1").order();

  ASSERT_TRUE(rm.set_trading_state(TradingState::kReducing, "end of day", "api:ops", false, kT0));
  EXPECT_EQ(check_of(rm.pre_trade(buy, view)), "reducing_only");
  EXPECT_EQ(check_of(rm.pre_trade(sell_more, view)), "reducing_only");
  EXPECT_EQ(check_of(rm.pre_trade(other, view)), "reducing_only");
  EXPECT_EQ(check_of(rm.pre_trade(sell_all, view)), "pass");
  const auto d = rm.pre_trade(buy, view);
  EXPECT_NE(d->message.find("end of day"), std::string::npos) << d->message;

  rm.engage("runaway", "signal:SIGUSR1", false, kT0);
  EXPECT_EQ(check_of(rm.pre_trade(buy, view)), "kill_switch_engaged");
  EXPECT_EQ(check_of(rm.pre_trade(sell_more, view)), "kill_switch_engaged");
  EXPECT_EQ(check_of(rm.pre_trade(sell_all, view)), "pass");
  EXPECT_NE(rm.pre_trade(buy, view)->message.find("runaway"), std::string::npos);

  // With a closing order already working, another one is no longer reducing.
  view.set_working("SPY", "0", "100");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kSell, "1").order(), view)),
            "kill_switch_engaged");
}

TEST(RiskChecks, RecheckAsksTheGateAgainWithoutCountingTheOrderTwice) {
  FakeView view;
  base_market(view);
  view.fill("SPY", Side::kBuy, "100", "100");
  RecordingActions actions;
  RiskManager rm(RiskLimits{}, actions);
  const Order sell = O("SPY", Side::kSell, "100").order();
  const Order buy = O("SPY", Side::kBuy, "10").order();
  ASSERT_EQ(check_of(rm.pre_trade(sell, view)), "pass");
  ASSERT_EQ(check_of(rm.pre_trade(buy, view)), "pass");
  view.set_working("SPY", "10", "100");  // both queued, both passed the gate
  rm.engage("stop", "api:ops", false, kT0);
  EXPECT_EQ(check_of(rm.recheck(sell, view)), "pass");
  EXPECT_EQ(check_of(rm.recheck(buy, view)), "kill_switch_engaged");
}

// ------------------------------------------------------------------ throttle

TEST(RiskThrottle, RefusePerSecondPerSource) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.max_orders_per_second = 3;
  RiskManager rm(l, actions);
  auto submit = [&](const char* source) {
    return rm.pre_trade(O("SPY", Side::kBuy, "1").source(source).order(), view);
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(check_of(submit("strategy:a")), "pass");
    view.advance(100ms);
  }
  // t0+300ms: three in the last second.
  const auto d = submit("strategy:a");
  ASSERT_EQ(check_of(d), "rate_limit");
  EXPECT_FALSE(d->retry_at);
  EXPECT_NE(d->message.find("source strategy:a: 3 orders in the last second"), std::string::npos)
      << d->message;
  // Another source is unaffected.
  EXPECT_EQ(check_of(submit("api")), "pass");
  // A refused order did not count: at t0 + 1s the first one left the window.
  view.set_now(kT0 + 1s - 1ns);
  EXPECT_EQ(check_of(submit("strategy:a")), "rate_limit");
  view.set_now(kT0 + 1s);
  EXPECT_EQ(check_of(submit("strategy:a")), "pass");
  EXPECT_EQ(check_of(submit("strategy:a")), "rate_limit");  // t0+100ms still inside
  view.set_now(kT0 + 1100ms);
  EXPECT_EQ(check_of(submit("strategy:a")), "pass");
}

TEST(RiskThrottle, QueueGivesTheTimeTheWindowAllowsIt) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.max_orders_per_second = 2;
  l.max_orders_per_minute = 3;
  l.throttle_action = ThrottleAction::kQueue;
  RiskManager rm(l, actions);
  auto submit = [&] { return rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view); };
  EXPECT_EQ(check_of(submit()), "pass");  // t0
  view.set_now(kT0 + 500ms);
  EXPECT_EQ(check_of(submit()), "pass");
  view.set_now(kT0 + 600ms);
  auto d = submit();  // per second: full until t0+1s
  ASSERT_EQ(check_of(d), "rate_limit");
  ASSERT_TRUE(d->retry_at);
  EXPECT_EQ(*d->retry_at, kT0 + 1s);
  EXPECT_NE(d->message.find("2 orders in the last second (max_orders_per_second 2); queued "
                            "until 2026-03-02T15:00:01.000Z"),
            std::string::npos)
      << d->message;
  view.set_now(*d->retry_at);
  EXPECT_EQ(check_of(submit()), "pass");  // the queued order, checked again: third in the minute
  // Both windows full (second until t0+1.5s, minute until t0+60s): the later time.
  view.set_now(kT0 + 1200ms);
  d = submit();
  ASSERT_EQ(check_of(d), "rate_limit");
  EXPECT_EQ(*d->retry_at, kT0 + 60s);
  EXPECT_NE(d->message.find("max_orders_per_minute 3"), std::string::npos) << d->message;
  view.set_now(kT0 + 5s);
  d = submit();
  ASSERT_EQ(check_of(d), "rate_limit");
  EXPECT_EQ(*d->retry_at, kT0 + 60s);
  view.set_now(kT0 + 60s - 1ns);
  EXPECT_EQ(check_of(submit()), "rate_limit");
  view.set_now(kT0 + 60s);
  EXPECT_EQ(check_of(submit()), "pass");
}

TEST(RiskThrottle, ExemptSourcesAreNotCounted) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.max_orders_per_second = 1;
  RiskManager rm(l, actions);
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").source("flatten").order(), view)),
            "pass");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").source("flatten").order(), view)),
            "pass");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "rate_limit");
}

TEST(RiskThrottle, RaisingTheLimitKeepsTheWindow) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.max_orders_per_second = 2;
  RiskManager rm(l, actions);
  auto submit = [&] { return check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)); };
  EXPECT_EQ(submit(), "pass");
  EXPECT_EQ(submit(), "pass");
  EXPECT_EQ(submit(), "rate_limit");
  l.max_orders_per_second = 3;
  ASSERT_TRUE(rm.set_limits(l, "api:admin"));
  EXPECT_EQ(submit(), "pass");
  EXPECT_EQ(submit(), "rate_limit");
  l.max_orders_per_second = 1;
  ASSERT_TRUE(rm.set_limits(l, "api:admin"));
  EXPECT_EQ(submit(), "rate_limit");
  view.advance(1s);
  EXPECT_EQ(submit(), "pass");
}

// ------------------------------------------------------------------ duplicates

TEST(RiskDuplicates, SameOrderFromOneSourceWithinTheWindow) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.duplicate_window = 2s;
  RiskManager rm(l, actions);
  auto check = [&](const O& o) { return check_of(rm.pre_trade(o.order(), view)); };
  const O buy = O("SPY", Side::kBuy, "100").limit("100.5");
  EXPECT_EQ(check(buy), "pass");
  view.advance(1s);
  const auto d = rm.pre_trade(buy.order(), view);
  ASSERT_EQ(check_of(d), "duplicate_order");
  EXPECT_NE(d->message.find("duplicate of an order from api 1s ago (buy 100 SPY limit 100.5), "
                            "within duplicate_window 2s"),
            std::string::npos)
      << d->message;
  // Anything different is not a duplicate.
  EXPECT_EQ(check(O("SPY", Side::kBuy, "101").limit("100.5")), "pass");
  EXPECT_EQ(check(O("SPY", Side::kBuy, "100").limit("100.51")), "pass");
  EXPECT_EQ(check(O("SPY", Side::kSell, "100").limit("100.5")), "pass");
  EXPECT_EQ(check(O("QQQ", Side::kBuy, "100").limit("100.5")), "pass");
  EXPECT_EQ(check(O("SPY", Side::kBuy, "100").stop("100.5")), "pass");
  EXPECT_EQ(check(O("SPY", Side::kBuy, "100")), "pass");  // market
  EXPECT_EQ(check(O("SPY", Side::kBuy, "100").limit("100.5").source("strategy:x")), "pass");
  // The window counts from the order that passed (t0): open again at t0 + 2s.
  view.set_now(kT0 + 2s - 1ns);
  EXPECT_EQ(check(buy), "duplicate_order");
  view.set_now(kT0 + 2s);
  EXPECT_EQ(check(buy), "pass");
  EXPECT_EQ(check(buy), "duplicate_order");
}

TEST(RiskDuplicates, ManyDistinctOrdersInTheWindowAreAllRemembered) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.duplicate_window = 60s;
  RiskManager rm(l, actions);
  for (int i = 1; i <= 100; ++i) {
    const std::string qty = std::to_string(i);
    ASSERT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, qty.c_str()).order(), view)), "pass");
    view.advance(10ms);
  }
  for (int i = 1; i <= 100; ++i) {
    const std::string qty = std::to_string(i);
    EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, qty.c_str()).order(), view)),
              "duplicate_order");
  }
}

// A long steady flow: expired entries are dropped and what is inside the
// window is still found (50 distinct orders, 10 ms apart, repeat after 0.5 s).
TEST(RiskDuplicates, ASteadyFlowKeepsFindingDuplicatesInsideTheWindowOnly) {
  FakeView view;
  base_market(view);
  RecordingActions actions;
  RiskLimits l;
  l.duplicate_window = 1s;
  RiskManager rm(l, actions);
  size_t passed = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    view.quote("SPY", "100");
    const std::string qty = std::to_string(1 + i % 50);
    const auto d = rm.pre_trade(O("SPY", Side::kBuy, qty.c_str()).order(), view);
    // Blocks of 50: the first passes, the next repeats it 0.5 s later (refused),
    // the one after repeats it exactly 1 s later (the window is over: passes).
    const bool expect_pass = (i / 50) % 2 == 0;
    ASSERT_EQ(check_of(d), expect_pass ? "pass" : "duplicate_order") << i;
    (d ? refused : passed)++;
    view.advance(10ms);
  }
  EXPECT_EQ(passed, 10000u);
  EXPECT_EQ(refused, 10000u);
}

// ------------------------------------------------------------------ trading hours

class RiskTradingHours : public ::testing::Test {
 protected:
  RiskTradingHours() {
    base_market(view);
    TradingHours h;  // 09:30-16:00 America/New_York, Mon-Fri
    limits.trading_hours[Symbol("SPY")] = h;
    h.outside_rth = true;
    limits.trading_hours[Symbol("QQQ")] = h;
  }
  std::string at(const char* when, const O& o) {
    view.set_now(testing::at(when));
    view.quote("SPY", "100");
    view.quote("QQQ", "50");
    return check_of(rm.pre_trade(o.order(), view));
  }
  FakeView view;
  RecordingActions actions;
  RiskLimits limits;
  RiskManager rm{RiskLimits{}, actions};
};

TEST_F(RiskTradingHours, OpenToCloseOnWeekdaysInTheExchangeTimeZone) {
  ASSERT_TRUE(rm.set_limits(limits, "config"));
  const O spy("SPY", Side::kBuy, "1");
  // Winter (EST, UTC-5): 09:30 = 14:30Z, 16:00 = 21:00Z.
  EXPECT_EQ(at("2026-03-02T14:29:59.999Z", spy), "trading_hours");
  EXPECT_EQ(at("2026-03-02T14:30:00Z", spy), "pass");
  EXPECT_EQ(at("2026-03-02T20:59:59.999Z", spy), "pass");
  EXPECT_EQ(at("2026-03-02T21:00:00Z", spy), "trading_hours");
  // Symbols without hours trade around the clock.
  EXPECT_EQ(at("2026-03-02T03:00:00Z", O("AAPL", Side::kBuy, "1")), "pass");
  view.set_now(testing::at("2026-03-02T21:00:00Z"));
  const auto d = rm.pre_trade(spy.order(), view);
  ASSERT_TRUE(d);
  EXPECT_EQ(
      d->message,
      "SPY trades 09:30-16:00 America/New_York on Mon,Tue,Wed,Thu,Fri; it is Mon 16:00 there");
}

TEST_F(RiskTradingHours, DaylightSavingTimeMovesTheHoursInUtc) {
  ASSERT_TRUE(rm.set_limits(limits, "config"));
  const O spy("SPY", Side::kBuy, "1");
  // 2026-03-08: New York moves to EDT (UTC-4). Friday before: 09:30 = 14:30Z.
  EXPECT_EQ(at("2026-03-06T13:45:00Z", spy), "trading_hours");  // 08:45 EST
  EXPECT_EQ(at("2026-03-09T13:30:00Z", spy), "pass");           // Monday 09:30 EDT
  EXPECT_EQ(at("2026-03-09T13:29:59Z", spy), "trading_hours");
  EXPECT_EQ(at("2026-03-09T19:59:59Z", spy), "pass");
  EXPECT_EQ(at("2026-03-09T20:00:00Z", spy), "trading_hours");  // 16:00 EDT
  // And back on 2026-11-01.
  EXPECT_EQ(at("2026-11-02T13:30:00Z", spy), "trading_hours");  // 08:30 EST
  EXPECT_EQ(at("2026-11-02T14:30:00Z", spy), "pass");
}

TEST_F(RiskTradingHours, WeekendIsClosedEvenForOutsideRth) {
  ASSERT_TRUE(rm.set_limits(limits, "config"));
  EXPECT_EQ(at("2026-03-07T16:00:00Z", O("SPY", Side::kBuy, "1")), "trading_hours");  // Sat
  EXPECT_EQ(at("2026-03-08T16:00:00Z", O("QQQ", Side::kBuy, "1").outside_rth()),
            "trading_hours");  // Sunday 11:00/12:00 local
  // Friday 23:30 UTC is still Friday 18:30 in New York.
  EXPECT_EQ(at("2026-03-06T23:30:00Z", O("QQQ", Side::kBuy, "1").outside_rth()), "pass");
  // Saturday 00:30 New York time.
  EXPECT_EQ(at("2026-03-07T05:30:00Z", O("QQQ", Side::kBuy, "1").outside_rth()), "trading_hours");
}

TEST_F(RiskTradingHours, OutsideRthNeedsTheOrderFlagAndTheInstrumentsPermission) {
  ASSERT_TRUE(rm.set_limits(limits, "config"));
  const char* pre_market = "2026-03-02T12:00:00Z";  // Monday 07:00 EST
  EXPECT_EQ(at(pre_market, O("QQQ", Side::kBuy, "1").outside_rth()), "pass");
  EXPECT_EQ(at(pre_market, O("QQQ", Side::kBuy, "1")), "trading_hours");
  EXPECT_EQ(at(pre_market, O("SPY", Side::kBuy, "1").outside_rth()), "trading_hours");
  view.set_now(testing::at(pre_market));
  const auto d = rm.pre_trade(O("SPY", Side::kBuy, "1").outside_rth().order(), view);
  EXPECT_NE(d->message.find("outside_rth is not allowed for SPY"), std::string::npos) << d->message;
}

TEST_F(RiskTradingHours, OtherTimeZonesAndCustomWeekdays) {
  TradingHours h;
  h.timezone = "Asia/Tokyo";
  h.open = std::chrono::minutes(9 * 60);
  h.close = std::chrono::minutes(15 * 60);
  h.weekdays = {0};  // Sundays only
  limits.trading_hours[Symbol("AAPL")] = h;
  h.timezone = "UTC";
  h.open = std::chrono::minutes(0);
  h.close = std::chrono::minutes(24 * 60);
  h.weekdays = {6};
  limits.trading_hours[Symbol("ES")] = h;
  ASSERT_TRUE(rm.set_limits(limits, "config"));
  // Sunday 09:00 in Tokyo = Sunday 00:00Z.
  EXPECT_EQ(at("2026-03-08T00:00:00Z", O("AAPL", Side::kBuy, "1")), "pass");
  EXPECT_EQ(at("2026-03-07T23:59:59Z", O("AAPL", Side::kBuy, "1")), "trading_hours");
  EXPECT_EQ(at("2026-03-08T06:00:00Z", O("AAPL", Side::kBuy, "1")), "trading_hours");
  // A whole Saturday in UTC.
  EXPECT_EQ(at("2026-03-07T00:00:00Z", O("ES", Side::kBuy, "1")), "pass");
  EXPECT_EQ(at("2026-03-07T23:59:59.999Z", O("ES", Side::kBuy, "1")), "pass");
  EXPECT_EQ(at("2026-03-08T00:00:00Z", O("ES", Side::kBuy, "1")), "trading_hours");
}

TEST_F(RiskTradingHours, ApplyToReducingOrdersToo) {
  ASSERT_TRUE(rm.set_limits(limits, "config"));
  view.set_now(testing::at("2026-03-02T15:00:00Z"));
  view.fill("SPY", Side::kBuy, "10", "100");
  EXPECT_EQ(at("2026-03-07T16:00:00Z", O("SPY", Side::kSell, "10")), "trading_hours");
  EXPECT_EQ(at("2026-03-07T16:00:00Z", O("SPY", Side::kSell, "10").source("flatten")), "pass");
}

}  // namespace
}  // namespace td::risk
