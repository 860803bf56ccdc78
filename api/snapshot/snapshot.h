#pragma once
// What GET routes answer from: an immutable picture of the engine's state,
// built on the engine thread and swapped in atomically (architecture.md), so
// a read never waits on the engine and never sees half a change. Histories
// (orders, fills, audit events, P&L points) share their unchanged chunks
// between successive snapshots (cow_vector.h).
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/snapshot/cow_vector.h"
#include "core/order.h"
#include "core/portfolio.h"
#include "core/position.h"
#include "risk/risk_limits.h"
#include "risk/risk_manager.h"

namespace td::api {

// One entry of the audit log (GET /api/v1/events): every state change and
// every mutating API call. The engine thread only records the facts; the
// JSON object {"seq","time","type","actor","data"} is built on first read
// (an API thread), once, so auditing costs the hot path no serialisation.
struct AuditEvent {
  uint64_t seq = 0;  // 1, 2, 3, ... (index seq - 1 in Snapshot::events)
  Timestamp time{};
  std::string type;
  std::string actor;
  std::function<nlohmann::json()> data;  // the "data" member, built when read

  const std::string& json() const;

 private:
  mutable std::once_flag once_;
  mutable std::string json_;
};

struct PnlPoint {
  Timestamp time{};
  Decimal equity, realized, unrealized;
};

struct QueueEntry {
  OrderId id;
  std::string reason;  // scheduled | broker_disconnected | market_closed | throttled | paused | persisting
};

struct StrategySnapshot {
  std::string name, type;
  bool enabled = false, warm = false;
  std::vector<Symbol> symbols;
  std::map<std::string, std::string> params;
  std::map<Symbol, Position> positions;  // the strategy's own book
};

struct BrokerInfo {
  std::string name;  // "sim", "ib"
  bool connected = false;
  std::optional<Timestamp> since;  // of the current connected/disconnected state
  std::string detail;
  std::string server_version;
};

// What does not change while the daemon runs.
struct StaticInfo {
  std::string version;
  Timestamp started_at{};  // wall clock
  std::string mode;        // paper | ib
  std::string account;
  std::set<Symbol> symbols;  // configured instruments
  bool store_configured = false;
};

struct Snapshot {
  uint64_t version = 0;  // increases with every publication
  Timestamp as_of{};     // the engine's clock when it was taken
  std::shared_ptr<const StaticInfo> info;

  CowVector<Order>::Frozen orders;   // index = id - 1
  std::vector<OrderId> open_orders;  // ascending
  CowVector<Fill>::Frozen fills;     // in the order they happened
  CowVector<AuditEvent>::Frozen events;
  CowVector<PnlPoint>::Frozen pnl_points;  // one per minute of engine time
  std::shared_ptr<const Portfolio> portfolio;
  std::vector<QueueEntry> queue;  // routing order
  bool routing_paused = false;

  risk::TradingStateInfo trading;
  risk::KillSwitchState kill_switch;
  std::shared_ptr<const risk::RiskLimits> limits;
  std::vector<risk::BreakerStatus> breakers;
  size_t working_orders = 0;

  std::vector<StrategySnapshot> strategies;
  BrokerInfo broker;

  const Order* order(OrderId id) const {
    return id.value() == 0 ? nullptr : orders.at(static_cast<size_t>(id.value() - 1));
  }
  const StrategySnapshot* strategy(std::string_view name) const {
    for (const auto& s : strategies)
      if (s.name == name) return &s;
    return nullptr;
  }

  // GET /api/v1/positions, rendered once per snapshot on first use (the
  // busiest read of dashboards and scripts).
  const std::string& positions_body() const;

 private:
  mutable std::once_flag positions_once_;
  mutable std::string positions_body_;
};

// The current snapshot: published by the engine thread, read by any thread.
class SnapshotStore {
 public:
  SnapshotStore() : current_(std::make_shared<const Snapshot>()) {}
  std::shared_ptr<const Snapshot> load() const { return current_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const Snapshot> s) {
    current_.store(std::move(s), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace td::api
