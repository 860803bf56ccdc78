// The strategy library end to end: each rule's decisions on crafted closes
// (through a StrategyContext that records set_target calls), long_only vs
// allow_short, notional sizing, the ensemble's votes, and make_strategy()'s
// validation (every error, with its path).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "core/strategy.h"
#include "strategies/ensemble.h"
#include "strategies/param_parse.h"
#include "strategies/position_sizing.h"
#include "strategies/signal_strategy.h"
#include "strategies/spec.h"

namespace td::strategies {
namespace {

Decimal dec(const std::string& s) {
  return operator""_d(s.c_str(), s.size());
}

// Records what a strategy asks of the engine.
class RecordingContext : public StrategyContext {
 public:
  struct Target {
    Symbol symbol;
    Decimal qty;
  };
  std::vector<Target> targets;
  bool warming = false;

  Timestamp now() const override { return {}; }
  bool warming_up() const override { return warming; }
  Decimal position(const Symbol&) const override { return {}; }
  const Instrument* instrument(const Symbol&) const override { return nullptr; }
  void set_target(const Symbol& s, Decimal qty) override { targets.push_back({s, qty}); }
  Result<OrderId> submit(OrderRequest) override {
    return make_error(ErrorCode::kRejected, "library strategies only set targets");
  }
  Status cancel(OrderId) override { return {}; }
  void set_timer(Timestamp) override {}
};

Bar bar_of(const std::string& symbol, const std::string& close, int i) {
  Bar b;
  b.symbol = Symbol(symbol);
  b.time = from_unix_seconds(1'700'000'000 + 60 * i);
  b.interval = std::chrono::minutes(1);
  b.open = b.high = b.low = b.close = dec(close);
  b.volume = Decimal::from_int(100);
  return b;
}

// Feeds closes of one symbol; per bar, the target asked ("" when none).
std::vector<std::string> run(Strategy& s, const std::vector<std::string>& closes,
                             const std::string& symbol = "SPY") {
  RecordingContext ctx;
  std::vector<std::string> out;
  for (size_t i = 0; i < closes.size(); ++i) {
    const size_t before = ctx.targets.size();
    s.on_bar(bar_of(symbol, closes[i], static_cast<int>(i)), ctx);
    if (ctx.targets.size() == before) {
      out.emplace_back();
    } else {
      EXPECT_EQ(ctx.targets.size(), before + 1);
      EXPECT_EQ(ctx.targets.back().symbol, Symbol(symbol));
      out.push_back(ctx.targets.back().qty.to_string());
    }
  }
  return out;
}

StrategySpec spec_of(const std::string& type, std::map<std::string, std::string> params,
                     bool allow_short = false) {
  StrategySpec s;
  s.name = "test";
  s.type = type;
  s.symbols = {Symbol("SPY")};
  s.params = std::move(params);
  s.allow_short = allow_short;
  return s;
}

std::string describe(const std::vector<ParamError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.path + ": " + e.message + "\n";
  return out;
}

std::unique_ptr<Strategy> make(const StrategySpec& spec) {
  MakeResult r = make_strategy(spec);
  if (!r) {
    ADD_FAILURE() << describe(r.error());
    return nullptr;
  }
  return std::move(*r);
}

std::vector<std::string> error_paths(const StrategySpec& spec) {
  MakeResult r = make_strategy(spec);
  if (r) return {};
  std::vector<std::string> paths;
  for (const auto& e : r.error()) paths.push_back(e.path);
  return paths;
}

std::string message_at(const StrategySpec& spec, const std::string& path) {
  MakeResult r = make_strategy(spec);
  if (r) return "<no errors>";
  for (const auto& e : r.error()) {
    if (e.path == path) return e.message;
  }
  return "<no error at " + path + ">: " + describe(r.error());
}

// ---- sma_cross --------------------------------------------------------------

// SMA(2) vs SMA(3) on 1, 2, 3, 2, 1, 1, 2, 3:
// bar 3: 2.5 > 2 long; bar 4: 2.5 > 2.33 long; bar 5: 1.5 < 2; bar 6: 1 < 1.33;
// bar 7: 1.5 > 1.33 long; bar 8: 2.5 > 2 long.
const std::vector<std::string> kCrossCloses = {"1", "2", "3", "2", "1", "1", "2", "3"};

TEST(SmaCross, LongOnly) {
  StrategySpec spec = spec_of("sma_cross", {{"fast", "2"}, {"slow", "3"}});
  spec.qty = Decimal::from_int(10);
  auto s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 3u);
  EXPECT_EQ(run(*s, kCrossCloses),
            (std::vector<std::string>{"", "", "10", "10", "0", "0", "10", "10"}));
}

TEST(SmaCross, AllowShort) {
  StrategySpec spec = spec_of("sma_cross", {{"fast", "2"}, {"slow", "3"}}, true);
  spec.qty = Decimal::from_int(10);
  auto s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, kCrossCloses),
            (std::vector<std::string>{"", "", "10", "10", "-10", "-10", "10", "10"}));
}

