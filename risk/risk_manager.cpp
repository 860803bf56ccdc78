#include "risk/risk_manager.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>

namespace td::risk {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::seconds;

RiskDenial deny(const char* check, std::string message,
                std::optional<Timestamp> retry_at = std::nullopt) {
  return RiskDenial{check, std::move(message), retry_at};
}

// "30s", "1.5s", "0.001s": seconds, at most 3 decimals.
std::string fmt_duration(Duration d) {
  return Decimal::from_units(d.count() / 10).round(3, Rounding::kHalfUp).to_string() + "s";
}

std::string fmt_hhmm(minutes m) {
  return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60);
}

const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

bool reducing_impl(Side side, Decimal qty, Decimal position, Decimal working_same_side) {
  if (position.is_zero() || sign_of(side) == position.sign()) return false;
  return qty + working_same_side <= position.abs();
}

Decimal working_on(const WorkingQty& w, Side side) {
  return side == Side::kBuy ? w.buy : w.sell;
}

// "buy 100 SPY market", "sell 5 ES stop 4990 limit 4989.75"
std::string describe(const Order& o) {
  const OrderRequest& r = o.request();
  std::string s = fmt::format("{} {} {}", to_string(o.side()), o.qty(), o.symbol());
  if (!r.limit_price && !r.stop_price) s += " market";
  if (r.stop_price) s += fmt::format(" stop {}", *r.stop_price);
  if (r.limit_price) s += fmt::format(" limit {}", *r.limit_price);
  return s;
}

using i128 = __int128;
constexpr int64_t kE8 = Decimal::kUnitsPerOne;

// Money compared exactly at 1e-16 (the scale of a product of two Decimals).
i128 scaled16(Decimal d) {
  return i128(d.units()) * kE8;
}

// a * b * multiplier at 1e-16, exact: an integer multiplier costs one more
// 128-bit multiplication; any other (or a product that does not fit) goes
// through Decimal arithmetic (which throws DecimalOverflow beyond its range).
i128 product16(Decimal a, Decimal b, Decimal multiplier) {
  const i128 p = i128(a.units()) * b.units();  // |p| < 2^126
  const int64_t m = multiplier.units();
  if (m == kE8) return p;
  if (m % kE8 == 0) {
    const int64_t k = m / kE8;
    const i128 bound = (i128(1) << 120) / (k < 0 ? -k : k);
    if (p <= bound && p >= -bound) return p * k;
  }
  return scaled16(a.mul(b, Rounding::kHalfEven) * multiplier);
}

// What makes two orders duplicates: symbol, side, qty, type, limit and stop price.
uint64_t order_hash(const Order& o) {
  const OrderRequest& r = o.request();
  uint64_t h = std::hash<std::string>()(o.symbol().str());
  auto mix = [&h](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(static_cast<uint64_t>(o.qty().units()));
  mix(static_cast<uint64_t>(o.side()) * 8 + static_cast<uint64_t>(r.type));
  mix(r.limit_price ? static_cast<uint64_t>(r.limit_price->units()) : 0x1234567u);
  mix(r.stop_price ? static_cast<uint64_t>(r.stop_price->units()) : 0x7654321u);
  return h;
}

Decimal multiplier_of(const Instrument* inst, const Portfolio::Holding* h) {
  if (inst) return inst->multiplier;
  if (h) return h->position.multiplier();
  return Decimal::from_int(1);
}

}  // namespace

// ---------------------------------------------------------------- rate window

void RiskManager::RateWindow::resize(size_t limit) {
  if (limit == ring.size()) return;
  // Keep the newest entries, oldest first.
  std::vector<Timestamp> next;
  next.reserve(limit);
  const size_t keep = std::min(count, limit);
  for (size_t i = count - keep; i < count; ++i) next.push_back(ring[(head + i) % ring.size()]);
  const size_t kept = next.size();
  next.resize(limit);
  ring = std::move(next);
  head = 0;
  count = kept;
}

std::optional<Timestamp> RiskManager::RateWindow::blocked_until(Timestamp now,
                                                                Duration window) const {
  if (ring.empty() || count < ring.size()) return std::nullopt;
  // Full: the oldest of the last `limit` orders decides (window (now - w, now]).
  const Timestamp oldest = ring[head];
  if (oldest + window > now) return oldest + window;
  return std::nullopt;
}

void RiskManager::RateWindow::record(Timestamp now) {
  if (ring.empty()) return;
  if (count < ring.size()) {
    size_t i = head + count;
    if (i >= ring.size()) i -= ring.size();
    ring[i] = now;
    ++count;
  } else {
    ring[head] = now;
    if (++head == ring.size()) head = 0;
  }
}

// ---------------------------------------------------------------- set-up

RiskManager::RiskManager(RiskLimits limits, RiskActions& actions)
    : limits_(std::move(limits)), actions_(actions) {
  for (const Symbol& s : limits_.allowed_symbols) symbols_.try_emplace(s);
  for (const auto& [s, h] : limits_.trading_hours) symbols_.try_emplace(s);
}

bool RiskManager::is_exempt_source(std::string_view source) {
  return source == "flatten" || source.starts_with("risk:");
}

bool RiskManager::is_reducing(const Order& order, const EngineView& view) {
  const Decimal position = view.portfolio().position_qty(order.symbol());
  const Decimal working = working_on(view.working(order.symbol()), order.side());
  return reducing_impl(order.side(), order.remaining_qty(), position, working);
}

void RiskManager::restore(const PersistedRiskState& s) {
  state_ = s;
  KillSwitchState& ks = state_.kill_switch;
  TradingStateInfo& ts = state_.trading;
  // The kill switch and the halted state are one thing: fail safe on a mismatch.
  if (ks.engaged && ts.state != TradingState::kHalted) {
    ts = TradingStateInfo{TradingState::kHalted, ks.reason, ks.engaged_by, ks.engaged_at};
  } else if (!ks.engaged && ts.state == TradingState::kHalted) {
    ks.engaged = true;
    ks.reason = ts.reason;
    ks.engaged_by = ts.by;
    ks.engaged_at = ts.since;
  }
  // Reducing because of the consecutive-losses breaker: its cooldown still
  // returns the state to active after a restart.
  if (ts.state == TradingState::kReducing && ts.by == "breaker:consecutive_losses") {
    consecutive_.tripped = true;
    consecutive_.tripped_at = ts.since;
    consecutive_.detail = ts.reason;
  }
}

