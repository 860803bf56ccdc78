#include "api/json/mapping.h"

#include <fmt/format.h>

#include <string>

#include "api/json/decimal_field.h"

namespace td::api {

using nlohmann::json;

json time_to_json(std::optional<Timestamp> t) {
  if (!t) return nullptr;
  return format_rfc3339(*t);
}

json text_or_null(std::string_view s) {
  if (s.empty()) return nullptr;
  return std::string(s);
}

json ids_to_json(const std::vector<OrderId>& ids) {
  json out = json::array();
  for (OrderId id : ids) out.push_back(id.to_string());
  return out;
}

std::string format_duration(Duration d) {
  struct Unit {
    const char* name;
    int64_t ns;
  };
  static constexpr Unit kUnits[] = {
      {"d", 86'400'000'000'000}, {"h", 3'600'000'000'000}, {"m", 60'000'000'000},
      {"s", 1'000'000'000},      {"ms", 1'000'000},
  };
  const int64_t ns = d.count();
  if (ns == 0) return "0s";
  for (const Unit& u : kUnits)
    if (ns % u.ns == 0) return std::to_string(ns / u.ns) + u.name;
  // Finer than a millisecond: the configuration cannot write it; whole ms (down).
  return std::to_string(ns / 1'000'000) + "ms";
}

json order_fill_to_json(const Fill& f) {
  return json{
      {"id", f.id.to_string()},
      {"qty", decimal_to_json(f.qty)},
      {"price", decimal_to_json(f.price)},
      {"commission", decimal_to_json(f.commission)},
      {"time", format_rfc3339(f.time)},
  };
}

json to_json(const Fill& f) {
  return json{
      {"id", f.id.to_string()},
      {"order_id", f.order_id.to_string()},
      {"symbol", f.symbol.str()},
      {"side", to_string(f.side)},
      {"qty", decimal_to_json(f.qty)},
      {"price", decimal_to_json(f.price)},
      {"commission", decimal_to_json(f.commission)},
      {"time", format_rfc3339(f.time)},
      {"broker_exec_id", text_or_null(f.broker_exec_id)},
  };
}

json to_json(const Order& o, std::optional<std::string_view> queued_reason) {
  const OrderRequest& r = o.request();
  json fills = json::array();
  for (const Fill& f : o.fills()) fills.push_back(order_fill_to_json(f));
  json out{
      {"id", o.id().to_string()},
      {"client_order_id", o.client_order_id()},
      {"symbol", o.symbol().str()},
      {"side", to_string(o.side())},
      {"qty", decimal_to_json(o.qty())},
      {"filled_qty", decimal_to_json(o.filled_qty())},
      {"avg_fill_price",
       o.filled_qty().is_zero() ? json(nullptr) : decimal_to_json(o.avg_fill_price())},
      {"type", to_string(r.type)},
      {"limit_price", decimal_to_json(r.limit_price)},
      {"stop_price", decimal_to_json(r.stop_price)},
      {"tif", to_string(r.tif)},
      {"status", to_string(o.status())},
      {"reject_reason", o.reject_reason() ? json(*o.reject_reason()) : json(nullptr)},
      {"source", o.source()},
      {"broker_order_id", text_or_null(o.broker_order_id())},
      {"created_at", format_rfc3339(o.created_at())},
      {"updated_at", format_rfc3339(o.updated_at())},
      {"fills", std::move(fills)},
      {"outside_rth", r.outside_rth},
      {"reduce_only", r.reduce_only},
      {"submit_at", time_to_json(r.submit_at)},
  };
  if (queued_reason) out["queued_reason"] = std::string(*queued_reason);
  return out;
}

json position_to_json(const Portfolio::Holding& h) {
  const Position& p = h.position;
  json market_value = nullptr;
  if (h.mark) {
    try {
      market_value = decimal_to_json(p.market_value(*h.mark));
    } catch (const DecimalOverflow&) {
      // Beyond the Decimal range: shown as unknown rather than wrong.
    }
  }
  return json{
      {"symbol", p.symbol().str()},
      {"qty", decimal_to_json(p.qty())},
      {"avg_cost", p.flat() ? json(nullptr) : decimal_to_json(p.avg_cost())},
      {"market_price", decimal_to_json(h.mark)},
      {"market_value", std::move(market_value)},
      {"unrealized_pnl", decimal_to_json(h.unrealized)},
      {"realized_pnl", decimal_to_json(p.realized_pnl())},
      {"realized_pnl_today", decimal_to_json(h.realized_today)},
      {"opened_at", p.flat() ? json(nullptr) : time_to_json(p.opened_at())},
      {"multiplier", decimal_to_json(p.multiplier())},
  };
}

json pnl_to_json(const Portfolio& p, Timestamp as_of) {
  // drawdown_pct() is a fraction of the peak (0.05); the API shows percent.
  auto pct = p.drawdown_pct().checked_mul(Decimal::from_int(100), Rounding::kHalfEven);
  return json{
      {"realized", decimal_to_json(p.realized())},
      {"unrealized", decimal_to_json(p.unrealized())},
      {"commissions", decimal_to_json(p.commissions())},
      {"total", decimal_to_json(p.total_pnl())},
      {"today",
       {
           {"realized", decimal_to_json(p.today_realized())},
           {"unrealized", decimal_to_json(p.today_unrealized())},
           {"commissions", decimal_to_json(p.today_commissions())},
           {"total", decimal_to_json(p.today_total())},
       }},
      {"equity", decimal_to_json(p.equity())},
      {"peak_equity", decimal_to_json(p.peak_equity())},
      {"drawdown", decimal_to_json(p.drawdown())},
      {"drawdown_pct", pct ? decimal_to_json(*pct) : json(nullptr)},
      {"cash", decimal_to_json(p.cash())},
      {"as_of", format_rfc3339(as_of)},
  };
}

json to_json(const risk::KillSwitchState& k) {
  const bool on = k.engaged;
  return json{
      {"engaged", on},
      {"reason", on ? text_or_null(k.reason) : json(nullptr)},
      {"engaged_at", on ? time_to_json(k.engaged_at) : json(nullptr)},
      {"engaged_by", on ? text_or_null(k.engaged_by) : json(nullptr)},
      {"rearmed_at", on ? json(nullptr) : time_to_json(k.rearmed_at)},
      {"rearmed_by", on ? json(nullptr) : text_or_null(k.rearmed_by)},
  };
}

json to_json(const risk::TradingStateInfo& s) {
  return json{
      {"state", to_string(s.state)},
      {"reason", text_or_null(s.reason)},
      {"since", time_to_json(s.since)},
      {"by", text_or_null(s.by)},
  };
}

json to_json(const risk::BreakerStatus& b) {
  return json{
      {"name", b.name},
      {"tripped", b.tripped},
      {"tripped_at", time_to_json(b.tripped_at)},
      {"detail", text_or_null(b.detail)},
  };
}

namespace {
std::string hhmm(std::chrono::minutes m) {
  return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60);
}
constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
}  // namespace

json to_json(const risk::RiskLimits& l) {
  json symbols = json::array();
  for (const Symbol& s : l.allowed_symbols) symbols.push_back(s.str());
  json hours = json::object();
  for (const auto& [sym, h] : l.trading_hours) {
    json days = json::array();
    for (int d : h.weekdays)
      if (d >= 0 && d <= 6) days.push_back(kDays[d]);
    hours[sym.str()] = json{
        {"timezone", h.timezone},  {"open", hhmm(h.open)},         {"close", hhmm(h.close)},
        {"days", std::move(days)}, {"outside_rth", h.outside_rth},
    };
  }
  return json{
      // Pre-trade checks.
      {"max_order_qty", decimal_to_json(l.max_order_qty)},
      {"max_order_notional", decimal_to_json(l.max_order_notional)},
      {"min_notional", decimal_to_json(l.min_notional)},
      {"price_collar_pct", decimal_to_json(l.price_collar_pct)},
      {"reference_max_age", format_duration(l.reference_max_age)},
      {"max_position_qty", decimal_to_json(l.max_position_qty)},
      {"max_position_notional", decimal_to_json(l.max_position_notional)},
      {"max_gross_exposure", decimal_to_json(l.max_gross_exposure)},
      {"max_net_exposure", decimal_to_json(l.max_net_exposure)},
      {"max_working_orders", l.max_working_orders},
      {"max_orders_per_second", l.max_orders_per_second},
      {"max_orders_per_minute", l.max_orders_per_minute},
      {"throttle", to_string(l.throttle_action)},
      {"duplicate_window", format_duration(l.duplicate_window)},
      {"allowed_symbols", std::move(symbols)},
      {"allow_short", l.allow_short},
      // Circuit breakers.
      {"daily_loss_limit", decimal_to_json(l.daily_loss_limit)},
      {"daily_loss_action", to_string(l.daily_loss_action)},
      {"max_drawdown", decimal_to_json(l.max_drawdown)},
      {"max_drawdown_pct", decimal_to_json(l.max_drawdown_pct)},
      {"max_drawdown_action", to_string(l.max_drawdown_action)},
      {"max_consecutive_losses", l.max_consecutive_losses},
      {"consecutive_losses_cooldown", format_duration(l.consecutive_losses_cooldown)},
      {"consecutive_losses_action", to_string(l.consecutive_losses_action)},
      {"max_position_duration", format_duration(l.max_position_duration)},
      {"stale_data_after", format_duration(l.stale_data_after)},
      {"broker_disconnect_after", format_duration(l.broker_disconnect_after)},
      {"broker_disconnect_action", to_string(l.broker_disconnect_action)},
      // Per instrument (read-only here).
      {"trading_hours", std::move(hours)},
  };
}

json risk_to_json(const risk::TradingStateInfo& state, const risk::RiskLimits& limits,
                  const std::vector<risk::BreakerStatus>& breakers, json usage) {
  json list = json::array();
  for (const auto& b : breakers) list.push_back(to_json(b));
  return json{
      {"trading_state", to_string(state.state)},
      {"limits", to_json(limits)},
      {"usage", std::move(usage)},
      {"breakers", std::move(list)},
  };
}

json flatten_position_to_json(const FlattenResult& r, const Order* closing_order) {
  return json{
      {"symbol", r.symbol.str()},
      {"qty", decimal_to_json(r.qty)},
      {"closing_order", closing_order ? to_json(*closing_order) : json(nullptr)},
      {"error", r.error ? json(*r.error) : json(nullptr)},
  };
}

}  // namespace td::api
