#include "brokers/ib/client/ib_broker.h"

#include <spdlog/spdlog.h>

#include <charconv>

namespace td::ib {

namespace {

using Kind = BrokerOrderUpdate::Kind;

bool is_working_status(const std::string& s) {
  return s == "PreSubmitted" || s == "Submitted" || s == "PendingCancel" || s == "PreCancelled";
}

// Errors on an order id that do not end or refuse it (ib-protocol.md 4.4;
// ib_async's list of warnings).
bool is_warning(int code) {
  return (code >= 2100 && code <= 2199) || code == 105 || code == 165 || code == 329 ||
         code == 399 || code == 404 || code == 434 || code == 492 || code == 10167;
}

}  // namespace

IbBroker::IbBroker(IbSession& session, IbBrokerOptions options)
    : session_(session), options_(std::move(options)), ids_(options_.persisted_high_water) {
  account_ = options_.account;
  session_.add(this);
  schedule_tick();
}

IbBroker::~IbBroker() {
  if (tick_) session_.scheduler().cancel(*tick_);
  for (auto& [id, h] : held_) session_.scheduler().cancel(h.timer);
}

// The restart window opens and closes with no message from IB: a one-second
// look at the clock turns connected() off and on for the engine.
void IbBroker::schedule_tick() {
  tick_ = session_.scheduler().schedule_after(std::chrono::seconds(1), [this] {
    tick_.reset();
    update_connected();
    schedule_tick();
  });
}

bool IbBroker::connected() const {
  if (!session_.ready() || !session_.connectivity_up() || sync_ != Sync::kDone) return false;
  if (options_.restart_window && options_.restart_window->ends(session_.scheduler().now()))
    return false;
  return true;
}

void IbBroker::update_connected(const std::string& detail) {
  const bool now = connected();
  if (now == was_connected_) return;
  was_connected_ = now;
  std::string why = detail;
  if (why.empty()) {
    if (now)
      why = "connected to IB, reconciled";
    else if (options_.restart_window && options_.restart_window->ends(session_.scheduler().now()))
      why = "inside the gateway's restart window: orders wait";
    else if (!session_.connectivity_up())
      why = "the gateway lost its link to IB (1100): orders wait";
    else
      why = "reconciling with IB";
  }
  spdlog::info("IB broker {}: {}", now ? "connected" : "not connected", why);
  if (events_) events_->on_connection(now, why);
}

bool IbBroker::send(OutgoingMessage m) {
  if (session_.send(m)) return true;
  if (std::holds_alternative<PlaceOrder>(m) || std::holds_alternative<CancelOrder>(m))
    unsent_.push_back(std::move(m));
  return false;
}

std::optional<OrderId> IbBroker::parse_ref(const std::string& ref) const {
  const std::string& p = options_.order_ref_prefix;
  if (ref.size() <= p.size() + 1 || ref.compare(0, p.size(), p) != 0 || ref[p.size()] != '-')
    return std::nullopt;
  uint64_t v = 0;
  const char* b = ref.data() + p.size() + 1;
  const char* e = ref.data() + ref.size();
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e || v == 0) return std::nullopt;
  return OrderId(v);
}

IbBroker::Tracked* IbBroker::find(int64_t perm_id, const std::string& order_ref, int64_t ib_id,
                                  int32_t client_id) {
  if (perm_id != 0)
    if (auto it = by_perm_.find(perm_id); it != by_perm_.end()) return &orders_.at(it->second);
  if (auto id = parse_ref(order_ref)) {
    auto it = orders_.find(*id);
    // Our order, if the order id was sent as this IB order id (a previous
    // run may have used the same order id with another IB id).
    // An order adopted from an earlier run learns its IB id from IB.
    if (it != orders_.end() && (ib_id == 0 || it->second.ib_id == ib_id || it->second.ib_id == 0))
      return &it->second;
  }
  if (ib_id > 0 && client_id == options_.client_id)
    if (auto it = by_ib_id_.find(ib_id); it != by_ib_id_.end()) return &orders_.at(it->second);
  return nullptr;
}

