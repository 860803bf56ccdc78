#include "api/snapshot/publisher.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "api/json/decimal_field.h"
#include "api/json/mapping.h"
#include "api/json/parse.h"
#include "api/snapshot/views.h"

namespace td::api {

using nlohmann::json;

namespace {

json quote_json(const Quote& q) {
  return {{"symbol", q.symbol.str()},
          {"bid", decimal_to_json(q.bid)},
          {"ask", decimal_to_json(q.ask)},
          {"bid_size", decimal_to_json(q.bid_size)},
          {"ask_size", decimal_to_json(q.ask_size)},
          {"last", q.last.is_zero() ? json(nullptr) : decimal_to_json(q.last)},
          {"time", time_to_json(q.time)}};
}

constexpr std::string_view kTopics[] = {"orders", "fills", "positions", "pnl",
                                        "status", "risk",  "events"};

}  // namespace

SnapshotPublisher::SnapshotPublisher(Engine& engine, risk::RiskManager& risk, SnapshotStore& store,
                                     Clock& wall, StaticInfo info, PublisherOptions options)
    : engine_(engine),
      risk_(risk),
      store_(store),
      wall_(wall),
      info_(std::make_shared<const StaticInfo>(std::move(info))),
      options_(std::move(options)) {
  broker_.name = options_.broker_name;
}

void SnapshotPublisher::set_strategy_params(const std::string& name,
                                            std::map<std::string, std::string> params) {
  params_[name] = std::move(params);
  dirty_ = true;
}

void SnapshotPublisher::load_restored() {
  std::vector<const Fill*> fills;
  for (const auto& [id, o] : engine_.orders()) {
    dirty_orders_.insert(id);
    for (const Fill& f : o->fills()) fills.push_back(&f);
  }
  std::sort(fills.begin(), fills.end(), [](const Fill* a, const Fill* b) { return a->id < b->id; });
  for (const Fill* f : fills) fills_.push_back(std::make_shared<const Fill>(*f));
  invalidate();
}

void SnapshotPublisher::invalidate() {
  dirty_ = true;
  account_dirty_ = true;
}

void SnapshotPublisher::note_risk_change() {
  dirty_ = true;
  risk_changed_ = status_changed_ = true;
}

void SnapshotPublisher::on_event(const Event& e) {
  dirty_ = true;
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, OrderEvent>) {
          dirty_orders_.insert(ev.order->id());
          if (ev.created && metrics_) {
            auto [it, fresh] = submitted_by_source_.try_emplace(ev.order->source());
            if (fresh) it->second = metrics_->orders_submitted(ev.order->source());
            it->second.inc();
          }
          if (wanted("orders")) publish_topic("orders", to_json(*ev.order));
        } else if constexpr (std::is_same_v<T, FillEvent>) {
          fills_.push_back(std::make_shared<const Fill>(*ev.fill));
          if (metrics_) metrics_->fills.inc();
          dirty_orders_.insert(ev.fill->order_id);
          account_dirty_ = true;
          if (wanted("fills")) publish_topic("fills", to_json(*ev.fill));
          if (wanted("orders") && ev.order) publish_topic("orders", to_json(*ev.order));
          if (wanted("positions"))
            if (const auto* h = engine_.portfolio().holding(ev.fill->symbol))
              publish_topic("positions", position_to_json(*h));
          pnl_changed_ = true;
        } else if constexpr (std::is_same_v<T, OrderDeniedEvent>) {
          dirty_orders_.insert(ev.order->id());
          if (metrics_) {
            auto [it, fresh] = denials_by_check_.try_emplace(ev.check);
            if (fresh) it->second = metrics_->risk_denials(ev.check);
            it->second.inc();
          }
        } else if constexpr (std::is_same_v<T, BrokerConnectionEvent>) {
          broker_.connected = ev.connected;
          broker_.since = e.time;
          broker_.detail = ev.detail;
          status_changed_ = true;
        } else if constexpr (std::is_same_v<T, StrategyEvent>) {
          status_changed_ = true;
        } else if constexpr (std::is_same_v<T, RiskEvent>) {
          risk_changed_ = status_changed_ = true;
        }
      },
      e.data);
  audit_event(e);
}

namespace {

// What an audit entry of an order keeps: a few strings, no JSON.
struct OrderFacts {
  OrderId id;
  std::string client_order_id, source;
  Symbol symbol;
  Side side;
  Decimal qty;
  OrderStatus status, previous;
  bool created;
  std::optional<std::string> reason;

  explicit OrderFacts(const Order& o, OrderStatus prev = OrderStatus::kQueued, bool c = true)
      : id(o.id()),
        client_order_id(o.client_order_id()),
        source(o.source()),
        symbol(o.symbol()),
        side(o.side()),
        qty(o.qty()),
        status(o.status()),
        previous(prev),
        created(c),
        reason(o.reject_reason()) {}
  json to_json() const {
    json d = {{"order_id", id.to_string()},
              {"client_order_id", client_order_id},
              {"symbol", symbol.str()},
              {"side", td::to_string(side)},
              {"qty", decimal_to_json(qty)},
              {"status", td::to_string(status)},
              {"source", source}};
    if (!created) d["previous"] = td::to_string(previous);
    if (reason) d["reason"] = *reason;
    return d;
  }
};

}  // namespace