Status RiskManager::set_limits(RiskLimits limits, const std::string& actor) {
  const auto errors = validate(limits);
  if (!errors.empty()) {
    std::string msg = "invalid risk limits: ";
    for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
    return make_error(ErrorCode::kInvalidArgument, std::move(msg));
  }
  limits_ = std::move(limits);
  ++generation_;
  for (auto& [name, src] : sources_) {
    src.per_second.resize(static_cast<size_t>(limits_.max_orders_per_second));
    src.per_minute.resize(static_cast<size_t>(limits_.max_orders_per_minute));
  }
  for (const Symbol& s : limits_.allowed_symbols) symbols_.try_emplace(s);
  for (const auto& [s, h] : limits_.trading_hours) symbols_.try_emplace(s);
  publish("limits_changed", "risk_limits", actor, "risk limits replaced");
  return {};
}

// ---------------------------------------------------------------- states

void RiskManager::notify() {
  if (listener_) listener_(state_);
}

void RiskManager::publish(std::string kind, std::string name, std::string actor, std::string reason,
                          Figures figures) {
  actions_.publish_risk_event(RiskEventData{std::move(kind), std::move(name), std::move(actor),
                                            std::move(reason), std::move(figures)});
}

void RiskManager::change_state(TradingState s, const std::string& reason, const std::string& actor,
                               Timestamp now) {
  const TradingState before = state_.trading.state;
  state_.trading = TradingStateInfo{s, reason, actor, now};
  notify();
  publish("trading_state", std::string(to_string(s)), actor, reason,
          {{"from", std::string(to_string(before))}, {"to", std::string(to_string(s))}});
}

Status RiskManager::set_trading_state(TradingState s, const std::string& reason,
                                      const std::string& actor, bool is_admin, Timestamp now) {
  const TradingState cur = state_.trading.state;
  if (s == TradingState::kHalted)
    return make_error(ErrorCode::kInvalidArgument,
                      "halted is the kill switch: engage it instead of setting the state");
  if (cur == TradingState::kHalted)
    return make_error(ErrorCode::kIllegalTransition,
                      "trading is halted by the kill switch: only re-arming it leaves halted");
  if (s == cur) return {};
  if (s == TradingState::kActive && !is_admin)
    return make_error(ErrorCode::kRejected, "moving back to active needs the admin role");
  change_state(s, reason, actor, now);
  if (s == TradingState::kActive) reset_breakers(actor);
  return {};
}

EngageResult RiskManager::engage(const std::string& reason, const std::string& actor, bool flatten,
                                 Timestamp now) {
  // Close the gate first: from here no exposure-increasing order passes.
  KillSwitchState& ks = state_.kill_switch;
  const bool already = ks.engaged;
  const TradingState before = state_.trading.state;
  if (!already) {
    ks.engaged = true;
    ks.reason = reason;
    ks.engaged_by = actor;
    ks.engaged_at = now;
  }
  if (before != TradingState::kHalted)
    state_.trading = TradingStateInfo{TradingState::kHalted, ks.reason, ks.engaged_by, now};

  EngageResult result;
  result.cancelled = actions_.cancel_all(reason);
  if (flatten) result.positions = actions_.flatten(reason);
  result.kill_switch = ks;

  if (before != TradingState::kHalted)
    publish("trading_state", "halted", actor, reason,
            {{"from", std::string(to_string(before))}, {"to", "halted"}});
  publish("kill_switch_engaged", "kill_switch", actor, reason,
          {{"already_engaged", already ? "true" : "false"},
           {"engaged_at", ks.engaged_at ? format_rfc3339(*ks.engaged_at) : ""},
           {"engaged_by", ks.engaged_by},
           {"cancelled", std::to_string(result.cancelled.size())},
           {"flatten", flatten ? "true" : "false"},
           {"positions", std::to_string(result.positions.size())}});
  // Persisted last: the listener may write (and fsync) a file, which must not
  // delay the cancels; the gate has been closed in memory since the start.
  notify();
  return result;
}

Status RiskManager::rearm(const std::string& reason, const std::string& actor, Timestamp now) {
  KillSwitchState& ks = state_.kill_switch;
  if (!ks.engaged)
    return make_error(ErrorCode::kIllegalTransition, "the kill switch is not engaged");
  const std::string engaged_reason = ks.reason;
  ks.engaged = false;
  ks.rearmed_at = now;
  ks.rearmed_by = actor;
  const TradingState before = state_.trading.state;
  state_.trading = TradingStateInfo{TradingState::kActive, reason, actor, now};
  notify();
  publish("kill_switch_rearmed", "kill_switch", actor, reason,
          {{"engaged_reason", engaged_reason},
           {"engaged_at", ks.engaged_at ? format_rfc3339(*ks.engaged_at) : ""}});
  publish("trading_state", "active", actor, reason,
          {{"from", std::string(to_string(before))}, {"to", "active"}});
  reset_breakers(actor);
  return {};
}

void RiskManager::reset_breakers(const std::string& actor) {
  // Back to active by an admin: the breakers that act (reduce / halt) are
  // unlatched and judged again at once (with the engine's view as last
  // seen), so a condition that still holds trips again before any order can
  // pass: raise the limit first to trade on.
  bool any = false;
  auto reset = [&](Breaker& b, const char* name, BreakerAction action) {
    if (!b.tripped || action == BreakerAction::kAlert) return;
    clear(b, name, "reset by " + actor + " (back to active): judged again", {});
    any = true;
  };
  reset(daily_loss_, "daily_loss", limits_.daily_loss_action);
  reset(drawdown_, "max_drawdown", limits_.max_drawdown_action);
  reset(broker_, "broker_disconnect", limits_.broker_disconnect_action);
  if (any && view_) {
    evaluate_account(*view_);
    evaluate_broker(*view_, view_->broker_connected());
  }
}

std::vector<BreakerStatus> RiskManager::breakers() const {
  std::vector<BreakerStatus> out;
  auto add = [&](const char* name, const Breaker& b) {
    out.push_back(BreakerStatus{name, b.tripped, b.tripped_at, b.detail});
  };
  add("daily_loss", daily_loss_);
  add("max_drawdown", drawdown_);
  add("consecutive_losses", consecutive_);
  auto per_symbol = [&](const char* name, size_t count, bool SymbolState::*flag) {
    BreakerStatus b{name, count > 0, std::nullopt, ""};
    std::vector<std::string> syms;
    for (const auto& [s, st] : symbols_)
      if (st.*flag) syms.push_back(s.str());
    std::sort(syms.begin(), syms.end());
    for (size_t i = 0; i < syms.size(); ++i) b.detail += (i ? "," : "") + syms[i];
    out.push_back(std::move(b));
  };
  per_symbol("position_duration", duration_count_, &SymbolState::duration_tripped);
  per_symbol("stale_data", stale_count_, &SymbolState::stale_tripped);
  add("broker_disconnect", broker_);
  return out;
}

