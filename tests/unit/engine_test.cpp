// The engine's message flow: strategy intents -> risk hook -> broker, broker
// events -> orders, portfolio and attribution. The broker here is a scripted
// stand-in for the Broker interface (LevelDB's Env pattern) so that each test
// can deliver broker events in the awkward orders real brokers produce.
#include "core/engine.h"

#include <gtest/gtest.h>

#include <deque>

#include "risk/risk_manager.h"

namespace td {
namespace {

Decimal D(const char* s) {
  return *Decimal::parse(s);
}
const Timestamp kT0 = from_unix_seconds(1767623400);  // 2026-01-05T14:30:00Z

class ScriptedBroker final : public Broker {
 public:
  std::string_view name() const override { return "scripted"; }
  void set_events(BrokerEvents* e) override { events = e; }
  bool connected() const override { return is_connected; }
  Status submit(const Order& o) override {
    if (fail_submit) return make_error(ErrorCode::kUnavailable, "down");
    submitted.push_back(o.id());
    return {};
  }
  Status modify(const Order& o, const OrderModification&) override {
    modified.push_back(o.id());
    return {};
  }
  Status cancel(const Order& o) override {
    cancels.push_back(o.id());
    return {};
  }
  void request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) override {
    done({});
  }
  void request_positions(std::function<void(std::vector<BrokerPosition>)> done) override {
    done({});
  }
  void request_executions(Timestamp, std::function<void(std::vector<Execution>)> done) override {
    done({});
  }

  void accept(OrderId id) {
    events->on_order_update(
        {BrokerOrderUpdate::Kind::kAccepted, id, "B" + id.to_string(), "", kT0, {}, {}});
  }
  void update(BrokerOrderUpdate::Kind k, OrderId id, std::string reason = "") {
    events->on_order_update({k, id, "", std::move(reason), kT0, {}, {}});
  }
  void fill(OrderId id, Side side, const char* qty, const char* price, std::string exec,
            const char* commission = "1") {
    events->on_execution(
        {id, "", std::move(exec), Symbol("SPY"), side, D(qty), D(price), D(commission), kT0});
  }

  BrokerEvents* events = nullptr;
  bool is_connected = true;
  bool fail_submit = false;
  std::vector<OrderId> submitted, modified, cancels;
};

class DenyAbove final : public RiskHook {
 public:
  std::optional<RiskDenial> pre_trade(const Order& o, const EngineView&) override {
    if (limit.sign() > 0 && o.qty() > limit) return RiskDenial{"max_order_qty", "qty above limit", std::nullopt};
    return std::nullopt;
  }
  Decimal limit;
};

// Sets the target it is told to on every bar; throws on demand.
class ScriptedStrategy final : public Strategy {
 public:
  explicit ScriptedStrategy(std::deque<Decimal> targets, size_t warmup = 0)
      : targets_(std::move(targets)), warmup_(warmup) {}
  const std::vector<Symbol>& symbols() const override { return symbols_; }
  size_t warmup_bars() const override { return warmup_; }
  void on_bar(const Bar& b, StrategyContext& ctx) override {
    ++bars_seen;
    if (throw_next) throw std::runtime_error("boom");
    if (targets_.empty()) return;
    ctx.set_target(b.symbol, targets_.front());
    targets_.pop_front();
  }
  void on_fill(const Fill&, StrategyContext&) override { ++fills_seen; }
  int bars_seen = 0, fills_seen = 0;
  bool throw_next = false;