std::optional<Symbol> IbBroker::symbol_of(const Contract& c) const {
  for (const auto& [sym, k] : options_.contracts) {
    if (c.con_id != 0 && k.con_id != 0) {
      if (c.con_id == k.con_id) return sym;
      continue;
    }
    if (k.symbol == c.symbol && k.sec_type == c.sec_type &&
        (k.last_trade_date_or_contract_month.empty() ||
         c.last_trade_date_or_contract_month.rfind(k.last_trade_date_or_contract_month, 0) == 0) &&
        (k.currency.empty() || c.currency.empty() || k.currency == c.currency))
      return sym;
  }
  return std::nullopt;
}

PlaceOrder IbBroker::make_place(const Order& order, int64_t ib_id, const Contract& c) const {
  PlaceOrder p;
  p.order_id = ib_id;
  p.contract = c;
  p.action = order.side() == Side::kBuy ? "BUY" : "SELL";
  p.total_quantity = order.qty();
  const auto& r = order.request();
  switch (r.type) {
    case OrderType::kMarket:
      p.order_type = "MKT";
      break;
    case OrderType::kLimit:
      p.order_type = "LMT";
      p.lmt_price = r.limit_price;
      break;
    case OrderType::kStop:
      p.order_type = "STP";
      p.aux_price = r.stop_price;
      break;
    case OrderType::kStopLimit:
      p.order_type = "STP LMT";
      p.lmt_price = r.limit_price;
      p.aux_price = r.stop_price;
      break;
  }
  switch (r.tif) {
    case TimeInForce::kDay:
      p.tif = "DAY";
      break;
    case TimeInForce::kGtc:
      p.tif = "GTC";
      break;
    case TimeInForce::kIoc:
      p.tif = "IOC";
      break;
  }
  p.account = account_;
  p.order_ref = options_.order_ref_prefix + "-" + std::to_string(order.id().value());
  p.outside_rth = r.outside_rth;
  p.transmit = true;
  return p;
}

Status IbBroker::submit(const Order& order) {
  if (!connected()) return make_error(ErrorCode::kUnavailable, "not connected to IB");
  auto c = options_.contracts.find(order.symbol());
  if (c == options_.contracts.end())
    return make_error(ErrorCode::kInvalidArgument, "no IB contract for " + order.symbol().str());
  if (orders_.count(order.id()))
    return make_error(ErrorCode::kConflict, "order already sent to IB");
  if (!ids_.ready()) return make_error(ErrorCode::kUnavailable, "no order id from IB yet");
  const int64_t ib_id = ids_.allocate();
  if (options_.persist_order_id)
    if (auto st = options_.persist_order_id(ib_id, order.id()); !st)
      return make_error(ErrorCode::kUnavailable,
                        "IB order id high-water mark not saved: " + st.error().message);
  Tracked t;
  t.id = order.id();
  t.symbol = order.symbol();
  t.side = order.side();
  t.ib_id = ib_id;
  t.place = make_place(order, ib_id, c->second);
  by_ib_id_[ib_id] = t.id;
  PlaceOrder p = t.place;
  orders_.emplace(t.id, std::move(t));
  if (!send(p)) spdlog::warn("IB: order {} queued: the connection dropped", order.id().value());
  return {};
}

Status IbBroker::modify(const Order& order, const OrderModification& m) {
  auto it = orders_.find(order.id());
  if (it == orders_.end() || it->second.ended)
    return make_error(ErrorCode::kNotFound, "order is not working at IB");
  if (!connected()) return make_error(ErrorCode::kUnavailable, "not connected to IB");
  Tracked& t = it->second;
  PlaceOrder p = t.modifies.empty() ? t.place : t.modifies.back();
  if (m.qty) p.total_quantity = *m.qty;
  if (m.limit_price) p.lmt_price = *m.limit_price;
  if (m.stop_price) p.aux_price = *m.stop_price;
  t.modifies.push_back(p);
  send(p);
  return {};
}

