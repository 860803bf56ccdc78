// The market simulator and what it stands on (the portable RNG and math):
// determinism, well-formed quotes and bars, history, and the presence of the
// regimes, gaps and volatility clustering it promises (loose statistical
// checks on fixed seeds).
#include "brokers/sim/market_simulator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "brokers/sim/det_math.h"
#include "brokers/sim/random.h"
#include "core/scheduler.h"

namespace td::sim {
namespace {

using namespace std::chrono_literals;

const Timestamp kStart = from_unix_seconds(1'767'225'600);  // 2026-01-01T00:00:00Z

uint64_t bits(double d) {
  uint64_t b = 0;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

Instrument instrument(const std::string& symbol, Decimal tick = "0.01"_d) {
  Instrument i;
  i.symbol = Symbol(symbol);
  i.tick = tick;
  return i;
}

SimSymbol sim_symbol(const std::string& symbol, Decimal start = "100"_d, double vol = 0.2) {
  SimSymbol s;
  s.instrument = instrument(symbol);
  s.start_price = start;
  s.volatility = vol;
  s.drift = 0.05;
  s.spread_ticks = 2;
  s.display_size = "200"_d;
  return s;
}

MarketSimOptions options(uint64_t seed, std::vector<SimSymbol> symbols) {
  MarketSimOptions o;
  o.seed = seed;
  o.bar_interval = 1min;
  o.quote_interval = 1s;
  o.symbols = std::move(symbols);
  return o;
}

std::string describe(const Quote& q) {
  return "Q " + q.symbol.str() + " " + std::to_string(to_unix_nanos(q.time)) + " " +
         q.bid.to_string() + "x" + q.bid_size.to_string() + " " + q.ask.to_string() + "x" +
         q.ask_size.to_string() + " " + q.last.to_string();
}

std::string describe(const Bar& b) {
  return "B " + b.symbol.str() + " " + std::to_string(to_unix_nanos(b.time)) + " " +
         b.open.to_string() + " " + b.high.to_string() + " " + b.low.to_string() + " " +
         b.close.to_string() + " " + b.volume.to_string();
}

// Records what a handler receives, in order (a recorder, not a mock).
class Recorder : public MarketDataHandler {
 public:
  explicit Recorder(const Scheduler& s, std::vector<std::string>* shared = nullptr,
                    std::string tag = {})
      : scheduler_(s), shared_(shared), tag_(std::move(tag)) {}
  void on_quote(const Quote& q) override {
    quotes.push_back(q);
    log.push_back(describe(q));
    if (shared_) shared_->push_back(tag_ + "Q");
  }
  void on_bar(const Bar& b) override {
    bars.push_back(b);
    bar_delivered_at.push_back(scheduler_.now());
    log.push_back(describe(b));
    if (shared_) shared_->push_back(tag_ + "B");
  }
  std::vector<Quote> quotes;
  std::vector<Bar> bars;
  std::vector<Timestamp> bar_delivered_at;
  std::vector<std::string> log;

 private:
  const Scheduler& scheduler_;
  std::vector<std::string>* shared_;
  std::string tag_;
};

// Runs a simulator for `d` and returns what a handler saw.
std::vector<std::string> run_tape(const MarketSimOptions& o, Duration d, size_t history = 0) {
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, o);
  Recorder rec(sched);
  sim.add_handler(&rec);
  if (history > 0)
    for (const SimSymbol& s : o.symbols)
      sim.request_bars(s.instrument.symbol, history, [](auto) {});
  sim.start();
  sched.run_until(kStart + d);
  return rec.log;
}

std::vector<Bar> history(MarketSimulator& sim, const std::string& symbol, size_t count) {
  std::vector<Bar> out;
  bool called = false;
  sim.request_bars(Symbol(symbol), count, [&](std::vector<Bar> bars) {
    out = std::move(bars);
    called = true;
  });
  EXPECT_TRUE(called) << "request_bars answers directly";
  return out;
}

bool on_tick(Decimal price, Decimal tick) {
  return price.round_to(tick, Rounding::kDown) == price;
}

// ---------------------------------------------------------------- RNG & math

TEST(SimRandom, SplitMix64MatchesTheReference) {
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
}

// Pinned outputs: if another platform or compiler gives other bits, the
// simulator's "same seed, same market" promise is broken there.
TEST(SimRandom, StreamsArePinnedBitForBit) {
  Rng r(42);
  EXPECT_EQ(r.next_u64(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(r.next_u64(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(r.next_u64(), 0xae17533239e499a1ULL);
  Rng n(7);
  EXPECT_EQ(bits(n.normal()), 0x3feedc0d635eea0bULL);
  EXPECT_EQ(bits(n.normal()), 0xbff1052212a30fdeULL);
  EXPECT_EQ(bits(n.normal()), 0xbfd3739755916c21ULL);
  EXPECT_EQ(bits(n.normal()), 0xbff19560dad02138ULL);
}

TEST(SimRandom, UniformAndNormalHaveTheRightShape) {
  Rng r(2024);
  const int n = 200'000;
  double sum_u = 0, sum_z = 0, sum_z2 = 0;
  int tails = 0;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const double p = r.uniform_pos();
    ASSERT_GT(p, 0.0);
    ASSERT_LT(p, 1.0);
    sum_u += u;
    const double z = r.normal();
    sum_z += z;
    sum_z2 += z * z;
    tails += std::fabs(z) > 1.96;
  }
  EXPECT_NEAR(sum_u / n, 0.5, 0.005);
  EXPECT_NEAR(sum_z / n, 0.0, 0.01);
  EXPECT_NEAR(sum_z2 / n, 1.0, 0.02);
  EXPECT_NEAR(static_cast<double>(tails) / n, 0.05, 0.005);
}

TEST(SimRandom, DerivedStreamsDependOnSeedNameAndStreamOnly) {
  EXPECT_EQ(Rng::derive(1, "SPY", 1).next_u64(), Rng::derive(1, "SPY", 1).next_u64());
  const uint64_t base = Rng::derive(1, "SPY", 1).next_u64();
  EXPECT_NE(base, Rng::derive(2, "SPY", 1).next_u64());
  EXPECT_NE(base, Rng::derive(1, "QQQ", 1).next_u64());
  EXPECT_NE(base, Rng::derive(1, "SPY", 2).next_u64());
}

TEST(SimDetMath, AgreesWithLibmToAboutAnUlp) {
  for (double x = 1e-300; x < 1e300; x *= 1.37) {
    const double want = std::log(x);
    ASSERT_NEAR(det_log(x), want, std::fabs(want) * 1e-15 + 1e-300) << x;
  }
  for (double x = -700; x < 700; x += 0.0137) {
    const double want = std::exp(x);
    ASSERT_NEAR(det_exp(x), want, want * 1e-15) << x;
  }
  EXPECT_EQ(det_log(1.0), 0.0);
  EXPECT_EQ(det_exp(0.0), 1.0);
  EXPECT_TRUE(std::isinf(det_log(0.0)) && det_log(0.0) < 0);
  EXPECT_TRUE(std::isnan(det_log(-1.0)));
  EXPECT_EQ(det_exp(-1000.0), 0.0);
  EXPECT_TRUE(std::isinf(det_exp(1000.0)));
}

// ---------------------------------------------------------------- options

TEST(MarketSimulator, RejectsOptionsItCannotRun) {
  SimScheduler sched(kStart);
  auto bad = [&](auto mutate) {
    MarketSimOptions o = options(1, {sim_symbol("SPY")});
    mutate(o);
    EXPECT_FALSE(validate(o));
    EXPECT_THROW(MarketSimulator(sched, o), std::invalid_argument);
  };
  EXPECT_TRUE(validate(options(1, {sim_symbol("SPY"), sim_symbol("QQQ")})));
  bad([](MarketSimOptions& o) { o.symbols.push_back(sim_symbol("SPY")); });
  bad([](MarketSimOptions& o) { o.symbols[0].instrument.tick = Decimal(); });
  bad([](MarketSimOptions& o) { o.symbols[0].start_price = "-1"_d; });
  bad([](MarketSimOptions& o) { o.symbols[0].spread_ticks = 0; });
  bad([](MarketSimOptions& o) { o.symbols[0].display_size = Decimal(); });
  bad([](MarketSimOptions& o) { o.symbols[0].volatility = -0.1; });
  bad([](MarketSimOptions& o) { o.symbols[0].instrument.symbol = Symbol(); });
  bad([](MarketSimOptions& o) { o.quote_interval = 0s; });
  bad([](MarketSimOptions& o) { o.bar_interval = -1s; });
  bad([](MarketSimOptions& o) { o.model.variance_half_life_hours = 0; });
}

// ---------------------------------------------------------------- determinism

TEST(MarketSimulator, SameSeedGivesTheSameTapeAndAnotherSeedAnother) {
  const auto o = options(7, {sim_symbol("SPY"), sim_symbol("QQQ", "350"_d, 0.3)});
  const auto a = run_tape(o, 30min);
  const auto b = run_tape(o, 30min);
  ASSERT_EQ(a.size(), 2u * 1801 + 2u * 30);  // a quote per symbol per second, 30 closed bars each
  EXPECT_EQ(a, b);
  auto o2 = o;
  o2.seed = 8;
  const auto c = run_tape(o2, 30min);
  ASSERT_EQ(c.size(), a.size());
  EXPECT_NE(a, c);
}

// The whole tape (quotes, sizes, bars) pinned by a hash: a platform,
// compiler or optimisation level that gives another market fails here.
TEST(MarketSimulator, TheTapeIsPinnedAcrossPlatforms) {
  const auto tape =
      run_tape(options(2026, {sim_symbol("SPY"), sim_symbol("QQQ", "350"_d, 0.6)}), 2h);
  std::string all;
  for (const auto& line : tape) all += line + "\n";
  EXPECT_EQ(fnv1a64(all), 0xd6ad5acf9a34a26bULL) << tape.back();
}

TEST(MarketSimulator, ASymbolsTapeDoesNotDependOnTheOtherSymbols) {
  auto only = [](const std::vector<std::string>& log, const std::string& symbol) {
    std::vector<std::string> out;
    for (const auto& l : log)
      if (l.compare(2, symbol.size() + 1, symbol + " ") == 0) out.push_back(l);
    return out;
  };
  const auto alone = run_tape(options(3, {sim_symbol("SPY")}), 10min);
  const auto with_others =
      run_tape(options(3, {sim_symbol("IWM"), sim_symbol("QQQ"), sim_symbol("SPY")}), 10min);
  EXPECT_EQ(alone, only(with_others, "SPY"));
  EXPECT_FALSE(only(with_others, "QQQ").empty());
  EXPECT_NE(only(with_others, "QQQ"), only(with_others, "IWM"));
}

// ---------------------------------------------------------------- quotes & bars

TEST(MarketSimulator, QuotesArePositiveOnTickAndWellFormed) {
  // A wild, cheap symbol runs into the one-tick floor; a calm one with a coarse tick.
  SimSymbol penny = sim_symbol("PENY", "0.05"_d, 8.0);
  SimSymbol fut = sim_symbol("MES", "5000"_d, 0.3);
  fut.instrument.tick = "0.25"_d;
  fut.display_size = "0.5"_d;  // fractional sizes stay fractional
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, options(11, {penny, fut}));
  Recorder rec(sched);
  sim.add_handler(&rec);
  sim.start();
  sched.run_until(kStart + 4h);
  ASSERT_EQ(rec.quotes.size(), 2u * (4 * 3600 + 1));
  bool hit_floor = false;
  for (const Quote& q : rec.quotes) {
    const Decimal tick = q.symbol.str() == "MES" ? "0.25"_d : "0.01"_d;
    ASSERT_GE(q.bid, tick) << describe(q);
    ASSERT_GT(q.ask, q.bid) << describe(q);
    ASSERT_TRUE(on_tick(q.bid, tick) && on_tick(q.ask, tick) && on_tick(q.last, tick))
        << describe(q);
    ASSERT_GE(q.last, q.bid) << describe(q);
    ASSERT_LE(q.last, q.ask) << describe(q);
    ASSERT_GT(q.bid_size.sign(), 0);
    ASSERT_GT(q.ask_size.sign(), 0);
    const Decimal spread_ticks = (q.ask - q.bid).div(tick, Rounding::kHalfEven);
    ASSERT_GE(spread_ticks, "2"_d);
    ASSERT_LE(spread_ticks, "6"_d);  // widens with volatility, at most threefold
    hit_floor = hit_floor || q.bid == tick;
  }
  EXPECT_TRUE(hit_floor) << "the penny stock should reach the one-tick floor";
  const Quote* last = sim.last_quote(Symbol("MES"));
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(describe(*last), describe(rec.quotes.back()));
}

TEST(MarketSimulator, BarsSummariseTheTicksOfTheirInterval) {
  auto o = options(5, {sim_symbol("SPY")});
  o.bar_interval = 5min;
  o.quote_interval = 10s;
  SimScheduler sched(kStart + 17s);  // not aligned: the first bar is partial
  MarketSimulator sim(sched, o);
  Recorder rec(sched);
  sim.add_handler(&rec);
  sim.start();
  sched.run_until(kStart + 3h);
  ASSERT_GE(rec.bars.size(), 35u);
  EXPECT_EQ(rec.bars.front().time, kStart);  // aligned to the epoch grid
  for (size_t i = 0; i < rec.bars.size(); ++i) {
    const Bar& b = rec.bars[i];
    SCOPED_TRACE(describe(b));
    EXPECT_EQ(b.interval, 5min);
    EXPECT_EQ(to_unix_nanos(b.time) % std::chrono::nanoseconds(5min).count(), 0);
    if (i > 0) {
      EXPECT_EQ(b.time, rec.bars[i - 1].time + 5min);
    }
    // Delivered at the first tick at or after its close.
    EXPECT_GE(rec.bar_delivered_at[i], b.close_time());
    EXPECT_LT(rec.bar_delivered_at[i], b.close_time() + o.quote_interval);
    EXPECT_GE(b.high, std::max(b.open, b.close));
    EXPECT_LE(b.low, std::min(b.open, b.close));
    EXPECT_GT(b.low.sign(), 0);
    EXPECT_GT(b.volume.sign(), 0);
    // OHLC are those of the trades (Quote.last) inside [time, close_time).
    std::vector<Decimal> lasts;
    for (const Quote& q : rec.quotes)
      if (q.time >= b.time && q.time < b.close_time()) lasts.push_back(q.last);
    ASSERT_FALSE(lasts.empty());
    EXPECT_EQ(b.open, lasts.front());
    EXPECT_EQ(b.close, lasts.back());
    EXPECT_EQ(b.high, *std::max_element(lasts.begin(), lasts.end()));
    EXPECT_EQ(b.low, *std::min_element(lasts.begin(), lasts.end()));
  }
  EXPECT_EQ(rec.bars.front().open, "100"_d);  // the first tick quotes the start price
}

TEST(MarketSimulator, ABarGoesOutBeforeTheQuotesOfTheTickThatClosesIt) {
  auto o = options(5, {sim_symbol("SPY"), sim_symbol("QQQ")});
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, o);
  std::vector<std::string> order;
  Recorder first(sched, &order, "1"), second(sched, &order, "2");
  sim.add_handler(&first);
  sim.add_handler(&second);
  sim.start();
  sched.run_until(kStart + 59s);
  EXPECT_TRUE(first.bars.empty());
  order.clear();
  sched.run_until(kStart + 60s);
  // Both symbols' bars, then both quotes; each event to handler 1, then handler 2.
  EXPECT_EQ(order, (std::vector<std::string>{"1B", "2B", "1B", "2B", "1Q", "2Q", "1Q", "2Q"}));
  EXPECT_EQ(first.log, second.log);
}

TEST(MarketSimulator, StopEndsTheTicksAndStartResumes) {
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, options(5, {sim_symbol("SPY")}));
  Recorder rec(sched);
  sim.add_handler(&rec);
  sim.start();
  sim.start();  // no second tick stream
  sched.run_until(kStart + 10s);
  EXPECT_EQ(rec.quotes.size(), 11u);
  sim.stop();
  EXPECT_FALSE(sim.running());
  sched.run_until(kStart + 1min);
  EXPECT_EQ(rec.quotes.size(), 11u);
  EXPECT_EQ(sched.pending(), 0u);
  sim.start();
  sched.run_until(kStart + 1min + 4s);
  EXPECT_EQ(rec.quotes.size(), 16u);
}

// ---------------------------------------------------------------- history

TEST(MarketSimulator, HistoryEndsAtTheStartAndTheLiveTapeContinuesFromIt) {
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, options(9, {sim_symbol("SPY", "123.45"_d)}));
  const auto bars = history(sim, "SPY", 120);
  ASSERT_EQ(bars.size(), 120u);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    SCOPED_TRACE(describe(b));
    EXPECT_EQ(b.symbol, Symbol("SPY"));
    EXPECT_EQ(b.interval, 1min);
    EXPECT_EQ(b.time, kStart - 1min * static_cast<int64_t>(120 - i));
    EXPECT_GE(b.high, std::max(b.open, b.close));
    EXPECT_LE(b.low, std::min(b.open, b.close));
    EXPECT_GT(b.low.sign(), 0);
    EXPECT_GT(b.volume.sign(), 0);
    EXPECT_TRUE(on_tick(b.open, "0.01"_d) && on_tick(b.high, "0.01"_d) &&
                on_tick(b.low, "0.01"_d) && on_tick(b.close, "0.01"_d));
  }
  EXPECT_EQ(bars.back().close, "123.45"_d);
  EXPECT_NE(bars.front().open, bars.back().close);