// ---------------------------------------------------------------- pre-trade

RiskManager::SymbolState& RiskManager::symbol_state(const Symbol& s, Timestamp now) {
  auto it = symbols_.find(s);
  if (it == symbols_.end()) it = symbols_.try_emplace(s).first;
  SymbolState& st = it->second;
  if (st.first_seen == Timestamp{}) st.first_seen = now;
  if (st.generation != generation_) refresh_limits_cache(st, s);
  return st;
}

void RiskManager::refresh_limits_cache(SymbolState& st, const Symbol& s) {
  st.generation = generation_;
  st.allowed = limits_.allowed_symbols.empty() || limits_.allowed_symbols.count(s) > 0;
  auto h = limits_.trading_hours.find(s);
  st.hours = h == limits_.trading_hours.end() ? nullptr : &h->second;
  st.tz = nullptr;
  st.tz_known = true;
  if (st.hours) {
    auto tz = resolve_time_zone(st.hours->timezone);
    st.tz_known = tz.has_value();
    if (tz) st.tz = *tz;
  }
  st.day_valid = false;
}

void RiskManager::compute_day(SymbolState& st, Timestamp now) {
  using LocalTime = date::local_time<Duration>;
  const LocalTime local = st.tz ? LocalTime(st.tz->to_local(now).time_since_epoch())
                                : LocalTime(now.time_since_epoch());
  const auto day = floor<days>(local);
  auto to_utc = [&](LocalTime t) {
    if (!st.tz) return Timestamp(t.time_since_epoch());
    return Timestamp(std::chrono::duration_cast<Duration>(
        st.tz->to_sys(t, date::choose::earliest).time_since_epoch()));
  };
  st.day_begin = to_utc(LocalTime(day));
  st.day_end = to_utc(LocalTime(day + days(1)));
  st.open = to_utc(LocalTime(day) + st.hours->open);
  st.close = to_utc(LocalTime(day) + st.hours->close);
  st.trading_day = st.hours->weekdays.count(
                       static_cast<int>(date::weekday(date::local_days(day)).c_encoding())) > 0;
  st.day_valid = st.day_begin <= now && now < st.day_end;
}

bool RiskManager::in_trading_hours(SymbolState& st, Timestamp now) {
  if (!st.day_valid || now < st.day_begin || now >= st.day_end) compute_day(st, now);
  return st.trading_day && st.open <= now && now < st.close;
}

std::string RiskManager::hours_refusal(const SymbolState& st, const Symbol& s,
                                       Timestamp now) const {
  using LocalTime = date::local_time<Duration>;
  const LocalTime local = st.tz ? LocalTime(st.tz->to_local(now).time_since_epoch())
                                : LocalTime(now.time_since_epoch());
  const auto day = floor<days>(local);
  const auto tod = floor<minutes>(local - day);
  std::string wd;
  for (int d : st.hours->weekdays) wd += (wd.empty() ? "" : ",") + std::string(kWeekdays[d]);
  return fmt::format("{} trades {}-{} {} on {}{}; it is {} {} there", s, fmt_hhmm(st.hours->open),
                     fmt_hhmm(st.hours->close), st.hours->timezone, wd,
                     st.hours->outside_rth ? " (outside_rth orders: on those days)" : "",
                     kWeekdays[date::weekday(date::local_days(day)).c_encoding()], fmt_hhmm(tod));
}

const RiskManager::RecentOrder* RiskManager::find_recent(const RecentOrders& t, const Order& order,
                                                         uint64_t hash) {
  if (t.slots.empty()) return nullptr;
  const OrderRequest& r = order.request();
  const size_t mask = t.slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {  // at most half full: ends
    const RecentOrder& e = t.slots[i];
    if (!e.used) return nullptr;
    if (e.hash == hash && e.qty == order.qty() && e.side == order.side() && e.type == r.type &&
        e.limit == r.limit_price && e.stop == r.stop_price && e.symbol == order.symbol())
      return &e;
  }
}

void RiskManager::rebuild_recent(RecentOrders& t, Timestamp now) const {
  const Duration window = limits_.duplicate_window;
  // Bounded: beyond kMaxLive orders inside the window the oldest are forgotten.
  constexpr size_t kMaxLive = 1 << 15;
  size_t live = 0;
  for (const RecentOrder& e : t.slots)
    if (e.used && e.time + window > now) ++live;
  Timestamp cutoff = now - window;  // keep entries with time > cutoff
  if (live > kMaxLive) {
    std::vector<Timestamp> times;
    for (const RecentOrder& e : t.slots)
      if (e.used && e.time + window > now) times.push_back(e.time);
    std::nth_element(times.begin(), times.end() - kMaxLive, times.end());
    cutoff = *(times.end() - kMaxLive) - Duration(1);
    live = kMaxLive;
  }
  size_t size = 16;
  while (size < live * 4) size *= 2;
  t.spare.assign(size, RecentOrder{});
  const size_t mask = size - 1;
  size_t kept = 0;
  for (RecentOrder& e : t.slots) {
    if (!e.used || e.time <= cutoff || kept == live) continue;
    size_t i = e.hash & mask;
    while (t.spare[i].used) i = (i + 1) & mask;
    t.spare[i] = std::move(e);
    ++kept;
  }
  t.used = kept;
  t.slots.swap(t.spare);
}

void RiskManager::record_passed(SourceState& src, const Order& order, Timestamp now) {
  if (limits_.max_orders_per_second > 0) src.per_second.record(now);
  if (limits_.max_orders_per_minute > 0) src.per_minute.record(now);
  if (limits_.duplicate_window <= Duration::zero()) return;
  RecentOrders& t = src.recent;
  const uint64_t hash = passed_hash_;                        // computed by the chain for this order
  if (const RecentOrder* e = find_recent(t, order, hash)) {  // the same, out of the window
    const_cast<RecentOrder*>(e)->time = now;
    return;
  }
  if ((t.used + 1) * 2 > t.slots.size()) rebuild_recent(t, now);
  const size_t mask = t.slots.size() - 1;
  size_t i = hash & mask;
  // The first free or expired slot of the chain (an expired one keeps the chain intact).
  while (t.slots[i].used && t.slots[i].time + limits_.duplicate_window > now) i = (i + 1) & mask;
  RecentOrder& e = t.slots[i];
  if (!e.used) ++t.used;
  const OrderRequest& r = order.request();
  e.hash = hash;
  e.used = true;
  e.time = now;
  e.side = order.side();
  e.type = r.type;
  e.qty = order.qty();
  e.limit = r.limit_price;
  e.stop = r.stop_price;
  e.symbol = order.symbol();  // reuses the slot's buffer
}