Status IbBroker::cancel(const Order& order) {
  auto it = orders_.find(order.id());
  if (it == orders_.end()) return make_error(ErrorCode::kNotFound, "order unknown to IB");
  Tracked& t = it->second;
  if (t.ended) return {};
  if (!t.written) {
    // Still in our hands: take the placeOrder back instead of racing it.
    for (auto u = unsent_.begin(); u != unsent_.end(); ++u) {
      if (auto* p = std::get_if<PlaceOrder>(&*u); p && p->order_id == t.ib_id) {
        unsent_.erase(u);
        emit(t, Kind::kCancelled, "cancelled before it was sent to IB");
        return {};
      }
    }
  }
  t.cancel_pending = true;
  if (t.ib_id == 0) return {};  // adopted, its IB id not reported yet: sent by learn_ib_id
  CancelOrder c;
  c.order_id = t.ib_id;
  send(c);
  return {};
}

void IbBroker::learn_ib_id(Tracked& t, int64_t ib_id, int32_t client_id) {
  if (t.ib_id != 0 || ib_id <= 0 || client_id != options_.client_id) return;
  t.ib_id = ib_id;
  t.place.order_id = ib_id;
  by_ib_id_[ib_id] = t.id;
  if (t.cancel_pending && !t.ended) {
    CancelOrder c;
    c.order_id = ib_id;
    send(c);
  }
}

void IbBroker::cancel_everything() {
  spdlog::warn("IB: global cancel (every open order of the account)");
  send(ReqGlobalCancel{});
}

void IbBroker::adopt(const Order& order) {
  Tracked t;
  t.id = order.id();
  t.symbol = order.symbol();
  t.side = order.side();
  t.place.total_quantity = order.qty();
  t.place.order_ref = options_.order_ref_prefix + "-" + order.id().to_string();
  t.written = order.status() != td::OrderStatus::kQueued;
  t.acked = order.status() == td::OrderStatus::kSubmitted ||
            order.status() == td::OrderStatus::kPartiallyFilled ||
            order.status() == td::OrderStatus::kPendingCancel;
  // Filled counts what IB reports from now (reqExecutions replays the day).
  int64_t perm = 0;
  const std::string& b = order.broker_order_id();
  std::from_chars(b.data(), b.data() + b.size(), perm);
  if (perm > 0) {
    t.perm_id = perm;
    by_perm_[perm] = t.id;
    foreign_.erase(perm);
  }
  orders_.insert_or_assign(t.id, std::move(t));
}

void IbBroker::request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) {
  std::vector<BrokerOrderUpdate> out;
  for (const auto& [perm, f] : foreign_)
    if (f.open) out.push_back(f.update);
  for (const auto& [id, t] : orders_) {
    if (t.ended || !t.acked) continue;
    BrokerOrderUpdate u;
    u.kind = Kind::kAccepted;
    u.order_id = id;
    u.broker_order_id = std::to_string(t.perm_id);
    u.time = session_.scheduler().now();
    out.push_back(u);
  }
  done(std::move(out));
}

void IbBroker::request_positions(std::function<void(std::vector<BrokerPosition>)> done) {
  std::vector<BrokerPosition> out;
  for (const auto& [s, p] : positions_) out.push_back(p);
  done(std::move(out));
}

void IbBroker::request_executions(Timestamp since,
                                  std::function<void(std::vector<Execution>)> done) {
  std::vector<Execution> out;
  for (const auto& e : delivered_)
    if (e.time >= since) out.push_back(e);
  done(std::move(out));
}

// --- session --------------------------------------------------------------

void IbBroker::on_session_ready(const SessionStart& start) {
  ids_.on_next_valid_id(start.next_valid_id);
  if (account_.empty()) {
    account_ = start.accounts.substr(0, start.accounts.find(','));
    spdlog::info("IB: trading account {}", account_);
  } else if (("," + start.accounts + ",").find("," + account_ + ",") == std::string::npos) {
    spdlog::error("IB: account {} is not among the gateway's accounts ({}): orders will be refused",
                  account_, start.accounts);
  }
  begin_reconcile("connected");
}

