// Persist before send and start-up recovery, as the engine does them. The
// store here is a stand-in for the Store interface that commits when the
// test says so (the PostgreSQL store itself is tested against a real server
// in tests/integration); the broker is a stand-in that reports what a broker
// that outlived the daemon would.
#include <gtest/gtest.h>

#include "core/engine.h"

namespace td {
namespace {

Decimal D(const char* s) {
  return *Decimal::parse(s);
}
const Timestamp kT0 = from_unix_seconds(1767623400);  // 2026-01-05T14:30:00Z

class HeldStore final : public Store {
 public:
  void on_event(const Event& e) override { last_seq = e.seq; }
  void set_listener(StoreListener* l) override { listener = l; }
  bool writable() const override { return up; }
  void commit() { listener->on_store_committed(last_seq); }
  void set_up(bool v) {
    up = v;
    listener->on_store_state(v, v ? "back" : "connection refused");
  }
  StoreListener* listener = nullptr;
  uint64_t last_seq = 0;
  bool up = true;
};

class SurvivingBroker final : public Broker {
 public:
  std::string_view name() const override { return "surviving"; }
  void set_events(BrokerEvents* e) override { events = e; }
  bool connected() const override { return is_connected; }
  Status submit(const Order& o) override {
    submitted.push_back(o.id());
    return {};
  }
  Status modify(const Order&, const OrderModification&) override { return {}; }
  Status cancel(const Order& o) override {
    cancels.push_back(o.id());
    return {};
  }
  void adopt(const Order& o) override { adopted.push_back(o.id()); }
  void request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) override {
    done(open);
  }
  void request_positions(std::function<void(std::vector<BrokerPosition>)> done) override {
    done(positions);
  }
  void request_executions(Timestamp, std::function<void(std::vector<Execution>)> done) override {
    done(executions);
  }
  BrokerEvents* events = nullptr;
  bool is_connected = true;
  std::vector<OrderId> submitted, cancels, adopted;
  std::vector<BrokerOrderUpdate> open;
  std::vector<BrokerPosition> positions;
  std::vector<Execution> executions;
};

OrderRequest buy(const char* qty, std::string source = "api") {
  OrderRequest r;
  r.symbol = Symbol("SPY");
  r.side = Side::kBuy;
  r.qty = D(qty);
  r.type = OrderType::kLimit;
  r.limit_price = D("100");
  r.source = std::move(source);
  return r;
}

class DurabilityTest : public ::testing::Test {
 protected:
  DurabilityTest() : sched(kT0), engine(sched, broker) {
    Instrument spy;
    spy.symbol = Symbol("SPY");
    EXPECT_TRUE(engine.add_instrument(spy));
    engine.set_store(&store);
  }
  SimScheduler sched;
  SurvivingBroker broker;
  HeldStore store;
  Engine engine;
};

TEST_F(DurabilityTest, OrderIsSentAndAcknowledgedOnlyAfterItsRowIsCommitted) {
  auto out = engine.submit(buy("10"));
  ASSERT_TRUE(out);
  const OrderId id = out->order->id();
  EXPECT_FALSE(engine.durable(id));
  EXPECT_TRUE(broker.submitted.empty());
  EXPECT_EQ(out->order->status(), OrderStatus::kQueued);
  ASSERT_EQ(engine.queue().size(), 1u);
  EXPECT_EQ(engine.queue().front().second, QueuedReason::kPersisting);
  bool acked = false;
  engine.when_durable(id, [&](Status st) { acked = st.has_value(); });
  EXPECT_FALSE(acked);

  store.commit();
  EXPECT_TRUE(acked);
  EXPECT_TRUE(engine.durable(id));
  ASSERT_EQ(broker.submitted.size(), 1u);
  EXPECT_EQ(broker.submitted[0], id);
  EXPECT_EQ(engine.order(id)->status(), OrderStatus::kPendingSubmit);
}

TEST_F(DurabilityTest, StoreDownRefusesNewOrdersAndFailsThoseWaiting) {
  auto waiting = engine.submit(buy("10"));
  ASSERT_TRUE(waiting);
  std::optional<Status> answer;
  engine.when_durable(waiting->order->id(), [&](Status st) { answer = st; });
  store.set_up(false);
  ASSERT_TRUE(answer.has_value());
  ASSERT_FALSE(answer->has_value());
  EXPECT_EQ(answer->error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(engine.order(waiting->order->id())->status(), OrderStatus::kRejected);

  auto refused = engine.submit(buy("5"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(broker.submitted.empty());

  // The kill switch's closing orders do not wait for the store.
  auto flatten = engine.submit(buy("3", "flatten"));
  ASSERT_TRUE(flatten);
  ASSERT_EQ(broker.submitted.size(), 1u);
  EXPECT_EQ(broker.submitted[0], flatten->order->id());

  store.set_up(true);
  store.commit();
  EXPECT_TRUE(engine.submit(buy("1")));
}

TEST_F(DurabilityTest, DuplicateClientOrderIdInTheDatabaseIsNeverSent) {
  OrderRequest r = buy("10");
  r.client_order_id = "old-one";
  auto out = engine.submit(r);
  ASSERT_TRUE(out);
  std::optional<Status> answer;
  engine.when_durable(out->order->id(), [&](Status st) { answer = st; });
  store.listener->on_store_duplicate(out->order->id(), OrderId(7));
  store.commit();
  ASSERT_TRUE(answer && !answer->has_value());
  EXPECT_EQ(answer->error().code, ErrorCode::kConflict);
  EXPECT_EQ(out->order->status(), OrderStatus::kRejected);
  EXPECT_TRUE(broker.submitted.empty());
}

// --- recovery --------------------------------------------------------------

StoredOrder stored(uint64_t id, OrderStatus st, const char* qty) {
  StoredOrder o;
  o.id = OrderId(id);
  o.request = buy(qty);
  o.request.client_order_id = "c" + std::to_string(id);
  o.status = st;
  o.created_at = o.updated_at = kT0;
  return o;
}

Fill fill_of(uint64_t fid, uint64_t oid, const char* qty, const char* price, std::string exec) {
  Fill f;
  f.id = FillId(fid);
  f.order_id = OrderId(oid);
  f.symbol = Symbol("SPY");
  f.side = Side::kBuy;
  f.qty = D(qty);
  f.price = D(price);
  f.commission = D("1");
  f.time = kT0;
  f.broker_exec_id = std::move(exec);
  f.source = "api";
  return f;
}

class RecoveryTest : public ::testing::Test {
 protected:
  RecoveryTest() : sched(kT0 + std::chrono::hours(1)), engine(sched, broker) {
    Instrument spy;
    spy.symbol = Symbol("SPY");
    EXPECT_TRUE(engine.add_instrument(spy));
    // Before the crash: order 1 filled 10 @ 100; order 2 working (4 of 10
    // filled); order 3 sent, outcome unknown; order 4 never routed.
    state.next_order_id = 5;
    state.next_fill_id = 3;
    state.next_event_seq = 40;
    state.orders = {
        stored(1, OrderStatus::kFilled, "10"), stored(2, OrderStatus::kPartiallyFilled, "10"),
        stored(3, OrderStatus::kPendingSubmit, "2"), stored(4, OrderStatus::kQueued, "1")};
    state.fills = {fill_of(1, 1, "10", "100", "E1"), fill_of(2, 2, "4", "101", "E2")};
    state.positions = {{Symbol("SPY"), D("14"), D("1404"), D("0"), D("2"), kT0}};
    state.commissions = D("2");
    state.last_execution = kT0;
  }
  Execution exec(uint64_t oid, const char* qty, const char* price, std::string id) {
    return Execution{OrderId(oid),  "",         std::move(id),
                     Symbol("SPY"), Side::kBuy, D(qty),
                     D(price),      D("1"),     kT0 + std::chrono::minutes(30)};
  }
  BrokerOrderUpdate working(uint64_t oid) {
    BrokerOrderUpdate u;
    u.kind = BrokerOrderUpdate::Kind::kAccepted;
    u.order_id = OrderId(oid);
    u.broker_order_id = "P" + std::to_string(oid);
    return u;
  }
  SimScheduler sched;
  SurvivingBroker broker;
  Engine engine;
  RecoveredState state;
};

TEST_F(RecoveryTest, RestoreRebuildsBookCashAndIdsAndHandsOpenOrdersToTheBroker) {
  ASSERT_TRUE(engine.restore(state));
  EXPECT_EQ(engine.orders().size(), 4u);
  EXPECT_EQ(engine.order(OrderId(2))->filled_qty(), D("4"));
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("14"));
  // 100000 - 1404 (open cost) - 2 (commissions)
  EXPECT_EQ(engine.portfolio().cash(), D("98594"));
  EXPECT_EQ(engine.portfolio().equity(), D("99998"));
  EXPECT_EQ(engine.working(Symbol("SPY")).buy, D("8"));  // 6 of order 2, 2 of order 3
  EXPECT_EQ(broker.adopted, (std::vector<OrderId>{OrderId(2), OrderId(3), OrderId(4)}));
  EXPECT_TRUE(engine.reconciling());
  auto refused = engine.submit(buy("1"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message.rfind("reconciling:", 0), 0u);
  EXPECT_TRUE(broker.submitted.empty());
}

TEST_F(RecoveryTest, MissedFillAppliedOnceUnknownOutcomeQueriedNeverResent) {
  ASSERT_TRUE(engine.restore(state));
  // While the daemon was down: order 2 filled its remaining 6; order 3 never
  // reached the broker; the broker still reports the old fill E1 too.
  broker.executions = {exec(1, "10", "100", "E1"), exec(2, "6", "102", "E3")};
  broker.positions = {{Symbol("SPY"), D("20"), D("101")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({}, [&](ReconcileReport r) { report = r; });
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fills_recovered, 1u);
  EXPECT_TRUE(report->mismatches.empty()) << report->summary();
  EXPECT_EQ(engine.order(OrderId(2))->status(), OrderStatus::kFilled);
  EXPECT_EQ(engine.order(OrderId(3))->status(), OrderStatus::kCancelled);
  EXPECT_EQ(engine.order(OrderId(4))->status(), OrderStatus::kCancelled);
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("20"));
  EXPECT_TRUE(broker.submitted.empty());  // nothing re-sent
  EXPECT_FALSE(engine.reconciling());

  // Reconciling again (a reconnect) applies nothing twice.
  engine.reconcile({}, [&](ReconcileReport r) { report = r; });
  EXPECT_EQ(report->fills_recovered, 0u);
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("20"));

  // And trading resumes: a new order gets an id above every restored one.
  auto next = engine.submit(buy("1"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->order->id(), OrderId(5));
}

TEST_F(RecoveryTest, WorkingOrdersConfirmedAndPendingOnesAcknowledged) {
  ASSERT_TRUE(engine.restore(state));
  broker.open = {working(2), working(3)};
  broker.positions = {{Symbol("SPY"), D("14"), D("100.28")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({}, [&](ReconcileReport r) { report = r; });
  ASSERT_TRUE(report);
  EXPECT_EQ(report->orders_confirmed, 2u);
  EXPECT_EQ(report->orders_closed, 1u);  // order 4, never routed
  EXPECT_EQ(engine.order(OrderId(2))->status(), OrderStatus::kPartiallyFilled);
  EXPECT_EQ(engine.order(OrderId(3))->status(), OrderStatus::kSubmitted);
  EXPECT_TRUE(broker.submitted.empty());
}

TEST_F(RecoveryTest, PositionMismatchIsReportedWithSymbolAndBothQuantities) {
  ASSERT_TRUE(engine.restore(state));
  broker.open = {working(2), working(3)};
  broker.positions = {{Symbol("SPY"), D("9"), D("100")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({}, [&](ReconcileReport r) { report = r; });
  ASSERT_TRUE(report);
  ASSERT_EQ(report->mismatches.size(), 1u);
  EXPECT_EQ(report->mismatches[0].symbol, Symbol("SPY"));
  EXPECT_EQ(report->mismatches[0].local, D("14"));
  EXPECT_EQ(report->mismatches[0].broker, D("9"));
  EXPECT_NE(report->summary().find("position mismatch SPY: local 14 broker 9"), std::string::npos)
      << report->summary();
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("14"));  // unchanged
}

TEST_F(RecoveryTest, AdoptBrokerPositionRecordsTheDifferenceAsAnExternalFill) {
  ASSERT_TRUE(engine.restore(state));
  broker.open = {working(2), working(3)};
  broker.positions = {{Symbol("SPY"), D("9"), D("100")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({true}, [&](ReconcileReport r) { report = r; });
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->mismatches.empty());
  ASSERT_EQ(report->adopted_positions.size(), 1u);
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("9"));
  const Order* adj = engine.order(OrderId(5));
  ASSERT_NE(adj, nullptr);
  EXPECT_EQ(adj->source(), "external");
  EXPECT_EQ(adj->side(), Side::kSell);
  EXPECT_EQ(adj->status(), OrderStatus::kFilled);
}

TEST_F(RecoveryTest, ExternalOrderAtTheBrokerIsAdopted) {
  ASSERT_TRUE(engine.restore(state));
  BrokerOrderUpdate ext;
  ext.kind = BrokerOrderUpdate::Kind::kAccepted;
  ext.broker_order_id = "P900";
  OrderRequest r = buy("7");
  ext.external = r;
  ext.external_filled = D("2");
  broker.open = {working(2), working(3), ext};
  broker.positions = {{Symbol("SPY"), D("14"), D("100.28")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({}, [&](ReconcileReport r2) { report = r2; });
  ASSERT_TRUE(report);
  ASSERT_EQ(report->adopted.size(), 1u);
  const Order* o = engine.order(report->adopted[0]);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->source(), "external");
  EXPECT_EQ(o->status(), OrderStatus::kSubmitted);
  EXPECT_EQ(o->qty(), D("5"));
  EXPECT_EQ(o->broker_order_id(), "P900");
  EXPECT_EQ(broker.adopted.back(), o->id());
  // Its later fills reach it like any order's.
  broker.events->on_execution(exec(o->id().value(), "5", "99", "X1"));
  EXPECT_EQ(o->status(), OrderStatus::kFilled);
  EXPECT_EQ(engine.portfolio().position_qty(Symbol("SPY")), D("19"));
}

TEST_F(RecoveryTest, ClosingOrderNotRoutedBeforeTheCrashIsReplacedByWhatThePositionNeedsNow) {
  StoredOrder flat = stored(4, OrderStatus::kQueued, "20");
  flat.request.side = Side::kSell;
  flat.request.type = OrderType::kMarket;
  flat.request.limit_price.reset();
  flat.request.source = "flatten";
  state.orders[3] = flat;
  ASSERT_TRUE(engine.restore(state));
  broker.open = {working(2), working(3)};
  broker.positions = {{Symbol("SPY"), D("14"), D("100.28")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({}, [&](ReconcileReport r) { report = r; });
  ASSERT_TRUE(report);
  EXPECT_EQ(engine.order(OrderId(4))->status(), OrderStatus::kCancelled);
  // 14 held: a new closing sell of 14 (not the stale 20), sent at once.
  ASSERT_EQ(broker.submitted.size(), 1u);
  const Order* close = engine.order(broker.submitted[0]);
  EXPECT_EQ(close->source(), "flatten");
  EXPECT_EQ(close->side(), Side::kSell);
  EXPECT_EQ(close->qty(), D("14"));
}

TEST_F(RecoveryTest, ReconciliationWaitsForTheBroker) {
  broker.is_connected = false;
  ASSERT_TRUE(engine.restore(state));
  broker.open = {working(2), working(3)};
  broker.positions = {{Symbol("SPY"), D("14"), D("100.28")}};
  std::optional<ReconcileReport> report;
  engine.reconcile({}, [&](ReconcileReport r) { report = r; });
  EXPECT_FALSE(report);
  EXPECT_TRUE(engine.reconciling());
  broker.is_connected = true;
  engine.on_connection(true, "up");
  ASSERT_TRUE(report);
  EXPECT_FALSE(engine.reconciling());
}

}  // namespace
}  // namespace td