 private:
  std::vector<Symbol> symbols_{Symbol("SPY")};
  std::deque<Decimal> targets_;
  size_t warmup_;
};

class EventLog final : public EventSink {
 public:
  void on_event(const Event& e) override {
    if (std::holds_alternative<TransitionRefusedEvent>(e.data)) ++refused;
    if (std::holds_alternative<OrderDeniedEvent>(e.data)) ++denied;
    if (std::holds_alternative<FillEvent>(e.data)) ++fills;
    ++total;
  }
  int refused = 0, denied = 0, fills = 0, total = 0;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : sched(kT0), engine(sched, broker, risk) {
    Instrument spy;
    spy.symbol = Symbol("SPY");
    EXPECT_TRUE(engine.add_instrument(spy));
    engine.add_sink(&log);
  }
  Bar bar(const char* close) {
    return Bar{Symbol("SPY"), sched.now(), std::chrono::minutes(1), D(close), D(close), D(close),
               D(close),      D("100")};
  }
  OrderRequest limit_buy(const char* qty, std::string cid = "") {
    OrderRequest r;
    r.symbol = Symbol("SPY");
    r.side = Side::kBuy;
    r.qty = D(qty);
    r.type = OrderType::kLimit;
    r.limit_price = D("100");
    r.client_order_id = std::move(cid);
    return r;
  }
  ScriptedStrategy* add_strategy(std::deque<Decimal> targets) {
    auto s = std::make_unique<ScriptedStrategy>(std::move(targets));
    auto* raw = s.get();
    EXPECT_TRUE(engine.add_strategy("s1", "scripted", std::move(s)));
    return raw;
  }

  SimScheduler sched;
  ScriptedBroker broker;
  DenyAbove risk;
  Engine engine;
  EventLog log;
};

TEST_F(EngineTest, TargetBecomesOrderFillUpdatesPortfolioAndAttribution) {
  auto* s = add_strategy({D("100")});
  engine.start();
  engine.on_bar(bar("100"));
  ASSERT_EQ(broker.submitted.size(), 1u);
  const OrderId id = broker.submitted[0];
  const Order* o = engine.order(id);
  EXPECT_EQ(o->status(), OrderStatus::kPendingSubmit);
  EXPECT_EQ(o->source(), "strategy:s1");
  EXPECT_EQ(o->qty(), D("100"));
  broker.accept(id);
  EXPECT_EQ(o->status(), OrderStatus::kSubmitted);
  EXPECT_EQ(o->broker_order_id(), "B1");
  broker.fill(id, Side::kBuy, "40", "100.10", "e1");
  broker.fill(id, Side::kBuy, "60", "100.20", "e2");
  EXPECT_EQ(o->status(), OrderStatus::kFilled);
  EXPECT_EQ(o->avg_fill_price(), D("100.16"));
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("100"));
  EXPECT_EQ(engine.strategy_position("s1", Symbol("SPY")), D("100"));
  EXPECT_EQ(engine.portfolio().commissions(), D("2"));
  EXPECT_EQ(s->fills_seen, 2);
  EXPECT_EQ(log.fills, 2);
}

TEST_F(EngineTest, TargetCountsWorkingOrdersSoNoDoubleOrder) {
  add_strategy({D("100"), D("100"), D("0")});
  engine.start();
  engine.on_bar(bar("100"));
  engine.on_bar(bar("101"));  // same target while the first order still works
  EXPECT_EQ(broker.submitted.size(), 1u);
  broker.accept(broker.submitted[0]);
  broker.fill(broker.submitted[0], Side::kBuy, "100", "100", "e1");
  engine.on_bar(bar("102"));  // target 0: sell 100
  ASSERT_EQ(broker.submitted.size(), 2u);
  const Order* exit = engine.order(broker.submitted[1]);
  EXPECT_EQ(exit->side(), Side::kSell);
  EXPECT_EQ(exit->qty(), D("100"));
}

