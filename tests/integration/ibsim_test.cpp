// tradingd-ibsim over real sockets: a raw TWS API client built on the wire
// codec (no mocks), and the simulator's control channel for faults.
#include <fmt/chrono.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <functional>
#include <optional>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/codec.h"
#include "brokers/ib/wire/frame_reader.h"
#include "brokers/ib/wire/handshake.h"
#include "tests/integration/ibsim_process.h"
#include "tests/integration/raw_tws_client.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;

ib::ReqMktData mkt_data(int64_t req_id, ib::Contract contract) {
  ib::ReqMktData m;
  m.req_id = req_id;
  m.contract = std::move(contract);
  return m;
}

ib::ReqHistoricalData history(int64_t req_id, std::string end, std::string bar_size,
                              std::string duration, int32_t format_date) {
  ib::ReqHistoricalData m;
  m.req_id = req_id;
  m.contract = spy();
  m.end_date_time = std::move(end);
  m.bar_size = std::move(bar_size);
  m.duration = std::move(duration);
  m.what_to_show = "TRADES";
  m.format_date = format_date;
  return m;
}

bool is_status(const ib::OrderStatus& s, const char* status) {
  return s.status == status;
}

TEST(IbSim, HandshakeAndStartApiGiveManagedAccountsAndNextValidId) {
  IbSimProcess sim({"--next-valid-id", "1000", "--account", "DU7654321"});
  RawClient c(sim.port());
  auto h = c.hello();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->version, 178);
  // Nothing before startApi.
  EXPECT_FALSE(c.next(300ms));
  c.send(ib::StartApi{.client_id = 5, .optional_capabilities = {}});
  auto accounts = c.wait<ib::ManagedAccounts>();
  ASSERT_TRUE(accounts);
  EXPECT_EQ(accounts->accounts, "DU7654321");
  auto id = c.wait<ib::NextValidId>();
  ASSERT_TRUE(id);
  EXPECT_EQ(id->order_id, 1000);
  EXPECT_TRUE(c.wait_error(2104));
  c.send(ib::ReqCurrentTime{});
  EXPECT_TRUE(c.wait<ib::CurrentTime>());
}

TEST(IbSim, OldServerVersionIsAnsweredSoTheClientCanRefuseIt) {
  IbSimProcess sim({"--max-version", "150"});
  RawClient c(sim.port());
  auto h = c.hello();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->version, 150);
  EXPECT_FALSE(ib::check_server_version(h->version));
}

TEST(IbSim, NonOverlappingVersionsCloseWithoutReply) {
  IbSimProcess sim;
  RawClient c(sim.port());
  EXPECT_FALSE(c.hello({.min_version = 100, .max_version = 160, .options = ""}));
  EXPECT_TRUE(c.eof());
}

TEST(IbSim, DuplicateClientIdGets326AndIsClosed) {
  IbSimProcess sim;
  RawClient a(sim.port());
  ASSERT_GT(a.start(3), 0);
  RawClient b(sim.port());
  ASSERT_TRUE(b.hello());
  b.send(ib::StartApi{.client_id = 3, .optional_capabilities = {}});
  EXPECT_TRUE(b.wait_error(326));
  EXPECT_TRUE(b.closed_within(3s));
}

