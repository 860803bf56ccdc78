// Circuit breakers: each trips exactly at its threshold (one cent, one unit,
// one nanosecond before: nothing), publishes one breaker_tripped event per
// trip, takes its configured action (reduce / halt / alert), and clears.
#include <memory>

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

class Breakers : public ::testing::Test {
 protected:
  void make(const RiskLimits& l) {
    ASSERT_TRUE(validate(l).empty());
    rm = std::make_unique<RiskManager>(l, actions);
  }
  void fill(const char* sym, Side side, const char* qty, const char* price,
            const char* commission = "0") {
    const Fill f = view.fill(sym, side, qty, price, commission);
    rm->on_fill(f, view);
  }
  void mark(const char* sym, const char* price) {
    view.mark(sym, price);
    rm->on_mark(Symbol(sym), view);
  }
  size_t trips(const std::string& name) const {
    return actions.events_of("breaker_tripped", name).size();
  }
  size_t clears(const std::string& name) const {
    return actions.events_of("breaker_cleared", name).size();
  }
  const BreakerStatus status(const std::string& name) const {
    for (const auto& b : rm->breakers())
      if (b.name == name) return b;
    ADD_FAILURE() << "no breaker " << name;
    return {};
  }

  FakeView view;
  RecordingActions actions;
  std::unique_ptr<RiskManager> rm;
};

// ------------------------------------------------------------------ daily loss

TEST_F(Breakers, DailyLossTripsAtTheLimitNotACentBefore) {
  RiskLimits l;
  l.daily_loss_limit = D("1000");
  make(l);
  fill("SPY", Side::kBuy, "100", "100");
  mark("SPY", "90.01");  // -999
  EXPECT_EQ(trips("daily_loss"), 0u);
  EXPECT_FALSE(rm->kill_switch().engaged);
  // Commissions count: one cent of commission is the missing cent.
  fill("QQQ", Side::kBuy, "1", "50", "0.99");  // -999.99
  EXPECT_EQ(trips("daily_loss"), 0u);
  fill("QQQ", Side::kSell, "1", "50", "0.01");  // -1000.00
  ASSERT_EQ(trips("daily_loss"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "daily_loss")[0];
  EXPECT_EQ(e.actor, "breaker:daily_loss");
  EXPECT_EQ(RecordingActions::figure(e, "today_pnl"), "-1000.00");
  EXPECT_EQ(RecordingActions::figure(e, "limit"), "1000");
  EXPECT_EQ(RecordingActions::figure(e, "action"), "halt");
  EXPECT_NE(e.reason.find("today's P&L -1000.00 is at or below -1000"), std::string::npos);
  // Default action: halt (kill switch, no flatten).
  EXPECT_TRUE(rm->kill_switch().engaged);
  EXPECT_EQ(rm->kill_switch().engaged_by, "breaker:daily_loss");
  EXPECT_EQ(rm->trading_state().state, TradingState::kHalted);
  EXPECT_EQ(actions.cancel_reasons.size(), 1u);
  EXPECT_TRUE(actions.flatten_reasons.empty());
  EXPECT_TRUE(status("daily_loss").tripped);
  EXPECT_EQ(status("daily_loss").tripped_at, kT0);

  // Latched: further losses publish nothing new.
  mark("SPY", "80");
  rm->on_tick(view);
  EXPECT_EQ(trips("daily_loss"), 1u);
  EXPECT_EQ(actions.cancel_reasons.size(), 1u);
  // Recovering clears it; the kill switch stays engaged until re-armed.
  mark("SPY", "95");
  EXPECT_EQ(clears("daily_loss"), 1u);
  EXPECT_FALSE(status("daily_loss").tripped);
  EXPECT_TRUE(rm->kill_switch().engaged);
  // A new trip after it cleared is a new event.
  mark("SPY", "89");
  EXPECT_EQ(trips("daily_loss"), 2u);
  EXPECT_EQ(rm->kill_switch().engaged_by, "breaker:daily_loss");
}

// Re-arming while the loss still holds: the breaker is judged again at once
// and halts again; raising the limit first lets trading go on.
TEST_F(Breakers, RearmWhileTheLimitIsStillBreachedHaltsAgainBeforeTheNextOrder) {
  RiskLimits l;
  l.daily_loss_limit = D("100");
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  mark("SPY", "90");
  ASSERT_TRUE(rm->kill_switch().engaged);
  ASSERT_TRUE(rm->rearm("try again", "api:admin", view.now()));
  EXPECT_EQ(clears("daily_loss"), 1u);
  EXPECT_EQ(trips("daily_loss"), 2u);
  EXPECT_TRUE(rm->kill_switch().engaged);
  EXPECT_EQ(rm->kill_switch().reason, rm->breakers()[0].detail);
  EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kBuy, "1").order(), view)),
            "kill_switch_engaged");

  l.daily_loss_limit = D("200");
  ASSERT_TRUE(rm->set_limits(l, "api:admin"));
  ASSERT_TRUE(rm->rearm("limit raised", "api:admin", view.now()));
  EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
  EXPECT_EQ(trips("daily_loss"), 2u);
  mark("SPY", "80");  // -200: the new limit
  EXPECT_EQ(trips("daily_loss"), 3u);
  EXPECT_TRUE(rm->kill_switch().engaged);
}

