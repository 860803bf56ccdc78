#include "core/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace td {

std::string_view to_string(QueuedReason r) {
  switch (r) {
    case QueuedReason::kScheduled:
      return "scheduled";
    case QueuedReason::kBrokerDisconnected:
      return "broker_disconnected";
    case QueuedReason::kThrottled:
      return "throttled";
    case QueuedReason::kPaused:
      return "paused";
    case QueuedReason::kPersisting:
      return "persisting";
  }
  return "?";
}

struct Engine::Slot {
  std::string name, type, source;
  std::unique_ptr<Strategy> impl;
  bool enabled = true;
  bool warm = false;
  bool warming = false;
  uint64_t generation = 0;  // of the strategy instance (replace_strategy)
  std::map<Symbol, Position> positions;
  std::unordered_set<OrderId> open_orders;
  // Targets refused by the trading-state gate: not asked again until the
  // target or the trading state changes (no denial storm while halted).
  std::map<Symbol, Decimal> gated_targets;
  std::unique_ptr<Context> ctx;
};

class Engine::Context final : public StrategyContext {
 public:
  Context(Engine& e, Slot& s) : e_(e), s_(s) {}
  Timestamp now() const override { return e_.now(); }
  bool warming_up() const override { return s_.warming; }
  Decimal position(const Symbol& sym) const override {
    auto it = s_.positions.find(sym);
    return it == s_.positions.end() ? Decimal() : it->second.qty();
  }
  const Instrument* instrument(const Symbol& sym) const override { return e_.instrument(sym); }
  void set_target(const Symbol& sym, Decimal target) override {
    if (s_.warming || !s_.enabled || !e_.running_) return;
    e_.set_target(s_, sym, target);
  }
  Result<OrderId> submit(OrderRequest req) override {
    if (s_.warming || !s_.enabled || !e_.running_)
      return make_error(ErrorCode::kUnavailable, "strategy is not live");
    req.source = s_.source;
    auto r = e_.submit(std::move(req));
    if (!r) return tl::unexpected(r.error());
    return r->order->id();
  }
  Status cancel(OrderId id) override {
    if (!s_.open_orders.count(id))
      return make_error(ErrorCode::kNotFound, "not this strategy's order");
    return e_.cancel(id);
  }
  void set_timer(Timestamp at) override {
    Slot* s = &s_;
    Engine* e = &e_;
    e_.scheduler_.schedule_at(at, [e, s] {
      if (!s->enabled || !e->running_) return;
      e->guarded(*s, "on_timer", [&] { s->impl->on_timer(e->now(), *s->ctx); });
    });
  }

 private:
  Engine& e_;
  Slot& s_;
};

namespace {
class PassAll final : public RiskHook {
 public:
  std::optional<RiskDenial> pre_trade(const Order&, const EngineView&) override {
    return std::nullopt;
  }
};
PassAll pass_all;
constexpr auto kRiskTick = std::chrono::seconds(1);
}  // namespace

Engine::Engine(Scheduler& scheduler, Broker& broker, RiskHook& risk, EngineOptions options)
    : scheduler_(scheduler),
      broker_(broker),
      risk_(&risk),
      options_(std::move(options)),
      portfolio_(options_.initial_cash, options_.session) {
  next_order_id_ = std::max<uint64_t>(1, options_.first_order_id);
  broker_.set_events(this);
}

Engine::Engine(Scheduler& scheduler, Broker& broker, EngineOptions options)
    : Engine(scheduler, broker, pass_all, std::move(options)) {}

Engine::~Engine() {
  broker_.set_events(nullptr);
}

Status Engine::add_instrument(const Instrument& instrument) {
  if (instrument.symbol.empty())
    return make_error(ErrorCode::kInvalidArgument, "instrument: empty symbol");
  if (instrument.tick.sign() <= 0 || instrument.multiplier.sign() <= 0)
    return make_error(ErrorCode::kInvalidArgument, "instrument: tick and multiplier must be > 0");
  instruments_[instrument.symbol] = instrument;
  portfolio_.set_multiplier(instrument.symbol, instrument.multiplier);
  return {};
}

Status Engine::add_strategy(std::string name, std::string type, std::unique_ptr<Strategy> strategy,
                            bool enabled) {
  if (!strategy) return make_error(ErrorCode::kInvalidArgument, "strategy: null");
  for (const auto& s : slots_)
    if (s->name == name) return make_error(ErrorCode::kConflict, "strategy '" + name + "' exists");
  for (const auto& sym : strategy->symbols())
    if (!instruments_.count(sym))
      return make_error(ErrorCode::kInvalidArgument,
                        "strategy '" + name + "': unknown symbol " + sym.str());
  auto slot = std::make_unique<Slot>();
  slot->name = std::move(name);
  slot->type = std::move(type);
  slot->source = "strategy:" + slot->name;
  slot->impl = std::move(strategy);
  slot->enabled = enabled;
  slot->ctx = std::make_unique<Context>(*this, *slot);
  for (const auto& sym : slot->impl->symbols()) slots_by_symbol_[sym].push_back(slot.get());
  slots_.push_back(std::move(slot));
  return {};
}

template <class F>
void Engine::guarded(Slot& slot, const char* what, F&& fn) {
  try {
    fn();
  } catch (const std::exception& ex) {
    // A faulty strategy is stopped, never allowed to take the engine down.
    slot.enabled = false;
    spdlog::error("strategy {}: {} threw: {}; strategy stopped", slot.name, what, ex.what());
    publish(StrategyEvent{slot.name, std::string("error: ") + ex.what()});
  }
}

void Engine::start(HistorySource* history) {
  running_ = true;
  history_ = history;
  schedule_tick();
  for (auto& up : slots_) warm_up(*up, "started");
}

