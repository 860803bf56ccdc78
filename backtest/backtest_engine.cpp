#include "backtest/backtest_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "brokers/sim/fill_model.h"
#include "risk/risk_manager.h"

namespace td::backtest {

struct BacktestEngine::SymbolState {
  Instrument inst;
  uint32_t index = 0;
  Bar bar;  // the bar handed to strategies: symbol and interval set once
  bool seen = false;
  Decimal qty;    // the account's position
  Decimal value;  // qty x last close x multiplier
  Decimal last_close;
  Timestamp last_close_time{};
  std::vector<Pending> pending;  // decided, waiting for the next bar's open
  std::vector<Slot*> slots;      // strategies trading this symbol
  bool unit_multiplier = true;
};

struct BacktestEngine::Slot {
  int index = 0;
  std::string name, source;
  std::unique_ptr<Strategy> impl;
  std::unique_ptr<Context> ctx;
  std::vector<Decimal> own;                   // the strategy's book, per symbol
  std::vector<std::optional<Decimal>> gated;  // a target the kill switch refused, per symbol
  bool warned_timer = false;
};

class BacktestEngine::Context final : public StrategyContext {
 public:
  Context(BacktestEngine& engine, Slot& slot) : e_(engine), slot_(slot) {}

  Timestamp now() const override { return e_.now_; }
  bool warming_up() const override { return e_.warming_; }
  Decimal position(const Symbol& s) const override {
    const uint32_t i = e_.index_of(s);
    return i == kUnknown ? Decimal() : slot_.own[i];
  }
  const Instrument* instrument(const Symbol& s) const override { return e_.instrument(s); }

  void set_target(const Symbol& s, Decimal target) override {
    if (e_.warming_) return;
    const uint32_t i = e_.index_of(s);
    if (i == kUnknown) return;
    SymbolState& st = *e_.symbols_[i];
    const Decimal current = slot_.own[i] + e_.pending_qty(st, slot_.index);
    const Decimal delta = target - current;
    if (delta.is_zero()) return;
    auto& gated = slot_.gated[i];
    if (gated) {
      if (*gated == target) return;
      gated.reset();
    }
    e_.last_denial_.clear();
    auto r = e_.place(slot_.index, i, delta.sign() > 0 ? Side::kBuy : Side::kSell, delta.abs(),
                      slot_.source);
    if (!r && (e_.last_denial_ == "kill_switch_engaged" || e_.last_denial_ == "reducing_only"))
      gated = target;
  }

  Result<OrderId> submit(OrderRequest req) override {
    if (req.type != OrderType::kMarket)
      return make_error(ErrorCode::kInvalidArgument,
                        "backtests fill market orders only (at the next bar's open)");
    if (req.qty.sign() <= 0) return make_error(ErrorCode::kInvalidArgument, "qty: must be > 0");
    if (e_.warming_) return make_error(ErrorCode::kRejected, "warming up: decisions are ignored");
    const uint32_t i = e_.index_of(req.symbol);
    if (i == kUnknown)
      return make_error(ErrorCode::kInvalidArgument,
                        "symbol: unknown instrument " + req.symbol.str());
    return e_.place(slot_.index, i, req.side, req.qty, slot_.source);
  }

  Status cancel(OrderId id) override {
    for (auto& st : e_.symbols_) {
      auto& p = st->pending;
      auto it = std::find_if(p.begin(), p.end(),
                             [&](const Pending& x) { return x.id == id && x.slot == slot_.index; });
      if (it != p.end()) {
        p.erase(it);
        --e_.pending_total_;
        return {};
      }
    }
    return make_error(ErrorCode::kNotFound, "order " + id.to_string() + " is not working");
  }

  void set_timer(Timestamp) override {
    if (!slot_.warned_timer)
      spdlog::warn("strategy {}: timers are not run in backtests (bars only)", slot_.name);
    slot_.warned_timer = true;
  }

