// The simulated broker: order acceptance after latency, fills against quotes
// (market, limit, stop, stop-limit, partial fills against displayed size),
// IB commissions exact to the cent, IOC, cancel/modify races, disconnection,
// the next-bar-open model of backtests, and its own account state. Time is
// the SimScheduler's only; the events are recorded, not mocked.
#include "brokers/sim/sim_broker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "brokers/sim/market_simulator.h"
#include "core/engine.h"
#include "core/scheduler.h"

namespace td::sim {
namespace {

using namespace std::chrono_literals;
using Kind = BrokerOrderUpdate::Kind;
using FillModel = SimBrokerOptions::FillModel;

const Timestamp kT0 = from_unix_seconds(1'767'268'800);  // 2026-01-01T12:00:00Z

std::string kind_name(Kind k) {
  switch (k) {
    case Kind::kAccepted:
      return "accepted";
    case Kind::kRejected:
      return "rejected";
    case Kind::kCancelled:
      return "cancelled";
    case Kind::kExpired:
      return "expired";
    case Kind::kCancelRejected:
      return "cancel_rejected";
    case Kind::kModified:
      return "modified";
    case Kind::kModifyRejected:
      return "modify_rejected";
  }
  return "?";
}

// Records every event as a line of text, in order.
class EventLog : public BrokerEvents {
 public:
  void on_order_update(const BrokerOrderUpdate& u) override {
    updates.push_back(u);
    lines.push_back(kind_name(u.kind) + " #" + u.order_id.to_string());
  }
  void on_execution(const Execution& e) override {
    execs.push_back(e);
    lines.push_back("fill #" + e.order_id.to_string() + " " + e.qty.to_string() + "@" +
                    e.price.to_string() + " fee " + e.commission.to_string(2));
    if (after_execution) after_execution(e);
  }
  void on_connection(bool connected, const std::string& detail) override {
    lines.push_back(connected ? "connected" : "disconnected");
  }
  std::vector<std::string> take() { return std::exchange(lines, {}); }

  std::vector<std::string> lines;
  std::vector<BrokerOrderUpdate> updates;
  std::vector<Execution> execs;
  std::function<void(const Execution&)> after_execution;
};

using Lines = std::vector<std::string>;

class SimBrokerTest : public ::testing::Test {
 protected:
  static Instrument spy() {
    Instrument i;
    i.symbol = Symbol("SPY");
    return i;
  }
  static SimBrokerOptions defaults() {
    SimBrokerOptions o;
    o.ack_latency = 100ms;
    o.instruments = {spy()};
    return o;
  }
  void make(SimBrokerOptions o = defaults()) {
    broker = std::make_unique<SimBroker>(sched, std::move(o));
    broker->set_events(&events);
  }

  Order& order(Side side, const char* qty, OrderType type = OrderType::kMarket,
               std::optional<Decimal> limit = {}, std::optional<Decimal> stop = {},
               TimeInForce tif = TimeInForce::kDay, const char* symbol = "SPY") {
    OrderRequest r;
    r.symbol = Symbol(symbol);
    r.side = side;
    r.qty = Decimal::parse(qty).value();
    r.type = type;
    r.limit_price = limit;
    r.stop_price = stop;
    r.tif = tif;
    orders.push_back(std::make_unique<Order>(OrderId(orders.size() + 1), r, sched.now()));
    return *orders.back();
  }
  Order& submit(Side side, const char* qty, OrderType type = OrderType::kMarket,
                std::optional<Decimal> limit = {}, std::optional<Decimal> stop = {},
                TimeInForce tif = TimeInForce::kDay) {
    Order& o = order(side, qty, type, limit, stop, tif);
    EXPECT_TRUE(broker->submit(o));
    return o;
  }
  void quote(const char* bid, const char* ask, const char* bid_size = "100",
             const char* ask_size = "100") {
    Quote q;
    q.symbol = Symbol("SPY");
    q.time = sched.now();
    q.bid = Decimal::parse(bid).value();
    q.ask = Decimal::parse(ask).value();
    q.bid_size = Decimal::parse(bid_size).value();
    q.ask_size = Decimal::parse(ask_size).value();
    broker->on_quote(q);
  }
  void bar(Timestamp open_time, const char* o, const char* h, const char* l, const char* c) {
    Bar b;
    b.symbol = Symbol("SPY");
    b.time = open_time;
    b.interval = 1min;
    b.open = Decimal::parse(o).value();
    b.high = Decimal::parse(h).value();
    b.low = Decimal::parse(l).value();
    b.close = Decimal::parse(c).value();
    b.volume = "1000"_d;
    sched.run_until(b.close_time());
    broker->on_bar(b);
  }
  void wait(Duration d) { sched.run_until(sched.now() + d); }

  SimScheduler sched{kT0};
  EventLog events;
  std::unique_ptr<SimBroker> broker;
  std::vector<std::unique_ptr<Order>> orders;
};

// ---------------------------------------------------------------- market orders

TEST_F(SimBrokerTest, MarketBuyIsAcceptedAfterTheLatencyAndFillsAtTheAsk) {
  make();
  quote("100.00", "100.02", "500", "500");
  const Order& o = submit(Side::kBuy, "100");
  EXPECT_TRUE(events.lines.empty()) << "nothing happens before the latency";
  wait(99ms);
  EXPECT_TRUE(events.lines.empty());
  wait(1ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 100@100.02 fee 1.00"}));
  ASSERT_EQ(events.updates.size(), 1u);
  EXPECT_EQ(events.updates[0].broker_order_id, "1");
  EXPECT_EQ(events.updates[0].time, kT0 + 100ms);
  ASSERT_EQ(events.execs.size(), 1u);
  const Execution& e = events.execs[0];
  EXPECT_EQ(e.order_id, o.id());
  EXPECT_EQ(e.broker_order_id, "1");
  EXPECT_EQ(e.exec_id, "sim-1");
  EXPECT_EQ(e.symbol, Symbol("SPY"));
  EXPECT_EQ(e.side, Side::kBuy);
  EXPECT_EQ(e.time, kT0 + 100ms);
  EXPECT_EQ(broker->open_order_count(), 0u);
}

TEST_F(SimBrokerTest, MarketSellFillsAtTheBid) {
  make();
  quote("100.00", "100.02");
  submit(Side::kSell, "40");
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 40@100 fee 1.00"}));
  EXPECT_EQ(events.execs[0].side, Side::kSell);
}

TEST_F(SimBrokerTest, MarketOrderWithoutAQuoteFillsOnTheNextQuote) {
  make();
  submit(Side::kBuy, "10");
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  wait(1s);
  quote("50.00", "50.05");
  EXPECT_EQ(events.take(), (Lines{"fill #1 10@50.05 fee 1.00"}));
  EXPECT_EQ(events.execs[0].time, kT0 + 1100ms);
}

TEST_F(SimBrokerTest, ExecIdsAndBrokerOrderIdsAreSequentialAndUnique) {
  make();
  quote("100.00", "100.02", "1000", "1000");
  submit(Side::kBuy, "10");
  submit(Side::kSell, "10");
  submit(Side::kBuy, "10");
  wait(100ms);
  ASSERT_EQ(events.execs.size(), 3u);
  EXPECT_EQ(events.execs[0].exec_id, "sim-1");
  EXPECT_EQ(events.execs[1].exec_id, "sim-2");
  EXPECT_EQ(events.execs[2].exec_id, "sim-3");
  EXPECT_EQ(events.execs[2].broker_order_id, "3");
}

// ---------------------------------------------------------------- limit, stop, stop-limit

TEST_F(SimBrokerTest, LimitBuyFillsWhenTheAskTouchesItAndNotBefore) {
  make();
  quote("99.58", "99.60");
  submit(Side::kBuy, "100", OrderType::kLimit, "99.50"_d);
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  quote("99.50", "99.51");
  EXPECT_TRUE(events.take().empty()) << "the bid at the limit does not fill a buy";
  quote("99.48", "99.50");
  EXPECT_EQ(events.take(), (Lines{"fill #1 100@99.5 fee 1.00"}));
}

TEST_F(SimBrokerTest, LimitFillsAtTheBetterQuotePrice) {
  make();
  quote("100.00", "100.02");
  submit(Side::kBuy, "10", OrderType::kLimit, "101.00"_d);  // marketable: fills at the ask
  submit(Side::kSell, "10", OrderType::kLimit, "99.00"_d);  // marketable: fills at the bid
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 10@100.02 fee 1.00", "accepted #2",
                                  "fill #2 10@100 fee 1.00"}));
  submit(Side::kSell, "10", OrderType::kLimit, "100.50"_d);
  wait(100ms);
  quote("100.49", "100.51");
  EXPECT_EQ(events.take(), (Lines{"accepted #3"}));
  quote("100.60", "100.62");  // gapped through the limit: the sell gets the bid
  EXPECT_EQ(events.take(), (Lines{"fill #3 10@100.6 fee 1.00"}));
}

TEST_F(SimBrokerTest, StopBuyTriggersWhenTheAskReachesTheStop) {
  make();
  quote("100.00", "100.02");
  submit(Side::kBuy, "10", OrderType::kStop, std::nullopt, "101.00"_d);
  wait(100ms);
  quote("100.50", "100.99");
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  quote("101.00", "101.02");
  EXPECT_EQ(events.take(), (Lines{"fill #1 10@101.02 fee 1.00"}));
}

TEST_F(SimBrokerTest, StopSellTriggersWhenTheBidFallsToTheStop) {
  make();
  quote("100.00", "100.02");
  submit(Side::kSell, "10", OrderType::kStop, std::nullopt, "99.00"_d);
  wait(100ms);
  quote("99.01", "99.03");
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  quote("98.90", "98.92");
  EXPECT_EQ(events.take(), (Lines{"fill #1 10@98.9 fee 1.00"}));
}

TEST_F(SimBrokerTest, StopLimitTriggersThenWorksAsALimit) {
  make();
  quote("100.00", "100.02");
  submit(Side::kBuy, "10", OrderType::kStopLimit, "101.05"_d, "101.00"_d);
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  quote("101.08", "101.10");  // triggers, but the ask is above the limit
  EXPECT_TRUE(events.take().empty());
  quote("100.90", "100.95");  // below the stop again: still triggered, now within the limit
  EXPECT_EQ(events.take(), (Lines{"fill #1 10@100.95 fee 1.00"}));
}

// ---------------------------------------------------------------- partial fills & commission

TEST_F(SimBrokerTest, AnOrderLargerThanTheDisplayedSizeFillsAcrossQuotes) {
  make();
  quote("10.00", "10.01", "100", "100");
  submit(Side::kBuy, "250");
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 100@10.01 fee 1.00"}));
  wait(1s);
  quote("10.01", "10.02", "100", "100");
  // 200 shares: max(1.00, 200 * 0.005) = 1.00 in all, already charged.
  EXPECT_EQ(events.take(), (Lines{"fill #1 100@10.02 fee 0.00"}));
  wait(1s);
  quote("10.02", "10.03", "100", "100");
  // 250 shares: 1.25 in all, 0.25 more.
  EXPECT_EQ(events.take(), (Lines{"fill #1 50@10.03 fee 0.25"}));
  EXPECT_EQ(broker->open_order_count(), 0u);
  Decimal total;
  for (const Execution& e : events.execs) total += e.commission;
  EXPECT_EQ(total, "1.25"_d);
}

TEST_F(SimBrokerTest, DisplayedSizeIsSharedInAcceptanceOrder) {
  make();
  quote("10.00", "10.01", "100", "100");
  submit(Side::kBuy, "80");
  submit(Side::kBuy, "80");
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 80@10.01 fee 1.00", "accepted #2",
                                  "fill #2 20@10.01 fee 1.00"}));
  quote("10.00", "10.01", "100", "100");
  EXPECT_EQ(events.take(), (Lines{"fill #2 60@10.01 fee 0.00"}));
}

