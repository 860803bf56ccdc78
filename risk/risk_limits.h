#pragma once
// Every pre-trade limit and circuit breaker, as configured (risk.* keys,
// docs/configuration.md). Zero means off for every number. Changed at run
// time only as a whole, after validate() accepted the new set.
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"

namespace date {
class time_zone;
}

namespace td::risk {

enum class BreakerAction { kReduce, kHalt, kAlert };
std::string_view to_string(BreakerAction a);
std::optional<BreakerAction> parse_breaker_action(std::string_view s);

enum class ThrottleAction { kRefuse, kQueue };
std::string_view to_string(ThrottleAction a);  // "refuse" | "queue"
std::optional<ThrottleAction> parse_throttle_action(std::string_view s);

// Upper bound of max_orders_per_second / max_orders_per_minute (the rate
// windows keep one timestamp per allowed order and source).
inline constexpr int64_t kMaxRateLimit = 100'000;

// Regular trading hours of an instrument, in its exchange's time zone.
struct TradingHours {
  std::string timezone = "America/New_York";
  std::chrono::minutes open{9 * 60 + 30};
  std::chrono::minutes close{16 * 60};
  std::set<int> weekdays{1, 2, 3, 4, 5};  // 0 = Sunday .. 6 = Saturday
  bool outside_rth = false;               // orders outside these hours allowed
};

struct RiskLimits {
  // Pre-trade checks.
  Decimal max_order_qty;
  Decimal max_order_notional;  // qty * price * multiplier
  Decimal min_notional;
  Decimal price_collar_pct;  // limit/stop within this % of the reference price
  Duration reference_max_age = std::chrono::seconds(30);  // "fresh" reference price
  Decimal max_position_qty;  // per symbol, after the order, counting working orders
  Decimal max_position_notional;
  Decimal max_gross_exposure;  // sum of |position value| after the order
  Decimal max_net_exposure;    // |sum of signed position value| after the order
  int64_t max_working_orders = 0;
  int64_t max_orders_per_second = 0;  // per source
  int64_t max_orders_per_minute = 0;  // per source
  ThrottleAction throttle_action = ThrottleAction::kRefuse;
  Duration duplicate_window{0};      // same symbol/side/qty/price from one source
  std::set<Symbol> allowed_symbols;  // empty: every configured instrument
  bool allow_short = true;
  std::map<Symbol, TradingHours> trading_hours;  // absent: the instrument trades around the clock

  // Circuit breakers.
  Decimal daily_loss_limit;  // today's total P&L at or below -limit trips
  BreakerAction daily_loss_action = BreakerAction::kHalt;
  Decimal max_drawdown;      // peak equity - equity at or above this trips
  Decimal max_drawdown_pct;  // or this percentage of peak equity
  BreakerAction max_drawdown_action = BreakerAction::kHalt;
  int64_t max_consecutive_losses = 0;  // losing round trips in a row
  Duration consecutive_losses_cooldown = std::chrono::hours(1);
  BreakerAction consecutive_losses_action = BreakerAction::kReduce;
  Duration max_position_duration{0};  // older positions are closed (forced exit)
  Duration stale_data_after{0};       // no market data for this long blocks new exposure
  Duration broker_disconnect_after{0};
  BreakerAction broker_disconnect_action = BreakerAction::kHalt;
};

// An IANA time zone ("UTC" is null: no zone lookup), or kInvalidArgument.
Result<const date::time_zone*> resolve_time_zone(const std::string& name);

// Every problem, each naming its key (e.g. "max_order_qty: must be >= 0").
std::vector<std::string> validate(const RiskLimits& limits);

}  // namespace td::risk
