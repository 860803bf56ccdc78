#include "core/instrument.h"

#include <algorithm>

namespace td {

std::string_view to_string(SecType t) {
  switch (t) {
    case SecType::kStock:
      return "STK";
    case SecType::kFuture:
      return "FUT";
    case SecType::kOption:
      return "OPT";
    case SecType::kCash:
      return "CASH";
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
  // One rounding, half up to the cent, of the exact fee. The intermediate
  // products are truncated at 1e-8 (toward zero, all positive here): a value
  // just below a half cent stays below it (rounding them half up instead would
  // turn 1.00499999995 into 1.005 and charge 1.01). Truncation is monotonic, so
  // max/min pick the same term as on the exact values.
  Decimal fee = std::max(c.min_per_order, c.per_unit.mul(q, Rounding::kDown));
  if (c.max_pct.sign() > 0) {
    const Decimal cap =
        trade_value.abs().mul_div(c.max_pct, Decimal::from_int(100), Rounding::kDown);
    fee = std::min(fee, cap);
  }
  return fee.round(2, Rounding::kHalfUp);
}

}  // namespace td
