#include "persistence/store_statements.h"

#include <fmt/format.h>

#include <unordered_map>

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

// Arrays in, one row per element: unnest keeps the elements' order and
// WITH ORDINALITY numbers them. The insert reports per order whether it
// inserted, and (from the snapshot before the statement) which order already
// owned the client_order_id and which client_order_id the id already had: a
// batch sent again finds itself, a duplicate finds another.
constexpr Prepared kStatements[] = {
    {kEvent, R"sql(
INSERT INTO events (seq, time_ns, kind, order_id, detail)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])
ON CONFLICT (seq) DO NOTHING)sql"},
    {kOrderInsert, R"sql(
WITH input AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::numeric[], $8::numeric[], $9::numeric[], $10::boolean[],
                       $11::boolean[], $12::bigint[], $13::text[], $14::text[], $15::numeric[],
                       $16::numeric[], $17::numeric[], $18::text[], $19::text[], $20::bigint[],
                       $21::bigint[])
    WITH ORDINALITY AS t(id, client_order_id, symbol, side, type, tif, qty, limit_price,
                         stop_price, outside_rth, reduce_only, submit_at_ns, source, status,
                         filled_qty, avg_fill_price, commission, broker_order_id, reject_reason,
                         created_at_ns, updated_at_ns, n)),
ins AS (
  INSERT INTO orders (id, client_order_id, symbol, side, type, tif, qty, limit_price, stop_price,
                      outside_rth, reduce_only, submit_at_ns, source, status, filled_qty,
                      avg_fill_price, commission, broker_order_id, reject_reason, created_at_ns,
                      updated_at_ns)
  SELECT id, client_order_id, symbol, side, type, tif, qty, limit_price, stop_price, outside_rth,
         reduce_only, submit_at_ns, source, status, filled_qty, avg_fill_price, commission,
         broker_order_id, reject_reason, created_at_ns, updated_at_ns
  FROM input ORDER BY n
  ON CONFLICT DO NOTHING
  RETURNING id)
SELECT i.id, ins.id IS NOT NULL,
       (SELECT o.id FROM orders o WHERE o.client_order_id = i.client_order_id),
       (SELECT o.client_order_id FROM orders o WHERE o.id = i.id)