TEST_F(Breakers, AdminBackToActiveAfterAReduceBreakerJudgesItAgain) {
  RiskLimits l;
  l.max_drawdown = D("100");
  l.max_drawdown_action = BreakerAction::kReduce;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  mark("SPY", "90");
  ASSERT_EQ(rm->trading_state().state, TradingState::kReducing);
  ASSERT_TRUE(rm->set_trading_state(TradingState::kActive, "ok", "api:admin", true, view.now()));
  EXPECT_EQ(rm->trading_state().state, TradingState::kReducing);
  EXPECT_EQ(trips("max_drawdown"), 2u);
}

TEST_F(Breakers, DailyLossClearsWhenTheSessionRollsOver) {
  RiskLimits l;
  l.daily_loss_limit = D("100");
  l.daily_loss_action = BreakerAction::kAlert;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  mark("SPY", "90");
  ASSERT_EQ(trips("daily_loss"), 1u);
  view.set_now(testing::at("2026-03-03T00:00:00Z"));  // next UTC session
  view.pf.on_time(view.now());
  rm->on_tick(view);
  EXPECT_EQ(clears("daily_loss"), 1u);
}

struct ActionCase {
  BreakerAction action;
  TradingState state;
  bool engaged;
};

TEST_F(Breakers, EachActionDoesWhatItSays) {
  for (const ActionCase c : {ActionCase{BreakerAction::kReduce, TradingState::kReducing, false},
                             ActionCase{BreakerAction::kHalt, TradingState::kHalted, true},
                             ActionCase{BreakerAction::kAlert, TradingState::kActive, false}}) {
    SCOPED_TRACE(std::string(to_string(c.action)));
    view = FakeView();
    actions = RecordingActions();
    RiskLimits l;
    l.daily_loss_limit = D("100");
    l.daily_loss_action = c.action;
    make(l);
    fill("SPY", Side::kBuy, "10", "100");
    mark("SPY", "90");
    EXPECT_EQ(trips("daily_loss"), 1u);
    EXPECT_EQ(actions.events_of("breaker_tripped").size(), 1u);
    EXPECT_EQ(rm->trading_state().state, c.state);
    EXPECT_EQ(rm->kill_switch().engaged, c.engaged);
    EXPECT_EQ(actions.cancel_reasons.size(), c.engaged ? 1u : 0u);
    EXPECT_TRUE(actions.flatten_reasons.empty());
    if (c.state != TradingState::kActive) {
      EXPECT_EQ(rm->trading_state().by, "breaker:daily_loss");
      EXPECT_EQ(actions.events_of("trading_state").size(), 1u);
      // The gate now refuses new exposure and lets the position be reduced.
      EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kBuy, "1").order(), view)),
                c.engaged ? "kill_switch_engaged" : "reducing_only");
      EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kSell, "10").order(), view)), "pass");
    } else {
      EXPECT_TRUE(actions.events_of("trading_state").empty());
      EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
    }
  }
}

TEST_F(Breakers, ReduceActionDoesNotLoosenAHaltedState) {
  RiskLimits l;
  l.daily_loss_limit = D("100");
  l.daily_loss_action = BreakerAction::kReduce;
  make(l);
  rm->engage("manual", "api:ops", false, kT0);
  fill("SPY", Side::kBuy, "10", "100");
  mark("SPY", "90");
  EXPECT_EQ(trips("daily_loss"), 1u);
  EXPECT_EQ(rm->trading_state().state, TradingState::kHalted);
  EXPECT_EQ(rm->kill_switch().reason, "manual");
}

// ------------------------------------------------------------------ drawdown

