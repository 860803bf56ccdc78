#pragma once
// A deterministic synthetic market for paper mode, tests and demos: quotes for
// every symbol at every tick, bars built from those ticks, and warm-up
// history, all from one seed. Same seed and options => the same quotes and
// bars, bit for bit, on every platform (see random.h, det_math.h).
//
// Choices worth knowing:
// - Each symbol's randomness derives from (seed, symbol name), so adding a
//   symbol or reordering them leaves the others' tapes unchanged.
// - Each tick advances the latent price by quote_interval of trading time,
//   whatever wall time has passed (a stop/start pauses the market).
// - Trades print at the latent price rounded to the tick (inside the spread);
//   Quote.last and the bars use it. Bid/ask sit around it, spread_ticks apart
//   (wider when volatility is high), never below one tick.
// - Bars are aligned to multiples of bar_interval since the Unix epoch; the
//   first live bar may be partial. A bar is delivered at the first tick at or
//   after its close time, before that tick's quotes; within one tick all
//   symbols' bars go out before any quote. Bar slots without ticks are skipped.
// - History ends at the origin (the time of start() or of the first
//   request_bars(), whichever comes first, floored to bar_interval) and is
//   generated backwards from start_price with a stream of its own: the last
//   history close is the first live price, asking for more or fewer bars
//   never changes the bars already given, and asking at all never changes the
//   live tape. History is plain GBM with rare gaps (no regimes or clustering).
// - request_bars() calls `done` directly, before it returns; after the start
//   it answers with history followed by the live bars closed so far (at
//   most 1,000,000 bars; only live bars once more than kept_bars have closed).
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "brokers/sim/price_process.h"
#include "brokers/sim/random.h"
#include "core/instrument.h"
#include "core/market_data.h"
#include "core/scheduler.h"
#include "core/status.h"

namespace td::sim {

struct SimSymbol {
  Instrument instrument;
  Decimal start_price = Decimal::from_int(100);
  double volatility = 0.20;  // annualised
  double drift = 0.0;        // annualised
  int spread_ticks = 1;
  Decimal display_size = Decimal::from_int(100);  // typical size at the bid and at the ask
};

struct MarketSimOptions {
  uint64_t seed = 1;
  Duration bar_interval = std::chrono::minutes(1);
  Duration quote_interval = std::chrono::seconds(1);
  std::vector<SimSymbol> symbols;
  MarketModel model;
  size_t kept_bars = 10'000;  // live bars remembered per symbol for request_bars()
};

// Why the options cannot run (unknown, duplicate or unnamed symbols,
// non-positive prices, ticks or intervals, an unstable model...).
Status validate(const MarketSimOptions& options);

class MarketSimulator final : public HistorySource {
 public:
  // Throws std::invalid_argument when validate(options) fails.
  MarketSimulator(Scheduler& scheduler, MarketSimOptions options);
  ~MarketSimulator() override;
  MarketSimulator(const MarketSimulator&) = delete;
  MarketSimulator& operator=(const MarketSimulator&) = delete;

  // Handlers receive every bar and quote, in registration order.
  void add_handler(MarketDataHandler* handler);

  // Schedules the first tick at scheduler.now(); each tick schedules the next
  // quote_interval later. Both are no-ops when already in that state.
  void start();
  void stop();
  bool running() const { return running_; }

  void request_bars(const Symbol& symbol, size_t count,
                    std::function<void(std::vector<Bar>)> done) override;

  // Introspection (tests, dashboards).
  struct SymbolStats {
    uint64_t ticks = 0;
    uint64_t regime_switches = 0;
    uint64_t gaps = 0;
    Regime regime = Regime::kSideways;
    double vol_ratio = 1;  // current volatility / base volatility
  };
  std::optional<SymbolStats> stats(const Symbol& symbol) const;
  const Quote* last_quote(const Symbol& symbol) const;
  const MarketSimOptions& options() const { return options_; }

 private:
  struct SymbolState;

  void tick();
  void fix_origin();
  SymbolState* find(const Symbol& symbol);
  const SymbolState* find(const Symbol& symbol) const;
  void extend_history(SymbolState& s, size_t count);

  Scheduler& scheduler_;
  MarketSimOptions options_;
  double dt_years_;
  std::vector<std::unique_ptr<SymbolState>> symbols_;  // in options order
  std::unordered_map<Symbol, size_t> index_;
  std::vector<MarketDataHandler*> handlers_;
  bool running_ = false;
  TimerId timer_ = 0;
  std::optional<Timestamp> origin_;  // bar-aligned end of history
};

}  // namespace td::sim
