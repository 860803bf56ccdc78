// PgStore against a real cluster: a real Engine's events (orders through
// every status, fills with account and strategy positions) plus state and
// telemetry records go in; load_state and the tables give back exactly what
// went in. The committed watermark only moves forward and only after
// COMMIT; duplicate client_order_ids are told apart from a batch sent again;
// commit-per-row mode writes the same rows as batched mode.
#include <gtest/gtest.h>

#include "core/engine.h"
#include "core/scheduler.h"
#include "persistence/migrations.h"
#include "persistence/pg_store.h"
#include "persistence/recovery_loader.h"
#include "tests/integration/store_test_support.h"

namespace td::test {
namespace {

using persistence::PgConn;
using persistence::PgStore;
using persistence::PgStoreOptions;
using persistence::StoreWriteMode;

Decimal D(const char* s) {
  return *Decimal::parse(s);
}
const Timestamp kT0 = from_unix_seconds(1'800'000'000);

class Idle final : public Strategy {
 public:
  const std::vector<Symbol>& symbols() const override { return symbols_; }
  size_t warmup_bars() const override { return 0; }
  void on_bar(const Bar&, StrategyContext&) override {}

 private:
  std::vector<Symbol> symbols_{Symbol("SPY")};
};

// Remembers the last seq the engine published.
class LastSeq final : public EventSink {
 public:
  void on_event(const Event& e) override { seq = e.seq; }
  uint64_t seq = 0;
};

// An engine (hand broker, one idle strategy "s1") whose events go to a
// PgStore in the given mode; the test thread is the engine thread.
struct Rig {
  Rig(const std::string& dsn, StoreWriteMode mode) : sched(kT0), engine(sched, broker) {
    Instrument spy;
    spy.symbol = Symbol("SPY");
    EXPECT_TRUE(engine.add_instrument(spy));
    Instrument es;
    es.symbol = Symbol("ES");
    es.multiplier = Decimal::from_int(50);
    es.tick = D("0.25");
    EXPECT_TRUE(engine.add_instrument(es));
    EXPECT_TRUE(engine.add_strategy("s1", "idle", std::make_unique<Idle>()));
    PgStoreOptions o;
    o.dsn = dsn;
    o.post = posted.poster();
    o.engine = &engine;
    o.mode = mode;
    store = std::make_unique<PgStore>(o);
    store->set_listener(&listener);
    engine.add_sink(&last);
    engine.add_sink(store.get());
  }
  ~Rig() { (void)store->flush_and_stop(); }

  OrderId submit(OrderRequest r) {
    auto out = engine.submit(std::move(r));
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    return out ? out->order->id() : OrderId();
  }
  void accept(OrderId id) {
    update(BrokerOrderUpdate::Kind::kAccepted, id, "", "B" + id.to_string());
  }
  void update(BrokerOrderUpdate::Kind k, OrderId id, std::string reason = "",
              std::string broker_id = "") {
    sched.sim_clock().advance(std::chrono::milliseconds(3));
    BrokerOrderUpdate u;
    u.kind = k;
    u.order_id = id;
    u.broker_order_id = std::move(broker_id);
    u.reason = std::move(reason);
    u.time = sched.now();
    broker.events->on_order_update(u);
  }
  void fill(OrderId id, Side side, const char* qty, const char* price, std::string exec,
            const char* commission) {
    sched.sim_clock().advance(std::chrono::milliseconds(3));
    const Order* o = engine.order(id);
    broker.events->on_execution(
        {id, "", std::move(exec), o->symbol(), side, D(qty), D(price), D(commission), sched.now()});
  }
  bool all_committed(Duration timeout = std::chrono::seconds(15)) {
    return posted.pump_until([&] { return listener.last_committed() == last.seq; }, timeout);
  }

  HandBroker broker;
  SimScheduler sched;
  Engine engine;
  PostedQueue posted;
  RecordingListener listener;
  LastSeq last;
  std::unique_ptr<PgStore> store;
};

OrderRequest req(const char* symbol, Side side, const char* qty, std::string client_id,
                 std::string source = "api") {
  OrderRequest r;
  r.symbol = Symbol(symbol);
  r.side = side;
  r.qty = D(qty);
  r.client_order_id = std::move(client_id);
  r.source = std::move(source);
  return r;
}

// Orders through every status, fills that open, add to, reduce and flip
// positions (one a strategy's), and every kind of state record.
void run_flow(Rig& rig) {
  using K = BrokerOrderUpdate::Kind;
  auto a = req("SPY", Side::kBuy, "10", "a-1");
  a.type = OrderType::kLimit;
  a.limit_price = D("450.25");
  const OrderId ida = rig.submit(a);
  rig.accept(ida);
  rig.fill(ida, Side::kBuy, "4", "450.12345678", "e1", "0.35");
  rig.fill(ida, Side::kBuy, "6", "450.25", "e2", "0.65");

  const OrderId idb = rig.submit(req("SPY", Side::kSell, "13", "b-1", "strategy:s1"));
  rig.accept(idb);
  rig.fill(idb, Side::kSell, "13", "451.00000001", "e3", "1.01");

  auto c = req("ES", Side::kSell, "2", "c-1");
  c.type = OrderType::kLimit;
  c.limit_price = D("5000.25");
  c.tif = TimeInForce::kGtc;
  const OrderId idc = rig.submit(c);
  rig.accept(idc);
  rig.fill(idc, Side::kSell, "1", "5000.25", "e4", "2.25");
  EXPECT_TRUE(rig.engine.cancel(idc));
  rig.update(K::kCancelled, idc);

  const OrderId idd = rig.submit(req("ES", Side::kBuy, "1", "d-1"));
  // Quotes, backslashes, commas, braces and NULL travel inside array
  // parameters (the update and the event row): they come back as they went.
  rig.update(K::kRejected, idd, R"(no "margin", {x}\y NULL é)");

  auto e = req("SPY", Side::kBuy, "5", "e-1");
  e.type = OrderType::kLimit;
  e.limit_price = D("400.01");
  const OrderId ide = rig.submit(e);
  rig.accept(ide);
  EXPECT_TRUE(rig.engine.modify(ide, OrderModification{D("7"), D("400.02"), std::nullopt}));
  rig.update(K::kModified, ide);

  auto f = req("SPY", Side::kSell, "1", "f-1");
  f.type = OrderType::kStopLimit;
  f.stop_price = D("390.5");
  f.limit_price = D("390.25");
  f.outside_rth = true;
  f.reduce_only = true;
  f.submit_at = kT0 + std::chrono::hours(2);
  (void)rig.submit(f);  // scheduled: stays queued

  rig.store->record_kv("risk.kill_switch", R"({"engaged":false})");
  rig.store->record_kv(std::string(persistence::kStrategyEnabledKeyPrefix) + "s1", "false");
  rig.store->record_kv("risk.kill_switch", R"({"engaged":true,"by":"api:ops"})");
  rig.store->record_audit(kT0, "api:ops", "kill_switch.engage", "reason: test", 200);
  rig.store->record_audit(kT0 + std::chrono::seconds(1), "api:ops", "orders.submit", "bad body",
                          400);
  rig.store->record_equity(
      {kT0, D("100123.45678901"), D("95000.5"), D("12.34"), D("-0.5"), D("4.26")});
  rig.store->record_daily_pnl(
      {kT0 - std::chrono::hours(5), D("12.34"), D("4.26"), D("100123.45678901")});
}

void expect_same(const StoredOrder& s, const Order& o) {
  SCOPED_TRACE("order " + o.id().to_string());
  EXPECT_EQ(s.id, o.id());
  const OrderRequest &a = s.request, &b = o.request();
  EXPECT_EQ(a.symbol, b.symbol);
  EXPECT_EQ(a.side, b.side);
  EXPECT_EQ(a.qty, b.qty);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.limit_price, b.limit_price);
  EXPECT_EQ(a.stop_price, b.stop_price);
  EXPECT_EQ(a.tif, b.tif);
  EXPECT_EQ(a.client_order_id, b.client_order_id);
  EXPECT_EQ(a.outside_rth, b.outside_rth);
  EXPECT_EQ(a.reduce_only, b.reduce_only);
  EXPECT_EQ(a.submit_at, b.submit_at);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(s.status, o.status());
  EXPECT_EQ(s.filled_qty, o.filled_qty());
  EXPECT_EQ(s.avg_fill_price, o.avg_fill_price());
  EXPECT_EQ(s.commission, o.commission());
  EXPECT_EQ(s.broker_order_id, o.broker_order_id());
  EXPECT_EQ(s.reject_reason, o.reject_reason());
  EXPECT_EQ(s.created_at, o.created_at());
  EXPECT_EQ(s.updated_at, o.updated_at());
}

void expect_same(const StoredPosition& s, const Position& p) {
  SCOPED_TRACE("position " + p.symbol().str());
  EXPECT_EQ(s.symbol, p.symbol());
  EXPECT_EQ(s.qty, p.qty());
  EXPECT_EQ(s.cost_basis, p.cost_basis());
  EXPECT_EQ(s.realized, p.realized_pnl());
  EXPECT_EQ(s.commissions, p.commissions());
  EXPECT_EQ(s.opened_at, p.opened_at());
}

class StoreWriter : public StoreClusterTest {};

TEST_F(StoreWriter, RoundTripThroughLoadState) {
  const std::string dsn = migrated_database();
  Rig rig(dsn, StoreWriteMode::kBatched);
  ASSERT_TRUE(rig.store->start());
  EXPECT_TRUE(rig.store->writable());
  rig.engine.start();
  run_flow(rig);
  ASSERT_TRUE(rig.all_committed());
  ASSERT_TRUE(rig.store->flush_and_stop());
  EXPECT_TRUE(rig.listener.duplicates.empty());
  EXPECT_TRUE(rig.listener.states.empty());  // never down

  PgConn c = connect(dsn);
  persistence::LoadOptions lo;
  lo.now = rig.sched.now();
  // The session starts at the strategy's sell: the buys before it realized nothing.
  lo.session_start = rig.engine.order_by_client_id("b-1")->fills().front().time;
  auto st = persistence::load_state(c, lo);
  ASSERT_TRUE(st) << st.error().message;

  const Engine& eng = rig.engine;
  EXPECT_EQ(st->next_order_id, eng.orders().rbegin()->first.value() + 1);
  EXPECT_EQ(st->next_event_seq, rig.last.seq + 1);
  ASSERT_EQ(st->orders.size(), eng.orders().size());
  size_t i = 0;
  std::vector<Fill> fills;
  for (const auto& [id, o] : eng.orders()) {
    expect_same(st->orders[i++], *o);
    for (const Fill& f : o->fills()) fills.push_back(f);
  }
  std::sort(fills.begin(), fills.end(), [](auto& a, auto& b) { return a.id < b.id; });
  EXPECT_EQ(st->next_fill_id, fills.back().id.value() + 1);
  ASSERT_EQ(st->fills.size(), fills.size());
  Decimal session_realized_commission;
  for (size_t k = 0; k < fills.size(); ++k) {
    const Fill &a = st->fills[k], &b = fills[k];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.order_id, b.order_id);
    EXPECT_EQ(a.symbol, b.symbol);
    EXPECT_EQ(a.side, b.side);
    EXPECT_EQ(a.qty, b.qty);
    EXPECT_EQ(a.price, b.price);
    EXPECT_EQ(a.commission, b.commission);
    EXPECT_EQ(a.time, b.time);
    EXPECT_EQ(a.broker_exec_id, b.broker_exec_id);
    EXPECT_EQ(a.source, b.source);
    if (b.time >= lo.session_start) session_realized_commission += b.commission;
  }
  EXPECT_EQ(st->last_execution, fills.back().time);

