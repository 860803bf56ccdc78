#pragma once
// What a strategy is to the engine. The library of strategies lives in
// strategies/; the interface lives here because the engine hosts them.
// A strategy sees closed bars, quotes, its own fills and timers, and answers
// with target positions (the engine turns a target into orders) or orders.
// The same object runs live, in paper mode and in backtests.
#include <cstddef>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "core/instrument.h"
#include "core/market_data.h"
#include "core/order.h"
#include "core/status.h"
#include "core/time.h"

namespace td {

class StrategyContext {
 public:
  virtual ~StrategyContext() = default;
  virtual Timestamp now() const = 0;
  // True while history is replayed before live data: decisions are ignored.
  virtual bool warming_up() const = 0;
  // This strategy's own (attributed) position in a symbol.
  virtual Decimal position(const Symbol& s) const = 0;
  virtual const Instrument* instrument(const Symbol& s) const = 0;
  // Asks for a target position; the engine sends the market order(s) for the
  // difference to the position plus what is already working.
  virtual void set_target(const Symbol& s, Decimal target_qty) = 0;
  virtual Result<OrderId> submit(OrderRequest req) = 0;
  virtual Status cancel(OrderId id) = 0;
  virtual void set_timer(Timestamp at) = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual const std::vector<Symbol>& symbols() const = 0;
  // Closed bars it needs before its first decision (its indicators' warm-up).
  virtual size_t warmup_bars() const = 0;
  virtual void on_bar(const Bar& bar, StrategyContext& ctx) = 0;
  virtual void on_quote(const Quote& q, StrategyContext& ctx) {}
  virtual void on_fill(const Fill& f, StrategyContext& ctx) {}
  virtual void on_timer(Timestamp t, StrategyContext& ctx) {}
};

}  // namespace td