// Feeds the strategy its warm-up bars (when it needs any and history is
// available), then lets it decide. A replaced strategy's late history is
// ignored (generation).
void Engine::warm_up(Slot& slot_ref, const char* then) {
  Slot* slot = &slot_ref;
  const size_t need = slot->impl->warmup_bars();
  const uint64_t generation = ++slot->generation;
  slot->warm = false;
  if (!history_ || need == 0) {
    slot->warm = true;
    publish(StrategyEvent{slot->name, then});
    return;
  }
  auto pending = std::make_shared<size_t>(slot->impl->symbols().size());
  for (const auto& sym : slot->impl->symbols()) {
    history_->request_bars(
        sym, need, [this, slot, pending, generation, then](std::vector<Bar> bars) {
          if (slot->generation != generation) return;
          slot->warming = true;
          for (const auto& b : bars)
            guarded(*slot, "on_bar (warm-up)", [&] { slot->impl->on_bar(b, *slot->ctx); });
          slot->warming = false;
          if (--*pending == 0) {
            slot->warm = true;
            publish(StrategyEvent{slot->name, "warmed_up"});
            publish(StrategyEvent{slot->name, then});
          }
        });
  }
}

Status Engine::replace_strategy(const std::string& name, std::unique_ptr<Strategy> strategy) {
  if (!strategy) return make_error(ErrorCode::kInvalidArgument, "strategy: null");
  for (auto& s : slots_) {
    if (s->name != name) continue;
    if (s->enabled)
      return make_error(
          ErrorCode::kIllegalTransition,
          "strategy '" + name + "' is running: stop it before changing its parameters");
    if (strategy->symbols() != s->impl->symbols())
      return make_error(ErrorCode::kInvalidArgument,
                        "strategy '" + name + "': its symbols cannot change at run time");
    s->impl = std::move(strategy);
    s->gated_targets.clear();
    if (running_)
      warm_up(*s, "replaced");
    else
      publish(StrategyEvent{s->name, "replaced"});
    return {};
  }
  return make_error(ErrorCode::kNotFound, "no strategy '" + name + "'");
}

void Engine::stop() {
  if (!running_) return;
  running_ = false;
  for (auto& s : slots_) publish(StrategyEvent{s->name, "stopped"});
}

Status Engine::set_strategy_enabled(const std::string& name, bool enabled) {
  for (auto& s : slots_) {
    if (s->name != name) continue;
    if (s->enabled != enabled) {
      s->enabled = enabled;
      publish(StrategyEvent{s->name, enabled ? "started" : "stopped"});
    }
    return {};
  }
  return make_error(ErrorCode::kNotFound, "no strategy '" + name + "'");
}

void Engine::on_quote(const Quote& q) {
  SymbolMarket& m = market_[q.symbol];
  m.quote = q;
  if (q.bid.sign() > 0 && q.ask.sign() > 0) {
    const Decimal mid = q.mid();
    m.ref = MarketRef{mid, q.time};
    portfolio_.mark(q.symbol, mid, q.time);
    risk_->on_mark(q.symbol, *this);
  }
  if (!running_) return;
  auto it = slots_by_symbol_.find(q.symbol);
  if (it == slots_by_symbol_.end()) return;
  for (Slot* s : it->second)
    if (s->enabled && s->warm) guarded(*s, "on_quote", [&] { s->impl->on_quote(q, *s->ctx); });
}

void Engine::on_bar(const Bar& b) {
  market_[b.symbol].ref = MarketRef{b.close, b.close_time()};
  portfolio_.mark(b.symbol, b.close, b.close_time());
  risk_->on_mark(b.symbol, *this);
  if (!running_) return;
  auto it = slots_by_symbol_.find(b.symbol);
  if (it == slots_by_symbol_.end()) return;
  for (Slot* s : it->second)
    if (s->enabled && s->warm) guarded(*s, "on_bar", [&] { s->impl->on_bar(b, *s->ctx); });
}

void Engine::set_target(Slot& slot, const Symbol& sym, Decimal target) {
  Decimal current;
  if (auto it = slot.positions.find(sym); it != slot.positions.end()) current = it->second.qty();
  for (OrderId id : slot.open_orders) {
    const Order* o = order(id);
    if (o && o->symbol() == sym) current += o->signed_remaining();
  }
  const Decimal delta = target - current;
  if (delta.is_zero()) return;
  if (auto g = slot.gated_targets.find(sym); g != slot.gated_targets.end()) {
    if (g->second == target) return;
    slot.gated_targets.erase(g);
  }
  OrderRequest req;
  req.symbol = sym;
  req.side = delta.sign() > 0 ? Side::kBuy : Side::kSell;
  req.qty = delta.abs();
  req.type = OrderType::kMarket;
  req.tif = TimeInForce::kDay;
  req.source = slot.source;
  auto r = submit(std::move(req));
  if (r && r->denial &&
      (r->denial->check == "kill_switch_engaged" || r->denial->check == "reducing_only"))
    slot.gated_targets[sym] = target;
  if (!r)
    spdlog::warn("strategy {}: target {} {} not sent: {}", slot.name, sym, target,
                 r.error().message);
}

Engine::Slot* Engine::slot_for_source(const std::string& source) {
  for (auto& s : slots_)
    if (s->source == source) return s.get();
  return nullptr;
}

Result<SubmitOutcome> Engine::submit(OrderRequest req) {
  if (auto st = validate(req); !st) return tl::unexpected(st.error());
  const Instrument* inst = instrument(req.symbol);
  if (!inst)
    return make_error(ErrorCode::kInvalidArgument,
                      "symbol: unknown instrument " + req.symbol.str());
  if (!req.client_order_id.empty()) {
    if (const Order* existing = order_by_client_id(req.client_order_id)) {
      const OrderRequest& a = existing->request();
      const bool same = a.symbol == req.symbol && a.side == req.side && a.qty == req.qty &&
                        a.type == req.type && a.limit_price == req.limit_price &&
                        a.stop_price == req.stop_price && a.tif == req.tif &&
                        a.outside_rth == req.outside_rth && a.reduce_only == req.reduce_only &&
                        a.submit_at == req.submit_at && a.source == req.source;
      if (!same)
        return make_error(ErrorCode::kConflict, "client_order_id '" + req.client_order_id +
                                                    "' was used for another order");
      return SubmitOutcome{existing, true, std::nullopt};
    }
  }
  if (!is_risk_source(req.source)) {
    if (reconciling_)
      return make_error(ErrorCode::kRejected,
                        "reconciling: start-up reconciliation with the broker has not finished");
    if (store_ && !store_writable_)
      return make_error(ErrorCode::kUnavailable,
                        "store unavailable: new orders are refused until it is back");
  }
  const OrderId id(next_order_id_++);
  if (req.client_order_id.empty()) req.client_order_id = "td-" + id.to_string();
  auto owned = std::make_unique<Order>(id, std::move(req), now());
  Order& o = *owned;
  orders_.emplace(id, std::move(owned));
  by_client_id_.emplace(o.client_order_id(), id);
  if (Slot* s = slot_for_source(o.source())) s->open_orders.insert(id);
  publish_order(o, OrderStatus::kQueued, true);
  if (store_) {
    pending_durable_.emplace(id, event_seq_);
    durable_by_seq_.emplace(event_seq_, id);
  }

  SubmitOutcome out{&o, false, std::nullopt};
  out.denial = admit(o);
  return out;
}

