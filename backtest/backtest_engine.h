#pragma once
// The backtest loop: the live strategy objects (strategies/), the live risk
// manager (risk/) and the live portfolio (core/) driven bar by bar on a
// simulated clock, with the fill model of backtest-semantics.md. It is not
// core/engine.h because a sweep over years of minute bars needs tens of
// millions of bars a second, and the live engine pays per event for what a
// backtest has none of (a broker connection, order queues, event sinks, the
// store). What it shares with live trading is what decides and what counts:
// the strategy code, the risk checks, where a fill changes a position
// (core/position.h via core/portfolio.h) and the fill price and commission
// (brokers/sim/fill_model.h, which the simulated broker uses too). The
// parity test (tests/unit/backtest_parity_test.cpp) runs the same bars
// through core/engine.h with the simulated broker and checks that both make
// the same decisions and end with the same equity.
//
// Timing: a strategy sees bar t at its close and its orders are market orders
// that fill at the open of the symbol's next bar (slippage and commission
// applied); what is decided on a symbol's last bar never fills; at the end
// every position is closed at its last bar's close (slippage, commission).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backtest/bar_source.h"
#include "core/decimal.h"
#include "core/instrument.h"
#include "core/market_data.h"
#include "core/portfolio.h"
#include "core/risk_hook.h"
#include "core/session_calendar.h"
#include "core/status.h"
#include "core/strategy.h"
#include "risk/risk_limits.h"

namespace td::risk {
class RiskManager;
}

namespace td::backtest {

struct BacktestSettings {
  std::vector<Instrument> instruments;  // SourceBar::symbol indexes this
  Duration bar_interval = std::chrono::minutes(1);
  Decimal initial_cash = Decimal::from_int(100000);
  Decimal slippage_bps;  // [0, 10000)
  risk::RiskLimits risk;
  SessionCalendar session;  // where the daily P&L (daily loss limit) resets
  // Bars opening before this only warm the strategies up (their decisions
  // are ignored, as in live warm-up from history) and add no equity point:
  // a walk-forward test window starts with indicators already defined.
  std::optional<Timestamp> trade_from;
};

struct BacktestOrder {
  Timestamp time;  // decision time (the deciding bar's close)
  uint32_t symbol = 0;
  Side side = Side::kBuy;
  Decimal qty;
  const std::string* source = nullptr;  // "strategy:<name>", "flatten", "risk:..."
};

struct BacktestFill {
  Timestamp time;  // the filling bar's open (or the last bar's close for the liquidation)
  uint32_t symbol = 0;
  Side side = Side::kBuy;
  Decimal qty, price, commission;
  bool liquidation = false;
};

// What a run reports as it goes (trade list, equity curve, metrics).
class BacktestObserver {
 public:
  virtual ~BacktestObserver() = default;
  virtual void on_order(const BacktestOrder& o) {}
  virtual void on_fill(const BacktestFill& f) {}
  // Once per bar time, after every bar of that time: equity = cash + marked
  // positions; exposed = some position was open at the close. The last call
  // comes after the final liquidation (its equity is the final equity).
  virtual void on_bar_close(Timestamp close_time, Decimal equity, bool exposed) {}
};

struct BacktestSummary {
  uint64_t bars = 0;
  uint64_t bar_times = 0;  // distinct bar times (equity points)
  uint64_t orders = 0;
  uint64_t fills = 0;
  uint64_t unfilled_at_end = 0;             // decided on a last bar: never filled
  std::map<std::string, uint64_t> denials;  // risk check -> orders refused
  std::vector<std::string> risk_events;     // breakers, kill switch (first 1000)
  std::optional<Timestamp> first_bar, last_bar;
  Decimal final_equity;
  Decimal commissions;
};

class BacktestEngine final : private EngineView, private RiskActions {
 public:
  // Throws std::invalid_argument on an invalid setting (duplicate symbol,
  // slippage outside [0, 10000), invalid risk limits).
  explicit BacktestEngine(BacktestSettings settings);
  ~BacktestEngine() override;
  BacktestEngine(const BacktestEngine&) = delete;
  BacktestEngine& operator=(const BacktestEngine&) = delete;

  // Before run(): every symbol of the strategy must be an instrument.
  Status add_strategy(const std::string& name, std::unique_ptr<Strategy> strategy);
  // Runs once over the source to its end.
  Result<BacktestSummary> run(BarSource& source, BacktestObserver& observer);

  const td::Portfolio& account() const { return portfolio_; }
  const BacktestSettings& settings() const { return settings_; }

 private:
  struct Pending {
    OrderId id;
    int slot = -1;  // -1: a risk (closing) order
    Side side = Side::kBuy;
    Decimal qty;
  };
  struct Slot;
  struct SymbolState;
  class Context;

  // The order's fate: OrderId when it waits for the next bar.
  Result<OrderId> place(int slot, uint32_t symbol, Side side, Decimal qty,
                        const std::string& source);
  void fill_pending(SymbolState& s, Decimal open, Timestamp at);
  void apply_fill(SymbolState& s, int slot, Side side, Decimal qty, Decimal price, Timestamp at,
                  bool liquidation);
  void revalue(SymbolState& s);
  void close_bar_time(bool last);
  void liquidate();
  void mark_all();  // the portfolio's marks before a risk check
  uint32_t index_of(const Symbol& s) const;
  Decimal pending_qty(const SymbolState& s, int slot) const;

  // EngineView (what the risk manager reads).
  Timestamp now() const override { return now_; }
  const td::Portfolio& portfolio() const override { return portfolio_; }
  const Instrument* instrument(const Symbol& s) const override;
  std::optional<MarketRef> market_ref(const Symbol& s) const override;
  WorkingQty working(const Symbol& s) const override;
  size_t working_orders() const override { return pending_total_; }
  bool broker_connected() const override { return true; }
  Timestamp broker_disconnected_since() const override { return {}; }

  // RiskActions (breakers, kill switch).
  std::vector<OrderId> cancel_all(const std::string& reason) override;
  std::vector<FlattenResult> flatten(const std::string& reason) override;
  FlattenResult close_position(const Symbol& s, const std::string& source,
                               const std::string& reason) override;
  void publish_risk_event(RiskEventData e) override;

  BacktestSettings settings_;
  td::Portfolio portfolio_;
  std::unique_ptr<risk::RiskManager> risk_;
  bool risk_marks_ = false;  // breakers that need every mark are configured
  std::vector<std::unique_ptr<SymbolState>> symbols_;
  std::vector<std::unique_ptr<Slot>> slots_;
  BacktestObserver* observer_ = nullptr;
  BacktestSummary summary_;
  Timestamp now_{};
  Timestamp bar_time_{};  // the open time of the bars being processed
  bool have_bar_time_ = false;
  bool warming_ = false;     // the bars being processed open before trade_from
  Decimal positions_value_;  // sum of the marked values
  size_t open_positions_ = 0;
  size_t pending_total_ = 0;
  uint64_t next_order_id_ = 1;
  uint64_t next_fill_id_ = 1;
  std::string flatten_source_ = "flatten";
  std::map<std::string, std::string> risk_sources_;
  std::string last_denial_;               // the check that refused the last order
  const SymbolState* current_ = nullptr;  // the bar being decided on
  bool ran_ = false;
  static constexpr uint32_t kUnknownSymbol = UINT32_MAX;
};

}  // namespace td::backtest