void IbBroker::on_session_lost(const std::string& why) {
  sync_ = Sync::kIdle;
  ids_.on_disconnect();
  for (auto& m : session_.take_unsent())
    if (std::holds_alternative<PlaceOrder>(m) || std::holds_alternative<CancelOrder>(m) ||
        std::holds_alternative<ReqGlobalCancel>(m))
      unsent_.push_back(std::move(m));
  update_connected("disconnected from IB: " + why);
}

void IbBroker::on_connectivity(bool up, bool /*data_lost*/) {
  if (!up) {
    update_connected();
    return;
  }
  begin_reconcile("IB link restored");
}

void IbBroker::begin_reconcile(const char* why) {
  spdlog::info("IB: reconciling ({}): open orders, executions, positions", why);
  ++stats_.reconciliations;
  sync_ = Sync::kOpenOrders;
  for (auto& [id, t] : orders_) t.seen = false;
  update_connected();
  // Every open order of the account, also those of other clients and
  // TWS: ours are matched by orderRef/permId, the rest offered for adoption.
  session_.send(ReqAllOpenOrders{});
}

void IbBroker::on_written(const OutgoingMessage& message) {
  if (const auto* p = std::get_if<PlaceOrder>(&message))
    if (auto it = by_ib_id_.find(p->order_id); it != by_ib_id_.end())
      orders_.at(it->second).written = true;
}

void IbBroker::on_message(const IncomingMessage& message) {
  std::visit(
      [this](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, OpenOrder> || std::is_same_v<T, OrderStatus> ||
                      std::is_same_v<T, ErrorMessage> || std::is_same_v<T, ExecDetails> ||
                      std::is_same_v<T, CommissionReport> || std::is_same_v<T, Position> ||
                      std::is_same_v<T, AccountValue>) {
          on(m);
        } else if constexpr (std::is_same_v<T, OpenOrderEnd>) {
          if (sync_ == Sync::kOpenOrders) on_open_order_end();
        } else if constexpr (std::is_same_v<T, ExecDetailsEnd>) {
          if (sync_ == Sync::kExecutions && m.req_id == exec_req_id_) on_executions_end();
        } else if constexpr (std::is_same_v<T, PositionEnd>) {
          if (sync_ == Sync::kPositions) on_position_end();
        }
      },
      message);
}

void IbBroker::on_open_order_end() {
  sync_ = Sync::kExecutions;
  exec_req_id_ = session_.next_request_id();
  ReqExecutions r;
  r.req_id = exec_req_id_;
  r.filter.client_id = options_.client_id;
  r.filter.acct_code = account_;
  replaying_ = true;
  session_.send(r);
}

void IbBroker::on_executions_end() {
  replaying_ = false;
  // What was sent and is neither open at IB nor filled has ended there
  // (cancelled, expired or never arrived): it is never sent again.
  for (auto& [id, t] : orders_) {
    if (!t.written || t.ended || t.seen) continue;
    if (t.filled >= t.place.total_quantity) continue;  // ends with its fills
    ++stats_.orders_ended_unknown;
    spdlog::warn("IB: order {} (IB id {}) is not working at IB after the reconnect: ended",
                 id.value(), t.ib_id);
    emit(t, Kind::kCancelled, "not working at IB after a reconnect (ended while disconnected)");
  }
  sync_ = Sync::kPositions;
  positions_next_.clear();
  session_.send(ReqPositions{});
}

void IbBroker::on_position_end() {
  positions_ = std::move(positions_next_);
  positions_next_.clear();
  // reqPositions stays subscribed: later changes keep positions_ current.
  ReqAccountUpdates au;
  au.subscribe = true;
  au.account_code = account_;
  session_.send(au);
  sync_ = Sync::kDone;
  // What never left the process goes now, in its original order.
  auto pending = std::exchange(unsent_, {});
  for (auto& m : pending) {
    // Their ids were allocated above every id used, and they leave in the
    // order they were allocated: still above every id IB has seen.
    if (auto* p = std::get_if<PlaceOrder>(&m)) {
      auto it = by_ib_id_.find(p->order_id);
      if (it != by_ib_id_.end() && orders_.at(it->second).ended) continue;
    }
    send(std::move(m));
  }
  spdlog::info("IB: reconciled: {} positions, {} orders tracked", positions_.size(),
               orders_.size());
  update_connected();
}

