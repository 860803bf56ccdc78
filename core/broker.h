#pragma once
// The engine's view of a broker. Implementations live in brokers/ (the
// simulated broker, the IB TWS client); the interface lives here so that the
// engine depends on an abstraction and never on a concrete broker.
// Every outcome is asynchronous: submit() only says whether the request could
// be handed over; acceptance, fills and cancels arrive through BrokerEvents on
// the engine thread.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/order.h"
#include "core/status.h"
#include "core/time.h"

namespace td {

struct BrokerOrderUpdate {
  enum class Kind {
    kAccepted,
    kRejected,
    kCancelled,
    kExpired,
    kCancelRejected,
    kModified,        // the modification asked for is now working
    kModifyRejected,  // it was refused; the order works unchanged
  };
  Kind kind = Kind::kAccepted;
  OrderId order_id;
  std::string broker_order_id;
  std::string reason;
  Timestamp time{};
  // request_open_orders only: an open order of the account that is not ours
  // (entered by hand or by another program) - what it asks for, and how much
  // of it has filled. The engine adopts it with source "external".
  std::optional<OrderRequest> external;
  Decimal external_filled;
};

struct Execution {
  OrderId order_id;
  std::string broker_order_id;
  std::string exec_id;  // unique per execution at the broker
  Symbol symbol;
  Side side = Side::kBuy;
  Decimal qty;
  Decimal price;
  Decimal commission;
  Timestamp time{};
};

struct BrokerPosition {
  Symbol symbol;
  Decimal qty;
  Decimal avg_cost;
};

struct OrderModification {
  std::optional<Decimal> qty, limit_price, stop_price;
};

class BrokerEvents {
 public:
  virtual ~BrokerEvents() = default;
  virtual void on_order_update(const BrokerOrderUpdate& u) = 0;
  virtual void on_execution(const Execution& e) = 0;
  virtual void on_connection(bool connected, const std::string& detail) = 0;
};

class Broker {
 public:
  virtual ~Broker() = default;
  virtual std::string_view name() const = 0;
  virtual void set_events(BrokerEvents* events) = 0;
  virtual bool connected() const = 0;

  virtual Status submit(const Order& order) = 0;
  virtual Status modify(const Order& order, const OrderModification& m) = 0;
  virtual Status cancel(const Order& order) = 0;
  // Flatten's first step where the broker has one message for it (IB's
  // reqGlobalCancel: every open order of the account, also those entered by
  // hand); per-order cancels and closing orders follow regardless.
  virtual void cancel_everything() {}
  // Start-up recovery: an order of an earlier run (or an adopted external
  // one) that may be open at the broker. The broker tracks it as its own so
  // that its updates and executions (by orderRef / broker id) reach the
  // engine; nothing is sent.
  virtual void adopt(const Order& order) { (void)order; }

  // Snapshots for reconciliation; answered on the engine thread.
  virtual void request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) = 0;
  virtual void request_positions(std::function<void(std::vector<BrokerPosition>)> done) = 0;
  virtual void request_executions(Timestamp since,
                                  std::function<void(std::vector<Execution>)> done) = 0;
};

}  // namespace td
