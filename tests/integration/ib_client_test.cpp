// The IB client (brokers/ib/client) in this process against tradingd-ibsim
// over real TCP: the engine, IbBroker, IbSession and IbMarketData as the
// daemon wires them, the simulator as the gateway, its control channel as
// the fault injector. No sleeps: the test runs the engine's io_context until
// a condition holds or a deadline passes.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "brokers/ib/client/contract_for.h"
#include "brokers/ib/client/ib_broker.h"
#include "brokers/ib/client/ib_market_data.h"
#include "brokers/ib/client/ib_session.h"
#include "brokers/ib/wire/handshake.h"
#include "core/engine.h"
#include "daemon/asio_scheduler.h"
#include "tests/integration/ibsim_process.h"

namespace td {
namespace {

using namespace std::chrono_literals;
using testing::IbSimProcess;

// One daemon-side IB stack on its own io_context (the engine thread is the test's).
class Client {
 public:
  explicit Client(int port, int64_t high_water = 0, Duration heartbeat = 30s) : sched_(io_) {
    ib::IbSessionOptions so;
    so.connection.port = static_cast<uint16_t>(port);
    so.connection.client_id = 7;
    so.connection.connect_timeout = 5s;
    so.connection.heartbeat_interval = heartbeat;
    so.connection.heartbeat_timeout = 2s;
    so.backoff_initial = 100ms;  // the sequence, not the wait, is under test
    so.backoff_max = 400ms;
    session_ = std::make_unique<ib::IbSession>(io_, sched_, so);
    Instrument spy;
    spy.symbol = Symbol("SPY");
    std::map<Symbol, ib::Contract> contracts{{spy.symbol, ib::contract_for(spy)}};
    ib::IbBrokerOptions bo;
    bo.client_id = 7;
    bo.contracts = contracts;
    bo.persisted_high_water = high_water;
    bo.persist_order_id = [this](int64_t ib_id, OrderId) {
      persisted_ = ib_id;
      return Status{};
    };
    broker_ = std::make_unique<ib::IbBroker>(*session_, bo);
    ib::IbMarketDataOptions mo;
    mo.contracts = contracts;
    mo.bar_interval = 5s;
    market_ = std::make_unique<ib::IbMarketData>(*session_, mo);
    engine_ = std::make_unique<Engine>(sched_, *broker_);
    (void)engine_->add_instrument(spy);
    market_->add_handler(engine_.get());
    market_->start();
    session_->start();
  }
  ~Client() {
    market_->stop();
    session_->stop();
    sched_.cancel_all();
  }

  // Runs the engine thread until pred() holds; false after `limit`.
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      if (io_.stopped()) io_.restart();
      io_.run_one_for(20ms);
    }
    return true;
  }
  const Order* submit(OrderRequest r) {
    auto out = engine_->submit(std::move(r));
    return out ? out->order : nullptr;
  }
  static OrderRequest market(Side side, int qty) {
    OrderRequest r;
    r.symbol = Symbol("SPY");
    r.side = side;
    r.qty = Decimal::from_int(qty);
    return r;
  }
  static OrderRequest limit(Side side, int qty, const char* price) {
    OrderRequest r = market(side, qty);
    r.type = OrderType::kLimit;
    r.limit_price = Decimal::parse(price).value();
    r.tif = TimeInForce::kGtc;
    return r;
  }

  Engine& engine() { return *engine_; }
  ib::IbBroker& broker() { return *broker_; }
  ib::IbMarketData& market() { return *market_; }
  ib::IbSession& session() { return *session_; }
  int64_t persisted() const { return persisted_; }

 private:
  boost::asio::io_context io_;
  daemon::AsioScheduler sched_;
  std::unique_ptr<ib::IbSession> session_;
  std::unique_ptr<ib::IbBroker> broker_;
  std::unique_ptr<ib::IbMarketData> market_;
  std::unique_ptr<Engine> engine_;
  int64_t persisted_ = 0;
};