TEST_F(SimBrokerTest, AZeroDisplayedSizeMeansUnknownAndFillsInFull) {
  make();
  quote("10.00", "10.01", "0", "0");
  submit(Side::kBuy, "5000");
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 5000@10.01 fee 25.00"}));
}

TEST_F(SimBrokerTest, CommissionFollowsTheIbFixedScheduleToTheCent) {
  make();
  quote("9.99", "10.00", "100000", "100000");
  submit(Side::kBuy, "1000");  // 1000 * 0.005 = 5.00
  wait(100ms);
  quote("0.49", "0.50", "100000", "100000");
  submit(Side::kBuy, "100");  // max(1.00, 0.50) capped at 1% of 50.00 = 0.50
  wait(100ms);
  quote("49.99", "50.00", "100000", "100000");
  submit(Side::kBuy, "201");  // 1.005 rounds half up to 1.01
  wait(100ms);
  EXPECT_EQ(events.take(),
            (Lines{"accepted #1", "fill #1 1000@10 fee 5.00", "accepted #2",
                   "fill #2 100@0.5 fee 0.50", "accepted #3", "fill #3 201@50 fee 1.01"}));
}

TEST_F(SimBrokerTest, TheCapAndTheMinimumApplyToTheWholeOrderAcrossPartials) {
  make();
  quote("0.09", "0.10", "500", "500");
  submit(Side::kBuy, "1000");
  wait(100ms);
  quote("0.09", "0.10", "500", "500");
  // 500 @ 0.10 = 50.00: min 2.50 vs cap 0.50; then 1000 = 100.00: cap 1.00, so 0.50 more.
  EXPECT_EQ(events.take(),
            (Lines{"accepted #1", "fill #1 500@0.1 fee 0.50", "fill #1 500@0.1 fee 0.50"}));
  // A futures schedule: per contract, times the multiplier in the value.
  SimBrokerOptions o = defaults();
  Instrument es;
  es.symbol = Symbol("ES");
  es.sec_type = SecType::kFuture;
  es.tick = "0.25"_d;
  es.multiplier = "50"_d;
  es.commission.per_unit = "0.62"_d;
  es.commission.min_per_order = "0.62"_d;
  es.commission.max_pct = Decimal();
  o.instruments.push_back(es);
  make(o);
  Quote q;
  q.symbol = Symbol("ES");
  q.time = sched.now();
  q.bid = "5000.00"_d;
  q.ask = "5000.25"_d;
  q.bid_size = q.ask_size = "2"_d;
  broker->on_quote(q);
  Order& fut = order(Side::kBuy, "3", OrderType::kMarket, {}, {}, TimeInForce::kDay, "ES");
  ASSERT_TRUE(broker->submit(fut));
  wait(100ms);
  broker->on_quote(q);
  EXPECT_EQ(events.take(),
            (Lines{"accepted #2", "fill #2 2@5000.25 fee 1.24", "fill #2 1@5000.25 fee 0.62"}));
}