  const Portfolio& pf = eng.portfolio();
  ASSERT_EQ(st->positions.size(), pf.holdings().size());
  for (const auto& p : st->positions) expect_same(p, pf.holding(p.symbol)->position);
  EXPECT_EQ(st->realized, pf.realized());
  EXPECT_EQ(st->commissions, pf.commissions());
  EXPECT_EQ(st->session_start, lo.session_start);
  EXPECT_EQ(st->session_commissions, session_realized_commission);
  EXPECT_EQ(st->session_realized, pf.realized());
  EXPECT_FALSE(pf.realized().is_zero());

  const auto* book = eng.strategy_book("s1");
  ASSERT_NE(book, nullptr);
  ASSERT_EQ(st->strategy_positions.size(), 1u);
  ASSERT_EQ(st->strategy_positions["s1"].size(), book->size());
  for (const auto& p : st->strategy_positions["s1"]) expect_same(p, book->at(p.symbol));

  EXPECT_EQ(st->kv.at("risk.kill_switch"), R"({"engaged":true,"by":"api:ops"})");
  EXPECT_EQ(st->kv.size(), 2u);
  EXPECT_EQ(st->strategy_enabled, (std::map<std::string, bool>{{"s1", false}}));

  EXPECT_EQ(scalar(c,
                   "SELECT string_agg(concat_ws('|', id, time_ns, actor, action, detail, "
                   "status), ';' ORDER BY id) FROM api_audit"),
            "1|1800000000000000000|api:ops|kill_switch.engage|reason: test|200;"
            "2|1800000001000000000|api:ops|orders.submit|bad body|400");
  EXPECT_EQ(scalar(c,
                   "SELECT concat_ws('|', time_ns, equity, cash, realized, unrealized, "
                   "commissions) FROM equity_snapshots"),
            "1800000000000000000|100123.45678901|95000.5|12.34|-0.5|4.26");
  EXPECT_EQ(scalar(c,
                   "SELECT concat_ws('|', session_start_ns, realized, commissions, "
                   "equity_close) FROM daily_pnl"),
            "1799982000000000000|12.34|4.26|100123.45678901");
  EXPECT_EQ(scalar(c, "SELECT count(*) FROM events"), std::to_string(rig.last.seq));
  EXPECT_EQ(scalar(c, "SELECT detail FROM events WHERE kind = 'fill' ORDER BY seq LIMIT 1"),
            "filled buy 4 SPY @ 450.12345678");
  EXPECT_EQ(scalar(c, "SELECT string_agg(DISTINCT kind, ',') FROM events"), "fill,order,strategy");
}

TEST_F(StoreWriter, WatermarkIsMonotonicAndFollowsCommit) {
  const std::string dsn = migrated_database();
  PostedQueue posted;
  RecordingListener listener;
  PgConn observer = connect(dsn);
  // When the engine hears of seq N, a second connection sees every event up
  // to N: the callback came after COMMIT.
  std::vector<std::string> seen_wrong;
  listener.on_commit = [&](uint64_t seq) {
    const std::string n =
        scalar(observer, "SELECT count(*) FROM events WHERE seq <= " + std::to_string(seq));
    if (n != std::to_string(seq)) seen_wrong.push_back(std::to_string(seq) + ":" + n);
  };
  PgStoreOptions o;
  o.dsn = dsn;
  o.post = posted.poster();
  o.max_batch = 300;
  PgStore store(o);
  store.set_listener(&listener);
  ASSERT_TRUE(store.start());
  HandEvents ev;
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 150; ++k) {
      const uint64_t id = static_cast<uint64_t>(round * 150 + k + 1);
      store.on_event(ev.created(id, "w-" + std::to_string(id)));
      if (k % 3 == 0) store.on_event(ev.changed(OrderStatus::kPendingSubmit));
    }
    posted.run_posted();
  }
  ASSERT_TRUE(posted.pump_until([&] { return listener.last_committed() == ev.last_seq(); }));
  EXPECT_TRUE(seen_wrong.empty()) << seen_wrong.front();
  EXPECT_TRUE(std::is_sorted(listener.committed.begin(), listener.committed.end()));
  EXPECT_EQ(std::adjacent_find(listener.committed.begin(), listener.committed.end()),
            listener.committed.end());
  EXPECT_GT(listener.committed.size(), 1u);
  const auto s = store.stats();
  EXPECT_EQ(s.committed_seq, ev.last_seq());
  EXPECT_EQ(s.pending, 0u);
  EXPECT_EQ(s.records, ev.last_seq());
  EXPECT_TRUE(s.connected);
  EXPECT_EQ(scalar(observer, "SELECT count(*) FROM orders WHERE status = 'pending_submit'"),
            "1000");
}