bool Engine::is_risk_source(const std::string& source) {
  return source == "flatten" || source.rfind("risk:", 0) == 0;
}

std::optional<RiskDenial> Engine::admit(Order& o) {
  const OrderId id = o.id();
  if (!is_risk_source(o.source())) {
    if (auto denial = risk_->pre_trade(o, *this)) {
      if (denial->retry_at) {  // throttled: wait in the queue, then ask again
        queue_order(id, QueuedReason::kThrottled);
        schedule_throttle_retry(*denial->retry_at);
        return std::nullopt;
      }
      const OrderStatus prev = o.status();
      (void)o.reject(denial->check + ": " + denial->message, now());
      publish(OrderDeniedEvent{&o, denial->check, denial->message});
      publish_order(o, prev);
      return denial;
    }
  }
  contrib_.emplace(id, Decimal());
  set_contribution(o);
  if (o.request().submit_at && *o.request().submit_at > now()) {
    queue_order(id, QueuedReason::kScheduled);
    scheduler_.schedule_at(*o.request().submit_at, [this] { route_queue(); });
  } else if (routing_paused_ && !is_risk_source(o.source())) {
    queue_order(id, QueuedReason::kPaused);
  } else if (!broker_.connected()) {
    queue_order(id, QueuedReason::kBrokerDisconnected);
  } else {
    route(o);
  }
  return std::nullopt;
}

void Engine::set_routing_paused(bool paused) {
  if (routing_paused_ == paused) return;
  routing_paused_ = paused;
  if (!paused) {
    route_queue();
    return;
  }
  // Orders waiting only for the broker now wait for the operator.
  for (auto& [id, reason] : queue_)
    if (reason == QueuedReason::kBrokerDisconnected) {
      const Order* o = order(id);
      if (o && !is_risk_source(o->source())) reason = QueuedReason::kPaused;
    }
}

// One timer for every throttled order: each retry asks each waiting order
// once, and those still over the rate set the next retry.
void Engine::schedule_throttle_retry(Timestamp at) {
  if (throttle_timer_ && throttle_retry_at_ <= at) return;
  if (throttle_timer_) scheduler_.cancel(*throttle_timer_);
  throttle_retry_at_ = at;
  throttle_timer_ = scheduler_.schedule_at(at, [this] {
    throttle_timer_.reset();
    route_queue();
  });
}

void Engine::queue_order(OrderId id, QueuedReason reason) {
  for (auto& [qid, r] : queue_)
    if (qid == id) {
      r = reason;
      return;
    }
  queue_.emplace_back(id, reason);
}

void Engine::route(Order& o) {
  // Persist before send; the kill switch's closing orders do not wait for a
  // store that is down (their records wait in its buffer).
  if (!durable(o.id()) && (store_writable_ || !is_risk_source(o.source()))) {
    queue_order(o.id(), QueuedReason::kPersisting);
    return;
  }
  const OrderStatus prev = o.status();
  if (auto st = o.transition(OrderStatus::kPendingSubmit, now()); !st) {
    refuse(o.id(), st.error().message);
    return;
  }
  publish_order(o, prev);
  if (auto st = broker_.submit(o); !st) {
    const OrderStatus p = o.status();
    (void)o.reject("broker: " + st.error().message, now());
    publish_order(o, p);
  }
}

void Engine::route_queue() {
  if (!broker_.connected()) {
    if (!routing_paused_)
      for (auto& [id, reason] : queue_)
        if (reason == QueuedReason::kPaused) reason = QueuedReason::kBrokerDisconnected;
    return;
  }
  send_queued_cancels();  // cancels first: they can only reduce risk
  // Ready: everything but orders scheduled for later; the risk manager's own
  // closing orders go first.
  std::vector<std::pair<OrderId, QueuedReason>> ready, later;
  for (const auto& entry : queue_) {
    const Order* o = order(entry.first);
    if (!o || o->status() != OrderStatus::kQueued) continue;
    const bool due = !(o->request().submit_at && *o->request().submit_at > now());
    (due ? ready : later).push_back(entry);
  }
  std::stable_partition(ready.begin(), ready.end(),
                        [this](const auto& e) { return is_risk_source(order(e.first)->source()); });
  queue_.assign(later.begin(), later.end());
  for (const auto& [id, reason] : ready) {
    Order* o = find(id);
    if (!o || o->status() != OrderStatus::kQueued) continue;
    if (routing_paused_ && !is_risk_source(o->source())) {
      // Held by the operator; a throttled order has not passed the chain yet
      // and keeps its reason so that it does when routing resumes.
      queue_.emplace_back(id, reason == QueuedReason::kThrottled ? reason : QueuedReason::kPaused);
      continue;
    }
    if (reason == QueuedReason::kThrottled) {
      admit(*o);  // never passed the gate: the whole chain again
      continue;
    }
    if (!durable(id) && (store_writable_ || !is_risk_source(o->source()))) {
      queue_.emplace_back(id, QueuedReason::kPersisting);
      continue;
    }
    if (!is_risk_source(o->source())) {
      if (auto denial = risk_->recheck(*o, *this)) {
        const OrderStatus prev = o->status();
        (void)o->reject(denial->check + ": " + denial->message, now());
        publish(OrderDeniedEvent{o, denial->check, denial->message});
        publish_order(*o, prev);
        continue;
      }
    }
    if (!broker_.connected()) {
      queue_order(id, QueuedReason::kBrokerDisconnected);
      continue;
    }
    route(*o);
  }
}

void Engine::send_queued_cancels() {
  while (!cancel_queue_.empty() && broker_.connected()) {
    const OrderId id = cancel_queue_.front();
    cancel_queue_.pop_front();
    Order* o = find(id);
    if (!o || o->status() != OrderStatus::kPendingCancel) continue;
    if (auto st = broker_.cancel(*o); !st) {
      (void)o->transition(o->status_before_cancel(), now());
      publish_order(*o, OrderStatus::kPendingCancel);
      refuse(id, "queued cancel failed: " + st.error().message);
    }
  }
}

