#pragma once
// The simulated IB Gateway: one account, its orders, executions and
// positions, the simulated market, and the API clients connected to it. Why
// one object outlives every connection: a real gateway keeps working orders,
// today's executions and each client id's used order ids while no client is
// connected, and a client's reconnect and reconciliation logic can only be
// tested against a server that does the same.
//
// Orders are matched by td::sim::SimBroker (MKT/LMT/STP/STP LMT, DAY/GTC/IOC,
// partial fills against displayed size) over the MarketSimulator's quotes;
// this class turns its BrokerEvents into IB's message sequences
// (docs/ibsim.md). Held orders (--hold-orders) stay here, outside the
// matching engine, until the control channel fills them. Everything runs on
// one io_context thread; the simulated clock follows real time x speed.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "brokers/ib/events.h"
#include "brokers/ib/ibsim/options.h"
#include "brokers/ib/ibsim/symbols.h"
#include "brokers/ib/incoming_message.h"
#include "brokers/ib/open_order.h"
#include "brokers/ib/outgoing_message.h"
#include "brokers/sim/market_simulator.h"
#include "brokers/sim/sim_broker.h"
#include "core/position.h"
#include "core/scheduler.h"

namespace td::ibsim {

class Session;

// What one API connection asked for (subscriptions end with the connection).
struct ClientState {
  int32_t client_id = -1;  // -1 until startApi
  int32_t market_data_type = 1;
  std::map<int64_t, Symbol> mkt_data;       // reqId -> symbol
  std::map<int64_t, Symbol> realtime_bars;  // reqId -> symbol
  bool positions = false;                   // reqPositions: updates follow fills
};

class Gateway final : public BrokerEvents, public MarketDataHandler {
 public:
  // Throws std::invalid_argument for options the simulator cannot run.
  Gateway(boost::asio::io_context& io, IbSimOptions options);
  ~Gateway() override;
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  void start();  // the market and the clock
  void stop();

  const IbSimOptions& options() const { return options_; }
  FaultOptions& faults() { return options_.faults; }
  bool refusing() const;

  // Sessions (session.h) report here.
  void attach(const std::shared_ptr<Session>& s);
  void detach(Session& s);
  void on_start_api(Session& s, int32_t client_id);
  void handle(Session& s, const ib::OutgoingMessage& m);
  // Counts one incoming message in the all-sessions window (stats).
  void note_incoming();
  void note_error_sent(int32_t code);

  // Control channel (control.h).
  void drop_all();
  void restart(std::chrono::seconds refuse_for);
  size_t fill_held();
  Status fill_order(int64_t order_id, Decimal qty);
  void broadcast_error(int32_t code, const std::string& text);
  nlohmann::json stats() const;
  nlohmann::json orders_json() const;

  // BrokerEvents (from the matching engine).
  void on_order_update(const BrokerOrderUpdate& u) override;
  void on_execution(const Execution& e) override;
  void on_connection(bool, const std::string&) override {}
  // MarketDataHandler (registered after the matching engine).
  void on_quote(const Quote& q) override;
  void on_bar(const Bar&) override {}

 private:
  struct GwOrder {
    int64_t perm_id = 0;
    int32_t client_id = 0;
    int64_t order_id = 0;
    const SimContract* contract = nullptr;
    ib::PlaceOrder request;  // as working now (modifications applied)
    OrderRequest td_request;
    std::string status;
    Decimal filled, filled_value, last_fill_price, commission;
    bool held = false;  // outside the matching engine, waiting for `fill`
    bool open = true;
    std::optional<ib::PlaceOrder> pending_modify;
    Decimal remaining() const { return request.total_quantity - filled; }
  };
  struct ExecRecord {
    ib::ExecDetails details;  // req_id -1
    ib::CommissionReport report;
    Timestamp time{};
  };
  struct BarBuilder {  // 5-second bars for reqRealTimeBars
    Timestamp start{};
    Decimal open, high, low, close, sum;
    int32_t count = 0;
  };

  // Sessions.
  Session* session_for(int32_t client_id) const;
  int64_t next_valid_id(int32_t client_id) const;
  void pace();

