#pragma once
// What the engine must know about a tradable contract to size, round and
// account for it. Commission schedules live here because they differ per
// contract type (per share for stocks, per contract for futures).
#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.h"
#include "core/ids.h"

namespace td {

enum class SecType { kStock, kFuture, kOption, kCash };
std::string_view to_string(SecType t);  // "STK", "FUT", "OPT", "CASH"
std::optional<SecType> parse_sec_type(std::string_view s);

// IB fixed pricing: max(min_per_order, per_unit * qty), capped at max_pct
// percent of the trade value (0 = no cap), rounded half up to the cent.
struct CommissionSchedule {
  Decimal per_unit = Decimal::from_units(500'000);           // 0.005 per share
  Decimal min_per_order = Decimal::from_units(100'000'000);  // 1.00
  Decimal max_pct = Decimal::from_units(100'000'000);        // 1 (%)
};

// Commission for an order's cumulative fill; a later partial fill is charged
// commission(cumulative) - commission(previous cumulative), so the minimum
// applies once per order as at IB.
// trade_value = |qty| * price * multiplier (summed over the fills so far).
Decimal commission_for(const CommissionSchedule& c, Decimal qty, Decimal trade_value);

struct Instrument {
  Symbol symbol;
  SecType sec_type = SecType::kStock;
  std::string currency = "USD";
  std::string exchange = "SMART";
  Decimal tick = Decimal::from_units(1'000'000);                    // 0.01
  Decimal multiplier = Decimal::from_units(Decimal::kUnitsPerOne);  // 1
  CommissionSchedule commission;
};

}  // namespace td