Status Engine::cancel(OrderId id) {
  Order* o = find(id);
  if (!o) return make_error(ErrorCode::kNotFound, "no order " + id.to_string());
  if (!o->is_open())
    return make_error(ErrorCode::kIllegalTransition,
                      "order is " + std::string(to_string(o->status())));
  const OrderStatus prev = o->status();
  if (prev == OrderStatus::kQueued) {
    std::erase_if(queue_, [id](const auto& q) { return q.first == id; });
    (void)o->transition(OrderStatus::kCancelled, now());
    publish_order(*o, prev);
    return {};
  }
  if (prev == OrderStatus::kPendingCancel) return {};  // already on its way
  if (auto st = o->transition(OrderStatus::kPendingCancel, now()); !st) return st;
  publish_order(*o, prev);
  if (!broker_.connected()) {  // sent first when the broker is back
    cancel_queue_.push_back(id);
    return {};
  }
  if (auto st = broker_.cancel(*o); !st) {
    // The cancel could not be handed over: the order is still working.
    (void)o->transition(o->status_before_cancel(), now());
    publish_order(*o, OrderStatus::kPendingCancel);
    return st;
  }
  return {};
}

Status Engine::modify(OrderId id, const OrderModification& m) {
  Order* o = find(id);
  if (!o) return make_error(ErrorCode::kNotFound, "no order " + id.to_string());
  Order trial = *o;  // validate against the order as it would be
  if (auto st = trial.modify(m.qty, m.limit_price, m.stop_price, now()); !st) return st;
  if (!is_risk_source(o->source())) {
    if (auto denial = risk_->pre_modify(*o, trial, *this)) {
      publish(OrderDeniedEvent{o, denial->check, "modify: " + denial->message});
      return make_error(ErrorCode::kRejected, denial->check + ": " + denial->message);
    }
  }
  if (o->status() == OrderStatus::kQueued) {
    *o = std::move(trial);
    publish_order(*o, OrderStatus::kQueued);
    return {};
  }
  if (auto st = broker_.modify(*o, m); !st) return st;
  pending_modifies_[id].push_back(m);
  return {};
}

void Engine::on_order_update(const BrokerOrderUpdate& u) {
  Order* o = find(u.order_id);
  if (!o) {
    refuse(u.order_id, "broker update for an unknown order");
    return;
  }
  if (!u.broker_order_id.empty() && o->broker_order_id().empty())
    o->set_broker_order_id(u.broker_order_id);
  const OrderStatus prev = o->status();
  Status st;
  using K = BrokerOrderUpdate::Kind;
  switch (u.kind) {
    case K::kAccepted:
      // A fill or a cancel request may have overtaken the acknowledgement (if
      // the cancel is then refused, the order goes back to submitted).
      o->note_accepted();
      if (prev != OrderStatus::kPendingSubmit) return;
      st = o->transition(OrderStatus::kSubmitted, u.time);
      break;
    case K::kRejected:
      st = o->reject(u.reason, u.time);
      break;
    case K::kCancelled:
      st = o->transition(OrderStatus::kCancelled, u.time);
      break;
    case K::kExpired:
      st = o->transition(OrderStatus::kExpired, u.time);
      break;
    case K::kCancelRejected:
      if (prev != OrderStatus::kPendingCancel) return;
      st = o->transition(o->status_before_cancel(), u.time);
      break;
    case K::kModified:
    case K::kModifyRejected: {
      auto it = pending_modifies_.find(o->id());
      if (it == pending_modifies_.end() || it->second.empty()) {
        refuse(o->id(), "broker modify answer without a modify in flight");
        return;
      }
      const OrderModification m = it->second.front();
      it->second.pop_front();
      if (it->second.empty()) pending_modifies_.erase(it);
      if (u.kind == K::kModifyRejected) {
        refuse(o->id(), "modify refused by the broker: " + u.reason);
        return;
      }
      if (auto st = o->modify(m.qty, m.limit_price, m.stop_price, u.time); !st) {
        refuse(o->id(), "confirmed modify no longer applies: " + st.error().message);
        return;
      }
      publish_order(*o, prev);
      return;
    }
  }
  if (!st) {
    refuse(o->id(), st.error().message);
    return;
  }
  publish_order(*o, prev);
}

void Engine::on_execution(const Execution& e) {
  Order* o = find(e.order_id);
  if (!o) {
    refuse(e.order_id, "execution " + e.exec_id + " for an unknown order");
    return;
  }
  if (!e.exec_id.empty() && exec_ids_.count(e.exec_id)) {
    refuse(o->id(), "duplicate execution " + e.exec_id + " ignored");
    return;
  }
  Fill f;
  f.id = FillId(next_fill_id_);
  f.order_id = o->id();
  f.symbol = o->symbol();
  f.side = e.side;
  f.qty = e.qty;
  f.price = e.price;
  f.commission = e.commission;
  f.time = e.time;
  f.broker_exec_id = e.exec_id;
  f.source = o->source();
  // Restored as queued (the last run died before its pending_submit row was
  // committed), yet the broker executed it: it was sent after all.
  if (o->status() == OrderStatus::kQueued) mark_sent(*o);
  const OrderStatus prev = o->status();
  if (auto st = o->apply_fill(f); !st) {
    refuse(o->id(), st.error().message);
    return;
  }
  ++next_fill_id_;
  if (!e.exec_id.empty()) exec_ids_.insert(e.exec_id);
  const auto effect = portfolio_.apply_fill(f);
  Slot* slot = slot_for_source(o->source());
  if (slot) {
    auto it = slot->positions.find(f.symbol);
    if (it == slot->positions.end()) {
      const Instrument* inst = instrument(f.symbol);
      it =
          slot->positions
              .emplace(f.symbol, Position(f.symbol, inst ? inst->multiplier : Decimal::from_int(1)))
              .first;
    }
    it->second.apply(f.side, f.qty, f.price, f.commission, f.time);
  } else if (is_risk_source(o->source())) {
    attribute_closing_fill(f);
  }
  const Fill& stored = o->fills().back();
  const auto* h = portfolio_.holding(f.symbol);
  publish(FillEvent{&stored, o, h->position.qty(), h->position.avg_cost(), effect.realized});
  if (o->status() != prev)
    publish_order(*o, prev);
  else
    note_order(*o, true);
  risk_->on_fill(stored, *this);
  if (slot && slot->enabled && running_)
    guarded(*slot, "on_fill", [&] { slot->impl->on_fill(stored, *slot->ctx); });
}