TEST_F(StoreWriter, DuplicateClientOrderIdIsNotAReplay) {
  const std::string dsn = migrated_database();
  PostedQueue posted;
  RecordingListener listener;
  PgStoreOptions o;
  o.dsn = dsn;
  o.post = posted.poster();
  {
    PgStore first(o);
    ASSERT_TRUE(first.start());
    HandEvents ev;
    first.on_event(ev.created(1, "dup"));
    ASSERT_TRUE(first.flush_and_stop());
  }
  PgStore store(o);
  store.set_listener(&listener);
  ASSERT_TRUE(store.start());
  HandEvents ev(10);
  // A restart that did not load order 1 makes order 7 with the same client id...
  store.on_event(ev.created(7, "dup"));
  store.on_event(ev.changed(OrderStatus::kPendingSubmit));
  // ...the same insert as before sent again (a batch retried): not a duplicate...
  store.on_event(ev.created(1, "dup"));
  // ...and an id that another client id already has.
  store.on_event(ev.created(1, "other"));
  ASSERT_TRUE(posted.pump_until([&] { return listener.last_committed() == ev.last_seq(); }));
  using P = std::pair<OrderId, OrderId>;
  EXPECT_EQ(listener.duplicates,
            (std::vector<P>{{OrderId(7), OrderId(1)}, {OrderId(1), OrderId(1)}}));
  PgConn c = connect(dsn);
  EXPECT_EQ(scalar(c,
                   "SELECT string_agg(id || ':' || client_order_id || ':' || status, ',') "
                   "FROM orders"),
            "1:dup:queued");
}

