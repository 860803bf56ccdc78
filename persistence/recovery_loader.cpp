#include "persistence/recovery_loader.h"

#include <fmt/format.h>

#include <charconv>

#include "persistence/schema.h"

namespace td::persistence {
namespace {

// Reads one row's columns, remembering the first value that does not parse
// (with table, row id and column), so a loader reads on and reports once.
class RowReader {
 public:
  RowReader(const PgResult& res, int row, std::string_view table, std::optional<Error>& err)
      : res_(res), row_(row), table_(table), err_(err) {}

  std::string text(int col) const { return std::string(res_.get(row_, col)); }
  bool null(int col) const { return res_.is_null(row_, col); }

  int64_t i64(int col, const char* name) {
    const auto v = res_.get(row_, col);
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (null(col) || ec != std::errc() || p != v.data() + v.size()) fail(name, v);
    return out;
  }
  Timestamp time(int col, const char* name) { return Timestamp(Duration(i64(col, name))); }
  Decimal dec(int col, const char* name) {
    auto d = Decimal::parse(res_.get(row_, col));
    if (null(col) || !d) return fail(name, res_.get(row_, col)), Decimal();
    return *d;
  }
  std::optional<Decimal> opt_dec(int col, const char* name) {
    if (null(col)) return std::nullopt;
    return dec(col, name);
  }
  bool flag(int col, const char* name) {
    const auto v = res_.get(row_, col);
    if (v != "t" && v != "f") fail(name, v);
    return v == "t";
  }
  template <class T>
  T parsed(int col, const char* name, std::optional<T> (*parse)(std::string_view)) {
    auto v = parse(res_.get(row_, col));
    if (null(col) || !v) return fail(name, res_.get(row_, col)), T{};
    return *v;
  }

  void fail(const char* column, std::string_view value) {
    if (err_) return;
    err_ = Error{ErrorCode::kInternal,
                 fmt::format("recovery: {} row {}: column {} has '{}', which does not parse",
                             table_, res_.get(row_, 0), column, value)};
  }