void Engine::on_connection(bool connected, const std::string& detail) {
  if (!connected) disconnected_since_ = now();
  publish(BrokerConnectionEvent{connected, detail});
  risk_->on_broker_connection(connected, *this);
  if (connected && reconcile_pending_) run_reconcile();
  if (connected) route_queue();
}

void Engine::attribute_closing_fill(const Fill& f) {
  // Each strategy holding the other side gives up its share, in strategy
  // order, never beyond its own zero; the rest was not a strategy's.
  Decimal left = f.qty;
  for (auto& slot : slots_) {
    if (left.is_zero()) break;
    auto it = slot->positions.find(f.symbol);
    if (it == slot->positions.end()) continue;
    const Decimal held = it->second.qty();
    const bool opposite = f.side == Side::kSell ? held.sign() > 0 : held.sign() < 0;
    if (!opposite) continue;
    const Decimal take = std::min(left, held.abs());
    it->second.apply(f.side, take, f.price, Decimal(), f.time);
    left -= take;
  }
}

void Engine::set_contribution(const Order& o) {
  auto it = contrib_.find(o.id());
  if (it == contrib_.end()) return;
  const Decimal next = o.is_open() ? o.remaining_qty() : Decimal();
  const Decimal before = it->second;
  if (next != before) {
    WorkingQty& w = working_[o.symbol()];
    (o.side() == Side::kBuy ? w.buy : w.sell) += next - before;
    if (before.is_zero() && !next.is_zero()) ++w.orders, ++working_count_;
    if (!before.is_zero() && next.is_zero()) --w.orders, --working_count_;
    it->second = next;
  }
  if (!o.is_open()) contrib_.erase(it);
}

void Engine::note_order(const Order& o, bool filled_or_ended) {
  set_contribution(o);
  if (o.is_open())
    open_ids_.insert(o.id());
  else
    open_ids_.erase(o.id());
  if (!o.is_open())
    if (Slot* s = slot_for_source(o.source())) s->open_orders.erase(o.id());
  if (filled_or_ended && !flattening_.empty() && flattening_.count(o.symbol()))
    follow_up_flatten(o.symbol());
}

void Engine::follow_up_flatten(const Symbol& s) {
  if (following_up_) return;
  auto it = flattening_.find(s);
  if (it == flattening_.end()) return;
  following_up_ = true;
  const Decimal pos = portfolio_.position_qty(s);
  if (pos.is_zero()) {
    if (working(s).orders == 0) flattening_.erase(it);
  } else {
    const Closing c = it->second;
    (void)send_close(s, c.source, c.reason);
  }
  following_up_ = false;
}

std::optional<MarketRef> Engine::market_ref(const Symbol& s) const {
  auto it = market_.find(s);
  if (it == market_.end()) return std::nullopt;
  return it->second.ref;
}

WorkingQty Engine::working(const Symbol& s) const {
  auto it = working_.find(s);
  return it == working_.end() ? WorkingQty{} : it->second;
}

std::vector<OrderId> Engine::cancel_all(const std::string& reason) {
  std::vector<OrderId> open;
  for (const OrderId id : open_ids_)
    if (!is_risk_source(order(id)->source())) open.push_back(id);
  std::vector<OrderId> cancelled;
  for (OrderId id : open) {
    if (auto st = cancel(id); st)
      cancelled.push_back(id);
    else
      spdlog::warn("cancel_all ({}): order {}: {}", reason, id.value(), st.error().message);
  }
  return cancelled;
}

std::vector<FlattenResult> Engine::flatten(const std::string& reason) {
  if (broker_.connected()) broker_.cancel_everything();
  std::vector<Symbol> symbols;
  for (const auto& [sym, h] : portfolio_.holdings())
    if (!h.position.flat()) symbols.push_back(sym);
  std::vector<FlattenResult> out;
  for (const Symbol& sym : symbols) {
    flattening_[sym] = Closing{"flatten", reason};
    out.push_back(send_close(sym, "flatten", reason));
  }
  return out;
}

FlattenResult Engine::close_position(const Symbol& s, const std::string& source,
                                     const std::string& reason) {
  // A forced exit: what else works on the symbol is cancelled (it could add
  // to the position or keep a close from being sent), and the symbol is
  // driven to zero as those cancels land.
  std::vector<OrderId> others;
  for (const OrderId id : open_ids_) {
    const Order* o = order(id);
    if (o->symbol() == s && !is_risk_source(o->source())) others.push_back(id);
  }
  for (OrderId id : others) (void)cancel(id);
  if (!portfolio_.position_qty(s).is_zero()) flattening_[s] = Closing{source, reason};
  return send_close(s, source, reason);
}

FlattenResult Engine::send_close(const Symbol& s, const std::string& source,
                                 const std::string& reason) {
  FlattenResult r{s, portfolio_.position_qty(s), std::nullopt, std::nullopt};
  if (r.qty.is_zero()) return r;
  const Side side = r.qty.sign() > 0 ? Side::kSell : Side::kBuy;
  const WorkingQty w = working(s);
  const Decimal already = side == Side::kSell ? w.sell : w.buy;
  const Decimal need = r.qty.abs() - already;
  if (need.sign() <= 0) {  // enough is already working on the closing side
    for (const OrderId id : open_ids_) {
      const Order* o = order(id);
      if (o->symbol() == s && o->side() == side && is_risk_source(o->source()))
        r.closing_order = id;
    }
    return r;
  }
  OrderRequest req;
  req.symbol = s;
  req.side = side;
  req.qty = need;
  req.type = OrderType::kMarket;
  req.tif = TimeInForce::kDay;
  req.reduce_only = true;
  req.source = source;
  auto res = submit(std::move(req));
  if (!res) {
    r.error = res.error().message;
    return r;
  }
  const Order& o = *res->order;
  r.closing_order = o.id();
  if (o.status() == OrderStatus::kRejected)
    r.error = o.reject_reason().value_or("rejected");
  else if (o.status() == OrderStatus::kQueued)
    r.error = "queued until the broker is connected";
  spdlog::info("close {} {} {} ({}): order {}", to_string(side), need, s, reason, o.id());
  return r;
}