std::optional<RiskDenial> RiskManager::gate(const Order& order, bool reducing, Decimal position,
                                            Decimal working_same_side) const {
  const TradingState s = state_.trading.state;
  if (s != TradingState::kActive && !reducing) {
    const std::string why =
        fmt::format("{} would not only reduce the position {} {} (working {}s {})", describe(order),
                    order.symbol(), position, to_string(order.side()), working_same_side);
    if (s == TradingState::kHalted)
      return deny("kill_switch_engaged",
                  fmt::format("kill switch engaged by {} ({}): only orders that reduce a "
                              "position are accepted; {}",
                              state_.kill_switch.engaged_by, state_.kill_switch.reason, why));
    return deny("reducing_only",
                fmt::format("trading state is reducing (by {}: {}): only orders that reduce a "
                            "position are accepted; {}",
                            state_.trading.by, state_.trading.reason, why));
  }
  if (order.request().reduce_only && !reducing)
    return deny("reduce_only",
                fmt::format("reduce_only order {} would not only reduce the position {} {} "
                            "(working {}s {})",
                            describe(order), order.symbol(), position, to_string(order.side()),
                            working_same_side));
  return std::nullopt;
}

std::optional<RiskDenial> RiskManager::recheck(const Order& order, const EngineView& view) {
  if (is_exempt_source(order.source())) return std::nullopt;
  view_ = &view;
  const Decimal position = view.portfolio().position_qty(order.symbol());
  // The order itself passed the gate, so view.working() already holds it.
  Decimal working = working_on(view.working(order.symbol()), order.side()) - order.remaining_qty();
  if (working.sign() < 0) working = Decimal();
  const bool reducing = reducing_impl(order.side(), order.remaining_qty(), position, working);
  return gate(order, reducing, position, working);
}

std::optional<RiskDenial> RiskManager::pre_trade(const Order& order, const EngineView& view) {
  if (is_exempt_source(order.source())) return std::nullopt;
  view_ = &view;
  const Timestamp now = view.now();
  const char* check = "max_order_qty";
  SourceState* source = nullptr;
  try {
    if (auto d = run_chain(order, view, now, check, source)) return d;
  } catch (const DecimalOverflow& e) {
    return deny(check, fmt::format("{}: the order's figures are out of range ({})", describe(order),
                                   e.what()));
  }
  if (source) record_passed(*source, order, now);
  return std::nullopt;
}

namespace {
// The engine's view as if one working order were not there: a modification
// replaces that order's remaining quantity instead of adding to it.
class WithoutOrder final : public EngineView {
 public:
  WithoutOrder(const EngineView& v, const Order& o) : v_(v), o_(o) {}
  Timestamp now() const override { return v_.now(); }
  const Portfolio& portfolio() const override { return v_.portfolio(); }
  const Instrument* instrument(const Symbol& s) const override { return v_.instrument(s); }
  std::optional<MarketRef> market_ref(const Symbol& s) const override { return v_.market_ref(s); }
  WorkingQty working(const Symbol& s) const override {
    WorkingQty w = v_.working(s);
    if (s == o_.symbol() && o_.is_open()) {
      Decimal& side = o_.side() == Side::kBuy ? w.buy : w.sell;
      side = std::max(Decimal(), side - o_.remaining_qty());
      if (w.orders > 0) --w.orders;
    }
    return w;
  }
  size_t working_orders() const override {
    const size_t n = v_.working_orders();
    return n > 0 ? n - 1 : 0;
  }
  bool broker_connected() const override { return v_.broker_connected(); }
  Timestamp broker_disconnected_since() const override { return v_.broker_disconnected_since(); }

 private:
  const EngineView& v_;
  const Order& o_;
};
}  // namespace

std::optional<RiskDenial> RiskManager::pre_modify(const Order& current, const Order& modified,
                                                  const EngineView& view) {
  if (is_exempt_source(current.source())) return std::nullopt;
  const WithoutOrder without(view, current);
  auto d = pre_trade(modified, without);
  view_ = &view;  // never keep the temporary view
  return d;
}