// --- orders ---------------------------------------------------------------

void IbBroker::emit(Tracked& t, Kind kind, std::string reason) {
  const bool terminal =
      kind == Kind::kRejected || kind == Kind::kCancelled || kind == Kind::kExpired;
  if (terminal && t.ended) return;
  BrokerOrderUpdate u;
  u.kind = kind;
  u.order_id = t.id;
  u.broker_order_id = t.perm_id ? std::to_string(t.perm_id) : std::string();
  u.reason = std::move(reason);
  u.time = session_.scheduler().now();
  if (terminal) {
    if (t.held > 0) {  // its fills first
      t.deferred_end = u;
      return;
    }
    t.ended = true;
  }
  if (events_) events_->on_order_update(u);
}

void IbBroker::on(const OpenOrder& m) {
  if (m.client_id == options_.client_id) ids_.observe(m.order_id);
  Tracked* t = find(m.perm_id, m.order_ref, m.order_id, m.client_id);
  if (!t && m.perm_id && is_working_status(m.status)) {
    if (auto sym = symbol_of(m.contract)) {
      auto& f = foreign_[m.perm_id];
      OrderRequest r;
      r.symbol = *sym;
      r.side = m.action == "SELL" || m.action == "SSHORT" ? Side::kSell : Side::kBuy;
      r.qty = m.total_quantity;
      r.type = m.order_type == "LMT"       ? OrderType::kLimit
               : m.order_type == "STP"     ? OrderType::kStop
               : m.order_type == "STP LMT" ? OrderType::kStopLimit
                                           : OrderType::kMarket;
      if (r.type == OrderType::kLimit || r.type == OrderType::kStopLimit)
        r.limit_price = m.lmt_price;
      if (r.type == OrderType::kStop || r.type == OrderType::kStopLimit) r.stop_price = m.aux_price;
      r.tif = m.tif == "GTC"   ? TimeInForce::kGtc
              : m.tif == "IOC" ? TimeInForce::kIoc
                               : TimeInForce::kDay;
      r.outside_rth = m.outside_rth;
      f.update.kind = Kind::kAccepted;
      f.update.broker_order_id = std::to_string(m.perm_id);
      f.update.time = session_.scheduler().now();
      f.update.external = r;
      f.update.reason = m.order_ref.empty() ? "external" : "external, orderRef " + m.order_ref;
      f.open = true;
    }
  }
  if (!t) {
    if (parse_ref(m.order_ref) && m.perm_id && foreign_perm_ids_.insert(m.perm_id).second) {
      ++stats_.foreign_orders;
      spdlog::warn(
          "IB: open order {} (permId {}, {} {} {}) is not one of this run's orders: left alone",
          m.order_ref, m.perm_id, m.action, m.total_quantity.to_string(), m.contract.symbol);
    }
    return;
  }
  if (m.perm_id && !t->perm_id) {
    t->perm_id = m.perm_id;
    by_perm_[m.perm_id] = t->id;
  }
  learn_ib_id(*t, m.order_id, m.client_id);
  t->seen = true;
  if (t->ended) return;
  if (!t->acked && is_working_status(m.status)) {
    t->acked = true;
    t->written = true;
    emit(*t, Kind::kAccepted, {});
  }
  if (!t->modifies.empty()) {
    const PlaceOrder& want = t->modifies.front();
    // Prices the order type has (an unset aux price may come back as 0).
    auto same = [](const std::optional<Decimal>& w, const std::optional<Decimal>& got) {
      return !w || (got && *got == *w);
    };
    if (m.total_quantity == want.total_quantity && same(want.lmt_price, m.lmt_price) &&
        same(want.aux_price, m.aux_price)) {
      t->place = want;
      t->modifies.pop_front();
      emit(*t, Kind::kModified, {});
    }
  }
}