void Engine::publish_risk_event(RiskEventData e) {
  if (e.kind == "trading_state" || e.kind == "kill_switch_rearmed")
    for (auto& slot : slots_) slot->gated_targets.clear();
  // Re-armed: a flatten still following up must not close new positions.
  if (e.kind == "kill_switch_rearmed")
    std::erase_if(flattening_, [](const auto& kv) { return kv.second.source == "flatten"; });
  publish(RiskEvent{std::move(e)});
}

void Engine::schedule_tick() {
  scheduler_.schedule_after(kRiskTick, [this] {
    if (!running_) return;
    risk_->on_tick(*this);
    schedule_tick();
  });
}

void Engine::refuse(OrderId id, std::string detail) {
  spdlog::warn("order {}: refused: {}", id.value(), detail);
  publish(TransitionRefusedEvent{id, std::move(detail)});
}

Order* Engine::find(OrderId id) {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : it->second.get();
}
const Order* Engine::order(OrderId id) const {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : it->second.get();
}
const Order* Engine::order_by_client_id(const std::string& cid) const {
  auto it = by_client_id_.find(cid);
  return it == by_client_id_.end() ? nullptr : order(it->second);
}
const Instrument* Engine::instrument(const Symbol& s) const {
  auto it = instruments_.find(s);
  return it == instruments_.end() ? nullptr : &it->second;
}
const Quote* Engine::last_quote(const Symbol& s) const {
  auto it = market_.find(s);
  return it == market_.end() || !it->second.quote ? nullptr : &*it->second.quote;
}

Decimal Engine::strategy_position(const std::string& name, const Symbol& s) const {
  for (const auto& slot : slots_) {
    if (slot->name != name) continue;
    auto it = slot->positions.find(s);
    return it == slot->positions.end() ? Decimal() : it->second.qty();
  }
  return Decimal();
}

const std::map<Symbol, Position>* Engine::strategy_book(const std::string& name) const {
  for (const auto& slot : slots_)
    if (slot->name == name) return &slot->positions;
  return nullptr;
}

std::vector<Engine::StrategyInfo> Engine::strategies() const {
  std::vector<StrategyInfo> out;
  for (const auto& s : slots_)
    out.push_back({s->name, s->type, s->enabled, s->warm, s->impl->symbols()});
  return out;
}

// --- recovery --------------------------------------------------------------

std::string ReconcileReport::summary() const {
  std::string out = fmt::format(
      "{} fill(s) recovered, {} open order(s) confirmed, {} closed, {} requeued, {} adopted",
      fills_recovered, orders_confirmed, orders_closed, orders_requeued, adopted.size());
  for (const auto& m : mismatches)
    out += fmt::format("; position mismatch {}: local {} broker {}", m.symbol.str(),
                       m.local.to_string(), m.broker.to_string());
  for (const auto& m : adopted_positions)
    out += fmt::format("; adopted broker position {}: local {} broker {}", m.symbol.str(),
                       m.local.to_string(), m.broker.to_string());
  return out;
}

Status Engine::restore(const RecoveredState& st) {
  if (running_ || !orders_.empty())
    return make_error(ErrorCode::kIllegalTransition, "restore: the engine already has orders");
  next_order_id_ = std::max(next_order_id_, st.next_order_id);
  next_fill_id_ = std::max(next_fill_id_, st.next_fill_id);
  event_seq_ = std::max(event_seq_, st.next_event_seq > 0 ? st.next_event_seq - 1 : 0);
  committed_seq_ = event_seq_;
  last_execution_ = st.last_execution;
  std::unordered_map<OrderId, std::vector<Fill>> fills_of;
  for (const Fill& f : st.fills) {
    fills_of[f.order_id].push_back(f);
    if (!f.broker_exec_id.empty()) exec_ids_.insert(f.broker_exec_id);
  }
  for (const StoredOrder& so : st.orders) {
    auto fit = fills_of.find(so.id);
    auto owned = std::make_unique<Order>(Order::restored(
        so.id, so.request, so.status, so.broker_order_id, so.reject_reason, so.created_at,
        so.updated_at, fit == fills_of.end() ? std::vector<Fill>{} : std::move(fit->second)));
    Order& o = *owned;
    orders_.emplace(o.id(), std::move(owned));
    by_client_id_.emplace(o.client_order_id(), o.id());
    if (!o.is_open()) continue;
    open_ids_.insert(o.id());
    if (Slot* slot = slot_for_source(o.source())) slot->open_orders.insert(o.id());
    if (o.status() != OrderStatus::kQueued) {
      contrib_.emplace(o.id(), Decimal());
      set_contribution(o);
    }
    broker_.adopt(o);
  }
  portfolio_.restore(st.positions, st.realized, st.commissions, st.session_start,
                     st.session_realized, st.session_commissions);
  for (const StoredPosition& p : st.positions)
    if (!p.qty.is_zero() && !instrument(p.symbol))
      spdlog::warn("restore: position {} {} has no configured instrument: it is never marked "
                   "(no unrealized P&L), and neither strategies nor flatten can trade it; add "
                   "the instrument to the config",
                   p.qty.to_string(), p.symbol.str());
  for (const auto& [name, rows] : st.strategy_positions) {
    Slot* slot = nullptr;
    for (auto& sl : slots_)
      if (sl->name == name) slot = sl.get();
    if (!slot) {
      spdlog::warn(
          "restore: strategy {} has a book but is not configured: its {} position(s) "
          "stay in the account, unattributed",
          name, rows.size());
      continue;
    }
    for (const StoredPosition& p : rows) {
      const Instrument* inst = instrument(p.symbol);
      slot->positions.insert_or_assign(
          p.symbol,
          Position::restored(p.symbol, inst ? inst->multiplier : Decimal::from_int(1), p.qty,
                             p.cost_basis, p.realized, p.commissions, p.opened_at));
    }
  }
  for (const auto& [name, enabled] : st.strategy_enabled)
    for (auto& sl : slots_)
      if (sl->name == name) sl->enabled = enabled;
  reconciling_ = true;
  spdlog::info("restored {} order(s) ({} open), {} position(s), {} fill(s); next order id {}",
               orders_.size(), open_ids_.size(), st.positions.size(), st.fills.size(),
               next_order_id_);
  return {};
}