std::optional<RiskDenial> RiskManager::run_chain(const Order& order, const EngineView& view,
                                                 Timestamp now, const char*& check,
                                                 SourceState*& source) {
  const RiskLimits& L = limits_;
  const OrderRequest& r = order.request();
  const Symbol& sym = order.symbol();
  const Side side = order.side();
  const Decimal qty = order.remaining_qty();
  const Portfolio& pf = view.portfolio();
  const Portfolio::Holding* holding = pf.holding(sym);
  const Decimal position = holding ? holding->position.qty() : Decimal();
  const WorkingQty working = view.working(sym);
  const Decimal working_same = working_on(working, side);
  const bool reducing = reducing_impl(side, qty, position, working_same);

  // 1. Trading state (kill switch / reducing) and reduce_only.
  if (auto d = gate(order, reducing, position, working_same)) return d;

  // 2. Symbol allow list (not for orders that only reduce).
  SymbolState& st = symbol_state(sym, now);
  const Instrument* inst = view.instrument(sym);
  if (!reducing && (!st.allowed || !inst)) {
    return deny("symbol_not_allowed", !st.allowed
                                          ? fmt::format("{} is not in allowed_symbols", sym)
                                          : fmt::format("{} is not a configured instrument", sym));
  }
  const Decimal mult = multiplier_of(inst, holding);

  // 3. Fat-finger size.
  if (L.max_order_qty.sign() > 0 && qty > L.max_order_qty)
    return deny("max_order_qty",
                fmt::format("qty {} exceeds max_order_qty {}", qty, L.max_order_qty));

  // 4. Notional (limit price, else stop price, else the reference price).
  const std::optional<MarketRef> ref = view.market_ref(sym);
  const bool want_min = L.min_notional.sign() > 0 && !reducing;
  if (L.max_order_notional.sign() > 0 || want_min) {
    check = L.max_order_notional.sign() > 0 ? "max_order_notional" : "min_notional";
    const std::optional<Decimal> px = r.limit_price  ? r.limit_price
                                      : r.stop_price ? r.stop_price
                                      : ref          ? std::optional<Decimal>(ref->price)
                                                     : std::nullopt;
    if (!px)
      return deny(check, fmt::format("no reference price for {} to value the {} order", sym,
                                     to_string(r.type)));
    const i128 notional = product16(qty, px->abs(), mult);
    auto shown = [&] { return qty.mul(px->abs(), Rounding::kHalfEven) * mult; };
    if (L.max_order_notional.sign() > 0 && notional > scaled16(L.max_order_notional))
      return deny("max_order_notional",
                  fmt::format("notional {} (qty {} x price {} x multiplier {}) exceeds "
                              "max_order_notional {}",
                              shown(), qty, *px, mult, L.max_order_notional));
    if (want_min && notional < scaled16(L.min_notional))
      return deny("min_notional", fmt::format("notional {} (qty {} x price {} x multiplier {}) "
                                              "is below min_notional {}",
                                              shown(), qty, *px, mult, L.min_notional));
  }

  // 5. Price collar around a fresh reference price.
  if (L.price_collar_pct.sign() > 0) {
    check = "price_collar";
    const bool fresh =
        ref && ref->price.sign() > 0 &&
        (L.reference_max_age <= Duration::zero() || now - ref->time <= L.reference_max_age);
    if (!fresh) {
      return deny("price_collar",
                  ref ? fmt::format("no fresh reference price for {}: the last ({}) is {} old "
                                    "(reference_max_age {}); the order's price cannot be checked",
                                    sym, ref->price, fmt_duration(now - ref->time),
                                    fmt_duration(L.reference_max_age))
                      : fmt::format("no fresh reference price for {} (none yet); the order's "
                                    "price cannot be checked",
                                    sym));
    }
    auto outside = [&](Decimal p) {
      // |p - ref| / ref * 100 > pct, exactly: |p - ref| * 100 > pct * ref (at 1e-16)
      return scaled16((p - ref->price).abs()) * 100 >
             i128(L.price_collar_pct.units()) * ref->price.units();
    };
    for (auto [name, p] : {std::pair{"limit", r.limit_price}, std::pair{"stop", r.stop_price}}) {
      if (p && outside(*p)) {
        const Decimal pct = ((*p - ref->price).abs() * Decimal::from_int(100))
                                .div(ref->price, Rounding::kHalfUp)
                                .round(2, Rounding::kHalfUp);
        return deny("price_collar", fmt::format("{} price {} is {}% from the reference price {} "
                                                "(price_collar_pct {})",
                                                name, *p, pct, ref->price, L.price_collar_pct));
      }
    }
  }

  // 6. Working orders.
  if (L.max_working_orders > 0 &&
      view.working_orders() >= static_cast<size_t>(L.max_working_orders))
    return deny("max_working_orders",
                fmt::format("{} orders working: max_working_orders {} reached",
                            view.working_orders(), L.max_working_orders));

  // 7. Rate per source, 8. duplicates.
  if (L.max_orders_per_second > 0 || L.max_orders_per_minute > 0 ||
      L.duplicate_window > Duration::zero()) {
    auto it = sources_.find(order.source());
    if (it == sources_.end()) {
      it = sources_.try_emplace(order.source()).first;
      it->second.per_second.resize(static_cast<size_t>(L.max_orders_per_second));
      it->second.per_minute.resize(static_cast<size_t>(L.max_orders_per_minute));
    }
    source = &it->second;
    std::optional<Timestamp> sec, min;
    if (L.max_orders_per_second > 0) sec = source->per_second.blocked_until(now, seconds(1));
    if (L.max_orders_per_minute > 0) min = source->per_minute.blocked_until(now, minutes(1));
    if (sec || min) {
      // The window that opens last decides (and is named).
      const bool by_minute = min && (!sec || *min > *sec);
      const Timestamp retry = by_minute ? *min : *sec;
      std::string msg =
          by_minute
              ? fmt::format("source {}: {} orders in the last minute (max_orders_per_minute {})",
                            order.source(), L.max_orders_per_minute, L.max_orders_per_minute)
              : fmt::format("source {}: {} orders in the last second (max_orders_per_second {})",
                            order.source(), L.max_orders_per_second, L.max_orders_per_second);
      if (L.throttle_action == ThrottleAction::kQueue) {
        msg += "; queued until " + format_rfc3339(retry);
        return deny("rate_limit", std::move(msg), retry);
      }
      return deny("rate_limit", std::move(msg));
    }
    const RecentOrder* previous = nullptr;
    if (L.duplicate_window > Duration::zero() &&
        (previous = find_recent(source->recent, order, passed_hash_ = order_hash(order))) &&
        previous->time + L.duplicate_window > now)
      return deny("duplicate_order",
                  fmt::format("duplicate of an order from {} {} ago ({}), within "
                              "duplicate_window {}",
                              order.source(), fmt_duration(now - previous->time), describe(order),
                              fmt_duration(L.duplicate_window)));
  }

  // 9. Trading hours.
  if (st.hours) {
    if (!st.tz_known)
      return deny("trading_hours",
                  fmt::format("{}: unknown time zone '{}'", sym, st.hours->timezone));
    if (!in_trading_hours(st, now) && !(r.outside_rth && st.hours->outside_rth && st.trading_day)) {
      std::string msg = hours_refusal(st, sym, now);
      if (r.outside_rth && !st.hours->outside_rth)
        msg += "; outside_rth is not allowed for " + sym.str();
      return deny("trading_hours", std::move(msg));
    }
  }

  if (reducing) return std::nullopt;  // the rest guards against new exposure

  // 10. Stale market data.
  if (L.stale_data_after > Duration::zero() && (!ref || now - ref->time > L.stale_data_after)) {
    trip_stale(st, sym, ref, now);
    return deny("stale_market_data",
                ref ? fmt::format("market data for {} is {} old (stale_data_after {})", sym,
                                  fmt_duration(now - ref->time), fmt_duration(L.stale_data_after))
                    : fmt::format("no market data for {} yet", sym));
  }

  // Projected position: position + working on the order's side + the order.
  const Decimal signed_qty = side == Side::kBuy ? qty : -qty;
  const Decimal signed_working = side == Side::kBuy ? working.buy : -working.sell;
  const Decimal projected = position + signed_working + signed_qty;
  auto projection = [&] {
    return fmt::format("position {}, working {}s {}, order {}", position, to_string(side),
                       working_same, signed_qty);
  };

  // 11. Short selling.
  if (!L.allow_short && projected.sign() < 0)
    return deny("short_selling",
                fmt::format("would take {} to {} ({}): short selling is not allowed", sym,
                            projected, projection()));

  // 12. Position per symbol.
  if (L.max_position_qty.sign() > 0 && projected.abs() > L.max_position_qty)
    return deny("max_position_qty",
                fmt::format("projected position {} {} exceeds max_position_qty {} ({})", sym,
                            projected, L.max_position_qty, projection()));

  const bool want_value = L.max_position_notional.sign() > 0 || L.max_gross_exposure.sign() > 0 ||
                          L.max_net_exposure.sign() > 0;
  if (!want_value) return std::nullopt;
  check = L.max_position_notional.sign() > 0 ? "max_position_notional"
          : L.max_gross_exposure.sign() > 0  ? "max_gross_exposure"
                                             : "max_net_exposure";
  const std::optional<Decimal> vp = ref                        ? std::optional<Decimal>(ref->price)
                                    : holding && holding->mark ? holding->mark
                                    : r.limit_price            ? r.limit_price
                                                               : r.stop_price;
  if (!vp) return deny(check, fmt::format("no reference price for {} to value the position", sym));
  // Exact comparisons at 1e-16 (no rounding, no 128-bit division on the pass path);
  // the Decimal figures are computed for the message only.
  const i128 value = product16(projected, *vp, mult);
  const i128 abs_value = value < 0 ? -value : value;
  auto shown_value = [&] { return projected.mul(*vp, Rounding::kHalfEven) * mult; };

  if (L.max_position_notional.sign() > 0 && abs_value > scaled16(L.max_position_notional))
    return deny("max_position_notional",
                fmt::format("projected position value {} ({} {} x {} x multiplier {}) exceeds "
                            "max_position_notional {} ({})",
                            shown_value().abs(), projected, sym, *vp, mult, L.max_position_notional,
                            projection()));

  // 13. Account exposure: the other symbols at their marks, this one projected.
  check = "max_gross_exposure";
  if (!exposure_synced_) resync_exposure(pf, now);  // first use: nothing seen yet
  const i128 gross = scaled16(gross_) - scaled16(st.value.abs()) + abs_value;
  if (L.max_gross_exposure.sign() > 0 && gross > scaled16(L.max_gross_exposure))
    return deny("max_gross_exposure",
                fmt::format("gross exposure after the order {} exceeds max_gross_exposure {} "
                            "({} projected at {})",
                            gross_ - st.value.abs() + shown_value().abs(), L.max_gross_exposure,
                            sym, shown_value()));
  check = "max_net_exposure";
  const i128 net = scaled16(net_) - scaled16(st.value) + value;
  if (L.max_net_exposure.sign() > 0 && (net < 0 ? -net : net) > scaled16(L.max_net_exposure))
    return deny(
        "max_net_exposure",
        fmt::format("net exposure after the order {} exceeds max_net_exposure {} "
                    "({} projected at {})",
                    net_ - st.value + shown_value(), L.max_net_exposure, sym, shown_value()));
  return std::nullopt;
}