// ---------------------------------------------------------------- IOC

TEST_F(SimBrokerTest, IocCancelsWhatDoesNotFillAtOnce) {
  make();
  quote("10.00", "10.01", "100", "100");
  submit(Side::kBuy, "250", OrderType::kMarket, {}, {}, TimeInForce::kIoc);
  submit(Side::kBuy, "10", OrderType::kLimit, "9.00"_d, {}, TimeInForce::kIoc);
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 100@10.01 fee 1.00", "cancelled #1",
                                  "accepted #2", "cancelled #2"}));
  quote("8.99", "9.00");
  EXPECT_TRUE(events.take().empty());
  EXPECT_EQ(broker->open_order_count(), 0u);
}

TEST_F(SimBrokerTest, IocWithoutAQuoteGetsTheFirstQuote) {
  make();
  submit(Side::kSell, "150", OrderType::kMarket, {}, {}, TimeInForce::kIoc);
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  quote("10.00", "10.01", "100", "100");
  EXPECT_EQ(events.take(), (Lines{"fill #1 100@10 fee 1.00", "cancelled #1"}));
}

// ---------------------------------------------------------------- cancel & modify

TEST_F(SimBrokerTest, CancelBeforeAFillTakesEffectAfterTheLatency) {
  make();
  quote("10.00", "10.01");
  Order& o = submit(Side::kBuy, "10", OrderType::kLimit, "9.50"_d);
  wait(100ms);
  ASSERT_TRUE(broker->cancel(o));
  wait(99ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1"}));
  wait(1ms);
  EXPECT_EQ(events.take(), (Lines{"cancelled #1"}));
  quote("9.40", "9.45");
  EXPECT_TRUE(events.take().empty()) << "a cancelled order never fills";
}

TEST_F(SimBrokerTest, AFillThatComesFirstStandsAndTheCancelDoesNothing) {
  make();
  quote("10.00", "10.01");
  Order& o = submit(Side::kBuy, "10", OrderType::kLimit, "9.50"_d);
  wait(100ms);
  ASSERT_TRUE(broker->cancel(o));
  wait(50ms);
  quote("9.45", "9.50");  // touched while the cancel is on its way
  wait(50ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 10@9.5 fee 0.95"}));  // 1% cap
  // Cancelling a filled order, or one the broker never saw.
  EXPECT_TRUE(broker->cancel(o));
  wait(1s);
  EXPECT_TRUE(events.take().empty());
  const Order& stranger = order(Side::kBuy, "1");
  EXPECT_EQ(broker->cancel(stranger).error().code, ErrorCode::kNotFound);
}

TEST_F(SimBrokerTest, CancelBeforeAcceptanceCancelsRightAfterIt) {
  make();
  Order& o = submit(Side::kBuy, "10", OrderType::kLimit, "9.50"_d);
  ASSERT_TRUE(broker->cancel(o));
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "cancelled #1"}));
}