TEST(SmaCross, EqualAveragesAreNotACross) {
  // SMA(2) = (100.01+100.03)/2 = 100.02 = SMA(3) = (100.02+100.01+100.03)/3:
  // not "fast > slow", so short (shorts allowed), never long by rounding.
  auto s = make(spec_of("sma_cross", {{"fast", "2"}, {"slow", "3"}}, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, {"100.02", "100.01", "100.03"}), (std::vector<std::string>{"", "", "-1"}));
}

TEST(SmaCross, DefaultsAreTenAndThirty) {
  auto s = make(spec_of("sma_cross", {}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 30u);
  std::vector<std::string> closes;
  for (int i = 1; i <= 30; ++i) closes.push_back(std::to_string(i));
  const auto out = run(*s, closes);
  EXPECT_EQ(out[28], "");   // bar 29: SMA(30) undefined
  EXPECT_EQ(out[29], "1");  // bar 30: SMA(10) = 25.5 > SMA(30) = 15.5
}

// ---- sizing -------------------------------------------------------------------

TEST(PositionSizing, FixedQtyOrFloorOfNotional) {
  const PositionSizing fixed{dec("5"), std::nullopt};
  EXPECT_EQ(fixed.size_at(dec("123.45")), dec("5"));
  const PositionSizing n{dec("1"), dec("1000")};
  EXPECT_EQ(n.size_at(dec("333.33")), dec("3"));    // 3.00003
  EXPECT_EQ(n.size_at(dec("1000")), dec("1"));      // exactly 1
  EXPECT_EQ(n.size_at(dec("1000.01")), dec("0"));   // 0.99999
  EXPECT_EQ(n.size_at(dec("0.07")), dec("14285"));  // 14285.71...
  EXPECT_EQ(n.size_at(dec("0")), dec("0"));
}

TEST(SmaCross, NotionalSizedAtTheDecidingCloseAndHeld) {
  // SMA(2) vs SMA(3) on 100, 110, 130, 180, 50:
  // bar 3: 120 > 113.33 long, floor(1000/130) = 7;
  // bar 4: 155 > 140 still long: held at 7 (not re-sized to floor(1000/180) = 5);
  // bar 5: 115 < 120: flat, or short floor(1000/50) = 20.
  const std::vector<std::string> closes = {"100", "110", "130", "180", "50"};
  StrategySpec spec = spec_of("sma_cross", {{"fast", "2"}, {"slow", "3"}});
  spec.notional = dec("1000");
  auto s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "7", "7", "0"}));
  spec.allow_short = true;
  s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "7", "7", "-20"}));
}

// ---- rsi_reversion --------------------------------------------------------------

// RSI(2) on 10, 9, 8, 9, 10, 11, 10, 9, 8 (changes -1 -1 +1 +1 +1 -1 -1 -1):
// bar 3: gain 0, loss 1 -> RSI 0 < 30: long
// bar 4: g (0+1)/2 = .5, l (1+0)/2 = .5 -> 50: hold
// bar 5: g .75, l .25 -> 75 > 70: exit (short when allowed)
// bar 6: g .875, l .125 -> 87.5: flat (short)
// bar 7: g .4375, l .5625 -> 43.75: hold
// bar 8: g .21875, l .78125 -> 21.875 < 30: long
// bar 9: g .109375, l .890625 -> 10.9375: long
const std::vector<std::string> kRsiCloses = {"10", "9", "8", "9", "10", "11", "10", "9", "8"};

