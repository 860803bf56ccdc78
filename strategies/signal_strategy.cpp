#include "strategies/signal_strategy.h"

#include <stdexcept>
#include <utility>

namespace td::strategies {

SignalStrategy::SignalStrategy(std::vector<Symbol> symbols, const ModelFactory& make_model,
                               PositionSizing sizing)
    : symbols_(std::move(symbols)), sizing_(std::move(sizing)) {
  if (symbols_.empty()) throw std::invalid_argument("a strategy needs at least one symbol");
  state_.reserve(symbols_.size());
  for (size_t i = 0; i < symbols_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (symbols_[j] == symbols_[i]) {
        throw std::invalid_argument("duplicate symbol " + symbols_[i].str());
      }
    }
    state_.push_back(PerSymbol{make_model(), std::nullopt, Decimal{}});
    warmup_bars_ = static_cast<size_t>(state_.back().model->warmup_bars());
  }
}

size_t SignalStrategy::find(const Symbol& s) const {
  if (symbols_[last_] == s) return last_;
  for (size_t i = 0; i < symbols_.size(); ++i) {
    if (symbols_[i] == s) return i;
  }
  return kNone;
}

void SignalStrategy::on_bar(const Bar& bar, StrategyContext& ctx) {
  const size_t i = find(bar.symbol);
  if (i == kNone) return;
  last_ = i;
  PerSymbol& st = state_[i];
  const std::optional<Signal> side = st.model->update(bar.close.to_double());
  if (!side) return;
  if (st.side != side) {
    st.side = side;
    const Decimal size = *side == Signal::kFlat ? Decimal{} : sizing_.size_at(bar.close);
    st.target = *side == Signal::kShort ? -size : size;
  }
  ctx.set_target(bar.symbol, st.target);
}

std::optional<Signal> SignalStrategy::signal(const Symbol& s) const {
  const size_t i = find(s);
  return i == kNone ? std::nullopt : state_[i].side;
}

Decimal SignalStrategy::target(const Symbol& s) const {
  const size_t i = find(s);
  return i == kNone ? Decimal{} : state_[i].target;
}

}  // namespace td::strategies