TEST_F(StoreWriter, DuplicateIsReportedBeforeTheCommitThatCoversIt) {
  const std::string dsn = migrated_database();
  PostedQueue posted;
  std::vector<std::string> calls;
  RecordingListener listener;
  PgStoreOptions o;
  o.dsn = dsn;
  o.post = posted.poster();
  PgStore store(o);
  ASSERT_TRUE(store.start());
  HandEvents ev;
  store.on_event(ev.created(1, "same"));
  ASSERT_TRUE(store.flush_and_stop());
  PgStore again(o);
  again.set_listener(&listener);
  listener.on_commit = [&](uint64_t seq) {
    calls.push_back("commit " + std::to_string(seq) + " after " +
                    std::to_string(listener.duplicates.size()) + " duplicate(s)");
  };
  ASSERT_TRUE(again.start());
  HandEvents ev2(2);
  again.on_event(ev2.created(2, "same"));
  ASSERT_TRUE(posted.pump_until([&] { return listener.last_committed() == 2; }));
  EXPECT_EQ(calls, std::vector<std::string>{"commit 2 after 1 duplicate(s)"});
}

// What the store kept is what a restarted engine needs: Engine::restore of
// load_state gives back the same orders, account and strategy book.
TEST_F(StoreWriter, RestoredEngineMatchesTheOneThatWrote) {
  const std::string dsn = migrated_database();
  Rig rig(dsn, StoreWriteMode::kBatched);
  ASSERT_TRUE(rig.store->start());
  rig.engine.start();
  run_flow(rig);
  ASSERT_TRUE(rig.all_committed());
  PgConn c = connect(dsn);
  persistence::LoadOptions lo{rig.sched.now()};
  lo.session_start = rig.engine.portfolio().session_start();
  auto st = persistence::load_state(c, lo);
  ASSERT_TRUE(st) << st.error().message;

  Rig again(dsn, StoreWriteMode::kBatched);  // same instruments and strategy
  ASSERT_TRUE(again.engine.restore(*st));
  const Engine &a = rig.engine, &b = again.engine;
  ASSERT_EQ(b.orders().size(), a.orders().size());
  for (const auto& [id, o] : a.orders()) {
    const Order* r = b.order(id);
    ASSERT_NE(r, nullptr);
    expect_same(persistence::stored_order(*r), *o);
    EXPECT_EQ(r->fills().size(), o->fills().size());
  }
  EXPECT_EQ(b.open_order_ids(), a.open_order_ids());
  EXPECT_EQ(b.portfolio().realized(), a.portfolio().realized());
  EXPECT_EQ(b.portfolio().commissions(), a.portfolio().commissions());
  for (const auto& [sym, h] : a.portfolio().holdings())
    expect_same(persistence::stored_position(b.portfolio().holding(sym)->position), h.position);
  for (const auto& [sym, p] : *a.strategy_book("s1"))
    expect_same(persistence::stored_position(b.strategy_book("s1")->at(sym)), p);
  EXPECT_FALSE(b.strategies().front().enabled);  // kv strategy.enabled.s1 = false
}

