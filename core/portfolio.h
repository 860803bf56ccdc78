#pragma once
// The account: positions per symbol, marks, cash, equity and its peak, and the
// day's P&L since the session boundary. Fills and marks are the only inputs;
// every figure the API shows is derived here, so they reconcile with fills.
//
// Conventions: realized P&L is gross of commissions; total = realized +
// unrealized - commissions; "today" figures count from the session start,
// today's unrealized is the change since then, today's total is
// equity - equity at the session start.
#include <map>
#include <optional>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/order.h"
#include "core/position.h"
#include "core/session_calendar.h"
#include "core/time.h"

namespace td {

struct StoredPosition;

class Portfolio {
 public:
  struct Holding {
    Position position;
    std::optional<Decimal> mark;  // last market price; none until the first quote/bar/fill
    Decimal unrealized;
    Decimal realized_today;
  };

  Portfolio(Decimal initial_cash = Decimal::from_int(100000), SessionCalendar calendar = {});

  // Contract multiplier of a symbol (1 unless set); set before its first fill.
  void set_multiplier(const Symbol& s, Decimal multiplier);
  // Applies a fill to its symbol's position (created on first use).
  Position::Effect apply_fill(const Fill& f);
  void mark(const Symbol& s, Decimal price, Timestamp t);
  // Start-up recovery: positions and lifetime totals as the store kept them
  // (before any fill of this run). Cash follows from them: initial cash plus
  // realized minus commissions minus what the open positions cost. The
  // session's figures let the daily loss breaker continue where it was; the
  // equity peak restarts from the restored equity (marks come later).
  void restore(const std::vector<StoredPosition>& positions, Decimal realized, Decimal commissions,
               Timestamp session_start, Decimal session_realized, Decimal session_commissions);
  // Rolls the day over when t is in a later session than the current one.
  void on_time(Timestamp t);

  const Holding* holding(const Symbol& s) const;
  const std::map<Symbol, Holding>& holdings() const { return holdings_; }
  Decimal position_qty(const Symbol& s) const;

  Decimal initial_cash() const { return initial_cash_; }
  Decimal cash() const { return cash_; }
  Decimal realized() const { return realized_; }
  Decimal unrealized() const { return unrealized_; }
  Decimal commissions() const { return commissions_; }
  Decimal total_pnl() const { return realized_ + unrealized_ - commissions_; }
  Decimal equity() const { return initial_cash_ + total_pnl(); }
  Decimal peak_equity() const { return peak_equity_; }
  Decimal drawdown() const { return peak_equity_ - equity(); }
  // Fraction of peak (0.05 = 5 %), 0 when the peak is not positive.
  Decimal drawdown_pct() const;
  Decimal gross_exposure() const;  // sum of |market value|

  Timestamp session_start() const { return day_.start; }
  Decimal today_realized() const { return day_.realized; }
  Decimal today_commissions() const { return day_.commissions; }
  Decimal today_unrealized() const { return unrealized_ - day_.unrealized_at_start; }
  Decimal today_total() const { return equity() - day_.equity_at_start; }

 private:
  Holding& holding_for(const Symbol& s);
  void revalue(Holding& h);
  void update_peak();

  struct Day {
    Timestamp start{};
    bool started = false;
    Decimal realized, commissions, unrealized_at_start, equity_at_start;
  };
  SessionCalendar calendar_;
  Decimal initial_cash_;
  Decimal cash_;
  Decimal realized_, unrealized_, commissions_;
  Decimal peak_equity_;
  Day day_;
  std::map<Symbol, Holding> holdings_;
  std::map<Symbol, Decimal> multipliers_;
};

}  // namespace td