void SnapshotPublisher::audit_event(const Event& e) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, OrderEvent>) {
          const Order& o = *ev.order;
          std::string type =
              ev.created ? "order.created" : "order." + std::string(to_string(o.status()));
          audit_lazy(std::move(type), o.source(),
                     [f = OrderFacts(o, ev.previous, ev.created)] { return f.to_json(); });
        } else if constexpr (std::is_same_v<T, FillEvent>) {
          audit_lazy("fill", ev.fill->source,
                     [f = *ev.fill, pos = ev.position_qty, realized = ev.realized] {
                       json d = to_json(f);
                       d["position_qty"] = decimal_to_json(pos);
                       d["realized"] = decimal_to_json(realized);
                       return d;
                     });
        } else if constexpr (std::is_same_v<T, OrderDeniedEvent>) {
          audit_lazy("order.denied", ev.order->source(),
                     [f = OrderFacts(*ev.order), check = ev.check, message = ev.message] {
                       json d = f.to_json();
                       d["check"] = check;
                       d["message"] = message;
                       return d;
                     });
        } else if constexpr (std::is_same_v<T, TransitionRefusedEvent>) {
          audit("order.transition_refused", "engine",
                {{"order_id", ev.order_id.to_string()}, {"detail", ev.detail}});
        } else if constexpr (std::is_same_v<T, BrokerConnectionEvent>) {
          audit(ev.connected ? "broker.connected" : "broker.disconnected", "broker",
                {{"detail", text_or_null(ev.detail)}});
        } else if constexpr (std::is_same_v<T, StrategyEvent>) {
          audit("strategy." + ev.what.substr(0, ev.what.find(':')), "strategy:" + ev.name,
                {{"name", ev.name}, {"what", ev.what}});
        } else if constexpr (std::is_same_v<T, RiskEvent>) {
          json figures = json::object();
          for (const auto& [k, v] : ev.data.figures) figures[k] = v;
          audit("risk." + ev.data.kind, ev.data.actor,
                {{"name", text_or_null(ev.data.name)},
                 {"reason", text_or_null(ev.data.reason)},
                 {"figures", std::move(figures)}});
        }
      },
      e.data);
}

void SnapshotPublisher::audit(std::string type, std::string actor, json data) {
  if (audit_store_) audit_store_(type, actor, data);
  audit_lazy(std::move(type), std::move(actor),
             [d = std::make_shared<const json>(std::move(data))] { return *d; });
}

void SnapshotPublisher::audit_lazy(std::string type, std::string actor,
                                   std::function<json()> data) {
  auto entry = std::make_shared<AuditEvent>();
  entry->seq = events_.size() + 1;
  entry->time = engine_.now();
  entry->type = std::move(type);
  entry->actor = std::move(actor);
  entry->data = std::move(data);
  if (wanted("events") && sink_)
    sink_->publish("events", std::make_shared<const std::string>(entry->json()));
  events_.push_back(std::move(entry));
  dirty_ = true;
}

void SnapshotPublisher::on_quote(const Quote& q) {
  dirty_ = true;
  account_dirty_ = true;
  marks_moved_ = true;
  marked_symbols_.insert(q.symbol);
  quotes_[q.symbol] = q;
  if (!wanted_.empty()) {
    const std::string topic = "quotes:" + q.symbol.str();
    if (wanted(topic)) publish_topic(topic, quote_json(q));
  }
  sample_pnl(q.time);
}

void SnapshotPublisher::on_bar(const Bar& b) {
  dirty_ = true;
  account_dirty_ = true;
  marks_moved_ = true;
  marked_symbols_.insert(b.symbol);
  sample_pnl(b.close_time());
}

void SnapshotPublisher::sample_pnl(Timestamp t) {
  if (t < next_pnl_point_) return;
  const Portfolio& p = engine_.portfolio();
  auto point = std::make_shared<PnlPoint>();
  point->time = t;
  point->equity = p.equity();
  point->realized = p.realized();
  point->unrealized = p.unrealized();
  pnl_points_.push_back(std::move(point));
  const Duration step = options_.pnl_point_interval;
  next_pnl_point_ = t - (t.time_since_epoch() % step) + step;
}

void SnapshotPublisher::publish_topic(std::string_view topic, const json& data) {
  if (!sink_) return;
  sink_->publish(topic, std::make_shared<const std::string>(dump_json(data)));
}

