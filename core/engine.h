#pragma once
// The engine wires strategies, the risk hook, the broker and the portfolio
// into one message flow on one thread (architecture.md): market data goes to
// strategies, their intents pass the risk hook on their way to the broker,
// and broker events come back to orders and the portfolio. Nothing here locks:
// every call must come from the engine thread (other threads post to it).
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/broker.h"
#include "core/events.h"
#include "core/instrument.h"
#include "core/market_data.h"
#include "core/order.h"
#include "core/portfolio.h"
#include "core/risk_hook.h"
#include "core/scheduler.h"
#include "core/store.h"
#include "core/strategy.h"

namespace td {

struct EngineOptions {
  Decimal initial_cash = Decimal::from_int(100000);
  SessionCalendar session;
  // Order ids start here. Live brokers echo our order id (IB's orderRef), so
  // a restarted daemon must not hand out an id a previous run has sent.
  uint64_t first_order_id = 1;
};

// What start-up reconciliation found (Engine::reconcile).
struct ReconcileReport {
  struct Mismatch {
    Symbol symbol;
    Decimal local, broker;
  };
  size_t fills_recovered = 0;               // executions applied that the store did not have
  size_t orders_confirmed = 0;              // restored open orders the broker still works
  size_t orders_closed = 0;                 // restored open orders the broker does not have
  size_t orders_requeued = 0;               // scheduled orders waiting for their time again
  std::vector<OrderId> adopted;             // external orders taken over
  std::vector<Mismatch> mismatches;         // positions that still differ afterwards
  std::vector<Mismatch> adopted_positions;  // differences adopted (option)
  std::string summary() const;
};

struct ReconcileOptions {
  // Take the broker's position where it still differs, recorded as an
  // external fill at the broker's average cost, instead of halting.
  bool adopt_broker_positions = false;
};

// kPersisting: the order's row is not committed yet (persist before send).
enum class QueuedReason { kScheduled, kBrokerDisconnected, kThrottled, kPaused, kPersisting };
std::string_view to_string(QueuedReason r);

struct SubmitOutcome {
  const Order* order = nullptr;
  bool existing = false;             // idempotent retry: the order already existed
  std::optional<RiskDenial> denial;  // set when the risk hook refused it (order is rejected)
};

class Engine final : public BrokerEvents,
                     public MarketDataHandler,
                     public EngineView,
                     public RiskActions,
                     public StoreListener {
 public:
  Engine(Scheduler& scheduler, Broker& broker, RiskHook& risk, EngineOptions options = {});
  // Without a risk hook every order passes until set_risk_hook() (tests, tools).
  Engine(Scheduler& scheduler, Broker& broker, EngineOptions options = {});
  void set_risk_hook(RiskHook& risk) { risk_ = &risk; }
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Status add_instrument(const Instrument& instrument);
  Status add_strategy(std::string name, std::string type, std::unique_ptr<Strategy> strategy,
                      bool enabled = true);
  void add_sink(EventSink* sink) { sinks_.push_back(sink); }
  // Durable storage: it receives every event (as a sink); an order is routed,
  // and when_durable() answers, only once the event creating it is
  // committed. While the store is unwritable new orders are refused, except
  // the risk manager's own closing orders (the kill switch works without a
  // database; their records wait in the store's buffer).
  void set_store(Store* store);
  bool store_writable() const { return !store_ || store_writable_; }
  // done(ok) once order `id` is committed, done(error) if it never will be
  // (refused by the store, or rejected while it waited). Engine thread.
  void when_durable(OrderId id, std::function<void(Status)> done);
  bool durable(OrderId id) const { return !pending_durable_.count(id); }
  // Some order waits for its row: a simulated market holds its clock until
  // the commit, so a seed gives the same run with a store as without
  // (not during an outage: the kill switch's closing orders go without).
  bool awaiting_store() const { return store_writable_ && !pending_durable_.empty(); }

  // Start-up recovery, after instruments and strategies are added and before
  // start(): the book as the store kept it. Open orders are handed to the
  // broker (adopt) so that their updates find them. Trading stays refused
  // (reconciling) until reconcile() has finished.
  Status restore(const RecoveredState& state);
  // Reconciles with the broker once it is connected: executions since the
  // last one known (applied once, by exec id), open orders (restored ones
  // confirmed or closed - never re-sent; external ones adopted), then
  // positions. done() gets the report; mismatches are left to the caller
  // (halt) unless adopt_broker_positions.
  void reconcile(ReconcileOptions options, std::function<void(ReconcileReport)> done);
  bool reconciling() const { return reconciling_; }

  // Warms strategies up from history (when given), then lets them decide.
  void start(HistorySource* history = nullptr);
  // Stops every strategy: no new decisions; working orders are left as they are.
  void stop();
  Status set_strategy_enabled(const std::string& name, bool enabled);
  // New parameters: a stopped strategy's instance is replaced (same symbols);
  // its book stays, and it warms up again from history before it decides.
  Status replace_strategy(const std::string& name, std::unique_ptr<Strategy> strategy);

  // Market data.
  void on_quote(const Quote& q) override;
  void on_bar(const Bar& b) override;

  // Commands.
  Result<SubmitOutcome> submit(OrderRequest req);
  Status cancel(OrderId id);
  // A queued order changes at once; a routed one when the broker confirms
  // (kModified), and not at all when it refuses (kModifyRejected).
  Status modify(OrderId id, const OrderModification& m);
  // Holds (true) or releases routing of queued orders. While held, new and
  // due orders wait in the queue (reason paused); the risk manager's own
  // closing orders (flatten, risk:*) are never held: the kill switch and an
  // emergency flatten must not wait for an operator to resume.
  void set_routing_paused(bool paused);
  bool routing_paused() const { return routing_paused_; }

  // Broker events.
  void on_order_update(const BrokerOrderUpdate& u) override;
  void on_execution(const Execution& e) override;
  void on_connection(bool connected, const std::string& detail) override;

  // EngineView (what the risk manager reads).
  Timestamp now() const override { return scheduler_.now(); }
  const Portfolio& portfolio() const override { return portfolio_; }
  const Instrument* instrument(const Symbol& s) const override;
  std::optional<MarketRef> market_ref(const Symbol& s) const override;
  WorkingQty working(const Symbol& s) const override;
  size_t working_orders() const override { return working_count_; }
  bool broker_connected() const override { return broker_.connected(); }
  Timestamp broker_disconnected_since() const override { return disconnected_since_; }

  // RiskActions (what the risk manager may trigger).
  std::vector<OrderId> cancel_all(const std::string& reason) override;
  std::vector<FlattenResult> flatten(const std::string& reason) override;
  FlattenResult close_position(const Symbol& s, const std::string& source,
                               const std::string& reason) override;
  void publish_risk_event(RiskEventData e) override;

  // StoreListener.
  void on_store_committed(uint64_t seq) override;
  void on_store_state(bool writable, const std::string& detail) override;
  void on_store_duplicate(OrderId id, OrderId existing) override;

  // Queries (engine thread).
  const Order* order(OrderId id) const;
  const Order* order_by_client_id(const std::string& client_order_id) const;
  const std::map<OrderId, std::unique_ptr<Order>>& orders() const { return orders_; }
  const Quote* last_quote(const Symbol& s) const;
  // A strategy's attributed position (0 when none).
  Decimal strategy_position(const std::string& name, const Symbol& s) const;
  struct StrategyInfo {
    std::string name, type;
    bool enabled, warm;
    std::vector<Symbol> symbols;
  };
  std::vector<StrategyInfo> strategies() const;
  const std::deque<std::pair<OrderId, QueuedReason>>& queue() const { return queue_; }
  const std::set<OrderId>& open_order_ids() const { return open_ids_; }
  // A strategy's own book (positions attributed to it), nullptr when unknown.
  const std::map<Symbol, Position>* strategy_book(const std::string& name) const;

 private:
  struct Slot;
  class Context;

  void publish(EventData data);
  void warm_up(Slot& slot, const char* then);
  void publish_order(const Order& o, OrderStatus previous, bool created = false);
  // Runs the gate on a new (or throttled) order, then routes or queues it.
  std::optional<RiskDenial> admit(Order& o);
  void queue_order(OrderId id, QueuedReason reason);
  void route(Order& o);
  void route_queue();
  void send_queued_cancels();
  // Bookkeeping after any change to an order: working quantities, strategy
  // open orders, flatten follow-up.
  void note_order(const Order& o, bool filled_or_ended);
  void set_contribution(const Order& o);
  void follow_up_flatten(const Symbol& s);
  // Sends what still has to be sent to bring s to zero (never beyond).
  FlattenResult send_close(const Symbol& s, const std::string& source, const std::string& reason);
  // A closing fill (flatten, risk:*) also closes the strategies' own books.
  void attribute_closing_fill(const Fill& f);
  void schedule_throttle_retry(Timestamp at);
  void schedule_tick();
  static bool is_risk_source(const std::string& source);
  Order* find(OrderId id);
  void set_target(Slot& slot, const Symbol& s, Decimal target);
  template <class F>
  void guarded(Slot& slot, const char* what, F&& fn);
  void refuse(OrderId id, std::string detail);
  Slot* slot_for_source(const std::string& source);
  void run_reconcile();
  void reconcile_open_orders(std::vector<BrokerOrderUpdate> open);
  void reconcile_positions(std::vector<BrokerPosition> positions);
  std::optional<OrderId> adopt_external(const BrokerOrderUpdate& u);
  // A restored queued order the broker turns out to have: pending_submit.
  void mark_sent(Order& o);
  // The order will never be committed or may not wait for it: answers its
  // when_durable() callers with `error`.
  void drop_durable(OrderId id, const Error& error);

  Scheduler& scheduler_;
  Broker& broker_;
  RiskHook* risk_;
  EngineOptions options_;
  Portfolio portfolio_;
  std::vector<EventSink*> sinks_;
  uint64_t event_seq_ = 0;
  uint64_t next_order_id_ = 1;
  uint64_t next_fill_id_ = 1;
  bool running_ = false;
  HistorySource* history_ = nullptr;

  std::unordered_map<Symbol, Instrument> instruments_;
  // Last quote and reference price per symbol: one lookup per market event.
  struct SymbolMarket {
    std::optional<Quote> quote;
    std::optional<MarketRef> ref;
  };
  std::unordered_map<Symbol, SymbolMarket> market_;
  std::unordered_map<Symbol, WorkingQty> working_;
  std::unordered_map<OrderId, Decimal> contrib_;  // gated orders -> remaining counted in working_
  size_t working_count_ = 0;
  std::deque<OrderId> cancel_queue_;  // cancels waiting for the broker
  // Symbols being closed (kill switch flatten, forced exits) until flat with
  // nothing working: the closing source and the reason.
  struct Closing {
    std::string source, reason;
  };
  std::map<Symbol, Closing> flattening_;
  std::map<Symbol, Closing> reclose_;  // restored closing orders to send again
  std::optional<TimerId> throttle_timer_;
  Timestamp throttle_retry_at_{};
  bool following_up_ = false;
  Timestamp disconnected_since_{};
  bool routing_paused_ = false;
  std::map<OrderId, std::unique_ptr<Order>> orders_;
  std::set<OrderId> open_ids_;  // open orders, in id (creation) order
  std::unordered_map<std::string, OrderId> by_client_id_;
  std::unordered_set<std::string> exec_ids_;
  std::deque<std::pair<OrderId, QueuedReason>> queue_;
  std::unordered_map<OrderId, std::deque<OrderModification>> pending_modifies_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Store* store_ = nullptr;
  bool store_writable_ = true;
  uint64_t committed_seq_ = 0;
  std::unordered_map<OrderId, uint64_t> pending_durable_;  // order -> seq of its creation
  std::map<uint64_t, OrderId> durable_by_seq_;
  std::unordered_map<OrderId, std::vector<std::function<void(Status)>>> durable_waiters_;
  bool reconciling_ = false;
  bool reconcile_pending_ = false;  // waiting for the broker to connect
  Timestamp last_execution_{};
  ReconcileOptions reconcile_options_;
  ReconcileReport report_;
  std::function<void(ReconcileReport)> reconcile_done_;
  std::unordered_map<Symbol, std::vector<Slot*>> slots_by_symbol_;
};

}  // namespace td
