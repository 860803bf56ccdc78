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
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/order.h"
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
  std::string name;  // daily_loss | max_drawdown | consecutive_losses | position_duration |
                     // stale_data | broker_disconnect
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
  // Admin only (the caller checks roles): back to active. An error unless engaged.
  // Going back to active (here or by set_trading_state) unlatches the reduce/halt
  // breakers and judges them again at once: one whose condition still holds
  // trips again (docs/risk.md).
  Status rearm(const std::string& reason, const std::string& actor, Timestamp now);
  // Stricter any time; back to active needs admin (is_admin); halted only via
  // engage() and left only via rearm().
  Status set_trading_state(TradingState s, const std::string& reason, const std::string& actor,
                           bool is_admin, Timestamp now);

  const KillSwitchState& kill_switch() const { return state_.kill_switch; }
  const PersistedRiskState& persisted_state() const { return state_; }
  const TradingStateInfo& trading_state() const { return state_.trading; }
  std::vector<BreakerStatus> breakers() const;

  // RiskHook
  std::optional<RiskDenial> pre_trade(const Order& order, const EngineView& view) override;
  std::optional<RiskDenial> pre_modify(const Order& current, const Order& modified,
                                       const EngineView& view) override;
  // A queued order that already passed pre_trade is about to leave: the
  // trading-state gate and reduce_only are asked again (its own remaining
  // quantity, already counted in view.working(), is not counted twice).
  std::optional<RiskDenial> recheck(const Order& order, const EngineView& view) override;
  void on_fill(const Fill& f, const EngineView& view) override;
  void on_mark(const Symbol& s, const EngineView& view) override;
  void on_tick(const EngineView& view) override;
  void on_broker_connection(bool connected, const EngineView& view) override;

  // True when the order can only bring its symbol's position toward zero,
  // counting what already works on the same side.
  static bool is_reducing(const Order& order, const EngineView& view);
  // "flatten" and "risk:*": the risk manager's own closing orders, never checked.
  static bool is_exempt_source(std::string_view source);

 private:
  // Sliding-window rate counter: the times of the last `limit` orders that
  // passed (a fixed ring, allocated when the limit is set).
  struct RateWindow {
    std::vector<Timestamp> ring;
    size_t head = 0;  // oldest entry once full
    size_t count = 0;
    void resize(size_t limit);
    // nullopt: allowed now; else the first time it will be.
    std::optional<Timestamp> blocked_until(Timestamp now, Duration window) const;
    void record(Timestamp now);
  };
  struct RecentOrder {
    uint64_t hash = 0;
    bool used = false;  // taken since the table was last rebuilt (live or expired)
    Timestamp time{};   // when it passed: live while time + duplicate_window > now
    Side side = Side::kBuy;
    OrderType type = OrderType::kMarket;
    Decimal qty;
    std::optional<Decimal> limit, stop;
    Symbol symbol;
  };
  // The orders that passed within the duplicate window: an open-addressing
  // hash table (linear probing, at most half full) rebuilt without its
  // expired entries when full; `spare` keeps the other buffer, so a steady
  // flow of orders allocates nothing.
  struct RecentOrders {
    std::vector<RecentOrder> slots, spare;
    size_t used = 0;
  };
  struct SourceState {
    RateWindow per_second, per_minute;
    RecentOrders recent;
  };
  struct RoundTrip {
    bool open = false;
    Decimal realized_at_start, commissions_at_start;
  };
  struct SymbolState {
    // Cached from the limits (valid while generation == generation_).
    uint64_t generation = 0;
    bool allowed = true;
    const TradingHours* hours = nullptr;
    const date::time_zone* tz = nullptr;
    bool tz_known = true;
    // The local day of the last trading-hours answer, as UTC instants.
    bool day_valid = false;
    bool trading_day = false;
    Timestamp day_begin{}, day_end{}, open{}, close{};
    // Exposure: this symbol's market value in gross_/net_ (at its mark).
    Decimal value;
    // Round-trip P&L (consecutive losses) and the position's figures after
    // the last event seen (to attribute a fill to a trip already open).
    RoundTrip trip;
    bool snapshot = false;
    Decimal last_realized, last_commissions;
    Timestamp first_seen{};
    // Per-symbol breakers.
    bool stale_tripped = false;
    bool duration_tripped = false;
    bool duration_retry = false;
    Timestamp duration_opened_at{};
  };
  struct Breaker {
    bool tripped = false;
    std::optional<Timestamp> tripped_at;
    std::string detail;
  };
  using Figures = std::vector<std::pair<std::string, std::string>>;

  std::optional<RiskDenial> run_chain(const Order& order, const EngineView& view, Timestamp now,
                                      const char*& check, SourceState*& source);
  std::optional<RiskDenial> gate(const Order& order, bool reducing, Decimal position,
                                 Decimal working_same_side) const;
  SymbolState& symbol_state(const Symbol& s, Timestamp now);
  void refresh_limits_cache(SymbolState& st, const Symbol& s);
  bool in_trading_hours(SymbolState& st, Timestamp now);
  void compute_day(SymbolState& st, Timestamp now);
  std::string hours_refusal(const SymbolState& st, const Symbol& s, Timestamp now) const;
  static const RecentOrder* find_recent(const RecentOrders& t, const Order& order, uint64_t hash);
  void rebuild_recent(RecentOrders& t, Timestamp now) const;
  void record_passed(SourceState& src, const Order& order, Timestamp now);

  void refresh_value(SymbolState& st, const Symbol& s, const Portfolio& pf);
  void resync_exposure(const Portfolio& pf, Timestamp now);
  void track_round_trip(SymbolState& st, const Fill& f, const Portfolio& pf);
  void evaluate_account(const EngineView& view);
  void evaluate_cooldown(Timestamp now);
  void evaluate_position_durations(const EngineView& view);
  void evaluate_stale_data(const EngineView& view);
  void evaluate_broker(const EngineView& view, bool connected);
  void trip_stale(SymbolState& st, const Symbol& s, std::optional<MarketRef> ref, Timestamp now);

  void trip(Breaker& b, const char* name, BreakerAction action, std::string reason, Figures figures,
            Timestamp now);
  void clear(Breaker& b, const char* name, std::string reason, Figures figures);
  void take_action(const char* name, BreakerAction action, const std::string& reason,
                   Timestamp now);
  void change_state(TradingState s, const std::string& reason, const std::string& actor,
                    Timestamp now);
  void publish(std::string kind, std::string name, std::string actor, std::string reason,
               Figures figures = {});
  void notify();
  void reset_breakers(const std::string& actor);

  RiskLimits limits_;
  RiskActions& actions_;
  PersistedRiskState state_;
  StateListener listener_;
  uint64_t generation_ = 1;  // bumped by set_limits: SymbolState caches re-resolve

  std::unordered_map<Symbol, SymbolState> symbols_;
  std::unordered_map<std::string, SourceState> sources_;
  uint64_t passed_hash_ = 0;  // duplicate-guard hash of the order the chain just checked
  // Sum of |market value| and of market value over symbols_[*].value.
  Decimal gross_, net_;
  bool exposure_synced_ = false;  // computed once from the portfolio before first use

  Breaker daily_loss_, drawdown_, consecutive_, broker_;
  int64_t consecutive_losses_ = 0;
  Decimal last_trip_pnl_;
  size_t stale_count_ = 0, duration_count_ = 0;  // symbols tripped
  // The engine's view as last handed to a RiskHook call (the engine itself,
  // which outlives this object): lets an admin's re-arm judge breakers at once.
  const EngineView* view_ = nullptr;
};

// The state file under data_dir, written atomically (temp file, fsync,
// rename, fsync dir) on the engine thread before the change takes effect.
// It stays the source at start-up: the kill switch must hold with the
// database down; the store keeps a copy (kv "risk.state") for inspection.
Status save_state_file(const std::string& path, const PersistedRiskState& s);
// The file's text (also the store's copy).
std::string serialize_state(const PersistedRiskState& s);
// Missing file: default (active) state. Unreadable or corrupt: an error; the
// daemon then starts halted (fail safe) and says why.
Result<PersistedRiskState> load_state_file(const std::string& path);

}  // namespace td::risk
