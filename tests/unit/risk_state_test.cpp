// Trading states, the kill switch, limits at run time (validate / set_limits)
// and restoring the latched state.
#include <algorithm>

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

class RiskState : public ::testing::Test {
 protected:
  RiskState() {
    rm.set_state_listener([this](const PersistedRiskState& s) { saved.push_back(s); });
  }
  FakeView view;
  RecordingActions actions;
  RiskManager rm{RiskLimits{}, actions};
  std::vector<PersistedRiskState> saved;
};

TEST_F(RiskState, StricterAnyTimeBackToActiveOnlyForAdmins) {
  ASSERT_TRUE(rm.set_trading_state(TradingState::kReducing, "eod", "api:trader", false, kT0));
  EXPECT_EQ(rm.trading_state().state, TradingState::kReducing);
  EXPECT_EQ(rm.trading_state().reason, "eod");
  EXPECT_EQ(rm.trading_state().by, "api:trader");
  EXPECT_EQ(rm.trading_state().since, kT0);
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved.back().trading.state, TradingState::kReducing);
  ASSERT_EQ(actions.events_of("trading_state").size(), 1u);
  const RiskEventData& e = *actions.events_of("trading_state")[0];
  EXPECT_EQ(e.name, "reducing");
  EXPECT_EQ(e.actor, "api:trader");
  EXPECT_EQ(e.reason, "eod");

  auto st = rm.set_trading_state(TradingState::kActive, "go", "api:trader", false, kT0 + 1s);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kRejected);
  EXPECT_EQ(rm.trading_state().state, TradingState::kReducing);
  EXPECT_EQ(saved.size(), 1u);
  EXPECT_EQ(actions.events_of("trading_state").size(), 1u);

  ASSERT_TRUE(rm.set_trading_state(TradingState::kActive, "go", "api:admin", true, kT0 + 2s));
  EXPECT_EQ(rm.trading_state().state, TradingState::kActive);
  EXPECT_EQ(rm.trading_state().by, "api:admin");
  EXPECT_EQ(saved.size(), 2u);
  EXPECT_EQ(actions.events_of("trading_state").size(), 2u);

  // The same state again: nothing changes, nothing is published.
  ASSERT_TRUE(rm.set_trading_state(TradingState::kActive, "again", "api:admin", true, kT0));
  EXPECT_EQ(rm.trading_state().reason, "go");
  EXPECT_EQ(actions.events_of("trading_state").size(), 2u);
}

TEST_F(RiskState, HaltedOnlyThroughTheKillSwitch) {
  auto st = rm.set_trading_state(TradingState::kHalted, "x", "api:admin", true, kT0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rm.trading_state().state, TradingState::kActive);
  ASSERT_TRUE(rm.set_trading_state(TradingState::kReducing, "eod", "api:trader", false, kT0));
  EXPECT_FALSE(rm.set_trading_state(TradingState::kHalted, "x", "api:admin", true, kT0));

  rm.engage("stop", "api:trader", false, kT0);
  // Leaving halted: only by re-arming, not even an admin setting a state.
  for (TradingState s : {TradingState::kActive, TradingState::kReducing}) {
    st = rm.set_trading_state(s, "x", "api:admin", true, kT0);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
    EXPECT_EQ(rm.trading_state().state, TradingState::kHalted);
  }
  ASSERT_TRUE(rm.rearm("fixed", "api:admin", kT0 + 1min));
  EXPECT_EQ(rm.trading_state().state, TradingState::kActive);
}

