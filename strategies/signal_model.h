#pragma once
// A signal model is one trading rule for one symbol: it consumes closes and
// answers the side it wants to hold. Why separate from td::Strategy: the rule
// is then independent of sizing, symbols and the engine, so the same rule
// object serves a single-rule strategy, a member of an ensemble (which only
// needs votes) and tests that feed closes directly.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace td::strategies {

enum class Signal : int8_t { kShort = -1, kFlat = 0, kLong = 1 };

inline int sign_of(Signal s) {
  return static_cast<int>(s);
}

class SignalModel {
 public:
  virtual ~SignalModel() = default;
  // Feeds the close of the next bar. Returns the side wanted after this bar,
  // or nullopt while the rule is undefined (not all of its indicators are
  // ready): no decision before that. Once defined, stays defined.
  virtual std::optional<Signal> update(double close) = 0;
  // Bars fed until the first defined answer (the bar that answers included).
  virtual int warmup_bars() const = 0;
};

// Builds a fresh model (one per symbol; models hold per-symbol state).
using ModelFactory = std::function<std::unique_ptr<SignalModel>()>;

}  // namespace td::strategies
