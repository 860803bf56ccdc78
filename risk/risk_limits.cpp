#include "risk/risk_limits.h"

#include <date/tz.h>
#include <fmt/format.h>

namespace td::risk {

std::string_view to_string(BreakerAction a) {
  switch (a) {
    case BreakerAction::kReduce:
      return "reduce";
    case BreakerAction::kHalt:
      return "halt";
    case BreakerAction::kAlert:
      return "alert";
  }
  return "?";
}

std::optional<BreakerAction> parse_breaker_action(std::string_view s) {
  if (s == "reduce") return BreakerAction::kReduce;
  if (s == "halt") return BreakerAction::kHalt;
  if (s == "alert") return BreakerAction::kAlert;
  return std::nullopt;
}

std::string_view to_string(ThrottleAction a) {
  return a == ThrottleAction::kQueue ? "queue" : "refuse";
}

std::optional<ThrottleAction> parse_throttle_action(std::string_view s) {
  if (s == "refuse") return ThrottleAction::kRefuse;
  if (s == "queue") return ThrottleAction::kQueue;
  return std::nullopt;
}

Result<const date::time_zone*> resolve_time_zone(const std::string& name) {
  if (name == "UTC") return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return make_error(ErrorCode::kInvalidArgument, "unknown time zone '" + name + "'");
  }
}

std::vector<std::string> validate(const RiskLimits& l) {
  std::vector<std::string> errors;
  auto non_negative = [&](const char* key, Decimal v) {
    if (v.sign() < 0) errors.push_back(fmt::format("{}: must be >= 0 (got {})", key, v));
  };
  auto non_negative_int = [&](const char* key, int64_t v) {
    if (v < 0) errors.push_back(fmt::format("{}: must be >= 0 (got {})", key, v));
  };
  auto non_negative_duration = [&](const char* key, Duration d) {
    if (d < Duration::zero()) errors.push_back(fmt::format("{}: must be >= 0", key));
  };
  auto at_most_100 = [&](const char* key, Decimal v) {
    if (v > Decimal::from_int(100))
      errors.push_back(fmt::format("{}: must be <= 100 (a percentage; got {})", key, v));
  };

  non_negative("max_order_qty", l.max_order_qty);
  non_negative("max_order_notional", l.max_order_notional);
  non_negative("min_notional", l.min_notional);
  non_negative("price_collar_pct", l.price_collar_pct);
  at_most_100("price_collar_pct", l.price_collar_pct);
  non_negative_duration("reference_max_age", l.reference_max_age);
  non_negative("max_position_qty", l.max_position_qty);
  non_negative("max_position_notional", l.max_position_notional);
  non_negative("max_gross_exposure", l.max_gross_exposure);
  non_negative("max_net_exposure", l.max_net_exposure);
  non_negative_int("max_working_orders", l.max_working_orders);
  non_negative_int("max_orders_per_second", l.max_orders_per_second);
  non_negative_int("max_orders_per_minute", l.max_orders_per_minute);
  if (l.max_orders_per_second > kMaxRateLimit)
    errors.push_back(fmt::format("max_orders_per_second: must be <= {} (got {})", kMaxRateLimit,
                                 l.max_orders_per_second));
  if (l.max_orders_per_minute > kMaxRateLimit)
    errors.push_back(fmt::format("max_orders_per_minute: must be <= {} (got {})", kMaxRateLimit,
                                 l.max_orders_per_minute));
  non_negative_duration("duplicate_window", l.duplicate_window);
  if (l.min_notional.sign() > 0 && l.max_order_notional.sign() > 0 &&
      l.min_notional > l.max_order_notional)
    errors.push_back(fmt::format(
        "min_notional: must be <= max_order_notional ({} > {}: every order would be refused)",
        l.min_notional, l.max_order_notional));
  for (const Symbol& s : l.allowed_symbols)
    if (s.empty()) errors.push_back("allowed_symbols: empty symbol");

  for (const auto& [sym, h] : l.trading_hours) {
    const std::string key = "trading_hours." + sym.str();
    if (sym.empty()) errors.push_back("trading_hours: empty symbol");
    if (auto tz = resolve_time_zone(h.timezone); !tz)
      errors.push_back(fmt::format("{}.timezone: {}", key, tz.error().message));
    using std::chrono::minutes;
    if (h.open < minutes(0) || h.open >= minutes(24 * 60))
      errors.push_back(fmt::format("{}.open: must be within 00:00..23:59", key));
    if (h.close <= minutes(0) || h.close > minutes(24 * 60))
      errors.push_back(fmt::format("{}.close: must be within 00:01..24:00", key));
    if (h.open >= h.close)
      errors.push_back(fmt::format("{}: open ({} min) must be before close ({} min)", key,
                                   h.open.count(), h.close.count()));
    if (h.weekdays.empty()) errors.push_back(fmt::format("{}.weekdays: must not be empty", key));
    for (int d : h.weekdays)
      if (d < 0 || d > 6)
        errors.push_back(
            fmt::format("{}.weekdays: {} is not a weekday (0 = Sunday .. 6 = Saturday)", key, d));
  }

  non_negative("daily_loss_limit", l.daily_loss_limit);
  non_negative("max_drawdown", l.max_drawdown);
  non_negative("max_drawdown_pct", l.max_drawdown_pct);
  at_most_100("max_drawdown_pct", l.max_drawdown_pct);
  non_negative_int("max_consecutive_losses", l.max_consecutive_losses);
  non_negative_duration("consecutive_losses_cooldown", l.consecutive_losses_cooldown);
  if (l.max_consecutive_losses > 0 && l.consecutive_losses_cooldown <= Duration::zero())
    errors.push_back("consecutive_losses_cooldown: must be > 0 when max_consecutive_losses is set");
  non_negative_duration("max_position_duration", l.max_position_duration);
  non_negative_duration("stale_data_after", l.stale_data_after);
  non_negative_duration("broker_disconnect_after", l.broker_disconnect_after);
  auto action = [&](const char* key, BreakerAction a) {
    if (a != BreakerAction::kReduce && a != BreakerAction::kHalt && a != BreakerAction::kAlert)
      errors.push_back(fmt::format("{}: not reduce, halt or alert", key));
  };
  action("daily_loss_action", l.daily_loss_action);
  action("max_drawdown_action", l.max_drawdown_action);
  action("consecutive_losses_action", l.consecutive_losses_action);
  action("broker_disconnect_action", l.broker_disconnect_action);
  if (l.throttle_action != ThrottleAction::kRefuse && l.throttle_action != ThrottleAction::kQueue)
    errors.push_back("throttle_action: not refuse or queue");
  return errors;
}

}  // namespace td::risk