bool is(const Order* o, OrderStatus s) {
  return o && o->status() == s;
}

// The simulator's record of our order (by orderRef "td-<id>").
nlohmann::json sim_order(IbSimProcess& sim, const Order* o) {
  for (const auto& j : sim.orders())
    if (j.value("order_ref", "") == "td-" + o->id().to_string()) return j;
  return {};
}

TEST(IbClient, MarketOrderFillsWithCommissionAndPositionAndAccountValues) {
  IbSimProcess sim;
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  const Order* o = c.submit(Client::market(Side::kBuy, 10));
  ASSERT_TRUE(o);
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kFilled); })) << to_string(o->status());
  ASSERT_EQ(o->fills().size(), 1u);
  EXPECT_GT(o->commission(), Decimal());  // the commissionReport joined by execId
  EXPECT_EQ(c.engine().portfolio().position_qty(Symbol("SPY")), Decimal::from_int(10));
  EXPECT_GE(c.persisted(), sim_order(sim, o).value("order_id", int64_t{0}));
  // IB's own view: the position and the account's values.
  ASSERT_TRUE(c.run_until([&] {
    std::vector<BrokerPosition> p;
    c.broker().request_positions([&](std::vector<BrokerPosition> v) { p = std::move(v); });
    return p.size() == 1 && p[0].qty == Decimal::from_int(10);
  }));
  ASSERT_TRUE(c.run_until([&] { return c.broker().account_values().count("NetLiquidation/USD"); }));
}

TEST(IbClient, PartialFillThenCancelKeepsTheFilledPart) {
  IbSimProcess sim({"--hold-orders"});
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  const Order* o = c.submit(Client::limit(Side::kBuy, 100, "1.00"));
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kSubmitted); }));
  const auto ib_id = sim_order(sim, o).at("order_id").get<int64_t>();
  EXPECT_EQ(sim.control("fill " + std::to_string(ib_id) + " 40").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kPartiallyFilled); }));
  EXPECT_EQ(o->filled_qty(), Decimal::from_int(40));
  ASSERT_TRUE(c.engine().cancel(o->id()));
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kCancelled); }));
  EXPECT_EQ(o->filled_qty(), Decimal::from_int(40));
  EXPECT_EQ(c.engine().portfolio().position_qty(Symbol("SPY")), Decimal::from_int(40));
}

TEST(IbClient, RejectedOrderEndsRejectedWithIbsReason) {
  IbSimProcess sim({"--reject-orders"});
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  const Order* o = c.submit(Client::market(Side::kBuy, 5));
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kRejected); }));
  const std::string reason = o->reject_reason().value_or("");
  EXPECT_NE(reason.find("201"), std::string::npos) << reason;
}

TEST(IbClient, ModifyChangesTheWorkingOrderAtIb) {
  IbSimProcess sim({"--hold-orders"});
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  const Order* o = c.submit(Client::limit(Side::kBuy, 10, "1.00"));
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kSubmitted); }));
  OrderModification m;
  m.limit_price = Decimal::parse("1.25").value();
  m.qty = Decimal::from_int(12);
  ASSERT_TRUE(c.engine().modify(o->id(), m));
  ASSERT_TRUE(c.run_until([&] { return o->request().limit_price == m.limit_price; }));
  EXPECT_EQ(o->qty(), Decimal::from_int(12));
  const auto at_ib = sim_order(sim, o);
  EXPECT_EQ(Decimal::parse(at_ib.at("qty").get<std::string>()).value(), Decimal::from_int(12));
}

