#pragma once
// The td::Strategy that every library rule runs as: one SignalModel per
// symbol (each symbol traded independently by the same rule), and on every
// closed bar target = side * size through ctx.set_target().
//
// - Indicators are updated on every bar, warm-up included; set_target() is
//   called on every bar once the symbol's model is defined (the engine ignores
//   it while warming up and only trades the difference to the position).
//   Nothing is asked while the model is undefined.
// - The size is fixed when the side changes (an entry or a flip) and held
//   while the side stays: with notional sizing, floor(notional / close) of
//   the deciding bar, not re-sized on every bar (that would trade a few
//   shares every bar as the price moves).
// - on_bar() does not allocate; the symbol's state is found by comparing
//   Symbols, starting with the last one seen (no hashing).
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/market_data.h"
#include "core/strategy.h"
#include "strategies/position_sizing.h"
#include "strategies/signal_model.h"

namespace td::strategies {

class SignalStrategy final : public Strategy {
 public:
  // Calls make_model() once per symbol. symbols must be non-empty and
  // distinct, else std::invalid_argument (make_strategy() validates first).
  SignalStrategy(std::vector<Symbol> symbols, const ModelFactory& make_model,
                 PositionSizing sizing);

  const std::vector<Symbol>& symbols() const override { return symbols_; }
  size_t warmup_bars() const override { return warmup_bars_; }
  void on_bar(const Bar& bar, StrategyContext& ctx) override;

  // The side decided on the symbol's last bar; nullopt while undefined or for
  // a symbol this strategy does not trade.
  std::optional<Signal> signal(const Symbol& s) const;
  // The signed target last asked for the symbol (0 before any decision).
  Decimal target(const Symbol& s) const;

 private:
  struct PerSymbol {
    std::unique_ptr<SignalModel> model;
    std::optional<Signal> side;
    Decimal target;
  };
  static constexpr size_t kNone = static_cast<size_t>(-1);
  size_t find(const Symbol& s) const;

  std::vector<Symbol> symbols_;
  std::vector<PerSymbol> state_;
  PositionSizing sizing_;
  size_t warmup_bars_ = 0;
  size_t last_ = 0;  // index of the last symbol seen, checked first
};

}  // namespace td::strategies