FROM input i LEFT JOIN ins ON ins.id = i.id
ORDER BY i.n)sql"},
    {kOrderUpdate, R"sql(
UPDATE orders o SET qty = u.qty, limit_price = u.limit_price, stop_price = u.stop_price,
                    status = u.status, filled_qty = u.filled_qty,
                    avg_fill_price = u.avg_fill_price, commission = u.commission,
                    broker_order_id = u.broker_order_id, reject_reason = u.reject_reason,
                    updated_at_ns = u.updated_at_ns
FROM unnest($1::bigint[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::text[],
            $7::numeric[], $8::numeric[], $9::numeric[], $10::text[], $11::text[], $12::bigint[])
  AS u(id, client_order_id, qty, limit_price, stop_price, status, filled_qty, avg_fill_price,
       commission, broker_order_id, reject_reason, updated_at_ns)
WHERE o.id = u.id AND o.client_order_id = u.client_order_id)sql"},
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

// One array parameter per column: the text form of a PostgreSQL array,
// every element quoted (it parses as any element type), NULL unquoted.
class Columns {
 public:
  explicit Columns(size_t n) : cols_(n, "{") {}
  void add_row(const PgParams& row) {
    for (size_t i = 0; i < cols_.size(); ++i) {
      std::string& c = cols_[i];
      if (rows_) c += ',';
      if (!row[i]) {
        c += "NULL";
        continue;
      }
      c += '"';
      for (char ch : *row[i]) {
        if (ch == '"' || ch == '\\') c += '\\';
        c += ch;
      }
      c += '"';
    }
    ++rows_;
  }
  size_t rows() const { return rows_; }
  PgParams finish() {
    PgParams out;
    for (auto& c : cols_) out.emplace_back(std::move(c) + "}");
    return out;
  }

 private:
  std::vector<std::string> cols_;
  size_t rows_ = 0;
};

PgParams insert_row(const StoredOrder& o) {
  const OrderRequest& q = o.request;
  return {id(o.id.value()),
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
          ns(o.updated_at)};
}

PgParams update_row(const StoredOrder& o) {
  const OrderRequest& q = o.request;
  return {id(o.id.value()),       q.client_order_id,     num(q.qty),
          opt_num(q.limit_price), opt_num(q.stop_price), std::string(to_string(o.status)),
          num(o.filled_qty),      num(o.avg_fill_price), num(o.commission),
          o.broker_order_id,      o.reject_reason,       ns(o.updated_at)};
}

class Builder {
 public:
  explicit Builder(BatchStatements& out) : out_(out) {}

  void events(std::span<const StoreRecord> records) {
    Columns c(5);
    for (const StoreRecord& r : records) {
      if (!r.event) continue;
      const EventRow& e = *r.event;
      c.add_row({id(r.seq), ns(r.time), e.kind,
                 e.order_id ? std::optional(id(e.order_id->value())) : std::nullopt,
                 event_detail(r)});
    }
    if (c.rows()) add(kEvent, c.finish());
  }
  // Order inserts and updates join the current run of their kind; anything
  // else ends the run first.
  void body(const StoreRecord& r) {
    if (const auto* i = std::get_if<OrderInsert>(&r.body)) {
      if (run_ != Run::kInsert) flush();
      run_ = Run::kInsert;
      rows_.push_back(insert_row(i->order));
      return;
    }
    if (const auto* u = std::get_if<OrderUpdate>(&r.body)) {
      if (run_ != Run::kUpdate) flush();
      run_ = Run::kUpdate;
      keep_last_update(u->order);
      return;
    }
    flush();
    std::visit(*this, r.body);
  }
  void flush() {
    if (run_ == Run::kNone || rows_.empty()) {
      run_ = Run::kNone;
      return;
    }
    Columns c(rows_.front().size());
    for (const auto& row : rows_) c.add_row(row);
    if (run_ == Run::kInsert) out_.order_inserts.push_back(out_.statements.size());
    add(run_ == Run::kInsert ? kOrderInsert : kOrderUpdate, c.finish());
    rows_.clear();
    update_index_.clear();
    run_ = Run::kNone;
  }

  void operator()(std::monostate) {}
  void operator()(const OrderInsert&) {}
  void operator()(const OrderUpdate&) {}
  void operator()(const FillRecord& f) {
    const Fill& x = f.fill;
    add(kFill,
        {id(x.id.value()), id(x.order_id.value()), x.symbol.str(), std::string(to_string(x.side)),
         num(x.qty), num(x.price), num(x.commission), num(f.realized), ns(x.time),
         x.broker_exec_id.empty() ? std::nullopt : std::optional(x.broker_exec_id), x.source});
    Columns c(12);
    c.add_row(update_row(f.order));
    add(kOrderUpdate, c.finish());
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

 private:
  enum class Run { kNone, kInsert, kUpdate };

  void add(const char* name, PgParams params) {
    out_.statements.push_back(PgStatement{name, std::move(params)});
  }
  // An update carries the order's whole mutable state: a later one in the
  // same run replaces an earlier one (one UPDATE may change a row once).
  void keep_last_update(const StoredOrder& o) {
    auto [it, fresh] = update_index_.try_emplace(o.id.value(), rows_.size());
    if (fresh)
      rows_.push_back(update_row(o));
    else
      rows_[it->second] = update_row(o);
  }

  BatchStatements& out_;
  Run run_ = Run::kNone;
  std::vector<PgParams> rows_;
  std::unordered_map<uint64_t, size_t> update_index_;
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

BatchStatements build_statements(std::span<const StoreRecord> records) {
  BatchStatements out;
  Builder b(out);
  b.events(records);
  for (const StoreRecord& r : records) b.body(r);
  b.flush();
  return out;
}

std::vector<std::pair<OrderId, OrderId>> duplicates_in(const PgResult& res) {
  std::vector<std::pair<OrderId, OrderId>> out;
  for (int i = 0; i < res.rows(); ++i) {
    const OrderId oid(std::stoull(std::string(res.get(i, 0))));
    if (res.get(i, 1) == "t") continue;  // inserted now
    if (!res.is_null(i, 2)) {
      const OrderId owner(std::stoull(std::string(res.get(i, 2))));
      if (owner != oid) out.emplace_back(oid, owner);  // else: there already, a batch sent again
      continue;
    }
    out.emplace_back(oid, oid);  // the id is another client_order_id's
  }
  return out;
}

}  // namespace td::persistence
