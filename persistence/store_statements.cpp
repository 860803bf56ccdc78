#include "persistence/store_statements.h"

#include <fmt/format.h>

namespace td::persistence {
namespace {

constexpr const char* kEvent = "td_event";
constexpr const char* kOrderInsert = "td_order_insert";
constexpr const char* kOrderUpdate = "td_order_update";
constexpr const char* kFill = "td_fill";
constexpr const char* kPosition = "td_position";
constexpr const char* kStrategyPosition = "td_strategy_position";
constexpr const char* kKv = "td_kv";
constexpr const char* kAudit = "td_audit";
constexpr const char* kEquity = "td_equity";
constexpr const char* kDailyPnl = "td_daily_pnl";

struct Prepared {
  const char* name;
  std::string_view sql;
};

// The insert reports whether it inserted, and (from the snapshot before it)
// which order already owned the client_order_id and which client_order_id
// the id already had: a replay finds itself, a duplicate finds another.
constexpr Prepared kStatements[] = {
    {kEvent,
     "INSERT INTO events (seq, time_ns, kind, order_id, detail) VALUES ($1, $2, $3, $4, $5) "
     "ON CONFLICT (seq) DO NOTHING"},
    {kOrderInsert, R"sql(
WITH ins AS (
  INSERT INTO orders (id, client_order_id, symbol, side, type, tif, qty, limit_price, stop_price,
                      outside_rth, reduce_only, submit_at_ns, source, status, filled_qty,
                      avg_fill_price, commission, broker_order_id, reject_reason, created_at_ns,
                      updated_at_ns)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
          $20, $21)
  ON CONFLICT DO NOTHING
  RETURNING id)
SELECT (SELECT id FROM ins),
       (SELECT id FROM orders WHERE client_order_id = $2),
       (SELECT client_order_id FROM orders WHERE id = $1))sql"},
    {kOrderUpdate, R"sql(
UPDATE orders SET qty = $3, limit_price = $4, stop_price = $5, status = $6, filled_qty = $7,
                  avg_fill_price = $8, commission = $9, broker_order_id = $10,
                  reject_reason = $11, updated_at_ns = $12
WHERE id = $1 AND client_order_id = $2)sql"},
    {kFill, R"sql(
INSERT INTO fills (id, order_id, symbol, side, qty, price, commission, realized, time_ns,
                   broker_exec_id, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT DO NOTHING)sql"},
    {kPosition, R"sql(
INSERT INTO positions (symbol, qty, cost_basis, realized, commissions, opened_at_ns)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (symbol) DO UPDATE SET qty = EXCLUDED.qty, cost_basis = EXCLUDED.cost_basis,
  realized = EXCLUDED.realized, commissions = EXCLUDED.commissions,
  opened_at_ns = EXCLUDED.opened_at_ns)sql"},
    {kStrategyPosition, R"sql(
INSERT INTO strategy_positions (strategy, symbol, qty, cost_basis, realized, commissions,
                                opened_at_ns)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (strategy, symbol) DO UPDATE SET qty = EXCLUDED.qty,
  cost_basis = EXCLUDED.cost_basis, realized = EXCLUDED.realized,
  commissions = EXCLUDED.commissions, opened_at_ns = EXCLUDED.opened_at_ns)sql"},
    {kKv,
     "INSERT INTO kv (key, value) VALUES ($1, $2) "
     "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"},
    {kAudit,
     "INSERT INTO api_audit (id, time_ns, actor, action, detail, status) "
     "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"},
    {kEquity, R"sql(
INSERT INTO equity_snapshots (time_ns, equity, cash, realized, unrealized, commissions)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (time_ns) DO UPDATE SET equity = EXCLUDED.equity, cash = EXCLUDED.cash,
  realized = EXCLUDED.realized, unrealized = EXCLUDED.unrealized,
  commissions = EXCLUDED.commissions)sql"},
    {kDailyPnl, R"sql(
INSERT INTO daily_pnl (session_start_ns, realized, commissions, equity_close)
VALUES ($1, $2, $3, $4)
ON CONFLICT (session_start_ns) DO UPDATE SET realized = EXCLUDED.realized,
  commissions = EXCLUDED.commissions, equity_close = EXCLUDED.equity_close)sql"},
};

std::string num(Decimal d) {
  return d.to_string();
}
std::string ns(Timestamp t) {
  return std::to_string(to_unix_nanos(t));
}
std::string id(uint64_t v) {
  return std::to_string(v);
}
std::optional<std::string> opt_num(const std::optional<Decimal>& d) {
  if (!d) return std::nullopt;
  return d->to_string();
}
std::string flag(bool b) {
  return b ? "t" : "f";
}

PgParams position_params(const StoredPosition& p) {
  return {p.symbol.str(),  num(p.qty),         num(p.cost_basis),
          num(p.realized), num(p.commissions), ns(p.opened_at)};
}

struct Appender {
  BatchStatements& out;