TEST(RsiReversion, LongOnly) {
  auto s = make(spec_of("rsi_reversion", {{"n", "2"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 3u);  // n + 1
  EXPECT_EQ(run(*s, kRsiCloses),
            (std::vector<std::string>{"", "", "1", "1", "0", "0", "0", "1", "1"}));
}

TEST(RsiReversion, AllowShortMirrors) {
  auto s = make(spec_of("rsi_reversion", {{"n", "2"}}, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, kRsiCloses),
            (std::vector<std::string>{"", "", "1", "1", "-1", "-1", "-1", "1", "1"}));
}

TEST(RsiReversion, Levels) {
  // Same closes, buy_below 45: bar 7 (43.75) already enters long.
  auto s = make(spec_of("rsi_reversion", {{"n", "2"}, {"buy_below", "45"}, {"sell_above", "80"}}));
  ASSERT_TRUE(s);
  // bar 5 (75) is not > 80: stays long; bar 6 (87.5) exits.
  EXPECT_EQ(run(*s, kRsiCloses),
            (std::vector<std::string>{"", "", "1", "1", "1", "0", "1", "1", "1"}));
}

// ---- macd ---------------------------------------------------------------------

TEST(MacdStrategy, CrossOfSignal) {
  // MACD(2, 3, 2) on 2, 4, 6, 8, 4, 2, 6, 10 (values in indicators_test.cpp):
  // line vs signal from bar 4: 1 vs 1 (equal: not above), 0 vs 1/3,
  // -0.5 vs -2/9, 0.25 vs 0.0926 (above), 0.958 vs 0.670 (above).
  const std::vector<std::string> closes = {"2", "4", "6", "8", "4", "2", "6", "10"};
  auto s = make(spec_of("macd", {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 4u);  // slow + signal - 1
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "", "0", "0", "0", "1", "1"}));
  s = make(spec_of("macd", {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}}, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "", "-1", "-1", "-1", "1", "1"}));
}

// ---- bollinger_reversion ----------------------------------------------------------

// Bollinger(3, 1) on 10, 10, 10, 7, 8, 9, 8, 12:
// bar 3: flat window, bands = 10, close 10: nothing, flat
// bar 4: 10 10 7: mean 9, sd 1.414, lower 7.586 > 7: long
// bar 5: 10 7 8: mean 8.333, lower 7.086: 8 is between: hold long
// bar 6: 7 8 9: mean 8, upper 8.816: 9 > mean exits; 9 > upper: short (allowed)
// bar 7: 8 9 8: mean 8.333: 8 < mean exits a short
// bar 8: 9 8 12: mean 9.667, upper 11.366 < 12: short (allowed)
const std::vector<std::string> kBandCloses = {"10", "10", "10", "7", "8", "9", "8", "12"};

TEST(BollingerReversion, LongOnly) {
  auto s = make(spec_of("bollinger_reversion", {{"n", "3"}, {"k", "1"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 3u);
  EXPECT_EQ(run(*s, kBandCloses), (std::vector<std::string>{"", "", "0", "1", "1", "0", "0", "0"}));
}

TEST(BollingerReversion, AllowShortMirrors) {
  auto s = make(spec_of("bollinger_reversion", {{"n", "3"}, {"k", "1"}}, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, kBandCloses),
            (std::vector<std::string>{"", "", "0", "1", "1", "-1", "0", "-1"}));
}

TEST(BollingerReversion, CloseEqualToSmaDoesNotExit) {
  // 100.07 x3, then 99.00: mean 99.7133, sd 0.5044, lower 99.209 > 99: long.
  // Then 99.535 = (100.07 + 99.00)/2, so window 100.07, 99.00, 99.535 has
  // mean 99.535 = close exactly: "close > SMA" is false, the long is held.
  // Then 99.54 > mean 99.3583: exit.
  auto s = make(spec_of("bollinger_reversion", {{"n", "3"}, {"k", "1"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, {"100.07", "100.07", "100.07", "99.00", "99.535", "99.54"}),
            (std::vector<std::string>{"", "", "0", "1", "1", "0"}));
}

// ---- zscore_reversion --------------------------------------------------------------

TEST(ZScoreReversion, EntryAndExit) {
  // Z(3), entry 1.2, exit 0.5 on 10, 10, 10, 7, 8, 13, 12:
  // bar 3: flat window z = 0 < 0.5: flat
  // bar 4: 10 10 7: z = -2/1.414 = -1.414 < -1.2: long
  // bar 5: 10 7 8: z = -0.267, |z| < 0.5: exit
  // bar 6: 7 8 13: z = 3.667/2.625 = 1.397 > 1.2: short when allowed
  // bar 7: 8 13 12: z = 1/2.160 = 0.463 < 0.5: exit
  const std::vector<std::string> closes = {"10", "10", "10", "7", "8", "13", "12"};
  const std::map<std::string, std::string> p = {{"n", "3"}, {"entry", "1.2"}, {"exit", "0.5"}};
  auto s = make(spec_of("zscore_reversion", p));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 3u);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "0", "1", "0", "0", "0"}));
  s = make(spec_of("zscore_reversion", p, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "0", "1", "0", "-1", "0"}));
}

