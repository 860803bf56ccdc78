#pragma once
// The engine's Broker over IB's TWS API (docs/ib-client.md has every
// decision). Why the care: an order sent twice, a fill applied twice or lost,
// or an order sent into a dead connection costs money. So:
// - our order is known at IB by orderRef "<prefix>-<order id>" and by permId;
//   the per-session IB order id is only a handle, allocated above every id
//   ever used (persisted before the order leaves: no error 103);
// - connected() is true only with a ready socket, IB's own link up, the
//   reconciliation after (re)connect finished, and outside the gateway's
//   restart window; otherwise the engine keeps orders in its queue;
// - after every (re)connect, 1101 and 1102: open orders, then the day's
//   executions, then positions are requested; fills missed meanwhile are
//   applied once (execId), and an order IB no longer works is ended - never
//   re-sent. A placeOrder that never left the process is sent after that;
// - an execution waits (at most commission_wait) for its commission report,
//   and an order's cancel or reject waits for its pending executions, so the
//   engine always sees fills before the end of the order.
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "brokers/ib/client/ib_session.h"
#include "brokers/ib/client/order_id_allocator.h"
#include "brokers/ib/client/restart_window.h"
#include "core/broker.h"
#include "core/instrument.h"

namespace td::ib {

struct IbBrokerOptions {
  int32_t client_id = 1;
  std::string account;                   // empty: the first managed account
  std::string order_ref_prefix = "td";   // orderRef = "<prefix>-<order id>"
  std::map<Symbol, Contract> contracts;  // how each of our symbols is known at IB
  Duration commission_wait = std::chrono::seconds(5);
  int64_t persisted_high_water = 0;  // the largest IB order id ever used
  // Called with the new high-water mark before a placeOrder leaves; an error
  // refuses the order (sending without the mark risks error 103).
  std::function<Status(int64_t ib_order_id, OrderId order)> persist_order_id;
  std::optional<RestartWindow> restart_window;
};

// What the reconciliation found, for the API and the logs.
struct IbSyncStats {
  uint64_t reconciliations = 0;
  uint64_t executions_recovered = 0;  // applied from reqExecutions, not live
  uint64_t orders_ended_unknown = 0;  // not working at IB after a reconnect
  uint64_t foreign_orders = 0;        // our prefix, not this run's orders
  uint64_t corrections = 0;
};

class IbBroker final : public Broker, public SessionParticipant {
 public:
  IbBroker(IbSession& session, IbBrokerOptions options);
  ~IbBroker() override;

  // Broker.
  std::string_view name() const override { return "ib"; }
  void set_events(BrokerEvents* events) override { events_ = events; }
  bool connected() const override;
  Status submit(const Order& order) override;
  Status modify(const Order& order, const OrderModification& m) override;
  Status cancel(const Order& order) override;
  void request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) override;
  void request_positions(std::function<void(std::vector<BrokerPosition>)> done) override;
  void request_executions(Timestamp since,
                          std::function<void(std::vector<Execution>)> done) override;

  // reqGlobalCancel: every open order of the account, also TWS's own.
  void cancel_everything() override;
  // An order of an earlier run (orderRef) or an adopted external one
  // (permId): tracked so that IB's reports of it reach the engine.
  void adopt(const Order& order) override;
  const IbSyncStats& sync_stats() const { return stats_; }
  // The account's values as IB last reported them (reqAccountUpdates):
  // "NetLiquidation/USD" -> "100000.00". Text, as IB sends it: shown, never
  // reconciled against (the portfolio is computed from our fills).
  const std::map<std::string, std::string>& account_values() const { return account_values_; }
  bool reconciling() const { return sync_ != Sync::kDone; }
  int64_t high_water() const { return ids_.high_water(); }

  // SessionParticipant.
  void on_session_ready(const SessionStart& start) override;
  void on_session_lost(const std::string& why) override;
  void on_message(const IncomingMessage& message) override;
  void on_written(const OutgoingMessage& message) override;
  void on_connectivity(bool up, bool data_lost) override;

 private:
  struct Tracked {
    OrderId id;
    Symbol symbol;
    Side side = Side::kBuy;
    PlaceOrder place;  // as last sent (modifies change it)
    int64_t ib_id = 0;
    int64_t perm_id = 0;
    bool written = false, acked = false, ended = false, cancel_pending = false;
    bool seen = false;                // in the open orders of the current reconciliation
    std::deque<PlaceOrder> modifies;  // sent, not yet confirmed
    Decimal filled;                   // executions delivered or held
    int held = 0;                     // executions waiting for their commission
    std::optional<BrokerOrderUpdate> deferred_end;
    std::string last_error;
  };
  struct Held {
    Execution exec;
    TimerId timer = 0;
  };
  enum class Sync { kIdle, kOpenOrders, kExecutions, kPositions, kDone };

  // An order adopted from an earlier run learns its IB order id from IB's
  // messages (its cancel is addressed by it).
  void learn_ib_id(Tracked& t, int64_t ib_id, int32_t client_id);
  void on(const OpenOrder& m);
  void on(const OrderStatus& m);
  void on(const ErrorMessage& m);
  void on(const ExecDetails& m);
  void on(const CommissionReport& m);
  void on(const Position& m);
  void on(const AccountValue& m);
  void on_open_order_end();
  void on_executions_end();
  void on_position_end();

  void begin_reconcile(const char* why);
  void update_connected(const std::string& detail = {});
  void schedule_tick();
  Tracked* find(int64_t perm_id, const std::string& order_ref, int64_t ib_id, int32_t client_id);
  std::optional<OrderId> parse_ref(const std::string& ref) const;
  std::optional<Symbol> symbol_of(const Contract& c) const;
  void emit(Tracked& t, BrokerOrderUpdate::Kind kind, std::string reason);
  void deliver(const std::string& exec_id, std::optional<Decimal> commission);
  PlaceOrder make_place(const Order& order, int64_t ib_id, const Contract& c) const;
  bool send(OutgoingMessage m);

  IbSession& session_;
  IbBrokerOptions options_;
  BrokerEvents* events_ = nullptr;
  OrderIdAllocator ids_;
  std::string account_;
  std::map<OrderId, Tracked> orders_;
  std::unordered_map<int64_t, OrderId> by_ib_id_, by_perm_;
  std::deque<OutgoingMessage> unsent_;  // orders and cancels that never left
  std::unordered_map<std::string, Held> held_;
  std::unordered_map<std::string, std::pair<Decimal, Decimal>> seen_execs_;  // qty, price
  std::unordered_map<std::string, std::string> exec_by_base_;  // execId up to the last '.'
  std::unordered_map<std::string, Decimal> early_commission_;
  std::vector<Execution> delivered_;
  std::set<int64_t> foreign_perm_ids_;
  // Open orders of the account that are not ours (reqAllOpenOrders), by
  // permId, with what has filled: offered to the engine for adoption.
  struct Foreign {
    BrokerOrderUpdate update;
    bool open = true;
  };
  std::map<int64_t, Foreign> foreign_;
  std::map<Symbol, BrokerPosition> positions_, positions_next_;
  std::map<std::string, std::string> account_values_;
  Sync sync_ = Sync::kIdle;
  int64_t exec_req_id_ = 0;
  bool replaying_ = false;  // executions of reqExecutions (recovered) vs live
  bool was_connected_ = false;
  std::optional<TimerId> tick_;
  IbSyncStats stats_;
};

}  // namespace td::ib
