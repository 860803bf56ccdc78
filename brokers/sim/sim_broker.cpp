#include "brokers/sim/sim_broker.h"

#include <algorithm>
#include <stdexcept>

#include "brokers/sim/fill_model.h"

namespace td::sim {
namespace {

using Kind = BrokerOrderUpdate::Kind;

bool is_stop(OrderType t) {
  return t == OrderType::kStop || t == OrderType::kStopLimit;
}
bool uses_limit(OrderType t) {
  return t == OrderType::kLimit || t == OrderType::kStopLimit;
}

// Where a limit order fills on a bar: at the open when the open is already
// through the limit, else at the limit when the bar's range touches it.
std::optional<Decimal> limit_fill_on_bar(bool buy, Decimal limit, const Bar& b) {
  if (buy ? b.open <= limit : b.open >= limit) return b.open;
  if (buy ? b.low <= limit : b.high >= limit) return limit;
  return std::nullopt;
}

Status unavailable() {
  return make_error(ErrorCode::kUnavailable, "sim broker: disconnected");
}

}  // namespace

SimBroker::SimBroker(Scheduler& scheduler, SimBrokerOptions options)
    : scheduler_(scheduler), options_(std::move(options)) {
  if (options_.slippage_bps.sign() < 0 || options_.slippage_bps >= Decimal::from_int(10000))
    throw std::invalid_argument("sim broker: slippage_bps must be in [0, 10000)");
  for (const Instrument& i : options_.instruments) {
    if (i.tick.sign() <= 0)
      throw std::invalid_argument("sim broker: " + i.symbol.str() + ": tick must be > 0");
    if (!instruments_.emplace(i.symbol, i).second)
      throw std::invalid_argument("sim broker: " + i.symbol.str() + " listed twice");
  }
}

SimBroker::~SimBroker() {
  for (const auto& [key, id] : timers_) scheduler_.cancel(id);
}

void SimBroker::after(Duration d, std::function<void()> fn) {
  const uint64_t key = next_timer_++;
  timers_[key] = scheduler_.schedule_after(d, [this, key, fn = std::move(fn)] {
    timers_.erase(key);
    fn();
  });
}

void SimBroker::set_connected(bool connected, const std::string& detail) {
  if (connected == connected_) return;
  connected_ = connected;
  if (events_) {
    const std::string text = !detail.empty() ? detail
                             : connected     ? "sim broker connected"
                                             : "sim broker disconnected";
    events_->on_connection(connected, text);
  }
  if (connected_) flush();
}

Status SimBroker::submit(const Order& order) {
  if (!connected_) return unavailable();
  auto inst = instruments_.find(order.symbol());
  if (inst == instruments_.end())
    return make_error(ErrorCode::kInvalidArgument,
                      "sim broker: unknown symbol '" + order.symbol().str() + "'");
  if (auto st = validate(order.request()); !st) return st;
  if (known_.count(order.id()))
    return make_error(ErrorCode::kConflict,
                      "sim broker: order " + order.id().to_string() + " was already submitted");
  const OrderRequest& r = order.request();
  const uint64_t seq = next_seq_++;
  Working w;
  w.id = order.id();
  w.broker_id = std::to_string(seq);
  w.instrument = &inst->second;
  w.side = r.side;
  w.type = r.type;
  w.tif = r.tif;
  w.qty = r.qty;
  w.limit = r.limit_price;
  w.stop = r.stop_price;
  orders_.emplace(seq, std::move(w));
  live_.emplace(order.id(), seq);
  known_.insert(order.id());
  after(options_.ack_latency, [this, seq] { accept(seq); });
  return {};
}

void SimBroker::accept(uint64_t seq) {
  auto it = orders_.find(seq);
  if (it == orders_.end()) return;
  Working& w = it->second;
  const Timestamp now = scheduler_.now();
  w.accepted = true;
  w.accepted_at = now;
  if (options_.day_session) w.session = options_.day_session->session_start(now);
  Events out;
  out.push_back(update(Kind::kAccepted, w));
  if (options_.fill_model == SimBrokerOptions::FillModel::kQuote) {
    auto book = books_.find(w.symbol());
    if (book != books_.end()) work_quote(w, book->second, out);
  }
  drop_finished();
  emit(std::move(out));
}

Status SimBroker::cancel(const Order& order) {
  if (!connected_) return unavailable();
  if (!known_.count(order.id()))
    return make_error(ErrorCode::kNotFound, "sim broker: no order " + order.id().to_string());
  const OrderId id = order.id();
  after(options_.ack_latency, [this, id] {
    auto it = live_.find(id);
    if (it == live_.end()) return;  // finished first: the fill stands
    Working& w = orders_.at(it->second);
    w.finished = true;
    Events out;
    out.push_back(update(Kind::kCancelled, w, "cancelled"));
    drop_finished();
    emit(std::move(out));
  });
  return {};
}

Status SimBroker::modify(const Order& order, const OrderModification& m) {
  if (!connected_) return unavailable();
  if (!known_.count(order.id()))
    return make_error(ErrorCode::kNotFound, "sim broker: no order " + order.id().to_string());
  const OrderType type = order.request().type;
  if (m.qty && m.qty->sign() <= 0)
    return make_error(ErrorCode::kInvalidArgument, "qty: must be > 0");
  if (m.limit_price && (!uses_limit(type) || m.limit_price->sign() <= 0))
    return make_error(ErrorCode::kInvalidArgument,
                      "limit_price: must be > 0, and only for limit and stop-limit orders");
  if (m.stop_price && (!is_stop(type) || m.stop_price->sign() <= 0))
    return make_error(ErrorCode::kInvalidArgument,
                      "stop_price: must be > 0, and only for stop and stop-limit orders");
  const OrderId id = order.id();
  after(options_.ack_latency, [this, id, m] {
    auto it = live_.find(id);
    if (it == live_.end()) {  // no longer working: nothing to change
      BrokerOrderUpdate u;
      u.kind = Kind::kModifyRejected;
      u.order_id = id;
      u.reason = "order is no longer working";
      u.time = scheduler_.now();
      emit(Events{u});
      return;
    }
    Working& w = orders_.at(it->second);
    if (m.qty && *m.qty <= w.filled) {
      emit(Events{update(Kind::kModifyRejected, w, "qty at or below the filled quantity")});
      return;
    }
    if (m.qty) w.qty = *m.qty;
    if (m.limit_price) w.limit = *m.limit_price;
    if (m.stop_price) w.stop = *m.stop_price;
    Events out;
    out.push_back(update(Kind::kModified, w));
    // A new price may make the order marketable right away.
    if (w.accepted && w.had_chance && options_.fill_model == SimBrokerOptions::FillModel::kQuote) {
      auto book = books_.find(w.symbol());
      if (book != books_.end()) work_quote(w, book->second, out);
    }
    drop_finished();
    emit(std::move(out));
  });
  return {};
}

void SimBroker::on_quote(const Quote& q) {
  Book& book = books_[q.symbol];
  book.quote = q;
  book.bid_left = q.bid_size.sign() > 0 ? std::optional(q.bid_size) : std::nullopt;
  book.ask_left = q.ask_size.sign() > 0 ? std::optional(q.ask_size) : std::nullopt;
  Events out;
  expire_day_orders(out);
  if (options_.fill_model == SimBrokerOptions::FillModel::kQuote) {
    for (auto& [seq, w] : orders_)
      if (w.accepted && !w.finished && w.symbol() == q.symbol) work_quote(w, book, out);
  }
  drop_finished();
  emit(std::move(out));
}

void SimBroker::on_bar(const Bar& b) {
  Events out;
  expire_day_orders(out);
  if (options_.fill_model == SimBrokerOptions::FillModel::kNextBarOpen) {
    for (auto& [seq, w] : orders_)
      if (w.accepted && !w.finished && w.symbol() == b.symbol) work_bar(w, b, out);
  }
  drop_finished();
  emit(std::move(out));
}

void SimBroker::work_quote(Working& w, Book& book, Events& out) {
  if (!book.quote) return;
  const Quote& q = *book.quote;
  const bool buy = w.side == Side::kBuy;
  const Decimal touch = buy ? q.ask : q.bid;
  if (touch.sign() > 0) {
    if (is_stop(w.type) && !w.triggered) w.triggered = buy ? q.ask >= *w.stop : q.bid <= *w.stop;
    bool marketable = false;
    switch (w.type) {
      case OrderType::kMarket:
        marketable = true;
        break;
      case OrderType::kStop:
        marketable = w.triggered;
        break;
      case OrderType::kLimit:
      case OrderType::kStopLimit:
        marketable = (w.type == OrderType::kLimit || w.triggered) &&
                     (buy ? touch <= *w.limit : touch >= *w.limit);
        break;
    }
    std::optional<Decimal>& left = buy ? book.ask_left : book.bid_left;
    if (marketable) {
      const Decimal qty = left ? std::min(w.remaining(), *left) : w.remaining();
      if (qty.sign() > 0) {
        fill(w, qty, touch, scheduler_.now(), out);
        if (left) *left -= qty;
      }
    }
  }
  const bool first = !w.had_chance;
  w.had_chance = true;
  if (first && w.tif == TimeInForce::kIoc && !w.finished) {
    w.finished = true;
    out.push_back(update(Kind::kCancelled, w, "IOC: unfilled quantity cancelled"));
  }
}

Decimal SimBroker::slipped(const Working& w, Decimal price) const {
  return slipped_price(w.side, price, options_.slippage_bps, w.instrument->tick);
}

void SimBroker::work_bar(Working& w, const Bar& b, Events& out) {
  const bool buy = w.side == Side::kBuy;
  std::optional<Decimal> price;
  Timestamp when = b.time;  // at the open, unless inside the bar
  switch (w.type) {
    case OrderType::kMarket:
      price = slipped(w, b.open);
      break;
    case OrderType::kLimit:
      price = limit_fill_on_bar(buy, *w.limit, b);
      if (price && *price != b.open) when = b.close_time();
      break;
    case OrderType::kStop:
    case OrderType::kStopLimit:
      if (!w.triggered) {
        const Decimal stop = *w.stop;
        const bool at_open = buy ? b.open >= stop : b.open <= stop;
        const bool inside = buy ? b.high >= stop : b.low <= stop;
        if (!at_open && !inside) break;
        w.triggered = true;
        if (w.type == OrderType::kStop) {
          price = slipped(w, at_open ? b.open : stop);
          if (!at_open) when = b.close_time();
        } else if (at_open) {
          price = limit_fill_on_bar(buy, *w.limit, b);
          if (price && *price != b.open) when = b.close_time();
        } else if (buy ? stop <= *w.limit : stop >= *w.limit) {
          price = stop;
          when = b.close_time();
        }
      } else if (w.type == OrderType::kStopLimit) {
        price = limit_fill_on_bar(buy, *w.limit, b);
        if (price && *price != b.open) when = b.close_time();
      }
      break;
  }
  if (price) fill(w, w.remaining(), *price, when, out);
  const bool first = !w.had_chance;
  w.had_chance = true;
  if (first && w.tif == TimeInForce::kIoc && !w.finished) {
    w.finished = true;
    out.push_back(update(Kind::kCancelled, w, "IOC: unfilled quantity cancelled"));
  }
}

void SimBroker::fill(Working& w, Decimal qty, Decimal price, Timestamp time, Events& out) {
  const Instrument& inst = *w.instrument;
  w.filled += qty;
  w.filled_value += qty.mul(price, Rounding::kHalfEven).mul(inst.multiplier, Rounding::kHalfEven);
  // Cumulative commission minus what this order was already charged: the
  // minimum applies once per order, as at IB.
  const Decimal total = commission_for(inst.commission, w.filled, w.filled_value);
  const Decimal fee = total - w.commission;
  w.commission = total;

  Execution e;
  e.order_id = w.id;
  e.broker_order_id = w.broker_id;
  e.exec_id = options_.exec_id_prefix + std::to_string(next_exec_++);
  e.symbol = inst.symbol;
  e.side = w.side;
  e.qty = qty;
  e.price = price;
  e.commission = fee;
  e.time = time;
  auto pos = positions_.try_emplace(inst.symbol, inst.symbol, inst.multiplier).first;
  pos->second.apply(w.side, qty, price, fee, time);
  executions_.push_back(e);
  out.push_back(std::move(e));
  if (w.filled >= w.qty) w.finished = true;
}

void SimBroker::expire_day_orders(Events& out) {
  if (!options_.day_session) return;
  const Timestamp session = options_.day_session->session_start(scheduler_.now());
  for (auto& [seq, w] : orders_) {
    if (w.accepted && !w.finished && w.tif == TimeInForce::kDay && w.session < session) {
      w.finished = true;
      out.push_back(update(Kind::kExpired, w, "DAY order expired at the end of its session"));
    }
  }
}

void SimBroker::drop_finished() {
  for (auto it = orders_.begin(); it != orders_.end();) {
    if (it->second.finished) {
      live_.erase(it->second.id);
      it = orders_.erase(it);
    } else {
      ++it;
    }
  }
}

BrokerOrderUpdate SimBroker::update(Kind kind, const Working& w, std::string reason) const {
  BrokerOrderUpdate u;
  u.kind = kind;
  u.order_id = w.id;
  u.broker_order_id = w.broker_id;
  u.reason = std::move(reason);
  u.time = scheduler_.now();
  return u;
}

void SimBroker::emit(Events events) {
  for (Event& e : events) outbox_.push_back(std::move(e));
  flush();
}

void SimBroker::flush() {
  if (flushing_) return;  // an outer flush is delivering; it will get to these
  flushing_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{flushing_};
  while (connected_ && !outbox_.empty()) {
    Event e = std::move(outbox_.front());
    outbox_.pop_front();
    if (!events_) continue;
    if (auto* u = std::get_if<BrokerOrderUpdate>(&e))
      events_->on_order_update(*u);
    else
      events_->on_execution(std::get<Execution>(e));
  }
}

void SimBroker::request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) {
  std::vector<BrokerOrderUpdate> out;
  for (const auto& [seq, w] : orders_) {
    if (!w.accepted || w.finished) continue;
    BrokerOrderUpdate u = update(Kind::kAccepted, w);
    u.time = w.accepted_at;
    out.push_back(std::move(u));
  }
  done(std::move(out));
}

void SimBroker::restore_positions(const std::vector<StoredPosition>& positions) {
  for (const StoredPosition& p : positions) {
    auto inst = instruments_.find(p.symbol);
    const Decimal mult =
        inst == instruments_.end() ? Decimal::from_int(1) : inst->second.multiplier;
    positions_.insert_or_assign(
        p.symbol, Position::restored(p.symbol, mult, p.qty, p.cost_basis, p.realized, p.commissions,
                                     p.opened_at));
  }
}

void SimBroker::request_positions(std::function<void(std::vector<BrokerPosition>)> done) {
  std::vector<BrokerPosition> out;
  for (const auto& [symbol, p] : positions_)
    if (!p.flat()) out.push_back(BrokerPosition{symbol, p.qty(), p.avg_cost()});
  done(std::move(out));
}

void SimBroker::request_executions(Timestamp since,
                                   std::function<void(std::vector<Execution>)> done) {
  std::vector<Execution> out;
  for (const Execution& e : executions_)
    if (e.time >= since) out.push_back(e);
  done(std::move(out));
}

}  // namespace td::sim