 private:
  const PgResult& res_;
  int row_;
  std::string_view table_;
  std::optional<Error>& err_;
};

constexpr std::string_view kOrderColumns =
    "id, client_order_id, symbol, side, type, tif, qty, limit_price, stop_price, outside_rth, "
    "reduce_only, submit_at_ns, source, status, filled_qty, avg_fill_price, commission, "
    "broker_order_id, reject_reason, created_at_ns, updated_at_ns";

StoredOrder read_order(RowReader& r) {
  StoredOrder o;
  o.id = OrderId(static_cast<uint64_t>(r.i64(0, "id")));
  OrderRequest& q = o.request;
  q.client_order_id = r.text(1);
  q.symbol = Symbol(r.text(2));
  q.side = r.parsed<Side>(3, "side", parse_side);
  q.type = r.parsed<OrderType>(4, "type", parse_order_type);
  q.tif = r.parsed<TimeInForce>(5, "tif", parse_tif);
  q.qty = r.dec(6, "qty");
  q.limit_price = r.opt_dec(7, "limit_price");
  q.stop_price = r.opt_dec(8, "stop_price");
  q.outside_rth = r.flag(9, "outside_rth");
  q.reduce_only = r.flag(10, "reduce_only");
  if (!r.null(11)) q.submit_at = r.time(11, "submit_at_ns");
  q.source = r.text(12);
  o.status = r.parsed<OrderStatus>(13, "status", parse_order_status);
  o.filled_qty = r.dec(14, "filled_qty");
  o.avg_fill_price = r.dec(15, "avg_fill_price");
  o.commission = r.dec(16, "commission");
  o.broker_order_id = r.text(17);
  if (!r.null(18)) o.reject_reason = r.text(18);
  o.created_at = r.time(19, "created_at_ns");
  o.updated_at = r.time(20, "updated_at_ns");
  return o;
}

constexpr std::string_view kFillColumns =
    "id, order_id, symbol, side, qty, price, commission, time_ns, broker_exec_id, source";

Fill read_fill(RowReader& r) {
  Fill f;
  f.id = FillId(static_cast<uint64_t>(r.i64(0, "id")));
  f.order_id = OrderId(static_cast<uint64_t>(r.i64(1, "order_id")));
  f.symbol = Symbol(r.text(2));
  f.side = r.parsed<Side>(3, "side", parse_side);
  f.qty = r.dec(4, "qty");
  f.price = r.dec(5, "price");
  f.commission = r.dec(6, "commission");
  f.time = r.time(7, "time_ns");
  if (!r.null(8)) f.broker_exec_id = r.text(8);
  f.source = r.text(9);
  return f;
}

// Columns from `first`: symbol, qty, cost_basis, realized, commissions, opened_at_ns.
StoredPosition read_position(RowReader& r, int first) {
  StoredPosition p;
  p.symbol = Symbol(r.text(first));
  p.qty = r.dec(first + 1, "qty");
  p.cost_basis = r.dec(first + 2, "cost_basis");
  p.realized = r.dec(first + 3, "realized");
  p.commissions = r.dec(first + 4, "commissions");
  p.opened_at = r.time(first + 5, "opened_at_ns");
  return p;
}

// Ends the read-only snapshot however the loader leaves.
class ReadTransaction {
 public:
  explicit ReadTransaction(PgConn& conn) : conn_(conn) {}
  Status begin() {
    if (auto s = conn_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s;
    open_ = true;
    return {};
  }
  ~ReadTransaction() {
    if (open_ && conn_.ok()) (void)conn_.exec("ROLLBACK");
  }

 private:
  PgConn& conn_;
  bool open_ = false;
};

}  // namespace

Result<RecoveredState> load_state(PgConn& conn, const LoadOptions& options) {
  ReadTransaction txn(conn);
  if (auto s = txn.begin(); !s) return tl::unexpected(s.error());
  RecoveredState out;
  std::optional<Error> err;
  const std::string recent_since = std::to_string(to_unix_nanos(options.now - options.recent));
  const std::string session = std::to_string(to_unix_nanos(options.session_start));

  auto totals = conn.query(
      "SELECT (SELECT coalesce(max(id), 0) FROM orders), (SELECT coalesce(max(id), 0) FROM fills),"
      " (SELECT coalesce(max(seq), 0) FROM events), (SELECT coalesce(max(time_ns), 0) FROM fills),"
      " realized, commissions, session_realized, session_commissions FROM"
      " (SELECT coalesce(sum(realized), 0) AS realized, coalesce(sum(commission), 0) AS"
      " commissions, coalesce(sum(realized) FILTER (WHERE time_ns >= $1), 0) AS session_realized,"
      " coalesce(sum(commission) FILTER (WHERE time_ns >= $1), 0) AS session_commissions"
      " FROM fills) AS t",
      {session});
  if (!totals) return tl::unexpected(totals.error());
  {
    RowReader r(*totals, 0, "totals", err);
    out.next_order_id = static_cast<uint64_t>(r.i64(0, "max(orders.id)")) + 1;
    out.next_fill_id = static_cast<uint64_t>(r.i64(1, "max(fills.id)")) + 1;
    out.next_event_seq = static_cast<uint64_t>(r.i64(2, "max(events.seq)")) + 1;
    out.last_execution = r.time(3, "max(fills.time_ns)");
    out.realized = r.dec(4, "sum(fills.realized)");
    out.commissions = r.dec(5, "sum(fills.commission)");
    out.session_start = options.session_start;
    out.session_realized = r.dec(6, "sum(fills.realized)");
    out.session_commissions = r.dec(7, "sum(fills.commission)");
  }

  // Open orders through the partial index, recently closed ones through the
  // updated_at index; the two sets are disjoint.
  const std::string loaded_orders = fmt::format(
      "SELECT {0} FROM orders WHERE {1} UNION ALL "
      "SELECT {0} FROM orders WHERE updated_at_ns >= $1 AND NOT ({1})",
      "{cols}", kOpenOrderPredicate);
  auto orders = conn.query(
      fmt::format("SELECT * FROM ({}) AS o ORDER BY id",
                  fmt::format(fmt::runtime(loaded_orders), fmt::arg("cols", kOrderColumns))),
      {recent_since});
  if (!orders) return tl::unexpected(orders.error());
  out.orders.reserve(static_cast<size_t>(orders->rows()));
  for (int i = 0; i < orders->rows(); ++i) {
    RowReader r(*orders, i, "orders", err);
    out.orders.push_back(read_order(r));
  }

  auto fills = conn.query(
      fmt::format("SELECT {} FROM fills WHERE order_id IN ({}) ORDER BY id", kFillColumns,
                  fmt::format(fmt::runtime(loaded_orders), fmt::arg("cols", "id"))),
      {recent_since});
  if (!fills) return tl::unexpected(fills.error());
  out.fills.reserve(static_cast<size_t>(fills->rows()));
  for (int i = 0; i < fills->rows(); ++i) {
    RowReader r(*fills, i, "fills", err);
    out.fills.push_back(read_fill(r));
  }

  auto positions = conn.query(
      "SELECT symbol, qty, cost_basis, realized, commissions, opened_at_ns FROM positions "
      "ORDER BY symbol");
  if (!positions) return tl::unexpected(positions.error());
  for (int i = 0; i < positions->rows(); ++i) {
    RowReader r(*positions, i, "positions", err);
    out.positions.push_back(read_position(r, 0));
  }

  auto books = conn.query(
      "SELECT strategy, symbol, qty, cost_basis, realized, commissions, opened_at_ns "
      "FROM strategy_positions ORDER BY strategy, symbol");
  if (!books) return tl::unexpected(books.error());
  for (int i = 0; i < books->rows(); ++i) {
    RowReader r(*books, i, "strategy_positions", err);
    out.strategy_positions[r.text(0)].push_back(read_position(r, 1));
  }

  auto kv = conn.query("SELECT key, value FROM kv ORDER BY key");
  if (!kv) return tl::unexpected(kv.error());
  for (int i = 0; i < kv->rows(); ++i) {
    std::string key(kv->get(i, 0)), value(kv->get(i, 1));
    if (key.starts_with(kStrategyEnabledKeyPrefix)) {
      if (value != "true" && value != "false") {
        RowReader(*kv, i, "kv", err).fail("value", value);
      } else {
        out.strategy_enabled[key.substr(kStrategyEnabledKeyPrefix.size())] = value == "true";
      }
    }
    out.kv.emplace(std::move(key), std::move(value));
  }
  if (err) return tl::unexpected(*err);
  return out;
}

}  // namespace td::persistence