void Engine::reconcile(ReconcileOptions options, std::function<void(ReconcileReport)> done) {
  reconciling_ = true;
  reconcile_options_ = options;
  reconcile_done_ = std::move(done);
  report_ = {};
  if (broker_.connected()) {
    run_reconcile();
  } else {
    reconcile_pending_ = true;
    spdlog::info("reconciliation waits for the broker to connect");
  }
}

void Engine::run_reconcile() {
  reconcile_pending_ = false;
  // IB reports the day's executions; a minute of margin for clocks apart.
  const Timestamp since =
      last_execution_ == Timestamp{} ? Timestamp{} : last_execution_ - std::chrono::minutes(1);
  broker_.request_executions(since, [this](std::vector<Execution> execs) {
    std::sort(execs.begin(), execs.end(),
              [](const Execution& a, const Execution& b) { return a.time < b.time; });
    for (const Execution& e : execs) {
      if (!e.exec_id.empty() && exec_ids_.count(e.exec_id)) continue;
      if (!find(e.order_id)) {
        spdlog::warn("reconcile: execution {} ({} {} {} @ {}) is not for an order we know",
                     e.exec_id, to_string(e.side), e.qty.to_string(), e.symbol.str(),
                     e.price.to_string());
        continue;
      }
      on_execution(e);
      ++report_.fills_recovered;
    }
    broker_.request_open_orders(
        [this](std::vector<BrokerOrderUpdate> open) { reconcile_open_orders(std::move(open)); });
  });
}

void Engine::reconcile_open_orders(std::vector<BrokerOrderUpdate> open) {
  std::set<OrderId> at_broker;
  for (const BrokerOrderUpdate& u : open) {
    if (u.external) {
      if (auto id = adopt_external(u)) at_broker.insert(*id);
      continue;
    }
    Order* o = find(u.order_id);
    if (!o) continue;
    at_broker.insert(o->id());
    if (!o->is_open()) continue;
    ++report_.orders_confirmed;
    if (o->status() == OrderStatus::kQueued) mark_sent(*o);  // sent by the last run after all
    if (o->status() == OrderStatus::kPendingSubmit) {
      BrokerOrderUpdate acc = u;
      acc.kind = BrokerOrderUpdate::Kind::kAccepted;
      on_order_update(acc);
    } else if (o->status() == OrderStatus::kPendingCancel) {
      (void)broker_.cancel(*o);  // the cancel may never have left: ask again
    }
  }
  const std::vector<OrderId> open_now(open_ids_.begin(), open_ids_.end());
  for (OrderId id : open_now) {
    Order* o = find(id);
    if (!o || !o->is_open() || at_broker.count(id)) continue;
    const OrderStatus prev = o->status();
    if (prev == OrderStatus::kQueued && o->request().submit_at && *o->request().submit_at > now()) {
      // Never sent: it waits for its time again, through the whole gate.
      queue_order(id, QueuedReason::kThrottled);
      scheduler_.schedule_at(*o->request().submit_at, [this] { route_queue(); });
      ++report_.orders_requeued;
      continue;
    }
    // Not working at the broker: it ended there (or never arrived). Its
    // fills, if any, came with the executions above. Never re-sent; a
    // closing order of the risk manager (flatten, risk:*) is replaced by
    // what its position needs now, once positions are reconciled.
    if (is_risk_source(o->source()))
      reclose_.emplace(o->symbol(), Closing{o->source(), "restart: closing again"});
    const std::string why = prev == OrderStatus::kQueued
                                ? "not routed before the restart"
                                : "not working at the broker after the restart";
    if (auto st = o->transition(OrderStatus::kCancelled, now()); !st) {
      refuse(id, st.error().message);
      continue;
    }
    spdlog::info("reconcile: order {} ({}) {}: cancelled", id.value(), to_string(prev), why);
    ++report_.orders_closed;
    publish_order(*o, prev);
  }
  broker_.request_positions(
      [this](std::vector<BrokerPosition> positions) { reconcile_positions(std::move(positions)); });
}

void Engine::mark_sent(Order& o) {
  std::erase_if(queue_, [id = o.id()](const auto& q) { return q.first == id; });
  (void)o.transition(OrderStatus::kPendingSubmit, now());
  contrib_.emplace(o.id(), Decimal());
  publish_order(o, OrderStatus::kQueued);
}

std::optional<OrderId> Engine::adopt_external(const BrokerOrderUpdate& u) {
  for (const auto& [id, o] : orders_)
    if (!u.broker_order_id.empty() && o->broker_order_id() == u.broker_order_id) {
      broker_.adopt(*o);
      return id;  // adopted by an earlier run
    }
  // What is left of it becomes our working order; its fills before now are
  // in the broker's position (reconciled below), not in this order.
  OrderRequest req = *u.external;
  req.qty = req.qty - u.external_filled;
  if (req.qty.sign() <= 0) return std::nullopt;
  req.source = "external";
  req.client_order_id = "ext-" + u.broker_order_id;
  if (by_client_id_.count(req.client_order_id)) return std::nullopt;
  const OrderId id(next_order_id_++);
  auto owned = std::make_unique<Order>(Order::restored(
      id, req, OrderStatus::kSubmitted, u.broker_order_id, std::nullopt, now(), now(), {}));
  Order& o = *owned;
  orders_.emplace(id, std::move(owned));
  by_client_id_.emplace(o.client_order_id(), id);
  contrib_.emplace(id, Decimal());
  publish_order(o, OrderStatus::kQueued, true);
  broker_.adopt(o);
  report_.adopted.push_back(id);
  spdlog::warn("reconcile: adopted external order {} at the broker as order {}: {} {} {}",
               u.broker_order_id, id.value(), to_string(o.side()), o.qty().to_string(),
               o.symbol().str());
  return id;
}