TEST(IbClient, ConnectionDroppedMidOrderNoDuplicateAndFillsAppliedOnce) {
  IbSimProcess sim({"--hold-orders", "--partial-fills", "2"});
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  const Order* o = c.submit(Client::market(Side::kBuy, 10));
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kSubmitted); }));
  // The link dies, and the order fills (in two executions) while we are away.
  EXPECT_EQ(sim.control("refuse on").rfind("ok", 0), 0u);
  EXPECT_EQ(sim.control("drop").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.run_until([&] { return !c.broker().connected(); }));
  EXPECT_EQ(sim.control("fill").rfind("ok", 0), 0u);
  // An order made meanwhile waits in the engine's queue, not in a dead socket.
  const Order* later = c.submit(Client::limit(Side::kSell, 3, "9999"));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status(), OrderStatus::kQueued);
  EXPECT_EQ(sim.control("refuse off").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kFilled); }));
  EXPECT_EQ(o->fills().size(), 2u);
  EXPECT_EQ(o->filled_qty(), Decimal::from_int(10));
  EXPECT_EQ(c.engine().portfolio().position_qty(Symbol("SPY")), Decimal::from_int(10));
  EXPECT_GE(c.broker().sync_stats().executions_recovered, 2u);
  ASSERT_TRUE(c.run_until([&] { return is(later, OrderStatus::kSubmitted); }));
  const auto stats = sim.stats();
  EXPECT_EQ(stats.at("orders_received"), 2);  // each order once: nothing re-sent
  EXPECT_EQ(stats.at("error103_sent"), 0);
  // A second reconnect replays the same executions: still applied once.
  EXPECT_EQ(sim.control("drop").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.run_until([&] { return !c.broker().connected(); }));
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  EXPECT_EQ(o->fills().size(), 2u);
  EXPECT_EQ(c.engine().portfolio().position_qty(Symbol("SPY")), Decimal::from_int(10));
}

TEST(IbClient, GatewayRestartRollingNextValidIdBackCausesNo103) {
  IbSimProcess sim;
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  for (int i = 0; i < 3; ++i) {
    const Order* o = c.submit(Client::market(Side::kBuy, 1));
    ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kFilled); }));
  }
  // The nightly restart: every socket dropped, nextValidId back to 1 after it.
  EXPECT_EQ(sim.control("restart 1").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.run_until([&] { return !c.broker().connected(); }));
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  const Order* o = c.submit(Client::market(Side::kSell, 3));
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kFilled); }));
  EXPECT_EQ(sim.stats().at("error103_sent"), 0);
  EXPECT_EQ(c.engine().portfolio().position_qty(Symbol("SPY")), Decimal());
}

// A run that died with `r` sent: the order once IB has it in `at_ib`,
// stored as its row was left (`row`), and the IB id high-water mark. The
// stored id is 0 when IB never got there.
struct LastRun {
  StoredOrder stored;
  int64_t high_water = 0;
};
LastRun run_then_die(IbSimProcess& sim, OrderRequest r, OrderStatus at_ib, OrderStatus row) {
  LastRun out;
  Client first(sim.port());
  if (!first.run_until([&] { return first.broker().connected(); })) return out;
  const Order* o = first.submit(std::move(r));
  if (!first.run_until([&] { return is(o, at_ib); })) return out;
  out.stored.id = o->id();
  out.stored.request = o->request();
  out.stored.status = row;
  if (row != OrderStatus::kQueued) out.stored.broker_order_id = o->broker_order_id();
  out.high_water = first.persisted();
  return out;
}

// The next run: restores the order, reconciles; the report (none in time: nullopt).
std::optional<ReconcileReport> restore_and_reconcile(Client& c, const StoredOrder& stored) {
  RecoveredState st;
  st.next_order_id = stored.id.value() + 1;
  st.orders.push_back(stored);
  if (!c.engine().restore(st)) return std::nullopt;
  std::optional<ReconcileReport> report;
  c.engine().reconcile({}, [&](const ReconcileReport& r) { report = r; });
  c.run_until([&] { return report.has_value(); });
  return report;
}