// ---------------------------------------------------------------- breakers

void RiskManager::take_action(const char* name, BreakerAction action, const std::string& reason,
                              Timestamp now) {
  const std::string actor = std::string("breaker:") + name;
  switch (action) {
    case BreakerAction::kReduce:
      if (state_.trading.state == TradingState::kActive)
        change_state(TradingState::kReducing, reason, actor, now);
      break;
    case BreakerAction::kHalt:
      engage(reason, actor, false, now);
      break;
    case BreakerAction::kAlert:
      break;
  }
}

void RiskManager::trip(Breaker& b, const char* name, BreakerAction action, std::string reason,
                       Figures figures, Timestamp now) {
  // Latched before acting, so nothing the action triggers can trip it again.
  b.tripped = true;
  b.tripped_at = now;
  b.detail = reason;
  figures.emplace_back("action", std::string(to_string(action)));
  publish("breaker_tripped", name, std::string("breaker:") + name, reason, std::move(figures));
  take_action(name, action, reason, now);
}

void RiskManager::clear(Breaker& b, const char* name, std::string reason, Figures figures) {
  b.tripped = false;
  b.detail.clear();
  publish("breaker_cleared", name, std::string("breaker:") + name, std::move(reason),
          std::move(figures));
}

void RiskManager::refresh_value(SymbolState& st, const Symbol& s, const Portfolio& pf) {
  const Portfolio::Holding* h = pf.holding(s);
  const Decimal v = h && h->mark ? h->position.market_value(*h->mark) : Decimal();
  gross_ += v.abs() - st.value.abs();
  net_ += v - st.value;
  st.value = v;
  if (h) {
    st.snapshot = true;
    st.last_realized = h->position.realized_pnl();
    st.last_commissions = h->position.commissions();
    // A position the risk manager did not see open (restart): its trip starts now.
    if (!h->position.flat() && !st.trip.open)
      st.trip = RoundTrip{true, st.last_realized, st.last_commissions};
  }
}

void RiskManager::resync_exposure(const Portfolio& pf, Timestamp now) {
  // Once a second: recompute the sums from scratch (no drift, and positions
  // that changed without a fill or mark reaching the risk manager count).
  exposure_synced_ = true;
  gross_ = Decimal();
  net_ = Decimal();
  for (auto& [s, st] : symbols_) st.value = Decimal();
  for (const auto& [s, h] : pf.holdings()) {
    SymbolState& st = symbol_state(s, now);
    refresh_value(st, s, pf);
  }
}