void SnapshotPublisher::flush() {
  const Timestamp wall_now = wall_.now();
  const bool marks_due = marks_moved_ && wall_now - last_mark_update_ >= options_.mark_interval;
  if (!dirty_ && !marks_due) return;
  if (dirty_) rebuild();
  auto snap = store_.load();
  if (marks_due) {
    if (wanted("positions") && snap->portfolio)
      for (const Symbol& s : marked_symbols_)
        if (const auto* h = snap->portfolio->holding(s); h && !h->position.flat())
          publish_topic("positions", position_to_json(*h));
    pnl_changed_ = true;
    marked_symbols_.clear();
    marks_moved_ = false;
    last_mark_update_ = wall_now;
  }
  if (pnl_changed_ && wanted("pnl")) publish_topic("pnl", pnl_json(*snap));
  if (status_changed_ && wanted("status")) publish_topic("status", status_json(*snap, wall_now));
  if (risk_changed_ && wanted("risk")) publish_topic("risk", risk_json(*snap));
  pnl_changed_ = status_changed_ = risk_changed_ = false;
}

void SnapshotPublisher::rebuild() {
  for (OrderId id : dirty_orders_)
    if (const Order* o = engine_.order(id))
      orders_.set(static_cast<size_t>(id.value() - 1), std::make_shared<const Order>(*o));
  dirty_orders_.clear();

  auto prev = store_.load();
  auto s = std::make_shared<Snapshot>();
  s->version = ++version_;
  s->as_of = engine_.now();
  s->info = info_;
  s->orders = orders_.freeze();
  s->open_orders.assign(engine_.open_order_ids().begin(), engine_.open_order_ids().end());
  s->fills = fills_.freeze();
  s->events = events_.freeze();
  s->pnl_points = pnl_points_.freeze();
  if (account_dirty_ || !prev->portfolio) {
    s->portfolio = std::make_shared<const Portfolio>(engine_.portfolio());
    account_dirty_ = false;
  } else {
    s->portfolio = prev->portfolio;
  }
  for (const auto& [id, reason] : engine_.queue()) {
    const Order* o = engine_.order(id);
    if (o && o->status() == OrderStatus::kQueued)
      s->queue.push_back({id, std::string(to_string(reason))});
  }
  s->routing_paused = engine_.routing_paused();
  s->trading = risk_.trading_state();
  s->kill_switch = risk_.kill_switch();
  s->limits = std::make_shared<const risk::RiskLimits>(risk_.limits());
  s->breakers = risk_.breakers();
  s->working_orders = engine_.working_orders();
  for (const auto& st : engine_.strategies()) {
    StrategySnapshot ss;
    ss.name = st.name;
    ss.type = st.type;
    ss.enabled = st.enabled;
    ss.warm = st.warm;
    ss.symbols = st.symbols;
    if (auto it = params_.find(st.name); it != params_.end()) ss.params = it->second;
    if (const auto* book = engine_.strategy_book(st.name)) ss.positions = *book;
    s->strategies.push_back(std::move(ss));
  }
  s->broker = broker_;
  s->broker.connected = engine_.broker_connected();
  if (store_source_) s->store = store_source_();
  s->reconciling = engine_.reconciling();
  store_.publish(std::move(s));
  dirty_ = false;
}

bool SnapshotPublisher::valid_topic(std::string_view topic) const {
  for (auto t : kTopics)
    if (topic == t) return true;
  if (topic.starts_with("quotes:")) {
    const std::string_view sym = topic.substr(7);
    for (const Symbol& s : info_->symbols)
      if (s.str() == sym) return true;
  }
  return false;
}

json SnapshotPublisher::topic_snapshot(const std::string& topic, const Snapshot& s) const {
  if (topic == "orders") return open_orders_json(s);
  if (topic == "fills") return recent_fills_json(s, 100);
  if (topic == "positions") return positions_json(s);
  if (topic == "pnl") return pnl_json(s);
  if (topic == "status") return status_json(s, wall_.now());
  if (topic == "risk") return risk_json(s);
  if (topic == "events") {
    json list = json::array();
    for (size_t i = s.events.size(); i > 0 && list.size() < 100; --i)
      if (const AuditEvent* ev = s.events.at(i - 1)) list.push_back(json::parse(ev->json()));
    return {{"events", std::move(list)}};
  }
  if (topic.starts_with("quotes:")) {
    auto it = quotes_.find(Symbol(topic.substr(7)));
    return it == quotes_.end() ? json(nullptr) : quote_json(it->second);
  }
  return nullptr;
}

void SnapshotPublisher::request_snapshots(uint64_t subscriber, std::vector<std::string> topics) {
  auto work = [this, subscriber, topics = std::move(topics)] {
    for (const auto& t : topics) wanted_.insert(t);
    flush();  // pending updates go out before the snapshot they are part of
    if (dirty_) rebuild();
    auto snap = store_.load();
    if (!sink_) return;
    for (const auto& t : topics)
      sink_->snapshot(subscriber, t,
                      std::make_shared<const std::string>(dump_json(topic_snapshot(t, *snap))));
  };
  if (post_)
    post_(std::move(work));
  else
    work();
}

}  // namespace td::api