// A cancel in flight when the daemon died: the next run restores the order
// as pending_cancel and asks IB again. The order was adopted without its IB
// order id, which only IB's openOrder/orderStatus tell; the cancel went out
// as cancelOrder 0 (error 10147) and the order kept working at IB.
TEST(IbClient, CancelOfAnOrderRestoredAfterARestartReachesIb) {
  IbSimProcess sim;
  const LastRun last = run_then_die(sim, Client::limit(Side::kBuy, 5, "1.00"),
                                    OrderStatus::kSubmitted, OrderStatus::kPendingCancel);
  ASSERT_GT(last.stored.id.value(), 0u);
  Client c(sim.port(), last.high_water);
  ASSERT_TRUE(restore_and_reconcile(c, last.stored));
  const Order* o = c.engine().order(last.stored.id);
  ASSERT_TRUE(c.run_until([&] { return is(o, OrderStatus::kCancelled); }))
      << to_string(o->status());
  EXPECT_EQ(sim_order(sim, o).value("status", ""), "Cancelled");
}

// Killed between an order's placeOrder and the commit of its pending_submit
// row: the next run restores it as queued, but IB has it and filled it. The
// execution is the broker's word that it was sent: it applies, and the
// order is not cancelled as "never routed".
TEST(IbClient, FillOfAnOrderRestoredAsQueuedIsApplied) {
  IbSimProcess sim;
  const LastRun last = run_then_die(sim, Client::market(Side::kBuy, 5), OrderStatus::kFilled,
                                    OrderStatus::kQueued);  // only its insert was committed
  ASSERT_GT(last.stored.id.value(), 0u);
  Client c(sim.port(), last.high_water);
  const auto report = restore_and_reconcile(c, last.stored);
  ASSERT_TRUE(report);
  const Order* o = c.engine().order(last.stored.id);
  EXPECT_EQ(o->status(), OrderStatus::kFilled);
  EXPECT_EQ(o->filled_qty(), Decimal::from_int(5));
  EXPECT_EQ(c.engine().portfolio().position_qty(Symbol("SPY")), Decimal::from_int(5));
  EXPECT_TRUE(report->mismatches.empty()) << report->summary();
}

TEST(IbClient, BurstOf500OrdersLeavesAtMost45PerSecondAndNoneIsLost) {
  IbSimProcess sim({"--hold-orders", "--quote-interval", "2000"});
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected(); }));
  std::vector<const Order*> orders;
  for (int i = 0; i < 500; ++i) orders.push_back(c.submit(Client::limit(Side::kBuy, 1, "1.00")));
  ASSERT_TRUE(c.run_until(
      [&] {
        for (const Order* o : orders)
          if (!is(o, OrderStatus::kSubmitted)) return false;
        return true;
      },
      40s))
      << [&] {
           std::map<std::string, int> by;
           for (const Order* o : orders) ++by[o ? std::string(to_string(o->status())) : "null"];
           std::string t;
           for (const auto& [k, n] : by) t += k + "=" + std::to_string(n) + " ";
           return t + " sent/s " + std::to_string(c.session().max_sent_in_1s()) + " " +
                  sim.stats().dump();
         }();
  const auto stats = sim.stats();
  EXPECT_EQ(stats.at("orders_received"), 500);
  // Sent at most 45 in any second; the gateway, counting on arrival (after
  // network and scheduling jitter), never sees more than its limit of 50.
  EXPECT_LE(c.session().max_sent_in_1s(), 45u);
  EXPECT_GE(c.session().max_sent_in_1s(), 40u);  // and not needlessly slower
  EXPECT_LE(stats.at("max_messages_in_1s").get<int>(), 50);
  EXPECT_EQ(stats.at("error100_sent"), 0);
  EXPECT_EQ(stats.at("open_orders"), 500);
}

TEST(IbClient, Error1101LeadsToResubscription) {
  IbSimProcess sim;
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.broker().connected() && c.market().quotes() > 0; }));
  const auto before = sim.stats().at("reqmktdata_received").get<int>();
  EXPECT_EQ(sim.control("error 1101").rfind("ok", 0), 0u);
  ASSERT_TRUE(
      c.run_until([&] { return sim.stats().at("reqmktdata_received").get<int>() > before; }));
  const uint64_t quotes = c.market().quotes();
  ASSERT_TRUE(c.run_until([&] { return c.market().quotes() > quotes; }));  // data flows again
  EXPECT_EQ(sim.stats().at("mkt_data_subscriptions"), 1);                  // replaced, not doubled
}

