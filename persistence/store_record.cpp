#include "persistence/store_record.h"

namespace td::persistence {

StoredOrder stored_order(const Order& o) {
  StoredOrder s;
  s.id = o.id();
  s.request = o.request();
  s.status = o.status();
  s.filled_qty = o.filled_qty();
  s.avg_fill_price = o.avg_fill_price();
  s.commission = o.commission();
  s.broker_order_id = o.broker_order_id();
  s.reject_reason = o.reject_reason();
  s.created_at = o.created_at();
  s.updated_at = o.updated_at();
  return s;
}

StoredPosition stored_position(const Position& p) {
  return StoredPosition{p.symbol(),       p.qty(),         p.cost_basis(),
                        p.realized_pnl(), p.commissions(), p.opened_at()};
}

namespace {

struct Converter {
  const Engine* engine;
  StoreRecord& r;

  void operator()(const OrderEvent& e) {
    r.event = EventRow{"order", e.order->id(), {}};
    if (e.created)
      r.body = OrderInsert{stored_order(*e.order)};
    else
      r.body = OrderUpdate{stored_order(*e.order), e.previous};
  }
  void operator()(const FillEvent& e) {
    r.event = EventRow{"fill", e.fill->order_id, {}};
    FillRecord f{*e.fill, e.realized, stored_order(*e.order), std::nullopt, {}};
    if (engine) {
      const Symbol& s = e.fill->symbol;
      if (const auto* h = engine->portfolio().holding(s)) f.position = stored_position(h->position);
      for (const auto& info : engine->strategies()) {
        const auto* book = engine->strategy_book(info.name);
        if (!book) continue;
        if (auto it = book->find(s); it != book->end())
          f.strategy_positions.emplace_back(info.name, stored_position(it->second));
      }
    }
    r.body = std::move(f);
  }
  void operator()(const OrderDeniedEvent& e) {
    r.event = EventRow{"order_denied", e.order->id(), e.check + ": " + e.message};
  }
  void operator()(const TransitionRefusedEvent& e) {
    r.event = EventRow{"transition_refused", e.order_id, e.detail};
  }
  void operator()(const BrokerConnectionEvent& e) {
    r.event = EventRow{"broker_connection", std::nullopt,
                       (e.connected ? "connected: " : "disconnected: ") + e.detail};
  }
  void operator()(const StrategyEvent& e) {
    r.event = EventRow{"strategy", std::nullopt, e.name + " " + e.what};
  }
  void operator()(const RiskEvent& e) {
    const auto& d = e.data;
    std::string detail = d.kind + " " + d.name + " by " + d.actor;
    if (!d.reason.empty()) detail += ": " + d.reason;
    for (const auto& [k, v] : d.figures) detail += " " + k + "=" + v;
    r.event = EventRow{"risk", std::nullopt, std::move(detail)};
  }
};

}  // namespace

StoreRecord make_record(const Event& e, const Engine* engine) {
  StoreRecord r;
  r.seq = e.seq;
  r.time = e.time;
  std::visit(Converter{engine, r}, e.data);
  return r;
}

}  // namespace td::persistence
