#include "core/instrument.h"

#include <algorithm>

namespace td {

std::string_view to_string(SecType t) {
  switch (t) {
    case SecType::kStock: return "STK";
    case SecType::kFuture: return "FUT";
    case SecType::kOption: return "OPT";
    case SecType::kCash: return "CASH";
  }
  return "?";
}

std::optional<SecType> parse_sec_type(std::string_view s) {
  if (s == "STK") return SecType::kStock;
  if (s == "FUT") return SecType::kFuture;
  if (s == "OPT") return SecType::kOption;
  if (s == "CASH") return SecType::kCash;
  return std::nullopt;
}

Decimal commission_for(const CommissionSchedule& c, Decimal qty, Decimal trade_value) {
  const Decimal q = qty.abs();
  if (q.is_zero()) return Decimal();
  Decimal fee = std::max(c.min_per_order, c.per_unit.mul(q, Rounding::kHalfUp));
  if (c.max_pct.sign() > 0) {
    const Decimal cap = trade_value.abs().mul(c.max_pct, Rounding::kHalfUp).div(Decimal::from_int(100), Rounding::kHalfUp);
    fee = std::min(fee, cap);
  }
  return fee.round(2, Rounding::kHalfUp);
}

}  // namespace td