TEST_F(SimBrokerTest, ModifyChangesAWorkingOrderAfterTheLatency) {
  make();
  quote("10.00", "10.02");
  Order& o = submit(Side::kBuy, "100", OrderType::kLimit, "9.90"_d);
  wait(100ms);
  OrderModification m;
  m.qty = "50"_d;
  ASSERT_TRUE(broker->modify(o, m));
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "modified #1"}));
  m = {};
  m.limit_price = "10.05"_d;  // now marketable: fills at once, at the ask
  ASSERT_TRUE(broker->modify(o, m));
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"modified #1", "fill #1 50@10.02 fee 1.00"}));
  // Too late: the order is filled.
  m = {};
  m.qty = "80"_d;
  ASSERT_TRUE(broker->modify(o, m));
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"modify_rejected #1"}));
}

TEST_F(SimBrokerTest, ModifyIsCheckedWhenRequestedAndRefusedWhenItCannotApply) {
  make();
  quote("10.00", "10.01", "100", "30");
  Order& lim = submit(Side::kBuy, "100", OrderType::kLimit, "10.01"_d);
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 30@10.01 fee 1.00"}));
  OrderModification bad;
  bad.stop_price = "9"_d;
  EXPECT_EQ(broker->modify(lim, bad).error().code, ErrorCode::kInvalidArgument);
  bad = {};
  bad.qty = Decimal();
  EXPECT_EQ(broker->modify(lim, bad).error().code, ErrorCode::kInvalidArgument);
  OrderModification below;
  below.qty = "30"_d;  // not above the 30 already filled: refused, order unchanged
  ASSERT_TRUE(broker->modify(lim, below));
  wait(100ms);
  EXPECT_EQ(events.take(), (Lines{"modify_rejected #1"}));
  EXPECT_EQ(broker->open_order_count(), 1u);
}