// The engine wired to the store (Engine::set_store): an order reaches the
// broker only once its row is committed, as a second connection sees it.
TEST_F(StoreWriter, EngineSendsOnlyCommittedOrders) {
  const std::string dsn = migrated_database();
  HandBroker broker;
  SimScheduler sched(kT0);
  Engine engine(sched, broker);
  Instrument spy;
  spy.symbol = Symbol("SPY");
  ASSERT_TRUE(engine.add_instrument(spy));
  PostedQueue posted;
  PgStoreOptions o;
  o.dsn = dsn;
  o.post = posted.poster();
  o.engine = &engine;
  PgStore store(o);
  ASSERT_TRUE(store.start());
  engine.set_store(&store);
  PgConn observer = connect(dsn);
  std::vector<std::string> sent;  // client id: rows seen when the broker got it
  broker.on_submit = [&](const Order& order) {
    sent.push_back(order.client_order_id() + ":" +
                   scalar(observer, "SELECT count(*) FROM orders WHERE client_order_id = '" +
                                        order.client_order_id() + "'"));
  };
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(engine.submit(req("SPY", Side::kBuy, "1", "p-" + std::to_string(i))));
  EXPECT_TRUE(sent.empty());  // nothing goes out before the commit is heard
  ASSERT_TRUE(posted.pump_until([&] { return sent.size() == 20; }));
  for (const auto& s : sent) EXPECT_EQ(s.substr(s.find(':')), ":1") << s;
  EXPECT_TRUE(store.flush_and_stop());
}