TEST_F(RiskState, EngageClosesTheGateThenCancelsAndPublishes) {
  // The gate is closed before anything else runs (cancel_all sees it halted);
  // the state is persisted last (the listener's file write must not delay cancels).
  struct Probe final : public RiskActions {
    RiskManager* rm = nullptr;
    std::vector<std::string> seen;
    std::vector<OrderId> cancel_all(const std::string&) override {
      seen.push_back("cancel_all:" + std::string(to_string(rm->trading_state().state)));
      return {OrderId(3)};
    }
    std::vector<FlattenResult> flatten(const std::string&) override {
      seen.push_back("flatten:" + std::string(to_string(rm->trading_state().state)));
      FlattenResult r;
      r.symbol = Symbol("SPY");
      r.qty = D("-100");
      r.closing_order = OrderId(4);
      return {r};
    }
    FlattenResult close_position(const Symbol&, const std::string&, const std::string&) override {
      return {};
    }
    void publish_risk_event(RiskEventData e) override { seen.push_back(e.kind); }
  } probe;
  RiskManager m(RiskLimits{}, probe);
  probe.rm = &m;
  std::vector<std::string> persisted;
  m.set_state_listener([&](const PersistedRiskState& s) {
    persisted.push_back(std::string(to_string(s.trading.state)));
    probe.seen.push_back("listener");
  });
  const EngageResult r = m.engage("runaway strategy", "api:ops", true, kT0);
  EXPECT_EQ(probe.seen,
            (std::vector<std::string>{"cancel_all:halted", "flatten:halted", "trading_state",
                                      "kill_switch_engaged", "listener"}));
  EXPECT_EQ(persisted, (std::vector<std::string>{"halted"}));
  EXPECT_TRUE(r.kill_switch.engaged);
  EXPECT_EQ(r.kill_switch.reason, "runaway strategy");
  EXPECT_EQ(r.kill_switch.engaged_by, "api:ops");
  EXPECT_EQ(r.kill_switch.engaged_at, kT0);
  EXPECT_EQ(r.cancelled, (std::vector<OrderId>{OrderId(3)}));
  ASSERT_EQ(r.positions.size(), 1u);
  EXPECT_EQ(r.positions[0].closing_order, OrderId(4));
}

TEST_F(RiskState, EngageTwiceKeepsTheFirstReasonAndTime) {
  const EngageResult first = rm.engage("first", "api:alice", false, kT0);
  EXPECT_TRUE(first.positions.empty());
  EXPECT_TRUE(actions.flatten_reasons.empty());
  EXPECT_EQ(actions.cancel_reasons, (std::vector<std::string>{"first"}));
  EXPECT_EQ(rm.trading_state().state, TradingState::kHalted);
  EXPECT_EQ(rm.trading_state().reason, "first");
  EXPECT_EQ(rm.trading_state().since, kT0);

  const EngageResult second = rm.engage("second", "signal:SIGUSR2", true, kT0 + 5min);
  EXPECT_EQ(second.kill_switch.reason, "first");
  EXPECT_EQ(second.kill_switch.engaged_by, "api:alice");
  EXPECT_EQ(second.kill_switch.engaged_at, kT0);
  EXPECT_EQ(rm.kill_switch().reason, "first");
  EXPECT_EQ(rm.trading_state().since, kT0);
  // Cancels and the asked-for flatten still run (flatten never closes twice: RiskActions).
  EXPECT_EQ(actions.cancel_reasons, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(actions.flatten_reasons, (std::vector<std::string>{"second"}));
  EXPECT_EQ(second.cancelled, (std::vector<OrderId>{OrderId(7), OrderId(8)}));
  // One trading_state event (the state changed once), one engaged event per call.
  EXPECT_EQ(actions.events_of("trading_state").size(), 1u);
  const auto engaged = actions.events_of("kill_switch_engaged");
  ASSERT_EQ(engaged.size(), 2u);
  EXPECT_EQ(RecordingActions::figure(*engaged[0], "already_engaged"), "false");
  EXPECT_EQ(RecordingActions::figure(*engaged[1], "already_engaged"), "true");
  EXPECT_EQ(engaged[1]->actor, "signal:SIGUSR2");
}

TEST_F(RiskState, EngageFromReducingTakesTheKillSwitchReason) {
  ASSERT_TRUE(rm.set_trading_state(TradingState::kReducing, "eod", "api:trader", false, kT0));
  rm.engage("stop", "api:ops", false, kT0 + 1s);
  EXPECT_EQ(rm.trading_state().state, TradingState::kHalted);
  EXPECT_EQ(rm.trading_state().reason, "stop");
  EXPECT_EQ(rm.trading_state().by, "api:ops");
}

TEST_F(RiskState, RearmOnlyWhenEngaged) {
  auto st = rm.rearm("why", "api:admin", kT0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kIllegalTransition);
  EXPECT_TRUE(actions.events.empty());
  EXPECT_TRUE(saved.empty());

  rm.engage("stop", "api:ops", false, kT0);
  ASSERT_TRUE(rm.rearm("all clear", "api:admin", kT0 + 1h));
  EXPECT_FALSE(rm.kill_switch().engaged);
  EXPECT_EQ(rm.kill_switch().rearmed_by, "api:admin");
  EXPECT_EQ(rm.kill_switch().rearmed_at, kT0 + 1h);
  EXPECT_EQ(rm.trading_state().state, TradingState::kActive);
  EXPECT_EQ(rm.trading_state().reason, "all clear");
  EXPECT_EQ(rm.trading_state().since, kT0 + 1h);
  ASSERT_EQ(actions.events_of("kill_switch_rearmed").size(), 1u);
  EXPECT_EQ(actions.events_of("kill_switch_rearmed")[0]->actor, "api:admin");
  EXPECT_EQ(actions.events_of("trading_state").size(), 2u);
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_FALSE(saved.back().kill_switch.engaged);

  // Gate open again; a second rearm is an error.
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
  EXPECT_FALSE(rm.rearm("again", "api:admin", kT0 + 2h));
  // Engaging after a re-arm records the new reason and time.
  const auto r = rm.engage("again", "api:ops", false, kT0 + 3h);
  EXPECT_EQ(r.kill_switch.reason, "again");
  EXPECT_EQ(r.kill_switch.engaged_at, kT0 + 3h);
}

TEST_F(RiskState, RestoreKeepsTheKillSwitchEngaged) {
  PersistedRiskState s;
  s.kill_switch.engaged = true;
  s.kill_switch.reason = "before restart";
  s.kill_switch.engaged_by = "api:ops";
  s.kill_switch.engaged_at = kT0 - 1h;
  s.trading = {TradingState::kHalted, "before restart", "api:ops", kT0 - 1h};
  rm.restore(s);
  EXPECT_TRUE(rm.kill_switch().engaged);
  EXPECT_EQ(rm.trading_state().state, TradingState::kHalted);
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "kill_switch_engaged");
  EXPECT_TRUE(saved.empty());
  EXPECT_TRUE(actions.events.empty());
}