void RiskManager::track_round_trip(SymbolState& st, const Fill& f, const Portfolio& pf) {
  const Portfolio::Holding* h = pf.holding(f.symbol);
  if (!h) return;
  const Position& p = h->position;
  const Decimal after = p.qty();
  const Decimal before = after - (f.side == Side::kBuy ? f.qty : -f.qty);
  if (before.is_zero()) {
    // The position leaves zero: a trip starts; this fill's commission is its first cost.
    st.trip = RoundTrip{true, p.realized_pnl(), p.commissions() - f.commission};
    return;
  }
  if (!st.trip.open) {
    // Open before the risk manager saw it: count from the figures seen last.
    st.trip = st.snapshot ? RoundTrip{true, st.last_realized, st.last_commissions}
                          : RoundTrip{true, p.realized_pnl(), p.commissions() - f.commission};
  }
  const bool closed = after.is_zero() || after.sign() != before.sign();
  if (!closed) return;
  // Closed (or flipped: the flipping fill's commission belongs to the closing trip).
  const Decimal pnl = (p.realized_pnl() - st.trip.realized_at_start) -
                      (p.commissions() - st.trip.commissions_at_start);
  st.trip = after.is_zero() ? RoundTrip{} : RoundTrip{true, p.realized_pnl(), p.commissions()};
  last_trip_pnl_ = pnl;
  if (pnl.sign() < 0) {
    ++consecutive_losses_;
  } else if (pnl.sign() > 0) {
    consecutive_losses_ = 0;
  }  // a scratch trip (exactly 0) leaves the count as it is
  const int64_t limit = limits_.max_consecutive_losses;
  if (limit > 0 && !consecutive_.tripped && consecutive_losses_ >= limit) {
    trip(consecutive_, "consecutive_losses", limits_.consecutive_losses_action,
         fmt::format("{} losing round trips in a row (max_consecutive_losses {}); the last, {}, "
                     "lost {}",
                     consecutive_losses_, limit, f.symbol, pnl.abs()),
         {{"consecutive_losses", std::to_string(consecutive_losses_)},
          {"limit", std::to_string(limit)},
          {"symbol", f.symbol.str()},
          {"last_trip_pnl", pnl.to_string()},
          {"cooldown", fmt_duration(limits_.consecutive_losses_cooldown)}},
         f.time);
  }
}

void RiskManager::evaluate_cooldown(Timestamp now) {
  if (!consecutive_.tripped) return;
  const bool off = limits_.max_consecutive_losses <= 0;
  if (!off && now - *consecutive_.tripped_at < limits_.consecutive_losses_cooldown) return;
  consecutive_losses_ = 0;
  clear(consecutive_, "consecutive_losses",
        off ? "max_consecutive_losses switched off"
            : "cooldown " + fmt_duration(limits_.consecutive_losses_cooldown) + " elapsed",
        {{"cooldown", fmt_duration(limits_.consecutive_losses_cooldown)}});
  // The state it set (reducing) returns to active; anything stricter or set
  // by someone else stays.
  if (state_.trading.state == TradingState::kReducing &&
      state_.trading.by == "breaker:consecutive_losses")
    change_state(TradingState::kActive, "consecutive_losses cooldown elapsed",
                 "breaker:consecutive_losses", now);
}

void RiskManager::evaluate_account(const EngineView& view) {
  const Portfolio& pf = view.portfolio();
  const Timestamp now = view.now();
  const RiskLimits& L = limits_;

  // Daily loss: today's total P&L at or below -limit.
  const Decimal today = pf.today_total();
  const bool loss = L.daily_loss_limit.sign() > 0 && today <= -L.daily_loss_limit;
  if (loss && !daily_loss_.tripped) {
    trip(daily_loss_, "daily_loss", L.daily_loss_action,
         fmt::format("today's P&L {} is at or below -{} (daily_loss_limit)", today.to_string(2),
                     L.daily_loss_limit),
         {{"today_pnl", today.to_string(2)},
          {"limit", L.daily_loss_limit.to_string()},
          {"session_start", format_rfc3339(pf.session_start())}},
         now);
  } else if (!loss && daily_loss_.tripped) {
    clear(daily_loss_, "daily_loss",
          fmt::format("today's P&L {} is above -{}", today.to_string(2), L.daily_loss_limit),
          {{"today_pnl", today.to_string(2)}});
  }

  // Drawdown from the equity peak: absolute, or percent of the peak (exact:
  // drawdown * 100 >= pct * peak).
  const Decimal dd = pf.drawdown();
  const Decimal peak = pf.peak_equity();
  const bool abs_hit = L.max_drawdown.sign() > 0 && dd >= L.max_drawdown;
  const bool pct_hit =
      L.max_drawdown_pct.sign() > 0 && peak.sign() > 0 &&
      dd * Decimal::from_int(100) >= L.max_drawdown_pct.mul(peak, Rounding::kHalfEven);
  if ((abs_hit || pct_hit) && !drawdown_.tripped) {
    const Decimal pct = (pf.drawdown_pct() * Decimal::from_int(100)).round(4, Rounding::kHalfUp);
    trip(drawdown_, "max_drawdown", L.max_drawdown_action,
         abs_hit ? fmt::format("drawdown {} from the peak equity {} is at or above max_drawdown {}",
                               dd.to_string(2), peak.to_string(2), L.max_drawdown)
                 : fmt::format("drawdown {}% of the peak equity {} is at or above "
                               "max_drawdown_pct {}",
                               pct, peak.to_string(2), L.max_drawdown_pct),
         {{"drawdown", dd.to_string(2)},
          {"drawdown_pct", pct.to_string()},
          {"peak_equity", peak.to_string(2)},
          {"equity", pf.equity().to_string(2)},
          {"limit", L.max_drawdown.to_string()},
          {"limit_pct", L.max_drawdown_pct.to_string()}},
         now);
  } else if (!(abs_hit || pct_hit) && drawdown_.tripped) {
    clear(drawdown_, "max_drawdown",
          fmt::format("drawdown {} is back under the limits", dd.to_string(2)),
          {{"drawdown", dd.to_string(2)}, {"peak_equity", peak.to_string(2)}});
  }

  evaluate_cooldown(now);
}

void RiskManager::trip_stale(SymbolState& st, const Symbol& s, std::optional<MarketRef> ref,
                             Timestamp now) {
  if (st.stale_tripped) return;
  st.stale_tripped = true;
  ++stale_count_;
  const std::string reason =
      ref ? fmt::format(
                "no market data for {} for {} (stale_data_after {}): new exposure "
                "in {} is refused",
                s, fmt_duration(now - ref->time), fmt_duration(limits_.stale_data_after), s)
          : fmt::format(
                "no market data for {} since {} (stale_data_after {}): new exposure "
                "in {} is refused",
                s, format_rfc3339(st.first_seen), fmt_duration(limits_.stale_data_after), s);
  publish("breaker_tripped", "stale_data", "breaker:stale_data", reason,
          {{"symbol", s.str()},
           {"last_data", ref ? format_rfc3339(ref->time) : ""},
           {"age", ref ? fmt_duration(now - ref->time) : ""},
           {"limit", fmt_duration(limits_.stale_data_after)},
           {"action", "block_symbol"}});
}