TEST(IbSim, MarketOrderFillsInIbsSequence) {
  IbSimProcess sim({"--quote-interval", "20"});
  RawClient c(sim.port());
  const int64_t id = c.start(1);
  ASSERT_GT(id, 0);
  c.send(order(id, "BUY", 100));
  auto filled = c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Filled"); });
  ASSERT_TRUE(filled);
  EXPECT_EQ(filled->filled, Decimal::from_int(100));
  EXPECT_TRUE(filled->remaining.is_zero());
  auto final_order = c.wait<ib::OpenOrder>();
  ASSERT_TRUE(final_order);
  EXPECT_EQ(final_order->status, "Filled");
  // openOrder, orderStatus, ..., execDetails, commissionReport, orderStatus Filled.
  std::vector<size_t> kinds;
  for (auto& m : c.seen()) kinds.push_back(m.index());
  auto at = [&](size_t from, size_t kind) {
    for (size_t i = from; i < kinds.size(); ++i)
      if (kinds[i] == kind) return i;
    return kinds.size();
  };
  const IncomingMessage probe_oo = ib::OpenOrder{}, probe_os = ib::OrderStatus{},
                        probe_ex = ib::ExecDetails{}, probe_cr = ib::CommissionReport{};
  const size_t oo = at(0, probe_oo.index()), os = at(oo, probe_os.index()),
               ex = at(os, probe_ex.index()), cr = at(ex, probe_cr.index()),
               done = at(cr, probe_os.index());
  EXPECT_LT(done, kinds.size());
  const auto& exec = std::get<ib::ExecDetails>(c.seen()[ex]);
  EXPECT_EQ(exec.req_id, -1);
  EXPECT_EQ(exec.order_ref, "it-" + std::to_string(id));
  EXPECT_EQ(exec.side, "BOT");
  EXPECT_EQ(exec.perm_id, filled->perm_id);
  // The fill may come in parts (each takes at most the displayed size):
  // the executions add up to the order, the last one's cumQty is all of it.
  Decimal shares;
  const ib::ExecDetails* last = nullptr;
  for (const auto& m : c.seen())
    if (const auto* e = std::get_if<ib::ExecDetails>(&m)) shares += e->shares, last = e;
  EXPECT_EQ(shares, Decimal::from_int(100));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->cum_qty, Decimal::from_int(100));
  const auto& report = std::get<ib::CommissionReport>(c.seen()[cr]);
  EXPECT_EQ(report.exec_id, exec.exec_id);
  EXPECT_EQ(report.commission, Decimal::from_int(1));  // 100 x 0.005 < the $1 minimum
  EXPECT_EQ(sim.stats()["positions"]["SPY"], "100");
}

TEST(IbSim, HeldOrderPartialFillThenCancel) {
  IbSimProcess sim({"--hold-orders"});
  RawClient c(sim.port());
  const int64_t id = c.start(1);
  c.send(order(id, "BUY", 100, "LMT", Decimal::from_int(460)));
  ASSERT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Submitted"); }));
  EXPECT_EQ(sim.control("fill " + std::to_string(id) + " 30"), "ok");
  auto exec = c.wait<ib::ExecDetails>();
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->shares, Decimal::from_int(30));
  auto partial = c.wait<ib::OrderStatus>();
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->status, "Submitted");
  EXPECT_EQ(partial->filled, Decimal::from_int(30));
  EXPECT_EQ(partial->remaining, Decimal::from_int(70));
  c.send(ib::CancelOrder{.order_id = id, .manual_order_cancel_time = {}});
  auto cancelled = c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Cancelled"); });
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->filled, Decimal::from_int(30));
  EXPECT_TRUE(c.wait_error(202));
  c.send(ib::CancelOrder{.order_id = id + 100, .manual_order_cancel_time = {}});
  EXPECT_TRUE(c.wait_error(10147));
}

TEST(IbSim, ModifyChangesQuantityAndLimitOfAWorkingOrder) {
  IbSimProcess sim({"--quote-interval", "20"});
  RawClient c(sim.port());
  const int64_t id = c.start(1);
  c.send(order(id, "BUY", 100, "LMT", Decimal::from_int(100)));  // far below the market: rests
  ASSERT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Submitted"); }));
  c.send(order(id, "BUY", 200, "LMT", Decimal::from_int(101)));
  auto modified = c.wait<ib::OpenOrder>(
      [](const ib::OpenOrder& o) { return o.total_quantity == Decimal::from_int(200); });
  ASSERT_TRUE(modified);
  EXPECT_EQ(modified->lmt_price, Decimal::from_int(101));
  EXPECT_EQ(sim.stats()["open_orders"], 1);
}