TEST_F(Breakers, MaxDrawdownAbsoluteTripsAtTheLimit) {
  RiskLimits l;
  l.max_drawdown = D("500");
  l.max_drawdown_action = BreakerAction::kReduce;
  make(l);
  fill("SPY", Side::kBuy, "100", "100");
  mark("SPY", "110");     // peak 101000
  mark("SPY", "105.01");  // drawdown 499
  EXPECT_EQ(trips("max_drawdown"), 0u);
  mark("SPY", "105");  // 500
  ASSERT_EQ(trips("max_drawdown"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "max_drawdown")[0];
  EXPECT_EQ(RecordingActions::figure(e, "drawdown"), "500.00");
  EXPECT_EQ(RecordingActions::figure(e, "peak_equity"), "101000.00");
  EXPECT_EQ(RecordingActions::figure(e, "equity"), "100500.00");
  EXPECT_EQ(RecordingActions::figure(e, "action"), "reduce");
  EXPECT_EQ(rm->trading_state().state, TradingState::kReducing);
  EXPECT_EQ(rm->trading_state().by, "breaker:max_drawdown");
  mark("SPY", "104");
  EXPECT_EQ(trips("max_drawdown"), 1u);
  mark("SPY", "105.01");
  EXPECT_EQ(clears("max_drawdown"), 1u);
  // Reducing stays until an admin says otherwise (only consecutive_losses returns by itself).
  EXPECT_EQ(rm->trading_state().state, TradingState::kReducing);
}

TEST_F(Breakers, MaxDrawdownPercentTripsAtTheLimit) {
  RiskLimits l;
  l.max_drawdown_pct = D("5");
  make(l);
  fill("SPY", Side::kBuy, "100", "100");
  mark("SPY", "110");    // peak 101000; 5 % = 5050
  mark("SPY", "59.51");  // drawdown 5049
  EXPECT_EQ(trips("max_drawdown"), 0u);
  mark("SPY", "59.5");  // 5050
  ASSERT_EQ(trips("max_drawdown"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "max_drawdown")[0];
  EXPECT_EQ(RecordingActions::figure(e, "drawdown_pct"), "5");
  EXPECT_EQ(RecordingActions::figure(e, "limit_pct"), "5");
  EXPECT_TRUE(rm->kill_switch().engaged);
  EXPECT_EQ(rm->kill_switch().engaged_by, "breaker:max_drawdown");
}

// ------------------------------------------------------------------ consecutive losses

TEST_F(Breakers, ConsecutiveLosingRoundTripsTripAtTheCount) {
  RiskLimits l;
  l.max_consecutive_losses = 3;
  make(l);
  auto losing_trip = [&](const char* sym) {
    fill(sym, Side::kBuy, "10", "100", "1");
    fill(sym, Side::kSell, "10", "100", "1");  // flat, -2 in commissions
  };
  losing_trip("SPY");
  losing_trip("QQQ");  // account-wide
  EXPECT_EQ(trips("consecutive_losses"), 0u);
  fill("SPY", Side::kBuy, "10", "100", "1");
  EXPECT_EQ(trips("consecutive_losses"), 0u);  // a trip counts when it ends
  fill("SPY", Side::kSell, "10", "100", "1");
  ASSERT_EQ(trips("consecutive_losses"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "consecutive_losses")[0];
  EXPECT_EQ(RecordingActions::figure(e, "consecutive_losses"), "3");
  EXPECT_EQ(RecordingActions::figure(e, "last_trip_pnl"), "-2");
  EXPECT_EQ(RecordingActions::figure(e, "action"), "reduce");
  EXPECT_EQ(rm->trading_state().state, TradingState::kReducing);
  EXPECT_EQ(rm->trading_state().by, "breaker:consecutive_losses");
  losing_trip("AAPL");  // no second event while latched (reducing only blocks new orders)
  EXPECT_EQ(trips("consecutive_losses"), 1u);
}

TEST_F(Breakers, AWinResetsTheCountAndATripIncludesItsCommissions) {
  RiskLimits l;
  l.max_consecutive_losses = 2;
  l.consecutive_losses_action = BreakerAction::kAlert;
  make(l);
  fill("SPY", Side::kBuy, "10", "100", "1");
  fill("SPY", Side::kSell, "10", "100.15", "1");  // +1.50 - 2 = -0.50: a loss
  fill("SPY", Side::kBuy, "10", "100", "1");
  fill("SPY", Side::kSell, "10", "100.21", "1");  // +2.10 - 2 = +0.10: a win
  fill("SPY", Side::kBuy, "10", "100", "0");
  fill("SPY", Side::kSell, "10", "99", "0");  // loss (1 in a row)
  EXPECT_EQ(trips("consecutive_losses"), 0u);
  // Partial fills make one trip: in 5+5, out 3+7.
  fill("QQQ", Side::kBuy, "5", "50");
  fill("QQQ", Side::kBuy, "5", "51");
  fill("QQQ", Side::kSell, "3", "52");
  EXPECT_EQ(trips("consecutive_losses"), 0u);
  fill("QQQ", Side::kSell, "7", "49");  // avg 50.5: 3 x 1.5 - 7 x 1.5 = -6
  ASSERT_EQ(trips("consecutive_losses"), 1u);
  EXPECT_EQ(RecordingActions::figure(*actions.events_of("breaker_tripped")[0], "last_trip_pnl"),
            "-6");
  EXPECT_EQ(rm->trading_state().state, TradingState::kActive);  // alert only
}

TEST_F(Breakers, AFlipEndsOneTripAndStartsAnother) {
  RiskLimits l;
  l.max_consecutive_losses = 2;
  make(l);
  fill("SPY", Side::kBuy, "10", "100", "1");
  fill("SPY", Side::kSell, "20", "99", "1");  // closes 10 at -10, -2 commissions: loss 1
  EXPECT_EQ(trips("consecutive_losses"), 0u);
  fill("SPY", Side::kBuy, "10", "100", "1");  // short 10 from 99 closed at 100: -10 -1: loss 2
  EXPECT_EQ(trips("consecutive_losses"), 1u);
  EXPECT_EQ(RecordingActions::figure(*actions.events_of("breaker_tripped")[0], "last_trip_pnl"),
            "-11");
}

TEST_F(Breakers, ConsecutiveLossesCooldownClearsAndReturnsToActive) {
  RiskLimits l;
  l.max_consecutive_losses = 1;
  l.consecutive_losses_cooldown = 1h;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  view.advance(10min);
  fill("SPY", Side::kSell, "10", "99");
  ASSERT_EQ(trips("consecutive_losses"), 1u);
  ASSERT_EQ(rm->trading_state().state, TradingState::kReducing);
  EXPECT_EQ(status("consecutive_losses").tripped_at, kT0 + 10min);
  view.advance(1h - 1ns);
  rm->on_tick(view);
  EXPECT_EQ(clears("consecutive_losses"), 0u);
  EXPECT_EQ(rm->trading_state().state, TradingState::kReducing);
  view.advance(1ns);
  rm->on_tick(view);
  EXPECT_EQ(clears("consecutive_losses"), 1u);
  EXPECT_FALSE(status("consecutive_losses").tripped);
  EXPECT_EQ(rm->trading_state().state, TradingState::kActive);
  EXPECT_EQ(rm->trading_state().by, "breaker:consecutive_losses");
  // The count starts again from zero: one more loss trips again.
  fill("SPY", Side::kBuy, "10", "100");
  fill("SPY", Side::kSell, "10", "99");
  EXPECT_EQ(trips("consecutive_losses"), 2u);
}

TEST_F(Breakers, CooldownDoesNotUndoAStateSomeoneElseSet) {
  RiskLimits l;
  l.max_consecutive_losses = 1;
  l.consecutive_losses_cooldown = 1h;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  fill("SPY", Side::kSell, "10", "99");
  ASSERT_EQ(rm->trading_state().state, TradingState::kReducing);
  rm->engage("manual stop", "api:ops", false, view.now());
  view.advance(2h);
  rm->on_tick(view);
  EXPECT_EQ(clears("consecutive_losses"), 1u);
  EXPECT_EQ(rm->trading_state().state, TradingState::kHalted);
  // Likewise an admin's own reducing state stays.
  ASSERT_TRUE(rm->rearm("ok", "api:admin", view.now()));
  fill("SPY", Side::kBuy, "10", "100");
  fill("SPY", Side::kSell, "10", "99");
  ASSERT_EQ(rm->trading_state().by, "breaker:consecutive_losses");
  ASSERT_TRUE(rm->set_trading_state(TradingState::kActive, "go", "api:admin", true, view.now()));
  ASSERT_TRUE(
      rm->set_trading_state(TradingState::kReducing, "eod", "api:trader", false, view.now()));
  view.advance(2h);
  rm->on_tick(view);
  EXPECT_EQ(rm->trading_state().state, TradingState::kReducing);
  EXPECT_EQ(rm->trading_state().by, "api:trader");
}

TEST_F(Breakers, ConsecutiveLossesCooldownSurvivesARestart) {
  RiskLimits l;
  l.max_consecutive_losses = 1;
  l.consecutive_losses_cooldown = 1h;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  fill("SPY", Side::kSell, "10", "99");
  const PersistedRiskState saved{rm->trading_state(), rm->kill_switch()};
  RecordingActions actions2;
  RiskManager restarted(l, actions2);
  restarted.restore(saved);
  EXPECT_EQ(restarted.trading_state().state, TradingState::kReducing);
  view.advance(1h);
  restarted.on_tick(view);
  EXPECT_EQ(restarted.trading_state().state, TradingState::kActive);
}

// ------------------------------------------------------------------ position duration

TEST_F(Breakers, PositionDurationClosesExactlyWhenOlderThanTheLimit) {
  RiskLimits l;
  l.max_position_duration = 1h;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  view.advance(30min);
  fill("SPY", Side::kBuy, "10", "101");  // adding keeps the opening time
  view.set_now(kT0 + 1h);
  rm->on_tick(view);
  EXPECT_TRUE(actions.closes.empty());
  view.set_now(kT0 + 1h + 1ns);
  rm->on_tick(view);
  ASSERT_EQ(actions.closes.size(), 1u);
  EXPECT_EQ(actions.closes[0].symbol, Symbol("SPY"));
  EXPECT_EQ(actions.closes[0].source, "risk:max_position_duration");
  EXPECT_NE(actions.closes[0].reason.find("max_position_duration 3600s"), std::string::npos)
      << actions.closes[0].reason;
  ASSERT_EQ(trips("position_duration"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "position_duration")[0];
  EXPECT_EQ(RecordingActions::figure(e, "symbol"), "SPY");
  EXPECT_EQ(RecordingActions::figure(e, "qty"), "20");
  EXPECT_EQ(RecordingActions::figure(e, "opened_at"), "2026-03-02T15:00:00.000Z");
  EXPECT_EQ(RecordingActions::figure(e, "closing_order"), "901");
  EXPECT_TRUE(status("position_duration").tripped);
  EXPECT_EQ(status("position_duration").detail, "SPY");
  EXPECT_EQ(rm->trading_state().state, TradingState::kActive);  // no state change
  // Once per position.
  view.advance(1s);
  rm->on_tick(view);
  EXPECT_EQ(actions.closes.size(), 1u);
  // Closed: cleared; a new position gets its own clock.
  fill("SPY", Side::kSell, "20", "100");
  rm->on_tick(view);
  EXPECT_EQ(clears("position_duration"), 1u);
  EXPECT_FALSE(status("position_duration").tripped);
  fill("SPY", Side::kSell, "5", "100");
  view.advance(1h);
  rm->on_tick(view);
  EXPECT_EQ(actions.closes.size(), 1u);
  view.advance(1ns);
  rm->on_tick(view);
  EXPECT_EQ(actions.closes.size(), 2u);
  EXPECT_EQ(trips("position_duration"), 2u);
}

TEST_F(Breakers, PositionDurationRetriesAFailedCloseQuietly) {
  RiskLimits l;
  l.max_position_duration = 1h;
  make(l);
  fill("SPY", Side::kBuy, "10", "100");
  actions.close_error = "market closed";
  view.advance(2h);
  rm->on_tick(view);
  ASSERT_EQ(actions.closes.size(), 1u);
  EXPECT_EQ(RecordingActions::figure(*actions.events_of("breaker_tripped")[0], "error"),
            "market closed");
  actions.close_error.reset();
  view.advance(1s);
  rm->on_tick(view);
  EXPECT_EQ(actions.closes.size(), 2u);  // tried again
  view.advance(1s);
  rm->on_tick(view);
  EXPECT_EQ(actions.closes.size(), 2u);  // placed: no more
  EXPECT_EQ(trips("position_duration"), 1u);
}

// ------------------------------------------------------------------ stale data

TEST_F(Breakers, StaleDataTripsPerSymbolAndBlocksNewExposureInIt) {
  RiskLimits l;
  l.stale_data_after = 10s;
  make(l);
  mark("SPY", "100");
  mark("QQQ", "50");
  view.advance(5s);
  mark("QQQ", "50");
  view.set_now(kT0 + 10s);
  rm->on_tick(view);
  EXPECT_EQ(trips("stale_data"), 0u);
  view.set_now(kT0 + 10s + 1ns);
  rm->on_tick(view);
  ASSERT_EQ(trips("stale_data"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "stale_data")[0];
  EXPECT_EQ(RecordingActions::figure(e, "symbol"), "SPY");
  EXPECT_EQ(RecordingActions::figure(e, "limit"), "10s");
  EXPECT_EQ(status("stale_data").detail, "SPY");
  EXPECT_EQ(rm->trading_state().state, TradingState::kActive);
  rm->on_tick(view);
  EXPECT_EQ(trips("stale_data"), 1u);
  // SPY: new exposure refused, reducing allowed; QQQ trades.
  EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "stale_market_data");
  EXPECT_EQ(check_of(rm->pre_trade(O("QQQ", Side::kBuy, "1").order(), view)), "pass");
  EXPECT_EQ(trips("stale_data"), 1u);  // the refusal does not publish again
  // Fresh data clears it.
  mark("SPY", "100.5");
  EXPECT_EQ(clears("stale_data"), 1u);
  EXPECT_FALSE(status("stale_data").tripped);
  EXPECT_EQ(check_of(rm->pre_trade(O("SPY", Side::kBuy, "1").order(), view)), "pass");
}

TEST_F(Breakers, StaleDataIsNotTrippedOutsideTradingHours) {
  RiskLimits l;
  l.stale_data_after = 10s;
  l.trading_hours[Symbol("SPY")] = TradingHours{};
  make(l);
  view.set_now(testing::at("2026-03-02T20:59:00Z"));  // 15:59 New York
  mark("SPY", "100");
  view.set_now(testing::at("2026-03-02T22:00:00Z"));  // after the close
  rm->on_tick(view);
  EXPECT_EQ(trips("stale_data"), 0u);
  view.set_now(testing::at("2026-03-03T14:30:11Z"));  // 11 s after the open, nothing new
  rm->on_tick(view);
  EXPECT_EQ(trips("stale_data"), 1u);
}

// ------------------------------------------------------------------ broker disconnect

TEST_F(Breakers, BrokerDisconnectTripsWhenDownLongerThanTheLimit) {
  RiskLimits l;
  l.broker_disconnect_after = 30s;
  make(l);
  view.connected = false;
  view.disconnected_since = kT0;
  rm->on_broker_connection(false, view);
  view.set_now(kT0 + 30s);
  rm->on_tick(view);
  EXPECT_EQ(trips("broker_disconnect"), 0u);
  view.set_now(kT0 + 30s + 1ns);
  rm->on_tick(view);
  ASSERT_EQ(trips("broker_disconnect"), 1u);
  const RiskEventData& e = *actions.events_of("breaker_tripped", "broker_disconnect")[0];
  EXPECT_EQ(RecordingActions::figure(e, "disconnected_since"), "2026-03-02T15:00:00.000Z");
  EXPECT_EQ(RecordingActions::figure(e, "action"), "halt");
  EXPECT_TRUE(rm->kill_switch().engaged);
  EXPECT_EQ(rm->kill_switch().engaged_by, "breaker:broker_disconnect");
  view.advance(1s);
  rm->on_tick(view);
  EXPECT_EQ(trips("broker_disconnect"), 1u);
  view.connected = true;
  rm->on_broker_connection(true, view);
  EXPECT_EQ(clears("broker_disconnect"), 1u);
  EXPECT_TRUE(rm->kill_switch().engaged);  // re-arming is an admin's call
}

TEST_F(Breakers, BrokerDisconnectAlertOnly) {
  RiskLimits l;
  l.broker_disconnect_after = 30s;
  l.broker_disconnect_action = BreakerAction::kAlert;
  make(l);
  view.connected = false;
  view.disconnected_since = kT0;
  view.advance(31s);
  rm->on_tick(view);
  EXPECT_EQ(trips("broker_disconnect"), 1u);
  EXPECT_FALSE(rm->kill_switch().engaged);
  EXPECT_EQ(rm->trading_state().state, TradingState::kActive);
}

TEST_F(Breakers, StatusListsEveryBreaker) {
  make(RiskLimits{});
  std::vector<std::string> names;
  for (const auto& b : rm->breakers()) {
    names.push_back(b.name);
    EXPECT_FALSE(b.tripped);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"daily_loss", "max_drawdown", "consecutive_losses",
                                      "position_duration", "stale_data", "broker_disconnect"}));
}

}  // namespace
}  // namespace td::risk