  Recorder rec(sched);
  sim.add_handler(&rec);
  sim.start();
  sched.run_until(kStart + 1min);
  ASSERT_FALSE(rec.quotes.empty());
  EXPECT_EQ(rec.quotes.front().last, "123.45"_d);
  ASSERT_EQ(rec.bars.size(), 1u);
  EXPECT_EQ(rec.bars.front().time, kStart);

  history(sim, "NOPE", 5);  // unknown symbol: an empty answer
  EXPECT_TRUE(history(sim, "NOPE", 5).empty());
}

TEST(MarketSimulator, HistoryIsDeterministicAndDoesNotDependOnHowMuchIsAsked) {
  SimScheduler s1(kStart), s2(kStart), s3(kStart);
  MarketSimulator a(s1, options(9, {sim_symbol("SPY")}));
  MarketSimulator b(s2, options(9, {sim_symbol("SPY")}));
  MarketSimulator c(s3, options(10, {sim_symbol("SPY")}));
  const auto short_a = history(a, "SPY", 50);
  const auto long_a = history(a, "SPY", 300);
  const auto long_b = history(b, "SPY", 300);
  const auto long_c = history(c, "SPY", 300);
  auto text = [](const std::vector<Bar>& v) {
    std::vector<std::string> out;
    for (const Bar& bar : v) out.push_back(describe(bar));
    return out;
  };
  ASSERT_EQ(long_a.size(), 300u);
  EXPECT_EQ(text(long_a), text(long_b));
  EXPECT_EQ(text(short_a), text(std::vector<Bar>(long_a.end() - 50, long_a.end())));
  EXPECT_EQ(text(history(b, "SPY", 50)), text(short_a));
  EXPECT_NE(text(long_a), text(long_c));
}

TEST(MarketSimulator, AskingForHistoryDoesNotChangeTheLiveTape) {
  const auto o = options(21, {sim_symbol("SPY"), sim_symbol("QQQ")});
  EXPECT_EQ(run_tape(o, 20min, 0), run_tape(o, 20min, 500));
}

TEST(MarketSimulator, HistoryAfterTheStartIncludesTheLiveBars) {
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, options(4, {sim_symbol("SPY")}));
  Recorder rec(sched);
  sim.add_handler(&rec);
  sim.start();
  sched.run_until(kStart + 10min + 30s);
  ASSERT_EQ(rec.bars.size(), 10u);
  const auto bars = history(sim, "SPY", 25);
  ASSERT_EQ(bars.size(), 25u);
  for (size_t i = 1; i < bars.size(); ++i) EXPECT_EQ(bars[i].time, bars[i - 1].time + 1min);
  EXPECT_EQ(bars.back().time, kStart + 9min);  // the bar still forming is not included
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(describe(bars[15 + i]), describe(rec.bars[i]));
  EXPECT_EQ(bars[14].close, rec.bars.front().open);  // history joins the live tape
  EXPECT_EQ(history(sim, "SPY", 4).size(), 4u);
}

