#include "brokers/sim/market_simulator.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "brokers/sim/det_math.h"

namespace td::sim {
namespace {

// Stream numbers for Rng::derive: one per use of a symbol's randomness.
constexpr uint64_t kLiveStream = 1;
constexpr uint64_t kSizeStream = 2;
constexpr uint64_t kHistoryStream = 3;

constexpr double kMaxPrice = 1e9;
constexpr size_t kMaxHistoryBars = 1'000'000;

double years(Duration d) {
  return std::chrono::duration<double>(d).count() / (kTradingHoursPerYear * 3600.0);
}

Timestamp floor_to(Timestamp t, Duration interval) {
  const int64_t n = t.time_since_epoch().count(), i = interval.count();
  int64_t q = n / i;
  if (n % i != 0 && n < 0) --q;
  return Timestamp(Duration(q * i));
}

// A generated price on the tick grid, at least one tick.
Decimal to_tick(double price, Decimal tick, Rounding mode = Rounding::kHalfEven) {
  auto d = Decimal::from_double(std::min(price, kMaxPrice), 8, Rounding::kHalfEven);
  Decimal p = d ? d->round_to(tick, mode) : tick;
  return std::max(p, tick);
}

// A generated size: a multiple of `lot`, at least one lot.
Decimal to_lot(double size, Decimal lot) {
  auto d = Decimal::from_double(std::clamp(size, 0.0, kMaxPrice), 8, Rounding::kHalfEven);
  Decimal s = d ? d->round_to(lot, Rounding::kHalfEven) : lot;
  return std::max(s, lot);
}

Status invalid(std::string msg) {
  return make_error(ErrorCode::kInvalidArgument, std::move(msg));
}

}  // namespace

struct MarketSimulator::SymbolState {
  SymbolState(const SimSymbol& sym, const MarketSimOptions& o)
      : spec(sym),
        process(sym.volatility, sym.drift, o.model,
                Rng::derive(o.seed, sym.instrument.symbol.str(), kLiveStream)),
        sizes(Rng::derive(o.seed, sym.instrument.symbol.str(), kSizeStream)),
        hist_rng(Rng::derive(o.seed, sym.instrument.symbol.str(), kHistoryStream)) {
    const Decimal tick = sym.instrument.tick;
    lot = sym.display_size >= Decimal::from_int(1) ? Decimal::from_int(1) : sym.display_size;
    log_min = det_log(tick.to_double());
    log_max = det_log(kMaxPrice);
    log_price = std::clamp(det_log(sym.start_price.to_double()), log_min, log_max);
    hist_log = log_price;
    stats.regime = process.regime();
    stats.vol_ratio = process.vol_ratio();
  }
  const Symbol& symbol() const { return spec.instrument.symbol; }
  Decimal tick() const { return spec.instrument.tick; }

  SimSymbol spec;
  PriceProcess process;
  Rng sizes;
  Decimal lot;
  double log_min = 0, log_max = 0;
  double log_price = 0;
  bool started = false;
  SymbolStats stats;
  std::optional<Quote> quote;
  std::optional<Bar> bar;  // being built
  std::deque<Bar> closed;  // live bars closed so far, oldest first (at most kept_bars)
  bool trimmed = false;    // closed lost its oldest bars: history no longer joins it