// ---------------------------------------------------------------- validation & connection

TEST_F(SimBrokerTest, SubmitRefusesWhatItCannotWork) {
  make();
  EXPECT_EQ(
      broker->submit(order(Side::kBuy, "10", OrderType::kMarket, {}, {}, TimeInForce::kDay, "NOPE"))
          .error()
          .code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(broker->submit(order(Side::kBuy, "0")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(broker->submit(order(Side::kBuy, "-5")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(broker->submit(order(Side::kBuy, "5", OrderType::kLimit)).error().code,
            ErrorCode::kInvalidArgument);
  Order& ok = order(Side::kBuy, "5");
  EXPECT_TRUE(broker->submit(ok));
  EXPECT_EQ(broker->submit(ok).error().code, ErrorCode::kConflict);
  wait(1s);
  EXPECT_EQ(events.take(), (Lines{"accepted #5"}));
  EXPECT_THROW(SimBroker(sched,
                         [] {
                           SimBrokerOptions o = defaults();
                           o.slippage_bps = "-1"_d;
                           return o;
                         }()),
               std::invalid_argument);
  EXPECT_THROW(SimBroker(sched,
                         [] {
                           SimBrokerOptions o = defaults();
                           o.instruments.push_back(spy());
                           return o;
                         }()),
               std::invalid_argument);
}

TEST_F(SimBrokerTest, WhileDisconnectedRequestsFailAndEventsWait) {
  make();
  EXPECT_TRUE(broker->connected());
  EXPECT_EQ(broker->name(), "sim");
  quote("10.00", "10.01");
  Order& before = submit(Side::kBuy, "10");
  broker->set_connected(false);
  EXPECT_FALSE(broker->connected());
  EXPECT_EQ(events.take(), (Lines{"disconnected"}));
  EXPECT_EQ(broker->submit(order(Side::kBuy, "1")).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(broker->cancel(before).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(broker->modify(before, {}).error().code, ErrorCode::kUnavailable);
  wait(1s);  // the order is accepted and filled at the broker meanwhile
  EXPECT_TRUE(events.take().empty());
  broker->set_connected(false);  // no change, no event
  broker->set_connected(true);
  EXPECT_EQ(events.take(), (Lines{"connected", "accepted #1", "fill #1 10@10.01 fee 1.00"}));
  EXPECT_TRUE(broker->submit(order(Side::kBuy, "1")));
}

TEST_F(SimBrokerTest, WithoutEventsEverythingIsDropped) {
  make();
  broker->set_events(nullptr);
  quote("10.00", "10.01");
  submit(Side::kBuy, "10");
  wait(1s);
  broker->set_connected(false);
  broker->set_connected(true);
  broker->set_events(&events);
  EXPECT_TRUE(events.take().empty());
  std::vector<Execution> execs;
  broker->request_executions(kT0, [&](auto v) { execs = std::move(v); });
  EXPECT_EQ(execs.size(), 1u) << "the broker's own record keeps it";
}

// ---------------------------------------------------------------- re-entrancy

TEST_F(SimBrokerTest, CallbacksMaySubmitAndCancelFromInsideAnExecution) {
  make();
  quote("10.00", "10.01", "100", "100");
  Order& resting = submit(Side::kSell, "10", OrderType::kLimit, "11.00"_d);
  Order& a = submit(Side::kBuy, "150");
  Order& b = submit(Side::kBuy, "60");
  wait(100ms);
  events.take();
  int reacted = 0;
  events.after_execution = [&](const Execution& e) {
    if (e.order_id != a.id() || reacted++) return;
    EXPECT_TRUE(broker->cancel(resting));
    EXPECT_TRUE(broker->cancel(b));
    EXPECT_TRUE(broker->submit(order(Side::kSell, "5")));
  };
  // At acceptance a took the 100 shown and b nothing; now a takes 50 (done), b 50.
  quote("10.00", "10.01", "100", "100");
  EXPECT_EQ(events.take(), (Lines{"fill #2 50@10.01 fee 0.00", "fill #3 50@10.01 fee 1.00"}));
  wait(100ms);
  EXPECT_EQ(events.take(),
            (Lines{"cancelled #1", "cancelled #3", "accepted #4", "fill #4 5@10 fee 0.50"}));
}

// ---------------------------------------------------------------- account state

TEST_F(SimBrokerTest, ReportsItsOwnOrdersPositionsAndExecutions) {
  make();
  quote("10.00", "10.02", "1000", "1000");
  submit(Side::kBuy, "100");
  wait(100ms);
  wait(1s);
  quote("11.00", "11.02", "1000", "1000");
  submit(Side::kBuy, "100");
  submit(Side::kSell, "50");
  submit(Side::kBuy, "10", OrderType::kLimit, "5.00"_d);
  wait(100ms);
  std::vector<BrokerPosition> positions;
  broker->request_positions([&](auto v) { positions = std::move(v); });
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].symbol, Symbol("SPY"));
  EXPECT_EQ(positions[0].qty, "150"_d);
  // 200 bought at 10.02 and 11.02; the sale of 50 releases the average cost.
  EXPECT_EQ(positions[0].avg_cost, "10.52"_d);
  std::vector<BrokerOrderUpdate> open;
  broker->request_open_orders([&](auto v) { open = std::move(v); });
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].order_id, OrderId(4));
  EXPECT_EQ(open[0].kind, Kind::kAccepted);
  EXPECT_EQ(open[0].time, kT0 + 1200ms);
  std::vector<Execution> execs;
  broker->request_executions(kT0 + 1s, [&](auto v) { execs = std::move(v); });
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_EQ(execs[0].exec_id, "sim-2");
  EXPECT_EQ(execs[1].exec_id, "sim-3");
}

// ---------------------------------------------------------------- DAY expiry

TEST_F(SimBrokerTest, DayOrdersExpireAtTheSessionBoundaryWhenOneIsSet) {
  SimBrokerOptions o = defaults();
  o.day_session = SessionCalendar();  // UTC midnight
  make(o);
  quote("10.00", "10.01");
  submit(Side::kBuy, "10", OrderType::kLimit, "9.00"_d);
  submit(Side::kBuy, "10", OrderType::kLimit, "9.00"_d, {}, TimeInForce::kGtc);
  wait(100ms);
  sched.run_until(from_unix_seconds(1'767'311'999));  // 23:59:59
  quote("10.00", "10.01");
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "accepted #2"}));
  wait(2s);
  quote("8.99", "9.00");
  EXPECT_EQ(events.take(), (Lines{"expired #1", "fill #2 10@9 fee 0.90"}));
}

TEST_F(SimBrokerTest, DayOrdersDoNotExpireByDefault) {
  make();
  submit(Side::kBuy, "10", OrderType::kLimit, "9.00"_d);
  wait(100ms);
  wait(72h);
  quote("8.99", "9.00");
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 10@9 fee 0.90"}));
}

// ---------------------------------------------------------------- next-bar-open model

TEST_F(SimBrokerTest, NextBarOpenFillsMarketOrdersAtTheNextOpenWithSlippage) {
  SimBrokerOptions o = defaults();
  o.ack_latency = 0ns;
  o.fill_model = FillModel::kNextBarOpen;
  o.slippage_bps = "5"_d;
  make(o);
  const Timestamp t1 = kT0 + 1min;
  bar(kT0, "100.00", "100.10", "99.90", "100.05");  // bar t: the decision
  submit(Side::kBuy, "100000");                     // full quantity, no partials
  submit(Side::kSell, "10");
  quote("90.00", "90.01", "1", "1");  // quotes do not fill in this model
  wait(0ns);
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "accepted #2"}));
  bar(t1, "100.01", "100.50", "99.50", "100.20");  // bar t+1
  // 100.01 * 1.0005 = 100.0600005 -> 100.07 (up); 100.01 * 0.9995 = 99.9599995 -> 99.95 (down).
  EXPECT_EQ(events.take(),
            (Lines{"fill #1 100000@100.07 fee 500.00", "fill #2 10@99.95 fee 1.00"}));
  EXPECT_EQ(events.execs[0].time, t1) << "at the open of bar t+1";
  bar(t1 + 1min, "100.20", "100.30", "100.10", "100.25");
  EXPECT_TRUE(events.take().empty());
}

