#pragma once
// The cost model of backtest-semantics.md in one place, so that the
// backtest's own loop (backtest/) and the simulated broker's kNextBarOpen fill
// model (the live engine path) cannot drift apart: a market order decided on bar t fills
// at the open of bar t+1 moved by slippage_bps against the trader and rounded
// to the tick away from the trader (buys up, sells down; a sell never below
// one tick), and pays IB's fixed commission (core/instrument.h).
#include "core/decimal.h"
#include "core/instrument.h"
#include "core/order.h"

namespace td::sim {

// The fill price of a market order at `open`. slippage_bps in [0, 10000).
Decimal slipped_price(Side side, Decimal open, Decimal slippage_bps, Decimal tick);

// The commission of one order filled in full: qty units at price.
Decimal order_commission(const Instrument& inst, Decimal qty, Decimal price);

}  // namespace td::sim