void IbBroker::on(const OrderStatus& m) {
  const int32_t client_id = m.client_id ? m.client_id : options_.client_id;
  Tracked* t = find(m.perm_id, {}, m.order_id, client_id);
  if (!t) {
    if (auto f = foreign_.find(m.perm_id); f != foreign_.end()) {
      f->second.update.external_filled = m.filled;
      f->second.open = is_working_status(m.status);
    }
    return;
  }
  if (m.perm_id && !t->perm_id) {
    t->perm_id = m.perm_id;
    by_perm_[m.perm_id] = t->id;
  }
  learn_ib_id(*t, m.order_id, client_id);
  if (t->ended) return;
  const std::string& s = m.status;
  if (is_working_status(s)) {
    if (!t->acked) {
      t->acked = true;
      t->written = true;
      emit(*t, Kind::kAccepted, {});
    }
  } else if (s == "Cancelled" || s == "ApiCancelled") {
    t->cancel_pending = false;
    t->modifies.clear();
    if (!t->acked && !t->last_error.empty())
      emit(*t, Kind::kRejected, t->last_error);
    else
      emit(*t, Kind::kCancelled, t->last_error.empty() ? "cancelled at IB" : t->last_error);
  } else if (s == "Inactive") {
    emit(*t, Kind::kRejected, t->last_error.empty() ? "inactive at IB" : t->last_error);
  }
}

void IbBroker::on(const ErrorMessage& m) {
  if (m.id <= 0) {
    if (m.code >= 2100 && m.code < 2200)
      spdlog::info("IB: {} {}", m.code, m.message);
    else if (m.code != 1100 && m.code != 1101 && m.code != 1102)
      spdlog::warn("IB: error {}: {}", m.code, m.message);
    return;
  }
  auto it = by_ib_id_.find(m.id);
  if (it == by_ib_id_.end()) return;  // a request id (market data, history)
  Tracked& t = orders_.at(it->second);
  if (is_warning(m.code)) {
    spdlog::info("IB: order {}: {} {}", t.id.value(), m.code, m.message);
    return;
  }
  const std::string text = "IB " + std::to_string(m.code) + ": " + m.message;
  if (m.code == 103)
    spdlog::error("IB: order {}: duplicate order id {} (error 103)", t.id.value(), m.id);
  if (t.ended) return;
  switch (m.code) {
    case 202:  // cancelled; the status follows
      t.last_error = m.message.empty() ? std::string() : text;
      return;
    case 10147:
    case 10148:
      if (t.cancel_pending) {
        t.cancel_pending = false;
        emit(t, Kind::kCancelRejected, text);
      }
      return;
    default:
      break;
  }
  if (!t.modifies.empty() && t.acked) {
    // An error on a working order we changed: the change was refused.
    t.modifies.pop_front();
    emit(t, Kind::kModifyRejected, text);
    return;
  }
  t.last_error = text;
  spdlog::warn("IB: order {} rejected: {}", t.id.value(), text);
  emit(t, Kind::kRejected, text);
}