  Rng hist_rng;
  std::vector<Bar> history;  // newest first: history[j] ends j bars before the origin
  double hist_log = 0;       // log open of the oldest history bar generated so far
};

Status validate(const MarketSimOptions& o) {
  if (o.bar_interval.count() <= 0) return invalid("bar_interval: must be > 0");
  if (o.quote_interval.count() <= 0) return invalid("quote_interval: must be > 0");
  const MarketModel& m = o.model;
  for (const RegimeParams* r : {&m.bull, &m.bear, &m.sideways}) {
    if (!std::isfinite(r->drift)) return invalid("model: regime drift must be finite");
    if (!(r->vol_multiplier >= 0 && r->vol_multiplier < 100))
      return invalid("model: regime vol_multiplier must be in [0, 100)");
  }
  if (!(m.variance_half_life_hours > 0 && m.vol_of_variance >= 0 && m.vol_of_variance < 10))
    return invalid("model: need variance_half_life_hours > 0 and vol_of_variance in [0, 10)");
  if (!(m.v_min > 0 && m.v_min <= 1 && m.v_max >= 1 && m.v_max < 1e4))
    return invalid("model: need 0 < v_min <= 1 <= v_max < 10000");
  if (!(m.regime_mean_hours >= 0 && m.gap_mean_hours >= 0))
    return invalid("model: mean durations must be >= 0 (0 = never)");
  if (!(m.gap_size >= 0 && m.gap_size < 1 && m.gap_variance_boost >= 0 &&
        m.gap_variance_boost < 1e4))
    return invalid("model: gap_size must be in [0, 1), gap_variance_boost >= 0");
  std::set<Symbol> seen;
  for (const SimSymbol& s : o.symbols) {
    const std::string name = s.instrument.symbol.str();
    if (name.empty()) return invalid("symbols: a symbol has no name");
    if (!seen.insert(s.instrument.symbol).second) return invalid("symbols: " + name + " twice");
    if (s.instrument.tick.sign() <= 0) return invalid(name + ": tick must be > 0");
    if (s.start_price.sign() <= 0 || s.start_price > Decimal::from_int(1'000'000'000))
      return invalid(name + ": start_price must be in (0, 1e9]");
    if (!(s.volatility >= 0 && s.volatility < 100))
      return invalid(name + ": volatility must be in [0, 100)");
    if (!(std::fabs(s.drift) < 100)) return invalid(name + ": drift must be in (-100, 100)");
    if (s.spread_ticks < 1 || s.spread_ticks > 1000)
      return invalid(name + ": spread_ticks must be in [1, 1000]");
    if (s.display_size.sign() <= 0) return invalid(name + ": display_size must be > 0");
  }
  return {};
}

MarketSimulator::MarketSimulator(Scheduler& scheduler, MarketSimOptions options)
    : scheduler_(scheduler),
      options_(std::move(options)),
      dt_years_(years(options_.quote_interval)) {
  if (auto st = validate(options_); !st) throw std::invalid_argument(st.error().message);
  for (const SimSymbol& s : options_.symbols) {
    index_.emplace(s.instrument.symbol, symbols_.size());
    symbols_.push_back(std::make_unique<SymbolState>(s, options_));
  }
}

MarketSimulator::~MarketSimulator() {
  stop();
}

void MarketSimulator::add_handler(MarketDataHandler* handler) {
  if (handler) handlers_.push_back(handler);
}

void MarketSimulator::fix_origin() {
  if (!origin_) origin_ = floor_to(scheduler_.now(), options_.bar_interval);
}

void MarketSimulator::start() {
  if (running_) return;
  running_ = true;
  fix_origin();
  timer_ = scheduler_.schedule_at(scheduler_.now(), [this] { tick(); });
}

void MarketSimulator::stop() {
  running_ = false;
  if (timer_ != 0) scheduler_.cancel(timer_);
  timer_ = 0;
}

void MarketSimulator::tick() {
  timer_ = 0;
  const Timestamp now = scheduler_.now();
  const Duration interval = options_.bar_interval;
  std::vector<Bar> closed_bars;
  std::vector<Quote> quotes;
  for (auto& sp : symbols_) {
    SymbolState& s = *sp;
    // The first tick quotes the start price (the last history close) unmoved.
    PriceStep step;
    step.vol_ratio = s.process.vol_ratio();
    if (s.started) {
      step = s.process.step(dt_years_);
      s.log_price = std::clamp(s.log_price + step.log_return, s.log_min, s.log_max);
      s.stats.regime_switches += step.regime_switched;
      s.stats.gaps += step.gap;
    }
    s.started = true;
    ++s.stats.ticks;
    s.stats.regime = s.process.regime();
    s.stats.vol_ratio = step.vol_ratio;

    const Decimal tick = s.tick();
    const Decimal last = to_tick(det_exp(s.log_price), tick);
    const int base = s.spec.spread_ticks;
    const int widen = static_cast<int>(std::floor(base * 0.5 * std::max(0.0, step.vol_ratio - 1)));
    const int spread = std::min(base + widen, 3 * base);
    Decimal bid = last - tick.mul(Decimal::from_int(spread / 2), Rounding::kHalfEven);
    if (bid < tick) bid = tick;
    const Decimal ask = bid + tick.mul(Decimal::from_int(spread), Rounding::kHalfEven);

    const double display = s.spec.display_size.to_double();
    Quote q;
    q.symbol = s.symbol();
    q.time = now;
    q.bid = bid;
    q.ask = ask;
    q.bid_size = to_lot(display * (0.5 + s.sizes.uniform()), s.lot);
    q.ask_size = to_lot(display * (0.5 + s.sizes.uniform()), s.lot);
    q.last = last;
    const Decimal volume =
        to_lot(display * (0.2 + 1.6 * s.sizes.uniform()) * std::min(step.vol_ratio, 4.0), s.lot);

    if (s.bar && now >= s.bar->close_time()) {
      closed_bars.push_back(*s.bar);
      s.closed.push_back(*s.bar);
      if (s.closed.size() > options_.kept_bars) {
        s.closed.pop_front();
        s.trimmed = true;
      }
      s.bar.reset();
    }
    if (!s.bar) {
      s.bar = Bar{s.symbol(), floor_to(now, interval), interval, last, last, last, last, volume};
    } else {
      s.bar->high = std::max(s.bar->high, last);
      s.bar->low = std::min(s.bar->low, last);
      s.bar->close = last;
      s.bar->volume += volume;
    }
    s.quote = q;
    quotes.push_back(std::move(q));
  }

  // Copies: a handler may add handlers or stop the simulator.
  const std::vector<MarketDataHandler*> handlers = handlers_;
  for (const Bar& b : closed_bars)
    for (MarketDataHandler* h : handlers) h->on_bar(b);
  for (const Quote& q : quotes)
    for (MarketDataHandler* h : handlers) h->on_quote(q);

  if (running_ && timer_ == 0)
    timer_ = scheduler_.schedule_at(now + options_.quote_interval, [this] { tick(); });
}

MarketSimulator::SymbolState* MarketSimulator::find(const Symbol& symbol) {
  auto it = index_.find(symbol);
  return it == index_.end() ? nullptr : symbols_[it->second].get();
}

const MarketSimulator::SymbolState* MarketSimulator::find(const Symbol& symbol) const {
  return const_cast<MarketSimulator*>(this)->find(symbol);
}

void MarketSimulator::extend_history(SymbolState& s, size_t count) {
  const Duration interval = options_.bar_interval;
  const double dt = years(interval);
  const double sigma = s.spec.volatility;
  const double sd = sigma * std::sqrt(dt);
  const double mean = (s.spec.drift - 0.5 * sigma * sigma) * dt;
  const double gap_hours = options_.model.gap_mean_hours;
  const double p_gap = gap_hours > 0 ? dt * kTradingHoursPerYear / gap_hours : 0;
  const double ticks_per_bar =
      std::max(1.0, std::chrono::duration<double>(interval).count() /
                        std::chrono::duration<double>(options_.quote_interval).count());
  const double display = s.spec.display_size.to_double();
  const Decimal tick = s.tick();
  Rng& rng = s.hist_rng;
  while (s.history.size() < count) {
    // A fixed sequence of draws per bar, so bar j never depends on how many
    // bars were asked for.
    const double z = rng.normal();
    const bool gap = rng.chance(p_gap);
    const double gap_sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
    const double gap_mag = options_.model.gap_size * (1 + 0.5 * std::fabs(rng.normal()));
    const double u_hi = rng.uniform(), u_lo = rng.uniform(), u_vol = rng.uniform();

    const double log_close = s.hist_log;
    const double r = mean + sd * z + (gap ? gap_sign * gap_mag : 0.0);
    const double log_open = std::clamp(log_close - r, s.log_min, s.log_max);
    const double log_hi = std::max(log_open, log_close) + 0.5 * sd * u_hi;
    const double log_lo = std::min(log_open, log_close) - 0.5 * sd * u_lo;

    Bar b;
    b.symbol = s.symbol();
    b.interval = interval;
    b.time = *origin_ - interval * static_cast<int64_t>(s.history.size() + 1);
    b.open = to_tick(det_exp(log_open), tick);
    b.close = to_tick(det_exp(log_close), tick);
    b.high = std::max({to_tick(det_exp(log_hi), tick, Rounding::kCeiling), b.open, b.close});
    b.low = std::min({to_tick(det_exp(log_lo), tick, Rounding::kFloor), b.open, b.close});
    b.volume = to_lot(display * ticks_per_bar * (0.4 + 0.8 * u_vol), s.lot);
    s.history.push_back(std::move(b));
    s.hist_log = log_open;
  }
}

void MarketSimulator::request_bars(const Symbol& symbol, size_t count,
                                   std::function<void(std::vector<Bar>)> done) {
  SymbolState* s = find(symbol);
  if (!s) {
    done({});
    return;
  }
  fix_origin();
  count = std::min(count, kMaxHistoryBars);
  const size_t n_live = std::min(count, s->closed.size());
  const size_t n_hist = s->trimmed ? 0 : count - n_live;
  extend_history(*s, n_hist);
  std::vector<Bar> out;
  out.reserve(n_hist + n_live);
  for (size_t j = n_hist; j > 0; --j) out.push_back(s->history[j - 1]);
  out.insert(out.end(), s->closed.end() - static_cast<std::ptrdiff_t>(n_live), s->closed.end());
  done(std::move(out));
}

std::optional<MarketSimulator::SymbolStats> MarketSimulator::stats(const Symbol& symbol) const {
  const SymbolState* s = find(symbol);
  if (!s) return std::nullopt;
  return s->stats;
}

const Quote* MarketSimulator::last_quote(const Symbol& symbol) const {
  const SymbolState* s = find(symbol);
  return s && s->quote ? &*s->quote : nullptr;
}

}  // namespace td::sim