  static constexpr uint32_t kUnknown = BacktestEngine::kUnknownSymbol;

 private:
  BacktestEngine& e_;
  Slot& slot_;
};

namespace {

// qty x price x multiplier as Position::market_value computes it, without the
// 128-bit division when the quantity is whole and the multiplier 1 (exact).
Decimal marked_value(Decimal qty, Decimal price, Decimal multiplier, bool unit_multiplier) {
  if (unit_multiplier && qty.units() % Decimal::kUnitsPerOne == 0) {
    int64_t v = 0;
    if (!__builtin_mul_overflow(qty.units() / Decimal::kUnitsPerOne, price.units(), &v))
      return Decimal::from_units(v);
  }
  return qty.mul(price, Rounding::kHalfEven) * multiplier;
}

bool needs_every_mark(const risk::RiskLimits& l) {
  return !l.daily_loss_limit.is_zero() || !l.max_drawdown.is_zero() ||
         !l.max_drawdown_pct.is_zero() || l.max_position_duration.count() > 0 ||
         l.stale_data_after.count() > 0 || !l.max_gross_exposure.is_zero() ||
         !l.max_net_exposure.is_zero();
}

}  // namespace

BacktestEngine::BacktestEngine(BacktestSettings settings)
    : settings_(std::move(settings)), portfolio_(settings_.initial_cash, settings_.session) {
  if (settings_.slippage_bps.sign() < 0 || settings_.slippage_bps >= Decimal::from_int(10000))
    throw std::invalid_argument("slippage_bps must be in [0, 10000)");
  if (const auto errors = risk::validate(settings_.risk); !errors.empty())
    throw std::invalid_argument("risk: " + errors.front());
  for (size_t i = 0; i < settings_.instruments.size(); ++i) {
    const Instrument& inst = settings_.instruments[i];
    if (inst.tick.sign() <= 0)
      throw std::invalid_argument("tick must be > 0: " + inst.symbol.str());
    for (size_t j = 0; j < i; ++j)
      if (settings_.instruments[j].symbol == inst.symbol)
        throw std::invalid_argument("duplicate instrument " + inst.symbol.str());
    auto st = std::make_unique<SymbolState>();
    st->inst = inst;
    st->index = static_cast<uint32_t>(i);
    st->bar.symbol = inst.symbol;
    st->bar.interval = settings_.bar_interval;
    st->unit_multiplier = inst.multiplier == Decimal::from_int(1);
    portfolio_.set_multiplier(inst.symbol, inst.multiplier);
    symbols_.push_back(std::move(st));
  }
  risk_ = std::make_unique<risk::RiskManager>(settings_.risk, static_cast<RiskActions&>(*this));
  risk_marks_ = needs_every_mark(settings_.risk);
}

BacktestEngine::~BacktestEngine() = default;

uint32_t BacktestEngine::index_of(const Symbol& s) const {
  // Strategies ask about the bar they were handed: compare addresses first.
  if (current_ && (&s == &current_->bar.symbol || s == current_->bar.symbol))
    return current_->index;
  for (const auto& st : symbols_)
    if (st->inst.symbol == s) return st->index;
  return kUnknownSymbol;
}

const Instrument* BacktestEngine::instrument(const Symbol& s) const {
  const uint32_t i = index_of(s);
  return i == kUnknownSymbol ? nullptr : &symbols_[i]->inst;
}

std::optional<MarketRef> BacktestEngine::market_ref(const Symbol& s) const {
  const uint32_t i = index_of(s);
  if (i == kUnknownSymbol || !symbols_[i]->seen) return std::nullopt;
  return MarketRef{symbols_[i]->last_close, symbols_[i]->last_close_time};
}

WorkingQty BacktestEngine::working(const Symbol& s) const {
  WorkingQty w;
  const uint32_t i = index_of(s);
  if (i == kUnknownSymbol) return w;
  for (const Pending& p : symbols_[i]->pending) {
    (p.side == Side::kBuy ? w.buy : w.sell) += p.qty;
    ++w.orders;
  }
  return w;
}

Decimal BacktestEngine::pending_qty(const SymbolState& s, int slot) const {
  Decimal q;
  for (const Pending& p : s.pending)
    if (p.slot == slot) q += p.side == Side::kBuy ? p.qty : -p.qty;
  return q;
}

Status BacktestEngine::add_strategy(const std::string& name, std::unique_ptr<Strategy> strategy) {
  if (ran_) return make_error(ErrorCode::kConflict, "the backtest has already run");
  if (!strategy) return make_error(ErrorCode::kInvalidArgument, "no strategy");
  for (const auto& s : slots_)
    if (s->name == name)
      return make_error(ErrorCode::kInvalidArgument, "duplicate strategy name " + name);
  std::vector<uint32_t> indexes;
  for (const Symbol& sym : strategy->symbols()) {
    const uint32_t i = index_of(sym);
    if (i == kUnknownSymbol)
      return make_error(ErrorCode::kInvalidArgument,
                        "strategy " + name + ": no data or instrument for " + sym.str());
    indexes.push_back(i);
  }
  auto slot = std::make_unique<Slot>();
  slot->index = static_cast<int>(slots_.size());
  slot->name = name;
  slot->source = "strategy:" + name;
  slot->impl = std::move(strategy);
  slot->own.assign(symbols_.size(), Decimal());
  slot->gated.assign(symbols_.size(), std::nullopt);
  slot->ctx = std::make_unique<Context>(*this, *slot);
  for (uint32_t i : indexes) symbols_[i]->slots.push_back(slot.get());
  slots_.push_back(std::move(slot));
  return {};
}

void BacktestEngine::mark_all() {
  for (const auto& st : symbols_)
    if (st->seen && !st->qty.is_zero())
      portfolio_.mark(st->inst.symbol, st->last_close, st->last_close_time);
}

Result<OrderId> BacktestEngine::place(int slot, uint32_t symbol, Side side, Decimal qty,
                                      const std::string& source) {
  SymbolState& s = *symbols_[symbol];
  const OrderId id(next_order_id_);
  if (slot >= 0) {
    OrderRequest req;
    req.symbol = s.inst.symbol;
    req.side = side;
    req.qty = qty;
    req.source = source;
    const Order order(id, std::move(req), now_);
    if (!risk_marks_) mark_all();
    if (auto denial = risk_->pre_trade(order, *this)) {
      ++summary_.denials[denial->check];
      last_denial_ = denial->check;
      return make_error(ErrorCode::kRejected, "risk: " + denial->check + ": " + denial->message);
    }
  }
  ++next_order_id_;
  s.pending.push_back(Pending{id, slot, side, qty});
  ++pending_total_;
  ++summary_.orders;
  observer_->on_order(BacktestOrder{now_, symbol, side, qty, &source});
  return id;
}

void BacktestEngine::apply_fill(SymbolState& s, int slot, Side side, Decimal qty, Decimal price,
                                Timestamp at, bool liquidation) {
  const Decimal commission = sim::order_commission(s.inst, qty, price);
  Fill f;
  f.id = FillId(next_fill_id_++);
  f.symbol = s.inst.symbol;
  f.side = side;
  f.qty = qty;
  f.price = price;
  f.commission = commission;
  f.time = at;
  const Decimal before = s.qty;
  portfolio_.apply_fill(f);
  s.qty = before + (side == Side::kBuy ? qty : -qty);
  if (before.is_zero() != s.qty.is_zero()) {
    if (s.qty.is_zero())
      --open_positions_;
    else
      ++open_positions_;
  }
  const Decimal signed_qty = side == Side::kBuy ? qty : -qty;
  if (slot >= 0) {
    slots_[slot]->own[s.index] += signed_qty;
  } else {
    // A closing order of the risk manager (or the final liquidation) closes
    // the strategies' books on the symbol, in the order they were added.
    Decimal left = qty;
    for (Slot* sl : s.slots) {
      Decimal& own = sl->own[s.index];
      if (left.is_zero()) break;
      if (own.sign() == 0 || own.sign() == signed_qty.sign()) continue;
      const Decimal take = std::min(own.abs(), left);
      own += side == Side::kBuy ? take : -take;
      left -= take;
    }
  }
  ++summary_.fills;
  summary_.commissions += commission;
  observer_->on_fill(BacktestFill{at, s.index, side, qty, price, commission, liquidation});
  if (!liquidation) risk_->on_fill(f, *this);
}

void BacktestEngine::fill_pending(SymbolState& s, Decimal open, Timestamp at) {
  // Orders that fill may make the risk manager add closing orders: fill a copy.
  std::vector<Pending> due;
  due.swap(s.pending);
  pending_total_ -= due.size();
  for (const Pending& p : due) {
    const Decimal price = sim::slipped_price(p.side, open, settings_.slippage_bps, s.inst.tick);
    apply_fill(s, p.slot, p.side, p.qty, price, at, false);
  }
}

void BacktestEngine::revalue(SymbolState& s) {
  const Decimal v = s.qty.is_zero()
                        ? Decimal()
                        : marked_value(s.qty, s.last_close, s.inst.multiplier, s.unit_multiplier);
  positions_value_ += v - s.value;
  s.value = v;
}

void BacktestEngine::liquidate() {
  for (auto& st : symbols_) {
    summary_.unfilled_at_end += st->pending.size();
    pending_total_ -= st->pending.size();
    st->pending.clear();
  }
  static const std::string kLiquidation = "liquidation";
  for (auto& st : symbols_) {
    if (st->qty.is_zero()) continue;
    const Side side = st->qty.sign() > 0 ? Side::kSell : Side::kBuy;
    const Decimal qty = st->qty.abs();
    now_ = st->last_close_time;
    ++next_order_id_;
    ++summary_.orders;
    observer_->on_order(BacktestOrder{now_, st->index, side, qty, &kLiquidation});
    const Decimal price =
        sim::slipped_price(side, st->last_close, settings_.slippage_bps, st->inst.tick);
    apply_fill(*st, -1, side, qty, price, st->last_close_time, true);
    revalue(*st);
  }
}

void BacktestEngine::close_bar_time(bool last) {
  const Timestamp close = bar_time_ + settings_.bar_interval;
  ++summary_.bar_times;
  if (risk_marks_) {
    now_ = close;
    risk_->on_tick(*this);
  }
  if (warming_ && !last) return;
  if (!last) {
    observer_->on_bar_close(close, portfolio_.cash() + positions_value_, open_positions_ > 0);
    return;
  }
  const bool exposed = open_positions_ > 0;
  liquidate();
  summary_.final_equity = portfolio_.cash() + positions_value_;
  observer_->on_bar_close(close, summary_.final_equity, exposed);
}

Result<BacktestSummary> BacktestEngine::run(BarSource& source, BacktestObserver& observer) {
  if (ran_) return make_error(ErrorCode::kConflict, "the backtest has already run");
  ran_ = true;
  observer_ = &observer;
  summary_.final_equity = settings_.initial_cash;
  const Duration interval = settings_.bar_interval;
  const uint32_t n_symbols = static_cast<uint32_t>(symbols_.size());
  SourceBar sb;
  const Slot* deciding = nullptr;
  try {
    while (source.next(sb)) {
      if (sb.symbol >= n_symbols)
        return make_error(ErrorCode::kInvalidArgument, "bar for an unknown instrument");
      if (!have_bar_time_ || sb.time != bar_time_) {
        if (have_bar_time_) {
          if (sb.time < bar_time_)
            return make_error(ErrorCode::kInvalidArgument,
                              "bars out of time order at " + format_rfc3339(sb.time));
          close_bar_time(false);
        } else {
          summary_.first_bar = sb.time;
        }
        bar_time_ = sb.time;
        have_bar_time_ = true;
        warming_ = settings_.trade_from && sb.time < *settings_.trade_from;
      }
      SymbolState& s = *symbols_[sb.symbol];
      if (!s.pending.empty()) {
        now_ = sb.time;
        fill_pending(s, sb.open, sb.time);
      }
      s.bar.time = sb.time;
      s.bar.open = sb.open;
      s.bar.high = sb.high;
      s.bar.low = sb.low;
      s.bar.close = sb.close;
      s.bar.volume = sb.volume;
      now_ = sb.time + interval;
      s.seen = true;
      s.last_close = sb.close;
      s.last_close_time = now_;
      if (!s.qty.is_zero() || !s.value.is_zero()) {
        revalue(s);
        if (risk_marks_) {
          portfolio_.mark(s.inst.symbol, sb.close, now_);
          risk_->on_mark(s.inst.symbol, *this);
        }
      }
      ++summary_.bars;
      current_ = &s;
      for (Slot* slot : s.slots) {
        deciding = slot;
        slot->impl->on_bar(s.bar, *slot->ctx);
      }
      deciding = nullptr;
      current_ = nullptr;
    }
    if (have_bar_time_) {
      summary_.last_bar = bar_time_;
      close_bar_time(true);
    }
  } catch (const std::exception& e) {
    if (deciding)
      return make_error(ErrorCode::kInternal, "strategy " + deciding->name +
                                                  " failed on the bar at " +
                                                  format_rfc3339(sb.time) + ": " + e.what());
    return make_error(ErrorCode::kInternal,
                      "backtest failed at " + format_rfc3339(sb.time) + ": " + e.what());
  }
  observer_ = nullptr;
  return summary_;
}

std::vector<OrderId> BacktestEngine::cancel_all(const std::string& reason) {
  std::vector<OrderId> ids;
  for (auto& st : symbols_) {
    for (const Pending& p : st->pending) ids.push_back(p.id);
    pending_total_ -= st->pending.size();
    st->pending.clear();
  }
  return ids;
}

std::vector<FlattenResult> BacktestEngine::flatten(const std::string& reason) {
  std::vector<FlattenResult> out;
  for (auto& st : symbols_)
    if (!st->qty.is_zero()) out.push_back(close_position(st->inst.symbol, flatten_source_, reason));
  return out;
}

FlattenResult BacktestEngine::close_position(const Symbol& sym, const std::string& source,
                                             const std::string& reason) {
  FlattenResult r;
  r.symbol = sym;
  const uint32_t i = index_of(sym);
  if (i == kUnknownSymbol) {
    r.error = "unknown instrument";
    return r;
  }
  SymbolState& s = *symbols_[i];
  r.qty = s.qty;
  Decimal working;
  for (const Pending& p : s.pending) working += p.side == Side::kBuy ? p.qty : -p.qty;
  const Decimal needed = -(s.qty + working);
  if (needed.is_zero()) return r;
  // The order keeps a pointer to its source: keep one stable copy per source.
  const std::string& src = risk_sources_.try_emplace(source, source).first->second;
  auto id = place(-1, i, needed.sign() > 0 ? Side::kBuy : Side::kSell, needed.abs(), src);
  if (id) r.closing_order = *id;
  return r;
}

void BacktestEngine::publish_risk_event(RiskEventData e) {
  if (summary_.risk_events.size() >= 1000) return;
  std::string line = format_rfc3339(now_) + " " + e.kind;
  if (!e.name.empty()) line += " " + e.name;
  if (!e.reason.empty()) line += ": " + e.reason;
  summary_.risk_events.push_back(std::move(line));
}

}  // namespace td::backtest