TEST(IbSim, RejectedOrderGets201) {
  IbSimProcess sim;
  RawClient c(sim.port());
  const int64_t id = c.start(1);
  ASSERT_EQ(sim.control("reject on"), "ok");
  c.send(order(id, "BUY", 10));
  EXPECT_TRUE(c.wait_error(201));
  EXPECT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Cancelled"); }));
  EXPECT_EQ(sim.stats()["open_orders"], 0);
}

TEST(IbSim, ReusedOrderIdGets103AlsoAfterRestartRollsNextValidIdBack) {
  IbSimProcess sim({"--quote-interval", "20"});
  {
    RawClient c(sim.port());
    const int64_t id = c.start(9);
    c.send(order(id, "BUY", 10));
    ASSERT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Filled"); }));
    c.send(order(id, "SELL", 10));
    EXPECT_TRUE(c.wait_error(103));
    ASSERT_EQ(sim.control("restart 1"), "ok");
    EXPECT_TRUE(c.closed_within(3s));
  }
  // Refused during the restart (checked over the control channel, not by hammering the port).
  RawClient refused(sim.port());
  EXPECT_FALSE(refused.hello());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (sim.stats()["refusing"] != false && std::chrono::steady_clock::now() < deadline) {
  }
  RawClient c(sim.port());
  const int64_t next_id = c.start(9);
  ASSERT_EQ(next_id, 1);
  c.send(order(next_id, "BUY", 10));
  EXPECT_TRUE(c.wait_error(103));
  c.send(ib::ReqIds{});
  auto honest = c.wait<ib::NextValidId>();
  ASSERT_TRUE(honest);
  EXPECT_GT(honest->order_id, 1);
  EXPECT_EQ(sim.stats()["error103_sent"], 2);
}

TEST(IbSim, ExecutionsWhileDisconnectedAreReturnedByReqExecutions) {
  IbSimProcess sim({"--hold-orders"});
  int64_t id = 0;
  {
    RawClient c(sim.port());
    id = c.start(4);
    c.send(order(id, "BUY", 50));
    ASSERT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Submitted"); }));
  }
  // Wait until the gateway has seen the disconnect, then fill with nobody connected.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sim.stats()["connections"] != 0 && std::chrono::steady_clock::now() < deadline) {
  }
  ASSERT_EQ(sim.control("fill"), "ok 1");
  RawClient c(sim.port());
  ASSERT_GT(c.start(4), id);
  c.send(ib::ReqExecutions{.req_id = 77, .filter = {}});
  auto exec = c.wait<ib::ExecDetails>();
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->req_id, 77);
  EXPECT_EQ(exec->order_id, id);
  EXPECT_EQ(exec->shares, Decimal::from_int(50));
  EXPECT_TRUE(c.wait<ib::CommissionReport>());
  EXPECT_TRUE(c.wait<ib::ExecDetailsEnd>([](auto& e) { return e.req_id == 77; }));
  c.send(ib::ReqPositions{});
  auto pos = c.wait<ib::Position>();
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->contract.symbol, "SPY");
  EXPECT_EQ(pos->position, Decimal::from_int(50));
  EXPECT_TRUE(c.wait<ib::PositionEnd>());
}

TEST(IbSim, PartialFillsSplitEachFillIntoExecutions) {
  IbSimProcess sim({"--hold-orders", "--partial-fills", "3"});
  RawClient c(sim.port());
  const int64_t id = c.start(1);
  c.send(order(id, "SELL", 100));
  ASSERT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Submitted"); }));
  ASSERT_EQ(sim.control("fill"), "ok 1");
  ASSERT_TRUE(c.wait<ib::OrderStatus>([](auto& s) { return is_status(s, "Filled"); }));
  int execs = 0;
  for (auto& m : c.seen()) execs += std::holds_alternative<ib::ExecDetails>(m);
  EXPECT_EQ(execs, 3);
  EXPECT_EQ(sim.stats()["positions"]["SPY"], "-100");
}