TEST(ZScoreReversion, LongOnlyHoldsThroughTheOtherExtreme) {
  // After the long at bar 4, 30: window 10 7 30, z = 14.333/10.209 = 1.404.
  // Long-only: no rule fires (|z| is not < exit), the long is held; with
  // shorts allowed, z > entry flips it short.
  const std::vector<std::string> closes = {"10", "10", "10", "7", "30"};
  const std::map<std::string, std::string> p = {{"n", "3"}, {"entry", "1.2"}, {"exit", "0.5"}};
  auto s = make(spec_of("zscore_reversion", p));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "0", "1", "1"}));
  s = make(spec_of("zscore_reversion", p, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "0", "1", "-1"}));
}

// ---- ensemble -------------------------------------------------------------------

// A member whose votes are given in advance.
class ScriptedModel : public SignalModel {
 public:
  ScriptedModel(std::vector<std::optional<Signal>> votes, int warmup)
      : votes_(std::move(votes)), warmup_(warmup) {}
  std::optional<Signal> update(double) override { return votes_.at(next_++); }
  int warmup_bars() const override { return warmup_; }

 private:
  std::vector<std::optional<Signal>> votes_;
  size_t next_ = 0;
  int warmup_;
};

constexpr auto L = Signal::kLong;
constexpr auto F = Signal::kFlat;
constexpr auto S = Signal::kShort;
constexpr std::optional<Signal> U = std::nullopt;

std::vector<std::optional<Signal>> vote(std::vector<std::vector<std::optional<Signal>>> members,
                                        int min_votes) {
  std::vector<std::unique_ptr<SignalModel>> models;
  int warmup = 1;
  for (auto& m : members) models.push_back(std::make_unique<ScriptedModel>(m, warmup++));
  EnsembleModel e(std::move(models), min_votes);
  EXPECT_EQ(e.warmup_bars(), warmup - 1);  // the slowest member's
  std::vector<std::optional<Signal>> out;
  for (size_t i = 0; i < members[0].size(); ++i) out.push_back(e.update(1.0));
  return out;
}

TEST(Ensemble, MinVotes) {
  // Per bar, three members vote (columns are bars).
  const std::vector<std::vector<std::optional<Signal>>> members = {
      {U, L, L, L, S, S},
      {L, L, L, F, S, F},
      {L, U, F, F, L, S},
  };
  // Undefined while any member is; then the side with >= min_votes, else flat.
  EXPECT_EQ(vote(members, 2), (std::vector<std::optional<Signal>>{U, U, L, F, S, S}));
  EXPECT_EQ(vote(members, 3), (std::vector<std::optional<Signal>>{U, U, F, F, F, F}));
  // min_votes 1: both sides can qualify; more votes wins (bar 5: 2 S vs 1 L).
  EXPECT_EQ(vote(members, 1), (std::vector<std::optional<Signal>>{U, U, L, L, S, S}));
}

