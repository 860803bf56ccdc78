#pragma once
// The pre-trade gate every order passes before it may leave the process,
// whatever its source, and the two faces the engine and the risk manager
// show each other: the engine gives risk a read-only view of its state
// (EngineView) and the mechanisms risk may trigger (RiskActions: cancel all,
// flatten, close one position); risk/ implements RiskHook. The kill switch
// and trading states live in risk/; the engine only obeys the gate.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/instrument.h"
#include "core/order.h"
#include "core/portfolio.h"
#include "core/time.h"

namespace td {

enum class TradingState { kActive, kReducing, kHalted };
std::string_view to_string(TradingState s);  // "active" | "reducing" | "halted"
std::optional<TradingState> parse_trading_state(std::string_view s);

struct RiskDenial {
  std::string check;    // machine-readable: "max_order_qty", "kill_switch_engaged", ...
  std::string message;  // for a person
  // Set when the order should wait in the queue and be checked again at this
  // time instead of being rejected (throttle with action "queue").
  std::optional<Timestamp> retry_at;
};

// The last price the engine saw for a symbol and when.
struct MarketRef {
  Decimal price;
  Timestamp time;
};

// Remaining quantity of a symbol's open orders that passed the gate
// (including those with a cancel pending: they may still fill).
struct WorkingQty {
  Decimal buy, sell;
  size_t orders = 0;
};

class EngineView {
 public:
  virtual ~EngineView() = default;
  virtual Timestamp now() const = 0;
  virtual const Portfolio& portfolio() const = 0;
  virtual const Instrument* instrument(const Symbol& s) const = 0;
  virtual std::optional<MarketRef> market_ref(const Symbol& s) const = 0;
  virtual WorkingQty working(const Symbol& s) const = 0;
  virtual size_t working_orders() const = 0;  // open orders that passed the gate
  virtual bool broker_connected() const = 0;
  // When the broker connection was lost (meaningful while disconnected).
  virtual Timestamp broker_disconnected_since() const = 0;
};

struct FlattenResult {
  Symbol symbol;
  Decimal qty;                              // the position when flatten ran
  std::optional<OrderId> closing_order;     // new or already working
  std::optional<std::string> error;
};

struct RiskEventData {
  std::string kind;    // breaker_tripped | breaker_cleared | trading_state | kill_switch_engaged |
                       // kill_switch_rearmed | limits_changed | alert
  std::string name;    // breaker or check name, or the new state
  std::string actor;   // who: "api:<token>", "signal:SIGUSR1", "breaker:<name>", "config"
  std::string reason;
  std::vector<std::pair<std::string, std::string>> figures;  // e.g. {"today_pnl", "-1250.00"}
};

class RiskActions {
 public:
  virtual ~RiskActions() = default;
  // Cancels every open and queued order (cancels wait for a disconnected
  // broker and go first when it returns); the ids of the orders affected.
  virtual std::vector<OrderId> cancel_all(const std::string& reason) = 0;
  // Closes every position with market orders, never beyond zero: what is
  // already working on the closing side counts, so calling it again sends
  // nothing new; positions left after cancels resolve are closed as they do.
  virtual std::vector<FlattenResult> flatten(const std::string& reason) = 0;
  // Closes one position (forced exit), same rules as flatten.
  virtual FlattenResult close_position(const Symbol& s, const std::string& source,
                                       const std::string& reason) = 0;
  // Publishes a risk event to the engine's sinks (log, store, stream).
  virtual void publish_risk_event(RiskEventData e) = 0;
};

class RiskHook {
 public:
  virtual ~RiskHook() = default;
  // nullopt: the order may go on (and counts against rate limits from now).
  virtual std::optional<RiskDenial> pre_trade(const Order& order, const EngineView& view) = 0;
  // An order that passed pre_trade and then waited in the queue (scheduled,
  // broker disconnected) is about to leave: checks whose answer may have
  // changed (the trading state) are asked again; rates are not counted twice.
  virtual std::optional<RiskDenial> recheck(const Order& order, const EngineView& view) {
    return std::nullopt;
  }
  // A working order is about to be modified into `modified` (new qty or
  // prices): the same checks as a new order, as if `current` were not working.
  virtual std::optional<RiskDenial> pre_modify(const Order& current, const Order& modified,
                                               const EngineView& view) {
    return std::nullopt;
  }
  // Breakers: after every fill and every mark, and once a second (time-based ones).
  virtual void on_fill(const Fill& f, const EngineView& view) {}
  virtual void on_mark(const Symbol& s, const EngineView& view) {}
  virtual void on_tick(const EngineView& view) {}
  virtual void on_broker_connection(bool connected, const EngineView& view) {}
};

}  // namespace td