void Engine::reconcile_positions(std::vector<BrokerPosition> positions) {
  std::map<Symbol, BrokerPosition> broker;
  for (auto& p : positions) broker[p.symbol] = p;
  std::set<Symbol> symbols;
  for (const auto& [s, p] : broker) symbols.insert(s);
  for (const auto& [s, h] : portfolio_.holdings())
    if (!h.position.flat()) symbols.insert(s);
  for (const Symbol& s : symbols) {
    const Decimal local = portfolio_.position_qty(s);
    auto it = broker.find(s);
    const Decimal theirs = it == broker.end() ? Decimal() : it->second.qty;
    if (local == theirs) continue;
    if (!reconcile_options_.adopt_broker_positions || !instrument(s)) {
      report_.mismatches.push_back({s, local, theirs});
      continue;
    }
    // The difference becomes an external order filled at the broker's
    // average cost: recorded like any fill, so P&L still reconciles.
    const Decimal diff = theirs - local;
    OrderRequest req;
    req.symbol = s;
    req.side = diff.sign() > 0 ? Side::kBuy : Side::kSell;
    req.qty = diff.abs();
    req.source = "external";
    const OrderId id(next_order_id_++);
    req.client_order_id = "adjust-" + id.to_string();
    auto owned = std::make_unique<Order>(
        Order::restored(id, req, OrderStatus::kSubmitted, {}, std::nullopt, now(), now(), {}));
    Order& o = *owned;
    orders_.emplace(id, std::move(owned));
    by_client_id_.emplace(o.client_order_id(), id);
    publish_order(o, OrderStatus::kQueued, true);
    Execution e;
    e.order_id = id;
    e.exec_id = "reconcile-" + id.to_string();
    e.symbol = s;
    e.side = req.side;
    e.qty = req.qty;
    e.price = it == broker.end() ? Decimal() : it->second.avg_cost;
    e.time = now();
    on_execution(e);
    report_.adopted_positions.push_back({s, local, theirs});
  }
  reconciling_ = false;
  for (const auto& [sym, c] : std::exchange(reclose_, {})) {
    if (send_close(sym, c.source, c.reason).closing_order) flattening_.emplace(sym, c);
  }
  spdlog::info("reconciliation finished: {}", report_.summary());
  auto done = std::move(reconcile_done_);
  reconcile_done_ = nullptr;
  route_queue();
  if (done) done(report_);
}

// --- durability ----------------------------------------------------------

void Engine::set_store(Store* store) {
  store_ = store;
  store_writable_ = store->writable();
  committed_seq_ = event_seq_;
  store->set_listener(this);
  sinks_.push_back(store);
}

void Engine::when_durable(OrderId id, std::function<void(Status)> done) {
  if (durable(id)) {
    const Order* o = order(id);
    if (o && o->status() == OrderStatus::kRejected && o->reject_reason() &&
        o->reject_reason()->rfind("store", 0) == 0)
      done(make_error(ErrorCode::kUnavailable, *o->reject_reason()));
    else
      done({});
    return;
  }
  durable_waiters_[id].push_back(std::move(done));
}

void Engine::drop_durable(OrderId id, const Error& error) {
  auto it = pending_durable_.find(id);
  if (it == pending_durable_.end()) return;
  durable_by_seq_.erase(it->second);
  pending_durable_.erase(it);
  auto w = durable_waiters_.find(id);
  if (w == durable_waiters_.end()) return;
  auto waiters = std::move(w->second);
  durable_waiters_.erase(w);
  for (auto& done : waiters) done(tl::unexpected(error));
}

void Engine::on_store_committed(uint64_t seq) {
  if (seq <= committed_seq_) return;
  committed_seq_ = seq;
  bool any = false;
  std::vector<std::function<void(Status)>> ready;
  while (!durable_by_seq_.empty() && durable_by_seq_.begin()->first <= seq) {
    const OrderId id = durable_by_seq_.begin()->second;
    durable_by_seq_.erase(durable_by_seq_.begin());
    pending_durable_.erase(id);
    any = true;
    auto w = durable_waiters_.find(id);
    if (w != durable_waiters_.end()) {
      for (auto& done : w->second) ready.push_back(std::move(done));
      durable_waiters_.erase(w);
    }
  }
  if (any) route_queue();
  for (auto& done : ready) done({});
}

void Engine::on_store_state(bool writable, const std::string& detail) {
  if (writable == store_writable_) return;
  store_writable_ = writable;
  RiskEventData e;
  e.kind = "alert";
  e.name = writable ? "store_available" : "store_unavailable";
  e.actor = "store";
  e.reason = detail;
  publish(RiskEvent{std::move(e)});
  if (writable) {
    route_queue();
    return;
  }
  spdlog::error("store unavailable ({}): new orders are refused until it is back", detail);
  // Orders still waiting for their row will not be sent on a promise the
  // store cannot keep now: refused (never sent). The risk manager's closing
  // orders go out at once (route_queue lets them through).
  std::vector<OrderId> waiting;
  for (const auto& [id, seq] : pending_durable_) waiting.push_back(id);
  std::sort(waiting.begin(), waiting.end());
  for (OrderId id : waiting) {
    Order* o = find(id);
    if (!o || is_risk_source(o->source())) continue;
    const Error err{ErrorCode::kUnavailable, "store unavailable before the order was stored"};
    if (o->status() == OrderStatus::kQueued) {
      const OrderStatus prev = o->status();
      (void)o->reject(err.message, now());
      publish_order(*o, prev);
    }
    drop_durable(id, err);
  }
  route_queue();
}

void Engine::on_store_duplicate(OrderId id, OrderId existing) {
  Order* o = find(id);
  const std::string msg = "client_order_id '" + (o ? o->client_order_id() : std::string()) +
                          "' belongs to order " + existing.to_string();
  if (o && o->status() == OrderStatus::kQueued) {
    const OrderStatus prev = o->status();
    (void)o->reject(msg, now());
    publish_order(*o, prev);
  }
  spdlog::warn("order {} not sent: {}", id.value(), msg);
  drop_durable(id, Error{ErrorCode::kConflict, msg});
}

void Engine::publish(EventData data) {
  const Event ev{++event_seq_, now(), std::move(data)};
  for (EventSink* s : sinks_) s->on_event(ev);
}

void Engine::publish_order(const Order& o, OrderStatus previous, bool created) {
  const bool ended = !o.is_open() && o.status() != OrderStatus::kRejected;
  note_order(o, ended || o.status() == OrderStatus::kPartiallyFilled ||
                    o.status() == OrderStatus::kFilled);
  publish(OrderEvent{&o, previous, created});
}

}  // namespace td