TEST(Ensemble, TieOfQualifiedSidesIsFlat) {
  EXPECT_EQ(vote({{L}, {L}, {S}, {S}}, 2), (std::vector<std::optional<Signal>>{F}));
  EXPECT_EQ(vote({{L}, {S}}, 1), (std::vector<std::optional<Signal>>{F}));
  EXPECT_EQ(vote({{L}, {L}, {L}, {S}}, 1), (std::vector<std::optional<Signal>>{L}));
}

TEST(Ensemble, RejectsBadConstruction) {
  EXPECT_THROW(EnsembleModel({}, 1), std::invalid_argument);
  std::vector<std::unique_ptr<SignalModel>> one;
  one.push_back(std::make_unique<ScriptedModel>(std::vector<std::optional<Signal>>{L}, 1));
  EXPECT_THROW(EnsembleModel(std::move(one), 2), std::invalid_argument);
}

StrategySpec member(const std::string& type, std::map<std::string, std::string> params) {
  StrategySpec m;
  m.type = type;
  m.params = std::move(params);
  return m;
}

TEST(Ensemble, ThroughMakeStrategy) {
  // sma_cross(2,3) and macd(2,3,2) on 2, 4, 6, 8, 4, 2, 6, 10:
  //   sma_cross from bar 3: L L F(6=6) F F(4=4) L;  macd from bar 4: F F F L L.
  // Undefined until both are (bar 4). min_votes 2: only bar 8 has two longs.
  // min_votes 1: bar 4 (sma L), bar 7 (macd L), bar 8.
  const std::vector<std::string> closes = {"2", "4", "6", "8", "4", "2", "6", "10"};
  StrategySpec spec = spec_of("ensemble", {{"min_votes", "2"}});
  spec.members = {member("sma_cross", {{"fast", "2"}, {"slow", "3"}}),
                  member("macd", {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}})};
  auto s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->warmup_bars(), 4u);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "", "0", "0", "0", "0", "1"}));
  spec.params["min_votes"] = "1";
  s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "", "1", "0", "0", "1", "1"}));
}

TEST(Ensemble, MembersVoteShortWhenTheEnsembleAllowsShorts) {
  // Same members, shorts allowed, min_votes 2: bar 5 and 6 both want short.
  //   sma_cross from bar 4: L S S S L;  macd: S S S L L.
  const std::vector<std::string> closes = {"2", "4", "6", "8", "4", "2", "6", "10"};
  StrategySpec spec = spec_of("ensemble", {{"min_votes", "2"}}, true);
  spec.members = {member("sma_cross", {{"fast", "2"}, {"slow", "3"}}),
                  member("macd", {{"fast", "2"}, {"slow", "3"}, {"signal", "2"}})};
  auto s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(run(*s, closes), (std::vector<std::string>{"", "", "", "0", "-1", "-1", "0", "1"}));
}

TEST(Ensemble, DefaultMinVotesIsAMajority) {
  // Three members and no min_votes: a majority, 2 votes, is needed.
  StrategySpec spec = spec_of("ensemble", {});
  spec.members = {member("sma_cross", {{"fast", "2"}, {"slow", "3"}}),
                  member("sma_cross", {{"fast", "1"}, {"slow", "3"}}),
                  member("rsi_reversion", {{"n", "2"}})};
  auto s = make(spec);
  ASSERT_TRUE(s);
  // bar 3: sma L, sma L, rsi 100 -> F: 2 long votes -> long.
  EXPECT_EQ(run(*s, {"1", "2", "3"}), (std::vector<std::string>{"", "", "1"}));
}

// ---- the Strategy wrapper ------------------------------------------------------------

