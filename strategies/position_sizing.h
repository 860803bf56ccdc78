#pragma once
// How many units a library strategy holds when it is long or short: a fixed
// qty, or floor(notional / close) with the close of the bar that decided the
// entry (docs/backtest-semantics.md, "Position sizing"). Exact Decimal
// arithmetic: the size is state the engine turns into orders.
#include <optional>

#include "core/decimal.h"

namespace td::strategies {

struct PositionSizing {
  Decimal qty = Decimal::from_int(1);  // > 0
  std::optional<Decimal> notional;     // > 0 when set; replaces qty

  // The unsigned size for an entry decided at `close`: qty, or
  // floor(notional / close) whole units (0 when close <= 0 or close > notional).
  // Throws DecimalOverflow when the quotient is beyond Decimal's range.
  Decimal size_at(Decimal close) const;
};

}  // namespace td::strategies
