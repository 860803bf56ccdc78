#include "core/position.h"

namespace td {

Decimal Position::avg_cost() const {
  if (qty_.is_zero()) return Decimal();
  return cost_.div(qty_, Rounding::kHalfEven);
}

Position::Effect Position::apply(Side side, Decimal qty, Decimal price, Decimal commission,
                                 Timestamp t) {
  Effect e;
  commissions_ += commission;
  Decimal q = side == Side::kBuy ? qty : -qty;  // signed fill
  if (qty_.is_zero() || qty_.sign() == q.sign()) {
    if (qty_.is_zero()) e.opened = true, opened_at_ = t;
    qty_ += q;
    cost_ += q.mul(price, Rounding::kHalfEven);
    return e;
  }
  // Reducing (and maybe flipping): close min(|q|, |qty|) against the cost basis.
  const Decimal closing = q.abs() >= qty_.abs() ? qty_ : -q;  // same sign as the position
  const Decimal released =
      closing == qty_ ? cost_ : cost_.mul_div(closing, qty_, Rounding::kHalfEven);
  e.realized = (closing.mul(price, Rounding::kHalfEven) - released) * multiplier_;
  e.closed_qty = closing.abs();
  realized_ += e.realized;
  qty_ -= closing;
  cost_ -= released;
  const Decimal rest = q + closing;  // what is left of the fill after closing
  if (!rest.is_zero()) {
    qty_ = rest;
    cost_ = rest.mul(price, Rounding::kHalfEven);
    opened_at_ = t;
    e.opened = true;
  }
  return e;
}

}  // namespace td