TEST(SignalStrategy, SymbolsAreIndependent) {
  StrategySpec spec = spec_of("sma_cross", {{"fast", "2"}, {"slow", "3"}}, true);
  spec.symbols = {Symbol("SPY"), Symbol("QQQ")};
  auto s = make(spec);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->symbols(), spec.symbols);
  RecordingContext ctx;
  // SPY rises 1, 2, 3; QQQ falls 3, 2, 1; interleaved, plus a foreign symbol.
  const std::vector<std::pair<std::string, std::string>> bars = {
      {"SPY", "1"}, {"QQQ", "3"}, {"IWM", "5"}, {"SPY", "2"}, {"QQQ", "2"},
      {"SPY", "3"}, {"IWM", "5"}, {"QQQ", "1"}, {"IWM", "5"}};
  for (size_t i = 0; i < bars.size(); ++i) {
    s->on_bar(bar_of(bars[i].first, bars[i].second, static_cast<int>(i)), ctx);
  }
  ASSERT_EQ(ctx.targets.size(), 2u);  // nothing for IWM, nothing before bar 3
  EXPECT_EQ(ctx.targets[0].symbol, Symbol("SPY"));
  EXPECT_EQ(ctx.targets[0].qty, dec("1"));
  EXPECT_EQ(ctx.targets[1].symbol, Symbol("QQQ"));
  EXPECT_EQ(ctx.targets[1].qty, dec("-1"));
  auto* sig = dynamic_cast<SignalStrategy*>(s.get());
  ASSERT_NE(sig, nullptr);
  EXPECT_EQ(sig->signal(Symbol("SPY")), Signal::kLong);
  EXPECT_EQ(sig->signal(Symbol("QQQ")), Signal::kShort);
  EXPECT_EQ(sig->signal(Symbol("IWM")), std::nullopt);
  EXPECT_EQ(sig->target(Symbol("QQQ")), dec("-1"));
}

TEST(SignalStrategy, UpdatesAndAsksDuringWarmUp) {
  // The engine ignores targets while warming up; the strategy still feeds its
  // indicators and asks, so its first live bar already has a decision.
  auto s = make(spec_of("sma_cross", {{"fast", "2"}, {"slow", "3"}}));
  ASSERT_TRUE(s);
  RecordingContext ctx;
  ctx.warming = true;
  for (int i = 0; i < 3; ++i) s->on_bar(bar_of("SPY", std::to_string(i + 1), i), ctx);
  ASSERT_EQ(ctx.targets.size(), 1u);
  EXPECT_EQ(ctx.targets[0].qty, dec("1"));
}

TEST(SignalStrategy, RejectsBadConstruction) {
  const ModelFactory f = [] {
    return std::make_unique<ScriptedModel>(std::vector<std::optional<Signal>>{}, 1);
  };
  EXPECT_THROW(SignalStrategy({}, f, PositionSizing{}), std::invalid_argument);
  EXPECT_THROW(SignalStrategy({Symbol("A"), Symbol("A")}, f, PositionSizing{}),
               std::invalid_argument);
}

TEST(SignalStrategy, WarmupBarsPerTypeWithDefaults) {
  const std::map<std::string, size_t> want = {{"sma_cross", 30},
                                              {"rsi_reversion", 15},
                                              {"macd", 34},  // 26 + 9 - 1
                                              {"bollinger_reversion", 20},
                                              {"zscore_reversion", 20}};
  for (const auto& [type, bars] : want) {
    auto s = make(spec_of(type, {}));
    ASSERT_TRUE(s) << type;
    EXPECT_EQ(s->warmup_bars(), bars) << type;
  }
}

// ---- make_strategy validation -------------------------------------------------------

TEST(MakeStrategy, KnowsAllTypes) {
  EXPECT_EQ(strategy_types(),
            (std::vector<std::string>{"sma_cross", "rsi_reversion", "macd", "bollinger_reversion",
                                      "zscore_reversion", "ensemble"}));
}

TEST(MakeStrategy, UnknownOrMissingType) {
  StrategySpec spec = spec_of("sma_crossover", {{"fast", "x"}});
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"type"}));
  const std::string msg = message_at(spec, "type");
  EXPECT_NE(msg.find("unknown strategy type \"sma_crossover\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("sma_cross, rsi_reversion, macd"), std::string::npos) << msg;
  spec.type = "";
  EXPECT_NE(message_at(spec, "type").find("is required"), std::string::npos);
}

TEST(MakeStrategy, UnknownParameter) {
  const StrategySpec spec = spec_of("sma_cross", {{"fast", "5"}, {"lenght", "3"}});
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"params.lenght"}));
  EXPECT_EQ(message_at(spec, "params.lenght"), "unknown parameter");
}

