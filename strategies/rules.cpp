#include "strategies/rules.h"

#include <algorithm>
#include <cmath>

namespace td::strategies {

namespace {

Signal otherwise(bool allow_short) {
  return allow_short ? Signal::kShort : Signal::kFlat;
}

}  // namespace

SmaCrossModel::SmaCrossModel(const SmaCrossParams& p, bool allow_short)
    : fast_(p.fast), slow_(p.slow), otherwise_(otherwise(allow_short)) {}

int SmaCrossModel::warmup_bars() const {
  return std::max(fast_.period(), slow_.period());
}

RsiReversionModel::RsiReversionModel(const RsiReversionParams& p, bool allow_short)
    : p_(p), allow_short_(allow_short), rsi_(p.n) {}

std::optional<Signal> RsiReversionModel::update(double close) {
  rsi_.update(close);
  if (!rsi_.ready()) return std::nullopt;
  const double rsi = rsi_.value();
  if (rsi < p_.buy_below) {
    side_ = Signal::kLong;
  } else if (rsi > p_.sell_above) {
    side_ = otherwise(allow_short_);  // exits a long; enters short when allowed
  }
  return side_;
}

MacdModel::MacdModel(const MacdParams& p, bool allow_short)
    : p_(p), macd_(p.fast, p.slow, p.signal), otherwise_(otherwise(allow_short)) {}

std::optional<Signal> MacdModel::update(double close) {
  macd_.update(close);
  if (!macd_.ready()) return std::nullopt;
  const Macd::Value v = macd_.value();
  return v.macd > v.signal ? Signal::kLong : otherwise_;
}

int MacdModel::warmup_bars() const {
  return std::max(p_.fast, p_.slow) + p_.signal - 1;
}

BollingerReversionModel::BollingerReversionModel(const BollingerReversionParams& p,
                                                 bool allow_short)
    : p_(p), allow_short_(allow_short), bands_(p.n, p.k) {}

std::optional<Signal> BollingerReversionModel::update(double close) {
  bands_.update(close);
  if (!bands_.ready()) return std::nullopt;
  const Bollinger::Value b = bands_.value();
  if (close < b.lower) {
    side_ = Signal::kLong;
  } else if (allow_short_ && close > b.upper) {
    side_ = Signal::kShort;
  } else if (side_ == Signal::kLong && close > b.middle) {
    side_ = Signal::kFlat;
  } else if (side_ == Signal::kShort && close < b.middle) {
    side_ = Signal::kFlat;
  }
  return side_;
}

ZScoreReversionModel::ZScoreReversionModel(const ZScoreReversionParams& p, bool allow_short)
    : p_(p), allow_short_(allow_short), z_(p.n) {}

std::optional<Signal> ZScoreReversionModel::update(double close) {
  z_.update(close);
  if (!z_.ready()) return std::nullopt;
  const double z = z_.value();
  if (z < -p_.entry) {
    side_ = Signal::kLong;
  } else if (allow_short_ && z > p_.entry) {
    side_ = Signal::kShort;
  } else if (std::fabs(z) < p_.exit) {
    side_ = Signal::kFlat;
  }
  return side_;
}

}  // namespace td::strategies
