#pragma once
// One symbol's position: the single place where a fill changes a quantity,
// an average cost and realized P&L. The cost basis is kept as an exact sum
// (qty * price of what is open), so closing a position to zero releases its
// exact cost and realized P&L over a round trip reconciles to the cent.
#include "core/decimal.h"
#include "core/ids.h"
#include "core/order.h"
#include "core/time.h"

namespace td {

class Position {
 public:
  Position() = default;
  Position(Symbol symbol, Decimal multiplier)
      : symbol_(std::move(symbol)), multiplier_(multiplier) {}
  // A position as the store kept it (start-up recovery).
  static Position restored(Symbol symbol, Decimal multiplier, Decimal qty, Decimal cost_basis,
                           Decimal realized, Decimal commissions, Timestamp opened_at) {
    Position p(std::move(symbol), multiplier);
    p.qty_ = qty;
    p.cost_ = cost_basis;
    p.realized_ = realized;
    p.commissions_ = commissions;
    p.opened_at_ = opened_at;
    return p;
  }

  struct Effect {
    Decimal realized;     // P&L realized by this fill (gross of commission)
    Decimal closed_qty;   // how much of the previous position it closed
    bool opened = false;  // the position left zero (or flipped)
  };
  // Applies a fill; commission is accumulated separately from realized P&L.
  Effect apply(Side side, Decimal qty, Decimal price, Decimal commission, Timestamp t);

  const Symbol& symbol() const { return symbol_; }
  Decimal multiplier() const { return multiplier_; }
  Decimal qty() const { return qty_; }          // signed: > 0 long, < 0 short
  Decimal cost_basis() const { return cost_; }  // signed sum of open qty * price
  Decimal avg_cost() const;                     // per unit, 8 decimals; 0 when flat
  Decimal realized_pnl() const { return realized_; }
  Decimal commissions() const { return commissions_; }
  Timestamp opened_at() const { return opened_at_; }
  bool flat() const { return qty_.is_zero(); }
  Decimal market_value(Decimal mark) const {
    return qty_.mul(mark, Rounding::kHalfEven) * multiplier_;
  }
  Decimal unrealized_pnl(Decimal mark) const {
    return (qty_.mul(mark, Rounding::kHalfEven) - cost_) * multiplier_;
  }

 private:
  Symbol symbol_;
  Decimal multiplier_ = Decimal::from_int(1);
  Decimal qty_;
  Decimal cost_;
  Decimal realized_;
  Decimal commissions_;
  Timestamp opened_at_{};
};

}  // namespace td