TEST_F(EngineTest, StrategiesOnOneSymbolKeepTheirOwnPositions) {
  auto a = std::make_unique<ScriptedStrategy>(std::deque<Decimal>{D("100"), D("100")});
  auto b = std::make_unique<ScriptedStrategy>(std::deque<Decimal>{D("-30"), D("0")});
  ASSERT_TRUE(engine.add_strategy("long", "scripted", std::move(a)));
  ASSERT_TRUE(engine.add_strategy("short", "scripted", std::move(b)));
  EXPECT_FALSE(engine.add_strategy("long", "scripted",
                                   std::make_unique<ScriptedStrategy>(std::deque<Decimal>{})));
  engine.start();
  engine.on_bar(bar("100"));
  ASSERT_EQ(broker.submitted.size(), 2u);
  for (OrderId id : broker.submitted) {
    const Order* o = engine.order(id);
    broker.accept(id);
    broker.fill(id, o->side(), o->qty().to_string().c_str(), "100", "e" + id.to_string());
  }
  EXPECT_EQ(engine.strategy_position("long", Symbol("SPY")), D("100"));
  EXPECT_EQ(engine.strategy_position("short", Symbol("SPY")), D("-30"));
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("70"));
  engine.on_bar(bar("101"));  // "short" covers; "long" holds
  ASSERT_EQ(broker.submitted.size(), 3u);
  const Order* cover = engine.order(broker.submitted[2]);
  EXPECT_EQ(cover->source(), "strategy:short");
  EXPECT_EQ(cover->side(), Side::kBuy);
  EXPECT_EQ(cover->qty(), D("30"));
}

TEST_F(EngineTest, IdempotentClientOrderId) {
  auto a = engine.submit(limit_buy("10", "cid-1"));
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->existing);
  auto b = engine.submit(limit_buy("10", "cid-1"));
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->existing);
  EXPECT_EQ(a->order, b->order);
  EXPECT_EQ(broker.submitted.size(), 1u);
  auto c = engine.submit(limit_buy("11", "cid-1"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine.orders().size(), 1u);
}

TEST_F(EngineTest, GeneratedClientOrderIdWhenAbsent) {
  auto a = engine.submit(limit_buy("10"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->order->client_order_id(), "td-1");
}

TEST_F(EngineTest, InvalidRequestsChangeNothing) {
  OrderRequest r = limit_buy("0");
  EXPECT_FALSE(engine.submit(r));
  r = limit_buy("1");
  r.symbol = Symbol("NOPE");
  EXPECT_FALSE(engine.submit(r));
  r = limit_buy("1");
  r.limit_price.reset();
  EXPECT_FALSE(engine.submit(r));
  EXPECT_TRUE(engine.orders().empty());
  EXPECT_TRUE(broker.submitted.empty());
}

TEST_F(EngineTest, RiskDenialRejectsAndRecordsNeverSends) {
  risk.limit = D("5");
  auto r = engine.submit(limit_buy("10"));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->denial);
  EXPECT_EQ(r->denial->check, "max_order_qty");
  EXPECT_EQ(r->order->status(), OrderStatus::kRejected);
  EXPECT_TRUE(broker.submitted.empty());
  EXPECT_EQ(log.denied, 1);
}

TEST_F(EngineTest, FillBeforeAcknowledgementAndLateAck) {
  auto r = engine.submit(limit_buy("10"));
  const OrderId id = r->order->id();
  broker.fill(id, Side::kBuy, "4", "100", "e1");
  EXPECT_EQ(r->order->status(), OrderStatus::kPartiallyFilled);
  broker.accept(id);  // late: must not move it back
  EXPECT_EQ(r->order->status(), OrderStatus::kPartiallyFilled);
  EXPECT_EQ(log.refused, 0);
}

TEST_F(EngineTest, DuplicateExecutionIsIgnored) {
  auto r = engine.submit(limit_buy("10"));
  const OrderId id = r->order->id();
  broker.accept(id);
  broker.fill(id, Side::kBuy, "4", "100", "e1");
  broker.fill(id, Side::kBuy, "4", "100", "e1");
  EXPECT_EQ(r->order->filled_qty(), D("4"));
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("4"));
  EXPECT_EQ(log.refused, 1);
}