TEST_F(RiskState, RestoreOfAMismatchFailsSafe) {
  PersistedRiskState engaged_but_active;
  engaged_but_active.kill_switch.engaged = true;
  engaged_but_active.kill_switch.reason = "r";
  rm.restore(engaged_but_active);
  EXPECT_EQ(rm.trading_state().state, TradingState::kHalted);

  PersistedRiskState halted_not_engaged;
  halted_not_engaged.trading = {TradingState::kHalted, "r2", "x", kT0};
  rm.restore(halted_not_engaged);
  EXPECT_TRUE(rm.kill_switch().engaged);
  EXPECT_EQ(rm.kill_switch().reason, "r2");
  EXPECT_TRUE(rm.rearm("ok", "api:admin", kT0));
}

// ------------------------------------------------------------------ limits

TEST(RiskLimitsValidate, DefaultsAreValid) {
  EXPECT_TRUE(validate(RiskLimits{}).empty());
}

TEST(RiskLimitsValidate, ListsEveryProblemWithItsKey) {
  RiskLimits l;
  l.max_order_qty = D("-1");
  l.max_order_notional = D("-0.01");
  l.price_collar_pct = D("100.01");
  l.max_drawdown_pct = D("101");
  l.daily_loss_limit = D("-5");
  l.max_orders_per_second = -1;
  l.max_orders_per_minute = kMaxRateLimit + 1;
  l.duplicate_window = -1s;
  l.stale_data_after = -1ns;
  l.max_consecutive_losses = 2;
  l.consecutive_losses_cooldown = 0s;
  TradingHours h;
  h.timezone = "Mars/Olympus_Mons";
  h.open = std::chrono::minutes(16 * 60);
  h.close = std::chrono::minutes(9 * 60 + 30);
  h.weekdays = {1, 7};
  l.trading_hours[Symbol("SPY")] = h;
  const auto errors = validate(l);
  auto has = [&](const std::string& text) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("max_order_qty: must be >= 0 (got -1)"));
  EXPECT_TRUE(has("max_order_notional: must be >= 0"));
  EXPECT_TRUE(has("price_collar_pct: must be <= 100"));
  EXPECT_TRUE(has("max_drawdown_pct: must be <= 100"));
  EXPECT_TRUE(has("daily_loss_limit: must be >= 0"));
  EXPECT_TRUE(has("max_orders_per_second: must be >= 0"));
  EXPECT_TRUE(has("max_orders_per_minute: must be <= 100000"));
  EXPECT_TRUE(has("duplicate_window: must be >= 0"));
  EXPECT_TRUE(has("stale_data_after: must be >= 0"));
  EXPECT_TRUE(has("consecutive_losses_cooldown: must be > 0 when max_consecutive_losses is set"));
  EXPECT_TRUE(has("trading_hours.SPY.timezone: unknown time zone 'Mars/Olympus_Mons'"));
  EXPECT_TRUE(has("trading_hours.SPY: open (960 min) must be before close (570 min)"));
  EXPECT_TRUE(has("trading_hours.SPY.weekdays: 7 is not a weekday"));
  EXPECT_EQ(errors.size(), 13u);
}

