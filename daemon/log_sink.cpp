#include "daemon/log_sink.h"

#include <spdlog/spdlog.h>

namespace td::daemon {
namespace {

std::string price_text(const Order& o) {
  std::string s;
  if (o.request().limit_price) s += " limit=" + o.request().limit_price->to_string();
  if (o.request().stop_price) s += " stop=" + o.request().stop_price->to_string();
  return s;
}

}  // namespace

void LogSink::on_event(const Event& e) {
  const std::string t = format_rfc3339(e.time);
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, OrderEvent>) {
          const Order& o = *ev.order;
          if (ev.created) {
            spdlog::info("{} order {} new {} {} {} {}{} tif={} source={} cid={}", t, o.id(),
                         to_string(o.side()), o.qty(), o.symbol(), to_string(o.request().type),
                         price_text(o), to_string(o.request().tif), o.source(),
                         o.client_order_id());
          } else {
            spdlog::info("{} order {} {} -> {}{}", t, o.id(), to_string(ev.previous),
                         to_string(o.status()),
                         o.reject_reason() ? " reason=\"" + *o.reject_reason() + "\"" : "");
          }
        } else if constexpr (std::is_same_v<T, FillEvent>) {
          const Fill& f = *ev.fill;
          spdlog::info("{} fill {} order={} {} {} {} @ {} commission={} exec={} source={}", t, f.id,
                       f.order_id, to_string(f.side), f.qty, f.symbol, f.price, f.commission,
                       f.broker_exec_id, f.source);
          spdlog::info("{} position {} qty={} avg_cost={} realized_by_fill={}", t, f.symbol,
                       ev.position_qty, ev.avg_cost, ev.realized);
          log_pnl();
        } else if constexpr (std::is_same_v<T, OrderDeniedEvent>) {
          spdlog::warn("{} order {} denied check={} {}", t, ev.order->id(), ev.check, ev.message);
        } else if constexpr (std::is_same_v<T, TransitionRefusedEvent>) {
          spdlog::warn("{} order {} refused: {}", t, ev.order_id, ev.detail);
        } else if constexpr (std::is_same_v<T, BrokerConnectionEvent>) {
          spdlog::info("{} broker {} {}", t, ev.connected ? "connected" : "disconnected",
                       ev.detail);
        } else if constexpr (std::is_same_v<T, StrategyEvent>) {
          spdlog::info("{} strategy {} {}", t, ev.name, ev.what);
        } else if constexpr (std::is_same_v<T, RiskEvent>) {
          std::string figures;
          for (const auto& [k, v] : ev.data.figures) figures += " " + k + "=" + v;
          spdlog::warn("{} risk {} {} by {}: {}{}", t, ev.data.kind, ev.data.name, ev.data.actor,
                       ev.data.reason, figures);
        }
      },
      e.data);
}

void LogSink::log_pnl() const {
  const Portfolio& p = engine_.portfolio();
  spdlog::info("{} pnl equity={} realized={} unrealized={} commissions={} today={} drawdown={}",
               format_rfc3339(engine_.now()), p.equity().to_string(2), p.realized().to_string(2),
               p.unrealized().to_string(2), p.commissions().to_string(2),
               p.today_total().to_string(2), p.drawdown().to_string(2));
}

}  // namespace td::daemon