TEST_F(SimBrokerTest, NextBarOpenWithoutSlippageFillsAtTheOpenExactly) {
  SimBrokerOptions o = defaults();
  o.ack_latency = 0ns;
  o.fill_model = FillModel::kNextBarOpen;
  make(o);
  submit(Side::kBuy, "10");
  wait(0ns);
  bar(kT0, "123.45", "124.00", "123.00", "123.50");
  EXPECT_EQ(events.take(), (Lines{"accepted #1", "fill #1 10@123.45 fee 1.00"}));
}

TEST_F(SimBrokerTest, NextBarOpenWorksLimitsAndStopsAgainstTheBar) {
  SimBrokerOptions o = defaults();
  o.ack_latency = 0ns;
  o.fill_model = FillModel::kNextBarOpen;
  o.slippage_bps = "10"_d;
  make(o);
  submit(Side::kBuy, "10", OrderType::kLimit, "99.00"_d);                   // #1 touched inside
  submit(Side::kSell, "10", OrderType::kLimit, "98.00"_d);                  // #2 open through it
  submit(Side::kBuy, "10", OrderType::kStop, std::nullopt, "100.50"_d);     // #3 triggers inside
  submit(Side::kSell, "10", OrderType::kStop, std::nullopt, "90.00"_d);     // #4 not reached
  submit(Side::kBuy, "10", OrderType::kStopLimit, "100.40"_d, "100.60"_d);  // #5 rests as a limit
  submit(Side::kBuy, "10", OrderType::kLimit, "50.00"_d, {}, TimeInForce::kIoc);  // #6
  wait(0ns);
  events.take();
  bar(kT0, "99.50", "100.80", "98.90", "100.00");
  // #3: 100.50 * 1.001 = 100.6005 -> 100.61.
  EXPECT_EQ(events.take(), (Lines{"fill #1 10@99 fee 1.00", "fill #2 10@99.5 fee 1.00",
                                  "fill #3 10@100.61 fee 1.00", "cancelled #6"}));
  EXPECT_EQ(events.execs[0].time, kT0 + 1min) << "inside the bar: at its close";
  EXPECT_EQ(events.execs[1].time, kT0) << "at the open";
  bar(kT0 + 1min, "100.70", "100.90", "100.30", "100.80");
  EXPECT_EQ(events.take(), (Lines{"fill #5 10@100.4 fee 1.00"}));
}