TEST_F(EngineTest, OverfillAndUnknownOrderRefusedStateUnchanged) {
  auto r = engine.submit(limit_buy("10"));
  const OrderId id = r->order->id();
  broker.accept(id);
  broker.fill(id, Side::kBuy, "11", "100", "e1");
  broker.fill(OrderId(999), Side::kBuy, "1", "100", "e2");
  broker.update(BrokerOrderUpdate::Kind::kCancelled, OrderId(999));
  EXPECT_EQ(r->order->filled_qty(), D("0"));
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("0"));
  EXPECT_EQ(log.refused, 3);
}

TEST_F(EngineTest, IllegalBrokerTransitionRefused) {
  auto r = engine.submit(limit_buy("10"));
  const OrderId id = r->order->id();
  broker.accept(id);
  broker.fill(id, Side::kBuy, "10", "100", "e1");
  broker.update(BrokerOrderUpdate::Kind::kCancelled, id);  // filled orders cannot be cancelled
  EXPECT_EQ(r->order->status(), OrderStatus::kFilled);
  EXPECT_EQ(log.refused, 1);
}

TEST_F(EngineTest, CancelFlowAndRefusedCancel) {
  auto r = engine.submit(limit_buy("10"));
  const OrderId id = r->order->id();
  broker.accept(id);
  ASSERT_TRUE(engine.cancel(id));
  EXPECT_EQ(r->order->status(), OrderStatus::kPendingCancel);
  EXPECT_EQ(broker.cancels.size(), 1u);
  broker.update(BrokerOrderUpdate::Kind::kCancelRejected, id, "too late");
  EXPECT_EQ(r->order->status(), OrderStatus::kSubmitted);
  ASSERT_TRUE(engine.cancel(id));
  broker.update(BrokerOrderUpdate::Kind::kCancelled, id);
  EXPECT_EQ(r->order->status(), OrderStatus::kCancelled);
  EXPECT_FALSE(engine.cancel(id));
  EXPECT_EQ(engine.cancel(OrderId(42)).error().code, ErrorCode::kNotFound);
}

TEST_F(EngineTest, DisconnectedBrokerQueuesThenRoutesOnReconnect) {
  broker.is_connected = false;
  auto a = engine.submit(limit_buy("10"));
  auto b = engine.submit(limit_buy("5"));
  EXPECT_EQ(a->order->status(), OrderStatus::kQueued);
  ASSERT_EQ(engine.queue().size(), 2u);
  EXPECT_EQ(engine.queue()[0].second, QueuedReason::kBrokerDisconnected);
  ASSERT_TRUE(engine.cancel(b->order->id()));  // queued: cancelled at once, never sent
  EXPECT_EQ(b->order->status(), OrderStatus::kCancelled);
  EXPECT_TRUE(broker.submitted.empty());
  broker.is_connected = true;
  engine.on_connection(true, "back");
  ASSERT_EQ(broker.submitted.size(), 1u);
  EXPECT_EQ(broker.submitted[0], a->order->id());
  EXPECT_TRUE(engine.queue().empty());
}

TEST_F(EngineTest, SubmitAtWaitsForItsTime) {
  OrderRequest req = limit_buy("10");
  req.submit_at = kT0 + std::chrono::minutes(5);
  auto r = engine.submit(req);
  EXPECT_EQ(r->order->status(), OrderStatus::kQueued);
  EXPECT_EQ(engine.queue()[0].second, QueuedReason::kScheduled);
  sched.run_until(kT0 + std::chrono::minutes(4));
  EXPECT_TRUE(broker.submitted.empty());
  sched.run_until(kT0 + std::chrono::minutes(5));
  ASSERT_EQ(broker.submitted.size(), 1u);
  EXPECT_EQ(r->order->status(), OrderStatus::kPendingSubmit);
}

TEST_F(EngineTest, BrokerSubmitFailureRejects) {
  broker.fail_submit = true;
  auto r = engine.submit(limit_buy("10"));
  EXPECT_EQ(r->order->status(), OrderStatus::kRejected);
  ASSERT_TRUE(r->order->reject_reason());
}