TEST(MakeStrategy, PeriodsMustBeIntegersAtLeastOne) {
  for (const char* bad : {"10x", "", "0", "-3", "2.5", "1e2", " 5", "+5", "99999999999999999999"}) {
    const StrategySpec spec = spec_of("bollinger_reversion", {{"n", bad}});
    EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"params.n"})) << bad;
    EXPECT_EQ(message_at(spec, "params.n"),
              "must be an integer >= 1, got \"" + std::string(bad) + "\"");
  }
  const StrategySpec huge = spec_of("bollinger_reversion", {{"n", "100001"}});
  EXPECT_EQ(message_at(huge, "params.n"), "must be at most 100000, got \"100001\"");
  EXPECT_TRUE(make_strategy(spec_of("bollinger_reversion", {{"n", "100000"}})));
}

TEST(MakeStrategy, RealsMustBeFiniteNumbers) {
  for (const char* bad : {"1e999", "", "2,5", "abc", "inf", "nan", "0x10", "2.5.1", "1e"}) {
    const StrategySpec spec = spec_of("bollinger_reversion", {{"k", bad}});
    EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"params.k"})) << bad;
    EXPECT_EQ(message_at(spec, "params.k"), "must be a number, got \"" + std::string(bad) + "\"");
  }
  EXPECT_TRUE(make_strategy(spec_of("bollinger_reversion", {{"k", "2.5"}})));
  EXPECT_TRUE(make_strategy(spec_of("bollinger_reversion", {{"k", "25e-1"}})));
}

TEST(MakeStrategy, FastMustBeBelowSlow) {
  EXPECT_EQ(error_paths(spec_of("sma_cross", {{"fast", "30"}, {"slow", "30"}})),
            (std::vector<std::string>{"params.fast"}));
  EXPECT_EQ(message_at(spec_of("sma_cross", {{"fast", "40"}}), "params.fast"),
            "must be less than slow (30), got 40");
  EXPECT_EQ(error_paths(spec_of("macd", {{"fast", "26"}})),
            (std::vector<std::string>{"params.fast"}));
  EXPECT_EQ(error_paths(spec_of("macd", {{"signal", "0"}})),
            (std::vector<std::string>{"params.signal"}));
}

TEST(MakeStrategy, RsiLevels) {
  EXPECT_EQ(error_paths(spec_of("rsi_reversion", {{"buy_below", "0"}, {"sell_above", "100"}})),
            (std::vector<std::string>{"params.buy_below", "params.sell_above"}));
  EXPECT_EQ(message_at(spec_of("rsi_reversion", {{"buy_below", "-5"}}), "params.buy_below"),
            "must be between 0 and 100 (exclusive), got -5");
  EXPECT_EQ(message_at(spec_of("rsi_reversion", {{"buy_below", "70"}, {"sell_above", "30"}}),
                       "params.buy_below"),
            "must be less than sell_above (30), got 70");
  EXPECT_EQ(error_paths(spec_of("rsi_reversion", {{"buy_below", "50"}, {"sell_above", "50"}})),
            (std::vector<std::string>{"params.buy_below"}));
}

TEST(MakeStrategy, BollingerAndZScoreRanges) {
  EXPECT_EQ(message_at(spec_of("bollinger_reversion", {{"k", "0"}}), "params.k"),
            "must be > 0, got 0");
  EXPECT_EQ(error_paths(spec_of("bollinger_reversion", {{"k", "-1"}})),
            (std::vector<std::string>{"params.k"}));
  EXPECT_EQ(error_paths(spec_of("zscore_reversion", {{"entry", "0"}, {"exit", "-0.1"}})),
            (std::vector<std::string>{"params.entry", "params.exit"}));
  EXPECT_EQ(message_at(spec_of("zscore_reversion", {{"entry", "1"}, {"exit", "1"}}), "params.exit"),
            "must be less than entry (1), got 1");
  EXPECT_TRUE(make_strategy(spec_of("zscore_reversion", {{"exit", "0"}})));
}