// ---------------------------------------------------------------- dynamics

// Lag-1 autocorrelation of absolute log returns of bar closes.
double abs_return_autocorrelation(const std::vector<double>& closes) {
  std::vector<double> a;
  for (size_t i = 1; i < closes.size(); ++i)
    a.push_back(std::fabs(std::log(closes[i] / closes[i - 1])));
  double mean = 0;
  for (double x : a) mean += x;
  mean /= static_cast<double>(a.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    den += (a[i] - mean) * (a[i] - mean);
    if (i > 0) num += (a[i] - mean) * (a[i - 1] - mean);
  }
  return num / den;
}

struct LongRun {
  MarketSimulator::SymbolStats stats;
  std::set<Regime> regimes;  // seen at some tick
  std::vector<double> lasts, closes;
};

LongRun long_run(const MarketModel& model, uint64_t seed) {
  auto o = options(seed, {sim_symbol("SPY", "400"_d, 0.25)});
  o.quote_interval = 5s;
  o.bar_interval = 5min;
  o.model = model;
  SimScheduler sched(kStart);
  MarketSimulator sim(sched, o);
  struct Watch : MarketDataHandler {
    MarketSimulator* sim = nullptr;
    LongRun* out = nullptr;
    void on_quote(const Quote& q) override {
      out->regimes.insert(sim->stats(q.symbol)->regime);
      out->lasts.push_back(q.last.to_double());
    }
    void on_bar(const Bar& b) override { out->closes.push_back(b.close.to_double()); }
  } watch;
  LongRun out;
  watch.sim = &sim;
  watch.out = &out;
  sim.add_handler(&watch);
  sim.start();
  sched.run_until(kStart + 24h * 10);  // ~37 trading days of trading time
  out.stats = *sim.stats(Symbol("SPY"));
  return out;
}