TEST(IbSim, MarketDataTicksAndUnknownSymbol) {
  IbSimProcess sim({"--quote-interval", "20"});
  RawClient c(sim.port());
  c.start(1);
  c.send(mkt_data(5, spy()));
  auto type = c.wait<ib::MarketDataType>();
  ASSERT_TRUE(type);
  EXPECT_EQ(type->market_data_type, 1);
  auto bid = c.wait<ib::TickPrice>([](auto& t) { return t.tick_type == 1; });
  auto ask = c.wait<ib::TickPrice>([](auto& t) { return t.tick_type == 2; });
  ASSERT_TRUE(bid && ask);
  EXPECT_LT(*bid->price, *ask->price);
  EXPECT_TRUE(c.wait<ib::TickSize>([](auto& t) { return t.tick_type == 8; }));
  EXPECT_EQ(sim.stats()["mkt_data_subscriptions"], 1);
  c.send(ib::CancelMktData{.req_id = 5});
  ib::Contract nope = spy();
  nope.symbol = "NOPE";
  c.send(mkt_data(6, nope));
  auto err = c.wait_error(200);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->id, 6);
  EXPECT_EQ(sim.stats()["mkt_data_subscriptions"], 0);
  EXPECT_EQ(sim.stats()["reqmktdata_received"], 2);
}

TEST(IbSim, RealtimeBarsEveryFiveSimulatedSeconds) {
  IbSimProcess sim({"--speed", "20", "--quote-interval", "100"});
  RawClient c(sim.port());
  c.start(1);
  ib::ReqRealTimeBars bars;
  bars.req_id = 8;
  bars.contract = spy();
  bars.what_to_show = "TRADES";
  c.send(bars);
  auto first = c.wait<ib::RealtimeBar>();
  auto second = c.wait<ib::RealtimeBar>();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->time % 5, 0);
  EXPECT_EQ(second->time - first->time, 5);
  EXPECT_LE(first->low, first->high);
}

TEST(IbSim, HistoricalDataHasTheRequestedBarCount) {
  IbSimProcess sim;
  RawClient c(sim.port());
  c.start(1);
  c.send(history(3, "", "1 hour", "1 D", 1));
  auto hourly = c.wait<ib::HistoricalData>();
  ASSERT_TRUE(hourly);
  EXPECT_EQ(hourly->bars.size(), 24u);
  // An hour ending two whole hours ago, in epoch seconds.
  const auto end = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now()) - 2h;
  const int64_t end_s =
      std::chrono::duration_cast<std::chrono::seconds>(end.time_since_epoch()).count();
  c.send(history(4, fmt::format("{:%Y%m%d %H:%M:%S} UTC", end), "1 min", "3600 S", 2));
  auto minutes = c.wait<ib::HistoricalData>();
  ASSERT_TRUE(minutes);
  ASSERT_EQ(minutes->bars.size(), 60u);
  EXPECT_EQ(minutes->bars.front().date, std::to_string(end_s - 3600));
  EXPECT_EQ(minutes->bars.back().date, std::to_string(end_s - 60));
}

TEST(IbSim, MoreThanFiftyMessagesInASecondGetError100) {
  IbSimProcess sim;
  RawClient c(sim.port());
  c.start(1);
  std::string burst;
  for (int i = 0; i < 60; ++i) burst += *ib::wire::encode(ib::ReqCurrentTime{}, 178);
  ASSERT_TRUE(c.send_raw(burst));
  EXPECT_TRUE(c.wait_error(100));
  auto stats = sim.stats();
  EXPECT_GE(stats["error100_sent"], 1);
  EXPECT_GE(stats["max_messages_in_1s"], 51);
}

TEST(IbSim, ControlErrorReachesConnectedClients) {
  IbSimProcess sim;
  RawClient c(sim.port());
  c.start(1);
  EXPECT_EQ(sim.control("error 1101 Connectivity restored - data lost"), "ok");
  auto e = c.wait_error(1101);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, -1);
  EXPECT_EQ(e->message, "Connectivity restored - data lost");
  EXPECT_EQ(sim.control("bogus").rfind("error", 0), 0u);
}

}  // namespace
}  // namespace td::testing