  void add(const char* name, PgParams params) {
    out.statements.push_back(PgStatement{name, std::move(params)});
  }
  void operator()(std::monostate) {}
  void operator()(const OrderInsert& i) {
    const StoredOrder& o = i.order;
    const OrderRequest& q = o.request;
    out.order_inserts.emplace_back(out.statements.size(), o.id);
    add(kOrderInsert, {id(o.id.value()),
                       q.client_order_id,
                       q.symbol.str(),
                       std::string(to_string(q.side)),
                       std::string(to_string(q.type)),
                       std::string(to_string(q.tif)),
                       num(q.qty),
                       opt_num(q.limit_price),
                       opt_num(q.stop_price),
                       flag(q.outside_rth),
                       flag(q.reduce_only),
                       q.submit_at ? std::optional(ns(*q.submit_at)) : std::nullopt,
                       q.source,
                       std::string(to_string(o.status)),
                       num(o.filled_qty),
                       num(o.avg_fill_price),
                       num(o.commission),
                       o.broker_order_id,
                       o.reject_reason,
                       ns(o.created_at),
                       ns(o.updated_at)});
  }
  void update(const StoredOrder& o) {
    const OrderRequest& q = o.request;
    add(kOrderUpdate, {id(o.id.value()), q.client_order_id, num(q.qty), opt_num(q.limit_price),
                       opt_num(q.stop_price), std::string(to_string(o.status)), num(o.filled_qty),
                       num(o.avg_fill_price), num(o.commission), o.broker_order_id, o.reject_reason,
                       ns(o.updated_at)});
  }
  void operator()(const OrderUpdate& u) { update(u.order); }
  void operator()(const FillRecord& f) {
    const Fill& x = f.fill;
    add(kFill,
        {id(x.id.value()), id(x.order_id.value()), x.symbol.str(), std::string(to_string(x.side)),
         num(x.qty), num(x.price), num(x.commission), num(f.realized), ns(x.time),
         x.broker_exec_id.empty() ? std::nullopt : std::optional(x.broker_exec_id), x.source});
    update(f.order);
    if (f.position) add(kPosition, position_params(*f.position));
    for (const auto& [strategy, p] : f.strategy_positions) {
      PgParams params = position_params(p);
      params.insert(params.begin(), strategy);
      add(kStrategyPosition, std::move(params));
    }
  }
  void operator()(const KvRecord& k) { add(kKv, {k.key, k.value}); }
  void operator()(const AuditRecord& a) {
    add(kAudit, {id(a.id), ns(a.time), a.actor, a.action, a.detail, std::to_string(a.status)});
  }
  void operator()(const EquityRecord& e) {
    add(kEquity, {ns(e.time), num(e.equity), num(e.cash), num(e.realized), num(e.unrealized),
                  num(e.commissions)});
  }
  void operator()(const DailyPnlRecord& d) {
    add(kDailyPnl, {ns(d.session_start), num(d.realized), num(d.commissions), num(d.equity_close)});
  }
};

}  // namespace

Status prepare_store_statements(PgConn& conn) {
  for (const auto& p : kStatements)
    if (auto s = conn.prepare(p.name, p.sql); !s) return s;
  return {};
}

std::string event_detail(const StoreRecord& r) {
  if (const auto* i = std::get_if<OrderInsert>(&r.body)) {
    const OrderRequest& q = i->order.request;
    std::string s =
        fmt::format("new {} {} {} {}", to_string(q.side), q.qty, q.symbol, to_string(q.type));
    if (q.limit_price) s += fmt::format(" limit {}", *q.limit_price);
    if (q.stop_price) s += fmt::format(" stop {}", *q.stop_price);
    return s + fmt::format(" {} ({}, {})", to_string(q.tif), q.client_order_id, q.source);
  }
  if (const auto* u = std::get_if<OrderUpdate>(&r.body)) {
    std::string s = fmt::format("{} -> {}", to_string(u->previous), to_string(u->order.status));
    if (u->previous == u->order.status) s = fmt::format("modified: qty {}", u->order.request.qty);
    if (u->order.reject_reason && u->order.status == OrderStatus::kRejected)
      s += ": " + *u->order.reject_reason;
    return s;
  }
  if (const auto* f = std::get_if<FillRecord>(&r.body))
    return fmt::format("filled {} {} {} @ {}", to_string(f->fill.side), f->fill.qty, f->fill.symbol,
                       f->fill.price);
  return r.event ? r.event->detail : std::string();
}

void append_statements(const StoreRecord& r, BatchStatements& out) {
  if (r.event) {
    const EventRow& e = *r.event;
    out.statements.push_back(PgStatement{
        kEvent,
        {id(r.seq), ns(r.time), e.kind,
         e.order_id ? std::optional(id(e.order_id->value())) : std::nullopt, event_detail(r)}});
  }
  std::visit(Appender{out}, r.body);
}

std::optional<OrderId> duplicate_of(OrderId oid, const PgResult& res) {
  if (res.rows() != 1 || res.cols() != 3) return oid;  // not the insert's answer: refuse
  if (!res.is_null(0, 0)) return std::nullopt;         // inserted now
  if (!res.is_null(0, 1)) {
    const uint64_t owner = std::stoull(std::string(res.get(0, 1)));
    if (owner == oid.value()) return std::nullopt;  // already there: a batch sent again
    return OrderId(owner);
  }
  return oid;  // the id is another client_order_id's
}

}  // namespace td::persistence
