// Gateway: placeOrder, modify, cancel, fills, and the IB message sequences
// they produce (docs/ibsim.md, "Message sequences").
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "brokers/ib/ibsim/gateway.h"
#include "brokers/ib/ibsim/session.h"

namespace td::ibsim {

namespace {

std::optional<OrderType> order_type(std::string_view t) {
  if (t == "MKT") return OrderType::kMarket;
  if (t == "LMT") return OrderType::kLimit;
  if (t == "STP") return OrderType::kStop;
  if (t == "STP LMT") return OrderType::kStopLimit;
  return std::nullopt;
}

std::optional<TimeInForce> tif(std::string_view t) {
  if (t == "DAY" || t.empty()) return TimeInForce::kDay;
  if (t == "GTC") return TimeInForce::kGtc;
  if (t == "IOC") return TimeInForce::kIoc;
  return std::nullopt;
}

bool is_stop(OrderType t) {
  return t == OrderType::kStop || t == OrderType::kStopLimit;
}

}  // namespace

Gateway::GwOrder* Gateway::find_open(int32_t client_id, int64_t order_id) {
  auto it = open_ids_.find({client_id, order_id});
  return it == open_ids_.end() ? nullptr : find_by_perm(it->second);
}

Gateway::GwOrder* Gateway::find_by_perm(int64_t perm_id) {
  auto it = orders_.find(perm_id);
  return it == orders_.end() ? nullptr : &it->second;
}

ib::OpenOrder Gateway::open_order(const GwOrder& o) const {
  ib::OpenOrder m;
  m.order_id = o.order_id;
  m.contract = o.contract->contract;
  m.contract.primary_exchange.clear();  // openOrder has none
  m.action = o.request.action;
  m.total_quantity = o.request.total_quantity;
  m.order_type = o.request.order_type;
  m.lmt_price = o.request.lmt_price.value_or(Decimal());
  m.aux_price = o.request.aux_price.value_or(Decimal());
  m.tif = o.request.tif.empty() ? "DAY" : o.request.tif;
  m.account = options_.account;
  m.order_ref = o.request.order_ref;
  m.client_id = o.client_id;
  m.perm_id = o.perm_id;
  m.outside_rth = o.request.outside_rth;
  m.status = o.status;
  return m;
}

ib::OrderStatus Gateway::order_status(const GwOrder& o) const {
  ib::OrderStatus m;
  m.order_id = o.order_id;
  m.status = o.status;
  m.filled = o.filled;
  m.remaining = o.open ? o.remaining() : Decimal();
  m.avg_fill_price =
      o.filled.is_zero() ? Decimal() : o.filled_value.div(o.filled, Rounding::kHalfEven);
  m.perm_id = o.perm_id;
  m.last_fill_price = o.last_fill_price;
  m.client_id = o.client_id;
  m.mkt_cap_price = Decimal();
  return m;
}

void Gateway::send_order_state(Session& s, const GwOrder& o) {
  s.send(open_order(o));
  s.send(order_status(o));
}

void Gateway::send_order_state(const GwOrder& o) {
  if (Session* s = session_for(o.client_id)) send_order_state(*s, o);
}

void Gateway::on(Session& s, const ib::PlaceOrder& m) {
  ++orders_received_;
  const int32_t cid = s.state().client_id;
  if (GwOrder* o = find_open(cid, m.order_id)) {
    modify(s, *o, m);
    return;
  }
  int64_t& used = max_used_id_[cid];
  if (m.order_id <= used) {
    spdlog::info("client {}: order id {} not above {}: 103", cid, m.order_id, used);
    s.send_error(m.order_id, 103, "Duplicate order id");
    return;
  }
  used = m.order_id;
  const SimContract* contract = find_contract(contracts_, m.contract);
  if (!contract) {
    s.send_error(m.order_id, 200, "No security definition has been found for the request");
    return;
  }
  GwOrder o;
  o.perm_id = next_perm_id_++;
  o.client_id = cid;
  o.order_id = m.order_id;
  o.contract = contract;
  o.request = m;
  o.status = "PreSubmitted";
  OrderRequest& r = o.td_request;
  r.symbol = contract->instrument.symbol;
  r.side = m.action == "BUY" ? Side::kBuy : Side::kSell;
  r.qty = m.total_quantity;
  const auto type = order_type(m.order_type);
  r.type = type.value_or(OrderType::kMarket);
  r.limit_price = m.lmt_price;
  r.stop_price = m.aux_price;
  const auto t = tif(m.tif);
  r.tif = t.value_or(TimeInForce::kDay);
  r.outside_rth = m.outside_rth;
  if (r.type == OrderType::kMarket || r.type == OrderType::kStop) r.limit_price.reset();
  if (!is_stop(r.type)) r.stop_price.reset();
  const int64_t perm = o.perm_id;
  GwOrder& stored = orders_.emplace(perm, std::move(o)).first->second;
  const OrderRequest& req = stored.td_request;  // `r` was moved with the order
  open_ids_[{cid, m.order_id}] = perm;
  spdlog::info("client {}: placeOrder {} {} {} {} {} (perm {})", cid, m.order_id, m.action,
               m.total_quantity, req.symbol, m.order_type, perm);

  std::string why;
  if (options_.faults.reject_orders)
    why = "Simulated rejection (ibsim reject on)";
  else if (m.action != "BUY" && m.action != "SELL" && m.action != "SSHORT")
    why = "Invalid action '" + m.action + "'";
  else if (!type)
    why = "Unsupported order type '" + m.order_type + "'";
  else if (!t)
    why = "Unsupported time in force '" + m.tif + "'";
  else if (auto st = validate(req); !st)
    why = st.error().message;
  if (!why.empty()) {
    reject(stored, why);
    return;
  }
  send_order_state(s, stored);
  if (options_.faults.hold_orders) {
    stored.held = true;
    stored.status = "Submitted";
    send_order_state(s, stored);
    return;
  }
  if (auto st = broker_->submit(Order(OrderId(static_cast<uint64_t>(perm)), req, scheduler_.now()));
      !st)
    reject(stored, st.error().message);
}

void Gateway::reject(GwOrder& o, const std::string& reason) {
  spdlog::info("order {} (client {}) rejected: {}", o.order_id, o.client_id, reason);
  o.status = "Cancelled";
  o.open = false;
  open_ids_.erase({o.client_id, o.order_id});
  if (Session* s = session_for(o.client_id)) {
    s->send_error(o.order_id, 201, "Order rejected - reason:" + reason);
    s->send(order_status(o));
  }
}

void Gateway::modify(Session& s, GwOrder& o, const ib::PlaceOrder& m) {
  if (m.total_quantity <= o.filled) {
    s.send_error(o.order_id, 321,
                 "Error validating request:-'bW' : cause - The order size cannot be below the "
                 "filled size");
    return;
  }
  if (o.held) {
    o.request.total_quantity = m.total_quantity;
    o.request.lmt_price = m.lmt_price;
    o.request.aux_price = m.aux_price;
    send_order_state(s, o);
    return;
  }
  OrderModification mod;
  if (m.total_quantity != o.request.total_quantity) mod.qty = m.total_quantity;
  if (o.td_request.limit_price && m.lmt_price && *m.lmt_price != *o.td_request.limit_price)
    mod.limit_price = m.lmt_price;
  if (o.td_request.stop_price && m.aux_price && *m.aux_price != *o.td_request.stop_price)
    mod.stop_price = m.aux_price;
  if (!mod.qty && !mod.limit_price && !mod.stop_price) {
    send_order_state(s, o);
    return;
  }
  const Order order(OrderId(static_cast<uint64_t>(o.perm_id)), o.td_request, scheduler_.now());
  if (auto st = broker_->modify(order, mod); !st) {
    s.send_error(o.order_id, 321, "Error validating request:-'bW' : cause - " + st.error().message);
    return;
  }
  o.pending_modify = m;
}

void Gateway::on(Session& s, const ib::CancelOrder& m) {
  ++cancels_received_;
  const int32_t cid = s.state().client_id;
  GwOrder* o = find_open(cid, m.order_id);
  if (!o) {
    const GwOrder* done = nullptr;
    for (const auto& [perm, x] : orders_)
      if (x.client_id == cid && x.order_id == m.order_id) done = &x;
    if (done)
      s.send_error(
          m.order_id, 10148,
          fmt::format("OrderId {} that needs to be cancelled cannot be cancelled, state: {}.",
                      m.order_id, done->status));
    else
      s.send_error(m.order_id, 10147,
                   fmt::format("OrderId {} that needs to be cancelled is not found.", m.order_id));
    return;
  }
  cancel(*o);
}

void Gateway::on(Session&, const ib::ReqGlobalCancel&) {
  ++cancels_received_;
  std::vector<int64_t> open;
  for (const auto& [perm, o] : orders_)
    if (o.open) open.push_back(perm);
  for (int64_t perm : open)
    if (GwOrder* o = find_by_perm(perm); o && o->open) cancel(*o);
}

void Gateway::cancel(GwOrder& o) {
  if (o.held) {
    finish_cancel(o, "");
    return;
  }
  const Order order(OrderId(static_cast<uint64_t>(o.perm_id)), o.td_request, scheduler_.now());
  if (auto st = broker_->cancel(order); !st)
    spdlog::warn("order {}: cancel failed: {}", o.order_id, st.error().message);
}

void Gateway::finish_cancel(GwOrder& o, const std::string& reason) {
  o.status = "Cancelled";
  o.open = false;
  open_ids_.erase({o.client_id, o.order_id});
  if (Session* s = session_for(o.client_id)) {
    s->send(order_status(o));
    s->send_error(o.order_id, 202, "Order Canceled - reason:" + reason);
  }
}

void Gateway::on_order_update(const BrokerOrderUpdate& u) {
  GwOrder* o = find_by_perm(static_cast<int64_t>(u.order_id.value()));
  if (!o || !o->open) return;
  using Kind = BrokerOrderUpdate::Kind;
  switch (u.kind) {
    case Kind::kAccepted:
      o->status = is_stop(o->td_request.type) ? "PreSubmitted" : "Submitted";
      send_order_state(*o);
      break;
    case Kind::kRejected:
      reject(*o, u.reason);
      break;
    case Kind::kCancelled:
    case Kind::kExpired:
      finish_cancel(*o, u.kind == Kind::kExpired ? "" : u.reason);
      break;
    case Kind::kModified:
      if (o->pending_modify) {
        o->request.total_quantity = o->pending_modify->total_quantity;
        o->td_request.qty = o->request.total_quantity;
        if (o->td_request.limit_price) {
          o->request.lmt_price = o->pending_modify->lmt_price;
          o->td_request.limit_price = o->request.lmt_price;
        }
        if (o->td_request.stop_price) {
          o->request.aux_price = o->pending_modify->aux_price;
          o->td_request.stop_price = o->request.aux_price;
        }
        o->pending_modify.reset();
      }
      send_order_state(*o);
      break;
    case Kind::kModifyRejected:
      o->pending_modify.reset();
      if (Session* s = session_for(o->client_id))
        s->send_error(o->order_id, 321, "Error validating request:-'bW' : cause - " + u.reason);
      break;
    case Kind::kCancelRejected:
      if (Session* s = session_for(o->client_id))
        s->send_error(o->order_id, 10148,
                      fmt::format("OrderId {} that needs to be cancelled cannot be cancelled, "
                                  "state: {}.",
                                  o->order_id, o->status));
      break;
  }
}

void Gateway::on_execution(const Execution& e) {
  GwOrder* o = find_by_perm(static_cast<int64_t>(e.order_id.value()));
  if (!o) return;
  fill(*o, e.qty, e.price, e.time);
}

Decimal Gateway::market_price(const GwOrder& o) const {
  const Quote* q = market_->last_quote(o.contract->instrument.symbol);
  if (!q) return o.contract->start_price;
  return o.td_request.side == Side::kBuy ? q->ask : q->bid;
}

size_t Gateway::fill_held() {
  std::vector<int64_t> held;
  for (const auto& [perm, o] : orders_)
    if (o.open && o.held) held.push_back(perm);
  for (int64_t perm : held) {
    GwOrder& o = orders_.at(perm);
    fill(o, o.remaining(), market_price(o), scheduler_.now());
  }
  return held.size();
}

Status Gateway::fill_order(int64_t order_id, Decimal qty) {
  for (auto& [perm, o] : orders_) {
    if (!o.open || o.order_id != order_id) continue;
    if (!o.held) return make_error(ErrorCode::kConflict, "order is not held (hold on)");
    if (qty.sign() <= 0 || qty > o.remaining())
      return make_error(ErrorCode::kInvalidArgument,
                        "qty must be > 0 and at most the remaining " + o.remaining().to_string());
    fill(o, qty, market_price(o), scheduler_.now());
    return {};
  }
  return make_error(ErrorCode::kNotFound, "no open order " + std::to_string(order_id));
}

void Gateway::fill(GwOrder& o, Decimal qty, Decimal price, Timestamp t) {
  // --partial-fills N: the fill goes out as N executions of whole units
  // (fewer when the quantity has fewer units).
  const int64_t n = options_.faults.partial_fills;
  const Decimal whole = qty.round(0, Rounding::kDown);
  if (n <= 1 || whole != qty || whole < Decimal::from_int(n)) {
    fill_one(o, qty, price, t);
    return;
  }
  const Decimal part = qty.div(Decimal::from_int(n), Rounding::kDown).round(0, Rounding::kDown);
  for (int64_t i = 0; i < n; ++i)
    fill_one(o, i + 1 < n ? part : qty - part * Decimal::from_int(n - 1), price, t);
}

void Gateway::fill_one(GwOrder& o, Decimal qty, Decimal price, Timestamp t) {
  const SimContract& c = *o.contract;
  const Side side = o.td_request.side;
  o.filled += qty;
  o.filled_value += qty.mul(price, Rounding::kHalfEven);
  o.last_fill_price = price;
  if (o.remaining().sign() <= 0) {
    o.status = "Filled";
    o.open = false;
    open_ids_.erase({o.client_id, o.order_id});
  } else if (o.status == "PreSubmitted") {
    o.status = "Submitted";
  }

  // IB's fixed-rate schedule per order: per share, a minimum per order, at
  // most 1% of the value; each execution pays the increase.
  const Decimal value = o.filled_value * c.instrument.multiplier;
  Decimal total = std::max(options_.commission_min,
                           o.filled.mul(options_.commission_per_share, Rounding::kHalfEven));
  total = std::min(total, value.mul(Decimal::from_units(1'000'000), Rounding::kHalfEven));  // 1%
  total = total.round(2, Rounding::kHalfUp);
  const Decimal commission = std::max(Decimal(), total - o.commission);
  o.commission += commission;

  auto [pos, inserted] =
      positions_.try_emplace(c.instrument.symbol, c.instrument.symbol, c.instrument.multiplier);
  const Position::Effect effect = pos->second.apply(side, qty, price, commission, t);
  const Decimal notional = qty.mul(price, Rounding::kHalfEven) * c.instrument.multiplier;
  cash_ += (side == Side::kBuy ? -notional : notional) - commission;

  ExecRecord r;
  r.time = t;
  ib::ExecDetails& d = r.details;
  d.req_id = -1;
  d.order_id = o.order_id;
  d.contract = c.contract;
  d.contract.primary_exchange.clear();
  d.exec_id = fmt::format(
      "0000{:04x}.{:08x}.01.01", options_.seed & 0xffff,
      static_cast<uint64_t>(sim_origin_.time_since_epoch().count() / 1'000'000'000) + next_exec_++);
  d.time = fmt::format("{:%Y%m%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(t));
  d.account = options_.account;
  d.exchange = c.contract.exchange == "SMART" ? c.contract.primary_exchange : c.contract.exchange;
  d.side = side == Side::kBuy ? "BOT" : "SLD";
  d.shares = qty;
  d.price = price;
  d.perm_id = o.perm_id;
  d.client_id = o.client_id;
  d.cum_qty = o.filled;
  d.avg_price = o.filled_value.div(o.filled, Rounding::kHalfEven);
  d.order_ref = o.request.order_ref;
  d.last_liquidity = 2;  // removed liquidity
  ib::CommissionReport& cr = r.report;
  cr.exec_id = d.exec_id;
  cr.commission = commission;
  cr.currency = "USD";
  if (!effect.closed_qty.is_zero()) cr.realized_pnl = effect.realized - commission;
  executions_.push_back(r);
  spdlog::info("order {} (client {}): {} {} {} at {} ({} of {})", o.order_id, o.client_id, d.side,
               qty, c.instrument.symbol, price, o.filled, o.request.total_quantity);

  if (Session* s = session_for(o.client_id)) {
    s->send(d);
    s->send(cr);
    s->send(order_status(o));
    s->send(open_order(o));
  }
  const ib::Position p = position_message(c.instrument.symbol);
  for (auto& w : sessions_)
    if (auto sp = w.lock(); sp && sp->state().positions) sp->send(p);
}

}  // namespace td::ibsim
