#pragma once
// Market data as the engine sees it, whatever the source (simulator, IB,
// CSV history). A bar is stamped with its open time and delivered when it
// closes (time + interval); strategies decide on closed bars only.
#include <functional>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/time.h"

namespace td {

struct Quote {
  Symbol symbol;
  Timestamp time;
  Decimal bid, ask;
  Decimal bid_size, ask_size;
  Decimal last;  // last trade price (0 when unknown)

  Decimal mid() const { return (bid + ask).div(Decimal::from_int(2), Rounding::kHalfEven); }
};

struct Bar {
  Symbol symbol;
  Timestamp time;  // open time
  Duration interval{};
  Decimal open, high, low, close;
  Decimal volume;

  Timestamp close_time() const { return time + interval; }
};

// Where market data is delivered (the engine, the simulated broker).
class MarketDataHandler {
 public:
  virtual ~MarketDataHandler() = default;
  virtual void on_quote(const Quote& q) = 0;
  virtual void on_bar(const Bar& b) = 0;
};

}  // namespace td

namespace td {

// Past bars for a strategy's warm-up (the simulator, IB historical data).
class HistorySource {
 public:
  virtual ~HistorySource() = default;
  // The last `count` closed bars of `symbol` before now, oldest first.
  virtual void request_bars(const Symbol& symbol, size_t count,
                            std::function<void(std::vector<Bar>)> done) = 0;
};

}  // namespace td
