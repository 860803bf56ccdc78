#pragma once
// The risk manager: the pre-trade chain, the circuit breakers, the trading
// state (active / reducing / halted) and the kill switch. It is the engine's
// RiskHook; it acts on the engine only through RiskActions. Single-threaded
// (engine thread), like the engine.
//
// The kill switch always wins: engaging closes the gate first (no exposure-
// increasing order passes from that instant), then cancels, then flattens.
// Orders whose source is "flatten" or "risk:*" are the risk manager's own
// closing orders and pass every check (they can only reduce).
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/risk_hook.h"
#include "risk/risk_limits.h"

namespace td::risk {

struct KillSwitchState {
  bool engaged = false;
  std::string reason;
  std::string engaged_by;
  std::optional<Timestamp> engaged_at;
  std::optional<Timestamp> rearmed_at;
  std::string rearmed_by;
};

struct TradingStateInfo {
  TradingState state = TradingState::kActive;
  std::string reason;
  std::string by;
  std::optional<Timestamp> since;
};

// What is latched across restarts.
struct PersistedRiskState {
  TradingStateInfo trading;
  KillSwitchState kill_switch;
};

struct BreakerStatus {
  std::string name;  // daily_loss | max_drawdown | consecutive_losses | position_duration | stale_data | broker_disconnect
  bool tripped = false;
  std::optional<Timestamp> tripped_at;
  std::string detail;
};

struct EngageResult {
  KillSwitchState kill_switch;
  std::vector<OrderId> cancelled;
  std::vector<FlattenResult> positions;  // empty unless flatten
};

class RiskManager final : public RiskHook {
 public:
  // Called after every change of the latched state (persist it).
  using StateListener = std::function<void(const PersistedRiskState&)>;

  RiskManager(RiskLimits limits, RiskActions& actions);

  // Restores the latched state at start-up (before any order).
  void restore(const PersistedRiskState& s);
  void set_state_listener(StateListener l) { listener_ = std::move(l); }

  // Replaces every limit at once; refused (nothing changes) when invalid.
  Status set_limits(RiskLimits limits, const std::string& actor);
  const RiskLimits& limits() const { return limits_; }

  // Kill switch. Engaging twice keeps the first reason and time; flatten runs
  // each time it is asked for (it never closes a position twice).
  EngageResult engage(const std::string& reason, const std::string& actor, bool flatten,
                      Timestamp now);
  // Admin only (the caller checks roles): back to active.
  Status rearm(const std::string& reason, const std::string& actor, Timestamp now);
  // Stricter any time; back to active needs admin (is_admin). halted: use engage().
  Status set_trading_state(TradingState s, const std::string& reason, const std::string& actor,
                           bool is_admin, Timestamp now);

  const KillSwitchState& kill_switch() const { return state_.kill_switch; }
  const TradingStateInfo& trading_state() const { return state_.trading; }
  std::vector<BreakerStatus> breakers() const;

  // RiskHook
  std::optional<RiskDenial> pre_trade(const Order& order, const EngineView& view) override;
  void on_fill(const Fill& f, const EngineView& view) override;
  void on_mark(const Symbol& s, const EngineView& view) override;
  void on_tick(const EngineView& view) override;
  void on_broker_connection(bool connected, const EngineView& view) override;

  // True when the order can only bring its symbol's position toward zero,
  // counting what already works on the same side.
  static bool is_reducing(const Order& order, const EngineView& view);

 private:
  // (implementation detail: helper fills in)
  RiskLimits limits_;
  RiskActions& actions_;
  PersistedRiskState state_;
  StateListener listener_;
};

// The state file under data_dir (until the store issue moves it into
// PostgreSQL). Written atomically (temp file, fsync, rename, fsync dir).
Status save_state_file(const std::string& path, const PersistedRiskState& s);
// Missing file: default (active) state. Unreadable or corrupt: an error; the
// daemon then starts halted (fail safe) and says why.
Result<PersistedRiskState> load_state_file(const std::string& path);

}  // namespace td::risk