void RiskManager::evaluate_stale_data(const EngineView& view) {
  const Timestamp now = view.now();
  const Duration after = limits_.stale_data_after;
  for (auto& [s, st] : symbols_) {
    if (st.generation != generation_) refresh_limits_cache(st, s);
    const auto ref = view.market_ref(s);
    if (after <= Duration::zero()) {
      if (st.stale_tripped) {
        st.stale_tripped = false;
        --stale_count_;
        publish("breaker_cleared", "stale_data", "breaker:stale_data",
                "stale_data_after switched off", {{"symbol", s.str()}});
      }
      continue;
    }
    if (st.first_seen == Timestamp{}) st.first_seen = now;
    const bool stale = ref ? now - ref->time > after : now - st.first_seen > after;
    if (stale && !st.stale_tripped) {
      // No data outside the symbol's trading hours is normal.
      if (st.hours && st.tz_known && !in_trading_hours(st, now)) continue;
      trip_stale(st, s, ref, now);
    } else if (!stale && st.stale_tripped) {
      st.stale_tripped = false;
      --stale_count_;
      publish("breaker_cleared", "stale_data", "breaker:stale_data",
              fmt::format("market data for {} is fresh again", s),
              {{"symbol", s.str()}, {"last_data", ref ? format_rfc3339(ref->time) : ""}});
    }
  }
}

void RiskManager::evaluate_position_durations(const EngineView& view) {
  const Timestamp now = view.now();
  const Portfolio& pf = view.portfolio();
  const Duration limit = limits_.max_position_duration;
  // Clear first: positions closed (or reopened) since they tripped.
  for (auto& [s, st] : symbols_) {
    if (!st.duration_tripped) continue;
    const Portfolio::Holding* h = pf.holding(s);
    const bool same = h && !h->position.flat() && h->position.opened_at() == st.duration_opened_at;
    if (same && limit > Duration::zero()) continue;
    st.duration_tripped = false;
    st.duration_retry = false;
    --duration_count_;
    publish("breaker_cleared", "position_duration", "breaker:position_duration",
            fmt::format("the {} position opened at {} is closed", s,
                        format_rfc3339(st.duration_opened_at)),
            {{"symbol", s.str()}});
  }
  if (limit <= Duration::zero()) return;
  for (const auto& [s, h] : pf.holdings()) {
    if (h.position.flat()) continue;
    const Duration age = now - h.position.opened_at();
    if (age <= limit) continue;
    SymbolState& st = symbol_state(s, now);
    const std::string source = "risk:max_position_duration";
    if (st.duration_tripped) {
      if (st.duration_retry) {  // the last attempt could not place an order
        const FlattenResult r = actions_.close_position(
            s, source,
            fmt::format("max_position_duration {} exceeded (retry)", fmt_duration(limit)));
        st.duration_retry = !r.closing_order && r.error;
      }
      continue;
    }
    st.duration_tripped = true;
    st.duration_opened_at = h.position.opened_at();
    ++duration_count_;
    const std::string reason = fmt::format(
        "the {} position {} opened at {} is {} old (max_position_duration {}): "
        "closed",
        s, h.position.qty(), format_rfc3339(h.position.opened_at()), fmt_duration(age),
        fmt_duration(limit));
    const FlattenResult r = actions_.close_position(s, source, reason);
    st.duration_retry = !r.closing_order && r.error;
    publish("breaker_tripped", "position_duration", "breaker:position_duration", reason,
            {{"symbol", s.str()},
             {"qty", h.position.qty().to_string()},
             {"opened_at", format_rfc3339(h.position.opened_at())},
             {"age", fmt_duration(age)},
             {"limit", fmt_duration(limit)},
             {"closing_order", r.closing_order ? r.closing_order->to_string() : ""},
             {"error", r.error.value_or("")},
             {"action", "close_position"}});
  }
}

void RiskManager::evaluate_broker(const EngineView& view, bool connected) {
  const Timestamp now = view.now();
  const Duration after = limits_.broker_disconnect_after;
  if (connected || after <= Duration::zero()) {
    if (broker_.tripped)
      clear(broker_, "broker_disconnect",
            connected ? "broker connected again" : "broker_disconnect_after switched off", {});
    return;
  }
  const Duration down = now - view.broker_disconnected_since();
  if (down > after && !broker_.tripped) {
    trip(broker_, "broker_disconnect", limits_.broker_disconnect_action,
         fmt::format("broker disconnected for {} since {} (broker_disconnect_after {})",
                     fmt_duration(down), format_rfc3339(view.broker_disconnected_since()),
                     fmt_duration(after)),
         {{"disconnected_since", format_rfc3339(view.broker_disconnected_since())},
          {"down_for", fmt_duration(down)},
          {"limit", fmt_duration(after)}},
         now);
  }
}

void RiskManager::on_fill(const Fill& f, const EngineView& view) {
  view_ = &view;
  SymbolState& st = symbol_state(f.symbol, view.now());
  track_round_trip(st, f, view.portfolio());
  refresh_value(st, f.symbol, view.portfolio());
  evaluate_account(view);
}

void RiskManager::on_mark(const Symbol& s, const EngineView& view) {
  view_ = &view;
  SymbolState& st = symbol_state(s, view.now());
  refresh_value(st, s, view.portfolio());
  if (st.stale_tripped) {  // fresh data clears the symbol's stale latch
    const auto ref = view.market_ref(s);
    if (ref && view.now() - ref->time <= limits_.stale_data_after) {
      st.stale_tripped = false;
      --stale_count_;
      publish("breaker_cleared", "stale_data", "breaker:stale_data",
              fmt::format("market data for {} is fresh again", s),
              {{"symbol", s.str()}, {"last_data", format_rfc3339(ref->time)}});
    }
  }
  evaluate_account(view);
}

void RiskManager::on_tick(const EngineView& view) {
  view_ = &view;
  resync_exposure(view.portfolio(), view.now());
  evaluate_account(view);
  evaluate_position_durations(view);
  evaluate_stale_data(view);
  evaluate_broker(view, view.broker_connected());
}

void RiskManager::on_broker_connection(bool connected, const EngineView& view) {
  view_ = &view;
  evaluate_broker(view, connected);
  evaluate_account(view);
}

}  // namespace td::risk