TEST_F(EngineTest, ThrowingStrategyIsStoppedEngineGoesOn) {
  auto* s = add_strategy({D("1"), D("1")});
  engine.start();
  s->throw_next = true;
  engine.on_bar(bar("100"));
  EXPECT_FALSE(engine.strategies()[0].enabled);
  s->throw_next = false;
  engine.on_bar(bar("100"));
  EXPECT_EQ(s->bars_seen, 1);
  EXPECT_TRUE(broker.submitted.empty());
  EXPECT_TRUE(engine.submit(limit_buy("1")));  // the engine still works
}

class FixedHistory final : public HistorySource {
 public:
  void request_bars(const Symbol& s, size_t count,
                    std::function<void(std::vector<Bar>)> done) override {
    std::vector<Bar> bars;
    for (size_t i = 0; i < count; ++i)
      bars.push_back(Bar{s, kT0 - std::chrono::minutes(count - i), std::chrono::minutes(1), D("1"),
                         D("1"), D("1"), D("1"), D("1")});
    done(bars);
  }
};

TEST_F(EngineTest, WarmUpFeedsHistoryWithoutTrading) {
  auto strat =
      std::make_unique<ScriptedStrategy>(std::deque<Decimal>{D("5"), D("6"), D("7"), D("8")}, 3);
  auto* s = strat.get();
  ASSERT_TRUE(engine.add_strategy("w", "scripted", std::move(strat)));
  FixedHistory history;
  engine.start(&history);
  EXPECT_EQ(s->bars_seen, 3);
  EXPECT_TRUE(broker.submitted.empty());  // warm-up decisions are ignored
  engine.on_bar(bar("1"));
  ASSERT_EQ(broker.submitted.size(), 1u);
  EXPECT_EQ(engine.order(broker.submitted[0])->qty(), D("8"));
}

TEST_F(EngineTest, StoppedEngineMakesNoDecisions) {
  add_strategy({D("1")});
  engine.start();
  engine.stop();
  engine.on_bar(bar("100"));
  EXPECT_TRUE(broker.submitted.empty());
}

TEST_F(EngineTest, ModifyAppliesOnlyWhenTheBrokerConfirms) {
  auto r = engine.submit(limit_buy("10"));
  const OrderId id = r->order->id();
  broker.accept(id);
  OrderModification m;
  m.limit_price = D("99.5");
  ASSERT_TRUE(engine.modify(id, m));
  ASSERT_EQ(broker.modified.size(), 1u);
  EXPECT_EQ(*r->order->request().limit_price, D("100"));  // not yet
  broker.update(BrokerOrderUpdate::Kind::kModified, id);
  EXPECT_EQ(*r->order->request().limit_price, D("99.5"));

  m.limit_price = D("98");
  ASSERT_TRUE(engine.modify(id, m));
  broker.update(BrokerOrderUpdate::Kind::kModifyRejected, id, "too late");
  EXPECT_EQ(*r->order->request().limit_price, D("99.5"));  // unchanged
  EXPECT_EQ(log.refused, 1);

  // Invalid modifications never reach the broker.
  OrderModification bad;
  bad.qty = D("-1");
  EXPECT_FALSE(engine.modify(id, bad));
  bad = {};
  bad.stop_price = D("1");  // a limit order has no stop
  EXPECT_FALSE(engine.modify(id, bad));
  EXPECT_EQ(broker.modified.size(), 2u);
  // An answer with no modify in flight is refused.
  broker.update(BrokerOrderUpdate::Kind::kModified, id);
  EXPECT_EQ(log.refused, 2);
}

TEST_F(EngineTest, ModifyOfAQueuedOrderIsImmediate) {
  broker.is_connected = false;
  auto r = engine.submit(limit_buy("10"));
  OrderModification m;
  m.qty = D("7");
  ASSERT_TRUE(engine.modify(r->order->id(), m));
  EXPECT_EQ(r->order->qty(), D("7"));
  EXPECT_TRUE(broker.modified.empty());
}