// ---------------------------------------------------------------- with the engine and simulator

TEST(SimBrokerWithEngine, PaperTradingRoundTrip) {
  SimScheduler sched(kT0);
  SimSymbol s;
  s.instrument.symbol = Symbol("SPY");
  s.start_price = "450"_d;
  s.display_size = "300"_d;
  MarketSimOptions mo;
  mo.seed = 99;
  mo.symbols = {s};
  MarketSimulator market(sched, mo);
  SimBrokerOptions bo;
  bo.ack_latency = 50ms;
  bo.instruments = {s.instrument};
  SimBroker broker(sched, bo);
  Engine engine(sched, broker);  // every order passes: no risk manager here
  ASSERT_TRUE(engine.add_instrument(s.instrument));
  broker.set_events(&engine);
  market.add_handler(&broker);  // broker first, then the engine
  market.add_handler(&engine);
  engine.start(&market);
  market.start();
  sched.run_until(kT0 + 10s);

  OrderRequest buy;
  buy.symbol = Symbol("SPY");
  buy.side = Side::kBuy;
  buy.qty = "1000"_d;  // more than displayed: partial fills over several quotes
  auto submitted = engine.submit(buy);
  ASSERT_TRUE(submitted);
  const OrderId id = submitted->order->id();
  sched.run_until(kT0 + 30s);
  const Order* o = engine.order(id);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->status(), OrderStatus::kFilled);
  EXPECT_GT(o->fills().size(), 1u);
  EXPECT_EQ(o->commission(), "5"_d);  // 1000 * 0.005, charged once over the partials
  std::vector<BrokerPosition> positions;
  broker.request_positions([&](auto v) { positions = std::move(v); });
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].qty, "1000"_d);
  market.stop();
}

}  // namespace
}  // namespace td::sim