// Every table's rows as text, for comparing two databases.
std::string dump(PgConn& c) {
  std::string out;
  for (const char* q :
       {"SELECT * FROM events ORDER BY seq", "SELECT * FROM orders ORDER BY id",
        "SELECT * FROM fills ORDER BY id", "SELECT * FROM positions ORDER BY symbol",
        "SELECT * FROM strategy_positions ORDER BY strategy, symbol",
        "SELECT key, value FROM kv ORDER BY key", "SELECT * FROM api_audit ORDER BY id",
        "SELECT * FROM equity_snapshots ORDER BY time_ns",
        "SELECT * FROM daily_pnl ORDER BY session_start_ns"}) {
    auto r = c.query(q);
    EXPECT_TRUE(r) << q;
    if (!r) continue;
    out += std::string(q) + "\n";
    for (int i = 0; i < r->rows(); ++i) {
      for (int j = 0; j < r->cols(); ++j)
        out += (r->is_null(i, j) ? std::string("NULL") : std::string(r->get(i, j))) + "|";
      out += "\n";
    }
  }
  return out;
}

TEST_F(StoreWriter, PerRowModeWritesTheSameRowsAsBatched) {
  std::string dumps[2];
  int i = 0;
  for (auto mode : {StoreWriteMode::kBatched, StoreWriteMode::kPerRow}) {
    const std::string dsn = cluster_->create_database(i == 0 ? "t_batched" : "t_per_row");
    {
      PgConn c = connect(dsn);
      ASSERT_TRUE(persistence::migrate(c));
    }
    Rig rig(dsn, mode);
    ASSERT_TRUE(rig.store->start());
    run_flow(rig);
    ASSERT_TRUE(rig.all_committed());
    ASSERT_TRUE(rig.store->flush_and_stop());
    if (mode == StoreWriteMode::kPerRow) {  // one commit, and one watermark, per event
      EXPECT_EQ(rig.listener.committed.size(), rig.last.seq);
    }
    PgConn c = connect(dsn);
    dumps[i++] = dump(c);
  }
  EXPECT_EQ(dumps[0], dumps[1]);
  EXPECT_NE(dumps[0].find("450.12345678"), std::string::npos);
}

}  // namespace
}  // namespace td::test