TEST_F(EngineTest, QuotesMarkThePortfolio) {
  auto r = engine.submit(limit_buy("10"));
  broker.accept(r->order->id());
  broker.fill(r->order->id(), Side::kBuy, "10", "100", "e1", "0");
  engine.on_quote(Quote{Symbol("SPY"), kT0, D("101"), D("101.02"), D("1"), D("1"), D("0")});
  EXPECT_EQ(engine.portfolio().unrealized(), D("10.1"));  // (101.01 - 100) * 10
}

}  // namespace
}  // namespace td

namespace td {
namespace {

// ---- mechanisms the risk manager drives (RiskActions) and reads (EngineView)

class RiskMechanicsTest : public EngineTest {
 protected:
  OrderId fill_market(Side side, const char* qty, const char* price) {
    OrderRequest r;
    r.symbol = Symbol("SPY");
    r.side = side;
    r.qty = D(qty);
    auto res = engine.submit(r);
    const OrderId id = res->order->id();
    broker.accept(id);
    broker.fill(id, side, qty, price, "x" + id.to_string());
    return id;
  }
};

TEST_F(RiskMechanicsTest, WorkingQuantitiesFollowOrders) {
  auto a = engine.submit(limit_buy("10"));
  broker.accept(a->order->id());
  EXPECT_EQ(engine.working(Symbol("SPY")).buy, D("10"));
  EXPECT_EQ(engine.working_orders(), 1u);
  broker.fill(a->order->id(), Side::kBuy, "4", "100", "e1");
  EXPECT_EQ(engine.working(Symbol("SPY")).buy, D("6"));
  ASSERT_TRUE(engine.cancel(a->order->id()));
  EXPECT_EQ(engine.working(Symbol("SPY")).buy, D("6"));  // may still fill
  broker.update(BrokerOrderUpdate::Kind::kCancelled, a->order->id());
  EXPECT_EQ(engine.working(Symbol("SPY")).buy, D("0"));
  EXPECT_EQ(engine.working_orders(), 0u);
  risk.limit = D("1");
  (void)engine.submit(limit_buy("5"));  // denied: never counted
  EXPECT_EQ(engine.working_orders(), 0u);
}

TEST_F(RiskMechanicsTest, CancelsWaitForTheBrokerAndGoFirst) {
  auto a = engine.submit(limit_buy("10"));
  broker.accept(a->order->id());
  broker.is_connected = false;
  engine.on_connection(false, "lost");
  ASSERT_TRUE(engine.cancel(a->order->id()));
  EXPECT_EQ(a->order->status(), OrderStatus::kPendingCancel);
  EXPECT_TRUE(broker.cancels.empty());
  auto b = engine.submit(limit_buy("3"));
  EXPECT_EQ(b->order->status(), OrderStatus::kQueued);
  broker.is_connected = true;
  engine.on_connection(true, "back");
  ASSERT_EQ(broker.cancels.size(), 1u);
  EXPECT_EQ(broker.cancels[0], a->order->id());
  ASSERT_EQ(broker.submitted.size(), 2u);
  EXPECT_EQ(broker.submitted[1], b->order->id());
}

TEST_F(RiskMechanicsTest, FlattenClosesEveryPositionNeverBeyondZero) {
  fill_market(Side::kBuy, "100", "50");
  auto r1 = engine.flatten("test");
  ASSERT_EQ(r1.size(), 1u);
  ASSERT_TRUE(r1[0].closing_order);
  EXPECT_EQ(r1[0].qty, D("100"));
  const Order* close = engine.order(*r1[0].closing_order);
  EXPECT_EQ(close->side(), Side::kSell);
  EXPECT_EQ(close->qty(), D("100"));
  EXPECT_EQ(close->source(), "flatten");
  EXPECT_TRUE(close->request().reduce_only);
  auto r2 = engine.flatten("again");  // the first close still works: nothing new
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].closing_order, r1[0].closing_order);
  EXPECT_EQ(broker.submitted.size(), 2u);
  broker.accept(close->id());
  broker.fill(close->id(), Side::kSell, "100", "49", "c1");
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("0"));
  EXPECT_TRUE(engine.flatten("third").empty());
}