TEST(MarketSimulator, ALongRunShowsRegimesGapsAndVolatilityClustering) {
  const LongRun run = long_run(MarketModel{}, 1234);
  EXPECT_EQ(run.stats.ticks, 10u * 24 * 720 + 1);
  // Regimes: ~37 switches expected; all three visited.
  EXPECT_GE(run.stats.regime_switches, 10u);
  EXPECT_LE(run.stats.regime_switches, 100u);
  EXPECT_EQ(run.regimes.size(), 3u);
  // Gaps: ~7 expected; each shows as a tick move far beyond ordinary noise.
  EXPECT_GE(run.stats.gaps, 2u);
  EXPECT_LE(run.stats.gaps, 25u);
  size_t jumps = 0;
  for (size_t i = 1; i < run.lasts.size(); ++i)
    jumps += std::fabs(std::log(run.lasts[i] / run.lasts[i - 1])) > 0.012;
  EXPECT_GE(jumps, 1u);
  EXPECT_LE(jumps, run.stats.gaps);
  // Volatility clustering: absolute returns are positively autocorrelated,
  // and are not once regimes, clustering and gaps are switched off.
  MarketModel plain;
  plain.bull.vol_multiplier = plain.bear.vol_multiplier = plain.sideways.vol_multiplier = 1;
  plain.vol_of_variance = 0;
  plain.gap_mean_hours = 0;
  const LongRun flat = long_run(plain, 1234);
  EXPECT_EQ(flat.stats.gaps, 0u);
  const double clustered = abs_return_autocorrelation(run.closes);
  const double unclustered = abs_return_autocorrelation(flat.closes);
  EXPECT_GT(clustered, 0.08);
  EXPECT_LT(std::fabs(unclustered), 0.05);
}

}  // namespace
}  // namespace td::sim
