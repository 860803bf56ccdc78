#include "strategies/position_sizing.h"

namespace td::strategies {

Decimal PositionSizing::size_at(Decimal close) const {
  if (!notional) return qty;
  if (close.sign() <= 0 || notional->sign() <= 0) return Decimal{};
  // Both are counts of 1e-8 units, so the integer quotient of the unit counts
  // is notional / close truncated, which for positive values is the floor.
  return Decimal::from_int(notional->units() / close.units());
}

}  // namespace td::strategies
