#include "api/snapshot/views.h"

#include <chrono>

#include "api/json/decimal_field.h"
#include "api/json/mapping.h"
#include "api/json/parse.h"

namespace td::api {

using nlohmann::json;

namespace {

json broker_json(const BrokerInfo& b) {
  return {{"name", b.name},
          {"connected", b.connected},
          {"since", time_to_json(b.since)},
          {"server_version", text_or_null(b.server_version)},
          {"detail", text_or_null(b.detail)}};
}

json store_json(const Snapshot& s) {
  const bool configured = s.info && s.info->store_configured;
  return {{"configured", configured},
          {"connected", configured && s.store.connected},
          {"pending_writes", s.store.pending_writes},
          {"detail", text_or_null(s.store.detail)}};
}

}  // namespace

json status_json(const Snapshot& s, Timestamp wall_now) {
  const StaticInfo empty;
  const StaticInfo& info = s.info ? *s.info : empty;
  json strategies = json::array();
  for (const auto& st : s.strategies) {
    json symbols = json::array();
    for (const auto& sym : st.symbols) symbols.push_back(sym.str());
    strategies.push_back(
        {{"name", st.name}, {"type", st.type}, {"enabled", st.enabled}, {"symbols", symbols}});
  }
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(wall_now - info.started_at);
  return {{"version", info.version},
          {"started_at", time_to_json(info.started_at)},
          {"uptime_s", std::max<int64_t>(0, uptime.count())},
          {"mode", info.mode},
          {"account", text_or_null(info.account)},
          {"trading_state", to_string(s.trading.state)},
          {"kill_switch", to_json(s.kill_switch)},
          {"broker", broker_json(s.broker)},
          {"store", store_json(s)},
          {"strategies", std::move(strategies)},
          {"engine_time", time_to_json(s.as_of)},
          {"routing", s.routing_paused ? "paused" : "running"},
          {"open_orders", s.open_orders.size()}};
}

json positions_json(const Snapshot& s) {
  json list = json::array();
  // Open positions only; a flat one (its realized P&L) is at /positions/{symbol}.
  if (s.portfolio)
    for (const auto& [sym, h] : s.portfolio->holdings())
      if (!h.position.flat()) list.push_back(position_to_json(h));
  return {{"positions", std::move(list)}};
}

const std::string& AuditEvent::json() const {
  std::call_once(once_, [this] {
    nlohmann::json ev = {{"seq", seq},
                         {"time", time_to_json(time)},
                         {"type", type},
                         {"actor", actor},
                         {"data", data ? data() : nlohmann::json::object()}};
    // Invalid UTF-8 (a raw byte in a request path) becomes U+FFFD: a strict
    // dump would throw.
    json_ = dump_json(ev);
  });
  return json_;
}

const std::string& Snapshot::positions_body() const {
  std::call_once(positions_once_, [this] { positions_body_ = dump_json(positions_json(*this)); });
  return positions_body_;
}

json pnl_json(const Snapshot& s) {
  if (!s.portfolio) return pnl_to_json(Portfolio(), s.as_of);
  return pnl_to_json(*s.portfolio, s.as_of);
}

json risk_json(const Snapshot& s) {
  // Every member always present: before the first publish, an empty portfolio's zeros.
  const Portfolio none;
  const Portfolio& p = s.portfolio ? *s.portfolio : none;
  json usage = {{"working_orders", s.working_orders},
                {"gross_exposure", decimal_to_json(p.gross_exposure())},
                {"today_pnl", decimal_to_json(p.today_total())},
                {"drawdown_pct", decimal_to_json(p.drawdown_pct() * Decimal::from_int(100))}};
  return risk_to_json(s.trading, s.limits ? *s.limits : risk::RiskLimits{}, s.breakers,
                      std::move(usage));
}

json strategy_json(const StrategySnapshot& st, const Snapshot& s) {
  json symbols = json::array();
  for (const auto& sym : st.symbols) symbols.push_back(sym.str());
  json params = json::object();
  for (const auto& [k, v] : st.params) params[k] = v;
  json position = json::object();
  Decimal realized, unrealized, commissions;
  for (const auto& [sym, pos] : st.positions) {
    position[sym.str()] = decimal_to_json(pos.qty());
    realized += pos.realized_pnl();
    commissions += pos.commissions();
    if (!pos.flat() && s.portfolio)
      if (const auto* h = s.portfolio->holding(sym); h && h->mark)
        unrealized += pos.unrealized_pnl(*h->mark);
  }
  return {{"name", st.name},
          {"type", st.type},
          {"enabled", st.enabled},
          {"warm", st.warm},
          {"symbols", std::move(symbols)},
          {"params", std::move(params)},
          {"position", std::move(position)},
          {"pnl",
           {{"realized", decimal_to_json(realized)},
            {"unrealized", decimal_to_json(unrealized)},
            {"commissions", decimal_to_json(commissions)},
            {"total", decimal_to_json(realized + unrealized - commissions)}}}};
}

json strategies_json(const Snapshot& s) {
  json list = json::array();
  for (const auto& st : s.strategies) list.push_back(strategy_json(st, s));
  return {{"strategies", std::move(list)}};
}

json queue_json(const Snapshot& s) {
  json list = json::array();
  for (const auto& q : s.queue)
    if (const Order* o = s.order(q.id)) list.push_back(to_json(*o, q.reason));
  return {{"routing", s.routing_paused ? "paused" : "running"}, {"orders", std::move(list)}};
}

json readiness_json(const Snapshot& s, bool& ready) {
  const bool store_ok = !(s.info && s.info->store_configured) || s.store.connected;
  ready = s.broker.connected && store_ok && !s.reconciling && s.version > 0;
  return {{"status", ready ? "ready" : "not_ready"},
          {"broker", broker_json(s.broker)},
          {"store", store_json(s)},
          {"reconciling", s.reconciling}};
}

json open_orders_json(const Snapshot& s) {
  json list = json::array();
  for (OrderId id : s.open_orders)
    if (const Order* o = s.order(id)) list.push_back(to_json(*o));
  return {{"orders", std::move(list)}};
}

json recent_fills_json(const Snapshot& s, size_t n) {
  json list = json::array();
  for (size_t i = s.fills.size(); i > 0 && list.size() < n; --i)
    if (const Fill* f = s.fills.at(i - 1)) list.push_back(to_json(*f));
  return {{"fills", std::move(list)}};
}

}  // namespace td::api
