#pragma once
// The simulated broker behind paper mode, demos and tests. It works orders
// against the market data it is given, the way an exchange and IB would
// (acknowledgement latency, partial fills against displayed size, IB's fixed
// commission schedule), and reports through BrokerEvents exactly like the IB
// adapter, so the engine cannot tell them apart. Register it as a
// MarketDataHandler BEFORE the engine: an order then fills on a quote before
// the strategies see that quote, as it would at a real venue.
//
// Choices worth knowing:
// - Every delay goes through the Scheduler; ack_latency applies to submit,
//   modify and cancel alike, so requests take effect in the order they were made.
// - kQuote: market orders take the ask (buys) / bid (sells); limits fill when
//   touched, at the quote (never worse than the limit); stops trigger when the
//   ask rises to (buys) / the bid falls to (sells) the stop, then work as
//   market or limit. Each fill takes at most the displayed size, which orders
//   share in acceptance order until the next quote; the rest waits for later
//   quotes. A size of 0 means "unknown" and fills in full. Fills do not move
//   the market. slippage_bps does not apply (crossing the spread is the cost).
// - kNextBarOpen (backtest-semantics.md): market orders fill in full at the
//   open of the next bar of their symbol, adjusted by slippage_bps (buys up,
//   sells down, rounded to the tick the same way; never below one tick), at
//   the bar's open time. Beyond that document: limits fill at the open when it
//   is through the limit, else at the limit when the bar touches it; stops
//   trigger at the open (a gap) or at the stop and fill there with slippage;
//   a stop-limit triggered inside a bar fills at the stop only if that
//   satisfies its limit, else it rests as a limit from the next bar. Fills
//   inside a bar are stamped with the bar's close time.
// - IOC: what does not fill at the first opportunity (acceptance when a quote
//   exists, else the first quote or bar after it) is cancelled.
// - DAY orders expire (kExpired) at the first quote or bar of a later session
//   when day_session is set. Unset (the default, which backtests with daily
//   bars need) they never expire.
// - While disconnected, submit/modify/cancel fail with kUnavailable; orders
//   already at the broker keep working and their events are held, then
//   delivered in order after on_connection(true) on reconnection.
// - A cancel or modify that arrives when the order no longer works emits
//   nothing (a fill that came first stands); so does a modify whose qty is at
//   or below the quantity filled by then (BrokerOrderUpdate has no "modify
//   rejected").
// - request_* answer directly, before returning, from the broker's own state;
//   positions come from its own fills.
// - Events are collected while orders are worked and emitted afterwards, so
//   the engine may submit or cancel from inside a callback.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "core/broker.h"
#include "core/instrument.h"
#include "core/market_data.h"
#include "core/position.h"
#include "core/scheduler.h"
#include "core/session_calendar.h"
#include "core/store.h"

namespace td::sim {

struct SimBrokerOptions {
  Duration ack_latency{};
  std::vector<Instrument> instruments;
  enum class FillModel { kQuote, kNextBarOpen } fill_model = FillModel::kQuote;
  Decimal slippage_bps;                        // kNextBarOpen only; in [0, 10000)
  std::optional<SessionCalendar> day_session;  // when DAY orders expire; unset: never
  // Execution ids are "<prefix>N". A daemon that restarts over the same
  // store must use a prefix of its own per run (fills are unique by exec id).
  std::string exec_id_prefix = "sim-";
};

class SimBroker final : public Broker, public MarketDataHandler {
 public:
  // Throws std::invalid_argument on duplicate instruments, a non-positive
  // tick or slippage_bps outside [0, 10000).
  SimBroker(Scheduler& scheduler, SimBrokerOptions options);
  ~SimBroker() override;
  SimBroker(const SimBroker&) = delete;
  SimBroker& operator=(const SimBroker&) = delete;

  std::string_view name() const override { return "sim"; }
  void set_events(BrokerEvents* events) override { events_ = events; }
  bool connected() const override { return connected_; }
  // Simulates losing / regaining the connection; reported through on_connection.
  void set_connected(bool connected, const std::string& detail = {});

  Status submit(const Order& order) override;
  Status modify(const Order& order, const OrderModification& m) override;
  Status cancel(const Order& order) override;

  void request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) override;
  void request_positions(std::function<void(std::vector<BrokerPosition>)> done) override;
  void request_executions(Timestamp since,
                          std::function<void(std::vector<Execution>)> done) override;

  void on_quote(const Quote& q) override;
  void on_bar(const Bar& b) override;

  // Paper mode after a restart: the simulated account is ours, so it
  // continues with the positions the store kept (its working orders did not
  // survive the process: reconciliation closes them).
  void restore_positions(const std::vector<StoredPosition>& positions);
  void set_exec_id_prefix(std::string prefix) { options_.exec_id_prefix = std::move(prefix); }

  // Orders submitted and not yet finished (including those awaiting acceptance).
  size_t open_order_count() const { return orders_.size(); }

 private:
  using Event = std::variant<BrokerOrderUpdate, Execution>;
  using Events = std::vector<Event>;

  struct Working {
    OrderId id;
    std::string broker_id;
    const Instrument* instrument = nullptr;
    Side side = Side::kBuy;
    OrderType type = OrderType::kMarket;
    TimeInForce tif = TimeInForce::kDay;
    Decimal qty, filled, filled_value, commission;
    std::optional<Decimal> limit, stop;
    bool accepted = false;
    bool triggered = false;   // stop / stop-limit
    bool had_chance = false;  // has met a quote (or bar) since acceptance
    bool finished = false;    // filled, cancelled or expired: to be dropped
    Timestamp accepted_at{}, session{};
    const Symbol& symbol() const { return instrument->symbol; }
    Decimal remaining() const { return qty - filled; }
  };
  struct Book {
    std::optional<Quote> quote;
    std::optional<Decimal> bid_left, ask_left;  // displayed size not yet taken; unset = unlimited
  };

  void after(Duration d, std::function<void()> fn);
  void accept(uint64_t seq);
  void work_quote(Working& w, Book& book, Events& out);
  void work_bar(Working& w, const Bar& b, Events& out);
  void fill(Working& w, Decimal qty, Decimal price, Timestamp time, Events& out);
  void expire_day_orders(Events& out);
  void drop_finished();
  BrokerOrderUpdate update(BrokerOrderUpdate::Kind kind, const Working& w,
                           std::string reason = {}) const;
  Decimal slipped(const Working& w, Decimal price) const;
  void emit(Events events);
  void flush();

  Scheduler& scheduler_;
  SimBrokerOptions options_;
  BrokerEvents* events_ = nullptr;
  bool connected_ = true;

  std::unordered_map<Symbol, Instrument> instruments_;
  std::unordered_map<Symbol, Book> books_;
  std::map<uint64_t, Working> orders_;          // by acceptance sequence: unfinished orders
  std::unordered_map<OrderId, uint64_t> live_;  // order id -> key in orders_
  std::unordered_set<OrderId> known_;           // every order ever submitted
  std::map<Symbol, Position> positions_;
  std::vector<Execution> executions_;
  uint64_t next_seq_ = 1;
  uint64_t next_exec_ = 1;

  std::deque<Event> outbox_;  // to deliver; held while disconnected
  bool flushing_ = false;

  std::map<uint64_t, TimerId> timers_;  // pending, cancelled on destruction
  uint64_t next_timer_ = 1;
};

}  // namespace td::sim