TEST(RiskLimitsValidate, EdgesThatAreAllowed) {
  RiskLimits l;
  l.price_collar_pct = D("100");
  l.max_drawdown_pct = D("100");
  l.max_orders_per_second = kMaxRateLimit;
  TradingHours h;
  h.timezone = "UTC";
  h.open = std::chrono::minutes(0);
  h.close = std::chrono::minutes(24 * 60);
  h.weekdays = {0, 6};
  l.trading_hours[Symbol("ES")] = h;
  EXPECT_EQ(validate(l), std::vector<std::string>{});
  l.min_notional = D("10");
  l.max_order_notional = D("5");
  EXPECT_EQ(validate(l).size(), 1u);
}

TEST(RiskLimitsParse, ActionsRoundTrip) {
  for (auto a : {BreakerAction::kReduce, BreakerAction::kHalt, BreakerAction::kAlert})
    EXPECT_EQ(parse_breaker_action(to_string(a)), a);
  for (auto a : {ThrottleAction::kRefuse, ThrottleAction::kQueue})
    EXPECT_EQ(parse_throttle_action(to_string(a)), a);
  EXPECT_FALSE(parse_breaker_action("Halt"));
  EXPECT_FALSE(parse_throttle_action("drop"));
  for (auto s : {TradingState::kActive, TradingState::kReducing, TradingState::kHalted})
    EXPECT_EQ(parse_trading_state(to_string(s)), s);
  EXPECT_FALSE(parse_trading_state("paused"));
}

TEST_F(RiskState, SetLimitsInvalidChangesNothing) {
  RiskLimits good;
  good.max_order_qty = D("500");
  ASSERT_TRUE(rm.set_limits(good, "api:admin"));
  ASSERT_EQ(actions.events_of("limits_changed").size(), 1u);
  EXPECT_EQ(actions.events_of("limits_changed")[0]->actor, "api:admin");

  RiskLimits bad = good;
  bad.max_order_qty = D("1000");
  bad.max_position_qty = D("-1");
  bad.price_collar_pct = D("250");
  auto st = rm.set_limits(bad, "api:admin");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("max_position_qty: must be >= 0"), std::string::npos);
  EXPECT_NE(st.error().message.find("price_collar_pct: must be <= 100"), std::string::npos);
  EXPECT_EQ(rm.limits().max_order_qty, D("500"));
  EXPECT_EQ(actions.events_of("limits_changed").size(), 1u);
  view.quote("SPY", "100");
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "501").order(), view)), "max_order_qty");

  bad.max_position_qty = D("0");
  bad.price_collar_pct = D("0");
  ASSERT_TRUE(rm.set_limits(bad, "api:admin"));
  EXPECT_EQ(rm.limits().max_order_qty, D("1000"));
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "501").order(), view)), "pass");
}

TEST_F(RiskState, NewTradingHoursApplyAtOnce) {
  view.quote("SPY", "100");
  view.set_now(testing::at("2026-03-07T16:00:00Z"));  // Saturday
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
  RiskLimits l;
  l.trading_hours[Symbol("SPY")] = TradingHours{};
  ASSERT_TRUE(rm.set_limits(l, "config"));
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "trading_hours");
  ASSERT_TRUE(rm.set_limits(RiskLimits{}, "config"));
  EXPECT_EQ(check_of(rm.pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
}

}  // namespace
}  // namespace td::risk
