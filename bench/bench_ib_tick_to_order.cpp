// Tick-to-order over the TWS socket against tradingd-ibsim (bench/README.md
// "IB client"). The rig is the daemon's IB side in this process - IbSession,
// IbBroker, IbMarketData and the engine on one io_context thread, as in mode
// ib - and tradingd-ibsim as the gateway on loopback, streaming quotes every
// 20 ms. On every 5th quote (10 orders/s: well inside the 45/s pacing, so no
// sample waits for a slot) a handler registered after the engine submits a
// limit order through the engine, as a strategy reacting to that tick would.
//
// Figures, per order:
// - tick-to-order: from the quote's delivery (its frame read from the socket
//   and decoded) to the placeOrder frame handed to the socket (the daemon's
//   own time: decode, engine, broker, pacer, encode);
// - ack: from that write to IB's acknowledgement (openOrder/orderStatus
//   Submitted) decoded back: the loopback round trip through the gateway.
// Percentiles per round, then the medians over rounds.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "brokers/ib/client/contract_for.h"
#include "brokers/ib/client/ib_broker.h"
#include "brokers/ib/client/ib_market_data.h"
#include "brokers/ib/client/ib_session.h"
#include "core/engine.h"
#include "daemon/asio_scheduler.h"
#include "tests/integration/ibsim_process.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

struct Round {
  std::vector<double> tick_to_order_us, ack_us;
};

class Rig final : public td::MarketDataHandler,
                  public td::ib::SessionParticipant,
                  public td::BrokerEvents {
 public:
  Rig(int port, size_t samples) : sched_(io_), samples_(samples) {
    td::ib::IbSessionOptions so;
    so.connection.port = static_cast<uint16_t>(port);
    so.connection.client_id = 3;
    session_ = std::make_unique<td::ib::IbSession>(io_, sched_, so);
    td::Instrument spy;
    spy.symbol = td::Symbol("SPY");
    std::map<td::Symbol, td::ib::Contract> contracts{{spy.symbol, td::ib::contract_for(spy)}};
    td::ib::IbBrokerOptions bo;
    bo.client_id = 3;
    bo.contracts = contracts;
    broker_ = std::make_unique<td::ib::IbBroker>(*session_, bo);
    td::ib::IbMarketDataOptions mo;
    mo.contracts = contracts;
    market_ = std::make_unique<td::ib::IbMarketData>(*session_, mo);
    engine_ = std::make_unique<td::Engine>(sched_, *broker_);
    (void)engine_->add_instrument(spy);
    market_->add_handler(engine_.get());
    market_->add_handler(this);
    session_->add(this);
  }
  ~Rig() override {
    market_->stop();
    session_->stop();
    sched_.cancel_all();
  }

  Round run() {
    market_->start();
    session_->start();
    const auto deadline = Clock::now() + 60s;
    while (round_.ack_us.size() < samples_ && Clock::now() < deadline) io_.run_one_for(50ms);
    if (round_.ack_us.size() < samples_)
      std::fprintf(stderr, "only %zu orders acknowledged (quotes %llu, pending %s, written %d)\n",
                   round_.ack_us.size(), static_cast<unsigned long long>(quotes_),
                   pending_ && engine_->order(*pending_)
                       ? std::string(td::to_string(engine_->order(*pending_)->status())).c_str()
                       : "-",
                   written_at_.has_value());
    return round_;
  }

  // A quote was delivered: every 5th one sends an order.
  void on_quote(const td::Quote&) override {
    if (!broker_->connected() || pending_ || ++quotes_ % 5 != 0) return;
    tick_at_ = Clock::now();
    pending_ = td::OrderId();  // the write may happen inside submit()
    td::OrderRequest r;
    r.symbol = td::Symbol("SPY");
    r.side = td::Side::kBuy;
    r.qty = td::Decimal::from_int(1);
    r.type = td::OrderType::kLimit;
    r.limit_price = td::Decimal::from_int(1);
    r.tif = td::TimeInForce::kGtc;
    auto out = engine_->submit(r);
    if (out && out->order)
      pending_ = out->order->id();
    else
      pending_.reset();
  }
  void on_bar(const td::Bar&) override {}
  void on_written(const td::ib::OutgoingMessage& m) override {
    if (!pending_ || !std::holds_alternative<td::ib::PlaceOrder>(m)) return;
    written_at_ = Clock::now();
    round_.tick_to_order_us.push_back(
        std::chrono::duration<double, std::micro>(*written_at_ - tick_at_).count());
  }
  // The engine is the broker's listener; the ack is seen through the order.
  void on_session_ready(const td::ib::SessionStart&) override {}
  void on_session_lost(const std::string&) override {}
  void on_message(const td::ib::IncomingMessage& m) override {
    if (!pending_ || !written_at_) return;
    const auto* st = std::get_if<td::ib::OrderStatus>(&m);
    if (!st || st->status != "Submitted") return;
    round_.ack_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - *written_at_).count());
    pending_.reset();
    written_at_.reset();
  }
  void on_connectivity(bool, bool) override {}
  void on_order_update(const td::BrokerOrderUpdate&) override {}
  void on_execution(const td::Execution&) override {}
  void on_connection(bool, const std::string&) override {}

 private:
  boost::asio::io_context io_;
  td::daemon::AsioScheduler sched_;
  std::unique_ptr<td::ib::IbSession> session_;
  std::unique_ptr<td::ib::IbBroker> broker_;
  std::unique_ptr<td::ib::IbMarketData> market_;
  std::unique_ptr<td::Engine> engine_;
  size_t samples_;
  uint64_t quotes_ = 0;
  std::optional<td::OrderId> pending_;
  Clock::time_point tick_at_;
  std::optional<Clock::time_point> written_at_;
  Round round_;
};

}  // namespace

int main(int argc, char** argv) {
  size_t rounds = 3, samples = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--rounds=", 0) == 0) rounds = std::stoul(a.substr(9));
    if (a.rfind("--samples=", 0) == 0) samples = std::stoul(a.substr(10));
  }
  spdlog::set_level(spdlog::level::warn);
  std::vector<double> t50, t99, a50, a99;
  for (size_t r = 0; r < rounds; ++r) {
    td::testing::IbSimProcess sim({"--hold-orders", "--quote-interval", "20"});
    Rig rig(sim.port(), samples);
    const Round res = rig.run();
    std::printf(
        "round %zu: %zu orders  tick-to-order p50 %.1f us p90 %.1f p99 %.1f max %.1f | ack p50 "
        "%.1f us p99 %.1f\n",
        r + 1, res.tick_to_order_us.size(), pct(res.tick_to_order_us, 50),
        pct(res.tick_to_order_us, 90), pct(res.tick_to_order_us, 99),
        pct(res.tick_to_order_us, 100), pct(res.ack_us, 50), pct(res.ack_us, 99));
    t50.push_back(pct(res.tick_to_order_us, 50));
    t99.push_back(pct(res.tick_to_order_us, 99));
    a50.push_back(pct(res.ack_us, 50));
    a99.push_back(pct(res.ack_us, 99));
  }
  std::printf(
      "median over %zu rounds: tick-to-order p50 %.1f us, p99 %.1f us; ack p50 %.1f us, p99 %.1f "
      "us\n",
      rounds, pct(t50, 50), pct(t99, 50), pct(a50, 50), pct(a99, 50));
  return 0;
}