TEST_F(RiskMechanicsTest, FlattenCountsReducingOrdersWithACancelPending) {
  fill_market(Side::kBuy, "100", "50");
  OrderRequest exit;
  exit.symbol = Symbol("SPY");
  exit.side = Side::kSell;
  exit.qty = D("40");
  exit.type = OrderType::kLimit;
  exit.limit_price = D("60");
  auto e = engine.submit(exit);
  broker.accept(e->order->id());
  const auto cancelled = engine.cancel_all("kill");
  ASSERT_EQ(cancelled.size(), 1u);
  auto r = engine.flatten("kill");
  const Order* close = engine.order(*r[0].closing_order);
  EXPECT_EQ(close->qty(), D("60"));  // 40 may still fill before the cancel lands
  // The cancel lands: the rest is closed as a follow-up.
  broker.update(BrokerOrderUpdate::Kind::kCancelled, e->order->id());
  ASSERT_EQ(broker.submitted.size(), 4u);
  const Order* rest = engine.order(broker.submitted[3]);
  EXPECT_EQ(rest->qty(), D("40"));
  EXPECT_EQ(rest->side(), Side::kSell);
  broker.accept(close->id());
  broker.fill(close->id(), Side::kSell, "60", "50", "c1");
  broker.accept(rest->id());
  broker.fill(rest->id(), Side::kSell, "40", "50", "c2");
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("0"));
  EXPECT_EQ(broker.submitted.size(), 4u);  // flat: nothing more
}

TEST_F(RiskMechanicsTest, FlattenWhileDisconnectedGoesFirstOnReconnect) {
  fill_market(Side::kSell, "30", "50");  // short 30
  auto working = engine.submit(limit_buy("5"));
  broker.accept(working->order->id());
  broker.is_connected = false;
  engine.on_connection(false, "lost");
  auto late = engine.submit(limit_buy("1"));  // queued, not a risk order
  engine.cancel_all("kill");
  EXPECT_EQ(late->order->status(), OrderStatus::kCancelled);
  auto r = engine.flatten("kill");
  ASSERT_TRUE(r[0].error);  // queued until the broker is back
  const Order* close = engine.order(*r[0].closing_order);
  EXPECT_EQ(close->status(), OrderStatus::kQueued);
  EXPECT_EQ(close->qty(), D("25"));  // the working buy 5 (cancel pending) counts
  const size_t sent_before = broker.submitted.size();
  broker.is_connected = true;
  engine.on_connection(true, "back");
  ASSERT_EQ(broker.cancels.size(), 1u);  // the cancel went first
  ASSERT_EQ(broker.submitted.size(), sent_before + 1);
  EXPECT_EQ(broker.submitted.back(), close->id());
}

TEST_F(RiskMechanicsTest, ClosePositionWithOwnSource) {
  fill_market(Side::kBuy, "10", "50");
  auto r = engine.close_position(Symbol("SPY"), "risk:max_position_duration", "too old");
  const Order* o = engine.order(*r.closing_order);
  EXPECT_EQ(o->source(), "risk:max_position_duration");
  EXPECT_EQ(o->qty(), D("10"));
  auto none = engine.close_position(Symbol("QQQ"), "risk:x", "no position");
  EXPECT_FALSE(none.closing_order);
}

class ThrottleOnce final : public RiskHook {
 public:
  std::optional<RiskDenial> pre_trade(const Order&, const EngineView& v) override {
    ++calls;
    if (calls == 1) return RiskDenial{"rate_limit", "wait", v.now() + std::chrono::seconds(1)};
    return std::nullopt;
  }
  std::optional<RiskDenial> recheck(const Order&, const EngineView&) override {
    ++rechecks;
    return deny_recheck ? std::optional<RiskDenial>(RiskDenial{"reducing_only", "no", std::nullopt})
                        : std::nullopt;
  }
  int calls = 0, rechecks = 0;
  bool deny_recheck = false;
};

