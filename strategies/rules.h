#pragma once
// The rules of the strategy table in docs/backtest-semantics.md, each a
// SignalModel for one symbol. Parameters are typed here; make_strategy()
// (factory.cpp) parses and validates the configured strings and checks the
// cross-parameter constraints (fast < slow, buy_below < sell_above, ...).
//
// Stateless rules decide from this bar alone (sma_cross, macd): long when the
// condition holds, else flat, or short when allow_short. Stateful rules
// (rsi_reversion, bollinger_reversion, zscore_reversion) hold their side
// between bars; each bar their entry conditions are checked first, then
// their exit conditions, else the side is held. The table gives no short rule
// for rsi_reversion and bollinger_reversion; with allow_short we mirror the
// long rule (docs/strategies.md):
//   rsi_reversion:       long when RSI < buy_below; RSI > sell_above exits a
//                        long, and with allow_short enters (or flips to) short,
//                        which RSI < buy_below flips back to long.
//   bollinger_reversion: long when close < lower band; short when close >
//                        upper band (allow_short); a long exits when close >
//                        SMA(n), a short when close < SMA(n).
//   zscore_reversion:    long when z < -entry; short when z > entry
//                        (allow_short); any position exits when |z| < exit.
//                        Long-only, a long is held through z > entry until
//                        |z| < exit, as the table says.
#include <optional>

#include "strategies/indicators.h"
#include "strategies/signal_model.h"

namespace td::strategies {

struct SmaCrossParams {
  int fast = 10;
  int slow = 30;
};

struct RsiReversionParams {
  int n = 14;
  double buy_below = 30;
  double sell_above = 70;
};

struct MacdParams {
  int fast = 12;
  int slow = 26;
  int signal = 9;
};

struct BollingerReversionParams {
  int n = 20;
  double k = 2;
};

struct ZScoreReversionParams {
  int n = 20;
  double entry = 2;
  double exit = 0.5;
};

// Long when SMA(fast) > SMA(slow), else flat (short when allow_short).
class SmaCrossModel final : public SignalModel {
 public:
  SmaCrossModel(const SmaCrossParams& p, bool allow_short);
  std::optional<Signal> update(double close) override {
    fast_.update(close);
    slow_.update(close);
    if (!fast_.ready() || !slow_.ready()) return std::nullopt;
    return fast_.value() > slow_.value() ? Signal::kLong : otherwise_;
  }
  int warmup_bars() const override;

 private:
  Sma fast_, slow_;
  Signal otherwise_;
};

// Enter long when RSI(n) < buy_below; exit when RSI(n) > sell_above.
class RsiReversionModel final : public SignalModel {
 public:
  RsiReversionModel(const RsiReversionParams& p, bool allow_short);
  std::optional<Signal> update(double close) override;
  int warmup_bars() const override { return p_.n + 1; }

 private:
  RsiReversionParams p_;
  bool allow_short_;
  Rsi rsi_;
  Signal side_ = Signal::kFlat;
};

// Long when the MACD line > its signal line, else flat (short when allow_short).
class MacdModel final : public SignalModel {
 public:
  MacdModel(const MacdParams& p, bool allow_short);
  std::optional<Signal> update(double close) override;
  int warmup_bars() const override;

 private:
  MacdParams p_;
  Macd macd_;
  Signal otherwise_;
};

// Enter long when close < lower band; exit when close > SMA(n).
class BollingerReversionModel final : public SignalModel {
 public:
  BollingerReversionModel(const BollingerReversionParams& p, bool allow_short);
  std::optional<Signal> update(double close) override;
  int warmup_bars() const override { return p_.n; }

 private:
  BollingerReversionParams p_;
  bool allow_short_;
  Bollinger bands_;
  Signal side_ = Signal::kFlat;
};

// Enter long when z < -entry (short when z > entry and allow_short); exit
// when |z| < exit.
class ZScoreReversionModel final : public SignalModel {
 public:
  ZScoreReversionModel(const ZScoreReversionParams& p, bool allow_short);
  std::optional<Signal> update(double close) override;
  int warmup_bars() const override { return p_.n; }

 private:
  ZScoreReversionParams p_;
  bool allow_short_;
  ZScore z_;
  Signal side_ = Signal::kFlat;
};

}  // namespace td::strategies