  // Requests (one per message type; the fallback logs and ignores).
  template <class M>
  void on(Session& s, const M& m);
  void on(Session& s, const ib::PlaceOrder& m);
  void on(Session& s, const ib::CancelOrder& m);
  void on(Session& s, const ib::ReqGlobalCancel& m);
  void on(Session& s, const ib::ReqIds& m);
  void on(Session& s, const ib::ReqOpenOrders& m);
  void on(Session& s, const ib::ReqAllOpenOrders& m);
  void on(Session& s, const ib::ReqAutoOpenOrders& m);
  void on(Session& s, const ib::ReqExecutions& m);
  void on(Session& s, const ib::ReqPositions& m);
  void on(Session& s, const ib::CancelPositions& m);
  void on(Session& s, const ib::ReqAccountUpdates& m);
  void on(Session& s, const ib::ReqAccountSummary& m);
  void on(Session& s, const ib::ReqManagedAccts& m);
  void on(Session& s, const ib::ReqMktData& m);
  void on(Session& s, const ib::CancelMktData& m);
  void on(Session& s, const ib::ReqMarketDataType& m);
  void on(Session& s, const ib::ReqRealTimeBars& m);
  void on(Session& s, const ib::CancelRealTimeBars& m);
  void on(Session& s, const ib::ReqHistoricalData& m);
  void on(Session& s, const ib::ReqContractDetails& m);
  void on(Session& s, const ib::ReqCurrentTime& m);

  // Orders (orders.cpp).
  void reject(GwOrder& o, const std::string& reason);
  void modify(Session& s, GwOrder& o, const ib::PlaceOrder& m);
  void cancel(GwOrder& o);
  void finish_cancel(GwOrder& o, const std::string& reason);
  void fill(GwOrder& o, Decimal qty, Decimal price, Timestamp t);
  void fill_one(GwOrder& o, Decimal qty, Decimal price, Timestamp t);
  Decimal market_price(const GwOrder& o) const;  // where a held order fills
  void send_order_state(const GwOrder& o);
  void send_order_state(Session& s, const GwOrder& o);
  ib::OpenOrder open_order(const GwOrder& o) const;
  ib::OrderStatus order_status(const GwOrder& o) const;
  GwOrder* find_open(int32_t client_id, int64_t order_id);
  GwOrder* find_by_perm(int64_t perm_id);

  // Account (account.cpp).
  ib::Position position_message(const Symbol& sym) const;
  std::vector<std::pair<std::string, std::string>> account_values() const;  // key, value (USD)

  // Market data (market_data.cpp).
  void send_ticks(Session& s, int64_t req_id, const SimContract& c, const Quote& q);
  void close_bar(const Symbol& sym, const BarBuilder& b);

  boost::asio::io_context& io_;
  IbSimOptions options_;
  std::vector<SimContract> contracts_;
  SimScheduler scheduler_;
  std::unique_ptr<sim::MarketSimulator> market_;
  std::unique_ptr<sim::SimBroker> broker_;
  boost::asio::steady_timer pacer_;
  std::chrono::steady_clock::time_point real_origin_;
  Timestamp sim_origin_{};
  bool running_ = false;

  std::vector<std::weak_ptr<Session>> sessions_;
  std::map<int32_t, Session*> by_client_;
  std::chrono::steady_clock::time_point refuse_until_{};

  std::map<int64_t, GwOrder> orders_;                        // by perm id
  std::map<std::pair<int32_t, int64_t>, int64_t> open_ids_;  // (client id, order id) -> perm id
  std::map<int32_t, int64_t> max_used_id_;                   // per client id, process lifetime
  std::set<int32_t> rolled_back_;                            // after `restart`: nextValidId 1
  int64_t next_perm_id_;
  std::vector<ExecRecord> executions_;
  uint64_t next_exec_ = 1;
  std::map<Symbol, Position> positions_;
  Decimal cash_;
  std::map<Symbol, BarBuilder> bars_;
  std::map<Symbol, Decimal> volume_;  // since start, for tick type 8

  // Statistics.
  uint64_t connections_total_ = 0, orders_received_ = 0, cancels_received_ = 0;
  uint64_t messages_received_ = 0, error100_sent_ = 0, error103_sent_ = 0;
  uint64_t reqmktdata_received_ = 0;
  std::deque<std::chrono::steady_clock::time_point> window_;  // incoming, last second
  size_t max_in_1s_ = 0;
};

}  // namespace td::ibsim