TEST_F(RiskMechanicsTest, ThrottledOrdersWaitThenPassTheWholeGateAgain) {
  ThrottleOnce t;
  engine.set_risk_hook(t);
  auto r = engine.submit(limit_buy("10"));
  EXPECT_FALSE(r->denial);
  EXPECT_EQ(r->order->status(), OrderStatus::kQueued);
  EXPECT_EQ(engine.queue()[0].second, QueuedReason::kThrottled);
  EXPECT_TRUE(broker.submitted.empty());
  sched.run_until(kT0 + std::chrono::seconds(1));
  EXPECT_EQ(t.calls, 2);
  ASSERT_EQ(broker.submitted.size(), 1u);
}

TEST_F(RiskMechanicsTest, QueuedOrdersAreRecheckedWhenTheyLeave) {
  ThrottleOnce t;
  t.calls = 1;  // no throttling
  engine.set_risk_hook(t);
  broker.is_connected = false;
  auto r = engine.submit(limit_buy("10"));
  t.deny_recheck = true;  // e.g. the state became reducing meanwhile
  broker.is_connected = true;
  engine.on_connection(true, "back");
  EXPECT_EQ(t.rechecks, 1);
  EXPECT_EQ(r->order->status(), OrderStatus::kRejected);
  EXPECT_TRUE(broker.submitted.empty());
  EXPECT_EQ(engine.working_orders(), 0u);
}

}  // namespace
}  // namespace td

namespace td {
namespace {

class HaltedGate final : public RiskHook {
 public:
  std::optional<RiskDenial> pre_trade(const Order&, const EngineView&) override {
    ++calls;
    if (halted) return RiskDenial{"kill_switch_engaged", "halted", std::nullopt};
    return std::nullopt;
  }
  bool halted = true;
  int calls = 0;
};

// While halted, a strategy that keeps asking for the same target is not sent
// to the gate again and again; a change of state (or of target) lets it retry.
TEST_F(EngineTest, TargetsRefusedByTheStateGateAreNotRepeated) {
  HaltedGate gate;
  engine.set_risk_hook(gate);
  add_strategy({D("10"), D("10"), D("10"), D("10")});
  engine.start();
  engine.on_bar(bar("100"));
  engine.on_bar(bar("100"));
  EXPECT_EQ(gate.calls, 1);
  gate.halted = false;
  engine.publish_risk_event({"kill_switch_rearmed", "", "admin", "ok", {}});
  engine.on_bar(bar("100"));
  EXPECT_EQ(gate.calls, 2);
  EXPECT_EQ(broker.submitted.size(), 1u);
}

}  // namespace
}  // namespace td

namespace td {
namespace {

// A modification passes the same checks as a new order, counting the order's
// new size instead of adding it to its old one.
TEST_F(EngineTest, ModificationsPassTheRiskChecks) {
  risk::RiskLimits limits;
  limits.max_order_qty = D("100");
  limits.max_position_qty = D("150");
  risk::RiskManager rm(limits, engine);
  engine.set_risk_hook(rm);
  auto r = engine.submit(limit_buy("50"));
  ASSERT_FALSE(r->denial);
  const OrderId id = r->order->id();
  broker.accept(id);
  OrderModification big;
  big.qty = D("101");
  auto st = engine.modify(id, big);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kRejected);
  EXPECT_NE(st.error().message.find("max_order_qty"), std::string::npos);
  EXPECT_TRUE(broker.modified.empty());
  OrderModification ok;
  ok.qty = D("100");  // 100 working, not 150: inside max_position_qty
  ASSERT_TRUE(engine.modify(id, ok));
  EXPECT_EQ(broker.modified.size(), 1u);
}

}  // namespace
}  // namespace td