void IbBroker::on(const ExecDetails& m) {
  if (!account_.empty() && !m.account.empty() && m.account != account_) return;
  Tracked* t = find(m.perm_id, m.order_ref, m.order_id, m.client_id);
  if (!t) {
    if (parse_ref(m.order_ref))
      spdlog::warn("IB: execution {} of {} ({} {} {} @ {}) is not one of this run's orders",
                   m.exec_id, m.order_ref, m.side, m.shares.to_string(), m.contract.symbol,
                   m.price.to_string());
    return;
  }
  if (m.perm_id && !t->perm_id) {
    t->perm_id = m.perm_id;
    by_perm_[m.perm_id] = t->id;
  }
  if (seen_execs_.count(m.exec_id)) return;  // replayed: applied already
  const std::string base = m.exec_id.substr(0, m.exec_id.rfind('.'));
  if (auto b = exec_by_base_.find(base); b != exec_by_base_.end()) {
    const auto& [qty, price] = seen_execs_.at(b->second);
    seen_execs_.emplace(m.exec_id, std::make_pair(m.shares, m.price));
    ++stats_.corrections;
    if (qty == m.shares && price == m.price) {
      spdlog::info("IB: execution correction {} -> {}: same quantity and price", b->second,
                   m.exec_id);
    } else {
      spdlog::error(
          "IB: execution correction {} -> {} changes {} @ {} to {} @ {} for order {}: "
          "reconciliation mismatch, not applied: check the account",
          b->second, m.exec_id, qty.to_string(), price.to_string(), m.shares.to_string(),
          m.price.to_string(), t->id.value());
    }
    return;
  }
  seen_execs_.emplace(m.exec_id, std::make_pair(m.shares, m.price));
  exec_by_base_.emplace(base, m.exec_id);
  if (replaying_ && m.req_id == exec_req_id_) ++stats_.executions_recovered;
  t->acked = true;
  t->written = true;
  Execution e;
  e.order_id = t->id;
  e.broker_order_id = std::to_string(m.perm_id);
  e.exec_id = m.exec_id;
  e.symbol = t->symbol;
  e.side = m.side == "SLD" ? Side::kSell : Side::kBuy;
  e.qty = m.shares;
  e.price = m.price;
  e.time = session_.scheduler().now();
  t->filled += m.shares;
  ++t->held;
  Held h;
  h.exec = e;
  auto exec_id = m.exec_id;
  if (auto c = early_commission_.find(exec_id); c != early_commission_.end()) {
    const Decimal commission = c->second;
    early_commission_.erase(c);
    held_.emplace(exec_id, std::move(h));
    deliver(exec_id, commission);
    return;
  }
  h.timer = session_.scheduler().schedule_after(
      options_.commission_wait, [this, exec_id] { deliver(exec_id, std::nullopt); });
  held_.emplace(exec_id, std::move(h));
}

void IbBroker::on(const CommissionReport& m) {
  if (held_.count(m.exec_id)) {
    deliver(m.exec_id, m.commission);
    return;
  }
  if (seen_execs_.count(m.exec_id)) {
    // Replayed with reqExecutions, or after the wait: the fill stands as applied.
    return;
  }
  early_commission_[m.exec_id] = m.commission;
}

void IbBroker::deliver(const std::string& exec_id, std::optional<Decimal> commission) {
  auto it = held_.find(exec_id);
  if (it == held_.end()) return;
  Execution e = std::move(it->second.exec);
  session_.scheduler().cancel(it->second.timer);
  held_.erase(it);
  if (commission) {
    e.commission = *commission;
  } else {
    spdlog::warn(
        "IB: no commission report for execution {} within {} ms: applied with 0", exec_id,
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.commission_wait).count());
  }
  auto t = orders_.find(e.order_id);
  delivered_.push_back(e);
  if (events_) events_->on_execution(e);
  if (t == orders_.end()) return;
  Tracked& tr = t->second;
  --tr.held;
  if (tr.filled >= tr.place.total_quantity && tr.held == 0) tr.ended = true;
  if (tr.held == 0 && tr.deferred_end && !tr.ended) {
    BrokerOrderUpdate u = *tr.deferred_end;
    tr.deferred_end.reset();
    tr.ended = true;
    if (events_) events_->on_order_update(u);
  }
}

void IbBroker::on(const AccountValue& m) {
  if (!account_.empty() && !m.account_name.empty() && m.account_name != account_) return;
  account_values_[m.currency.empty() ? m.key : m.key + "/" + m.currency] = m.value;
}

void IbBroker::on(const Position& m) {
  if (!account_.empty() && m.account != account_) return;
  auto sym = symbol_of(m.contract);
  if (!sym) {
    if (!m.position.is_zero())
      spdlog::info("IB: position {} {} in {} is not an instrument of this configuration",
                   m.position.to_string(), m.contract.symbol, m.account);
    return;
  }
  BrokerPosition p;
  p.symbol = *sym;
  p.qty = m.position;
  p.avg_cost = m.avg_cost.value_or(Decimal());
  auto& target = sync_ == Sync::kPositions ? positions_next_ : positions_;
  if (p.qty.is_zero())
    target.erase(*sym);
  else
    target[*sym] = p;
}

}  // namespace td::ib
