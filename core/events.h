#pragma once
// The engine's outgoing message flow. Everything that changes state is
// published as an Event to the sinks (log, store, API stream); sinks run on
// the engine thread and must not block (the store queues, the API snapshots).
#include <string>
#include <variant>

#include "core/order.h"
#include "core/risk_hook.h"
#include "core/time.h"

namespace td {

struct OrderEvent {  // created or changed status
  const Order* order;
  OrderStatus previous;
  bool created;
};
struct FillEvent {
  const Fill* fill;
  const Order* order;
  Decimal position_qty;  // account position after the fill
  Decimal avg_cost;
  Decimal realized;  // realized by this fill
};
struct OrderDeniedEvent {
  const Order* order;
  std::string check;
  std::string message;
};
struct TransitionRefusedEvent {  // an illegal or impossible change was refused
  OrderId order_id;
  std::string detail;
};
struct BrokerConnectionEvent {
  bool connected;
  std::string detail;
};
struct StrategyEvent {
  std::string name;
  std::string what;  // "started", "stopped", "warmed_up", "error: ..."
};

struct RiskEvent {
  RiskEventData data;
};

using EventData = std::variant<OrderEvent, FillEvent, OrderDeniedEvent, TransitionRefusedEvent,
                               BrokerConnectionEvent, StrategyEvent, RiskEvent>;

struct Event {
  uint64_t seq;
  Timestamp time;
  EventData data;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& e) = 0;
};

}  // namespace td