TEST(MakeStrategy, SymbolsQtyNotional) {
  StrategySpec spec = spec_of("sma_cross", {});
  spec.symbols = {};
  spec.qty = dec("0");
  spec.notional = dec("-5");
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"symbols", "qty", "notional"}));
  EXPECT_EQ(message_at(spec, "symbols"), "at least one symbol is required");
  EXPECT_EQ(message_at(spec, "qty"), "must be > 0, got 0");
  EXPECT_EQ(message_at(spec, "notional"), "must be > 0 when set, got -5");
  spec.symbols = {Symbol("SPY"), Symbol(""), Symbol("SPY")};
  spec.qty = dec("-1");
  spec.notional.reset();
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"symbols[1]", "symbols[2]", "qty"}));
  EXPECT_EQ(message_at(spec, "symbols[2]"), "duplicate symbol \"SPY\"");
}

TEST(MakeStrategy, ReportsEveryErrorAtOnce) {
  StrategySpec spec = spec_of("sma_cross", {{"fast", "x"}, {"slow", "0"}, {"foo", "1"}});
  spec.symbols = {};
  spec.qty = dec("0");
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"symbols", "qty", "params.fast",
                                                         "params.slow", "params.foo"}));
}

TEST(MakeStrategy, OnlyEnsemblesHaveMembers) {
  StrategySpec spec = spec_of("macd", {});
  spec.members = {member("sma_cross", {})};
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"params.members"}));
}

TEST(MakeStrategy, EnsembleValidation) {
  StrategySpec spec = spec_of("ensemble", {{"min_votes", "1"}});
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"params.members"}));
  EXPECT_EQ(message_at(spec, "params.members"), "an ensemble needs at least one member");

  spec.members = {member("sma_cross", {}), member("ensemble", {}),
                  member("rsi_reversion", {{"n", "0"}, {"x", "1"}}), member("nope", {})};
  spec.params = {{"min_votes", "5"}, {"weights", "1,2"}};
  EXPECT_EQ(error_paths(spec),
            (std::vector<std::string>{"params.members[1].type", "params.members[2].params.n",
                                      "params.members[2].params.x", "params.members[3].type",
                                      "params.min_votes", "params.weights"}));
  EXPECT_EQ(message_at(spec, "params.members[1].type"),
            "an ensemble cannot be a member of an ensemble");
  EXPECT_EQ(message_at(spec, "params.min_votes"),
            "must be an integer from 1 to 4 (the number of members), got \"5\"");
  EXPECT_EQ(message_at(spec, "params.weights"), "unknown parameter");

  spec.members = {member("sma_cross", {})};
  for (const char* bad : {"0", "2", "x", ""}) {
    spec.params = {{"min_votes", bad}};
    EXPECT_EQ(error_paths(spec), (std::vector<std::string>{"params.min_votes"})) << bad;
  }
}

TEST(MakeStrategy, EnsembleMembersAreTypeAndParamsOnly) {
  StrategySpec spec = spec_of("ensemble", {});
  StrategySpec m = member("sma_cross", {});
  m.symbols = {Symbol("QQQ")};
  m.qty = dec("5");
  m.notional = dec("100");
  m.allow_short = true;
  spec.members = {m};
  EXPECT_EQ(error_paths(spec), (std::vector<std::string>{
                                   "params.members[0].symbols", "params.members[0].qty",
                                   "params.members[0].notional", "params.members[0].allow_short"}));
}

// ---- strict number parsing --------------------------------------------------------------

TEST(ParamParse, Integers) {
  EXPECT_EQ(parse_integer("10"), 10);
  EXPECT_EQ(parse_integer("-3"), -3);
  EXPECT_EQ(parse_integer("007"), 7);
  for (const char* bad :
       {"", "10x", "x10", "1.0", "+1", " 1", "1 ", "1e3", "9223372036854775808"}) {
    EXPECT_EQ(parse_integer(bad), std::nullopt) << bad;
  }
}

TEST(ParamParse, Reals) {
  EXPECT_EQ(parse_real("2"), 2.0);
  EXPECT_EQ(parse_real("-0.5"), -0.5);
  EXPECT_EQ(parse_real("2.5e1"), 25.0);
  for (const char* bad :
       {"", "1e999", "-1e999", "inf", "-inf", "nan", "2,5", "0x10", " 1", "1 ", "+1", "1e", "."}) {
    EXPECT_EQ(parse_real(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace td::strategies