TEST(IbClient, MarketDataBecomesQuotesAndFiveSecondBarsBecomeStrategyBars) {
  IbSimProcess sim;
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.market().quotes() > 3; }));
  const Quote* q = c.engine().last_quote(Symbol("SPY"));
  ASSERT_TRUE(q);
  EXPECT_GT(q->bid, Decimal());
  EXPECT_GE(q->ask, q->bid);
  ASSERT_TRUE(c.run_until([&] { return c.market().bars() > 0; }, 20s));
}

TEST(IbClient, WarmUpHistoryArrivesClosedAndInOrder) {
  IbSimProcess sim;
  Client c(sim.port());
  std::optional<std::vector<Bar>> got;
  c.market().request_bars(Symbol("SPY"), 30, [&](std::vector<Bar> b) { got = std::move(b); });
  ASSERT_TRUE(c.run_until([&] { return got.has_value(); }));
  ASSERT_EQ(got->size(), 30u);
  for (size_t i = 1; i < got->size(); ++i) EXPECT_LT((*got)[i - 1].time, (*got)[i].time);
  EXPECT_LE(got->back().close_time(), RealClock().now());
}

TEST(IbClient, ServerBelowVersion176IsRefusedWithAClearError) {
  IbSimProcess sim({"--max-version", "150"});
  Client c(sim.port());
  ASSERT_TRUE(c.run_until([&] { return c.session().attempts() >= 2; }));
  EXPECT_FALSE(c.broker().connected());
  EXPECT_NE(c.session().last_error().find("150"), std::string::npos) << c.session().last_error();
  EXPECT_NE(c.session().last_error().find("176"), std::string::npos) << c.session().last_error();
}

}  // namespace
}  // namespace td

namespace td {
namespace {

// A gateway that answers the handshake and then sends a frame longer than
// the protocol allows: the connection is dropped with a clear reason and
// tried again, never a crash or a half-read stream.
TEST(IbClientBadInput, OversizedFrameResetsTheConnection) {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  asio::io_context io;
  daemon::AsioScheduler sched(io);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  int accepted = 0;
  std::function<void()> accept_one;
  std::vector<std::shared_ptr<tcp::socket>> peers;
  std::string hello = ib::wire::encode_server_hello({178, "20261121 12:00:00 UTC"}).value();
  const std::string oversized("\xff\xff\xff\xff", 4);
  accept_one = [&] {
    auto sock = std::make_shared<tcp::socket>(io);
    acceptor.async_accept(*sock, [&, sock](const boost::system::error_code& ec) {
      if (ec) return;
      ++accepted;
      peers.push_back(sock);
      auto buf = std::make_shared<std::array<char, 64>>();
      // The client's "API\0" + version frame arrive first; then the reply.
      sock->async_read_some(asio::buffer(*buf),
                            [&, sock, buf](const boost::system::error_code& e, size_t) {
                              if (e) return;
                              auto out = std::make_shared<std::string>(hello + oversized);
                              asio::async_write(*sock, asio::buffer(*out), [out](auto, size_t) {});
                            });
      accept_one();
    });
  };
  accept_one();
  ib::IbSessionOptions so;
  so.connection.port = acceptor.local_endpoint().port();
  so.backoff_initial = 50ms;
  so.backoff_max = 100ms;
  ib::IbSession session(io, sched, so);
  session.start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (accepted < 2 && std::chrono::steady_clock::now() < deadline) io.run_one_for(20ms);
  EXPECT_GE(accepted, 2);  // dropped, then reconnected
  EXPECT_NE(session.last_error().find("malformed frame"), std::string::npos)
      << session.last_error();
  EXPECT_FALSE(session.ready());
  session.stop();
  sched.cancel_all();
}

}  // namespace
}  // namespace td
