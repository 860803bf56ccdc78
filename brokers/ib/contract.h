#pragma once
// IB's contract description as it travels on the wire. Why one struct for
// every message: requests carry the 12-field block "C12" (fact sheet 2.1),
// and incoming messages echo subsets of the same fields in their own orders;
// the field lists (wire/contract_fields.h) say which fields each one has.
#include <cstdint>
#include <optional>
#include <string>

#include "core/decimal.h"

namespace td::ib {

struct Contract {
  int64_t con_id = 0;  // 0 = not resolved yet
  std::string symbol;
  std::string sec_type;  // STK, FUT, OPT, CASH (BAG: combos are not supported)
  std::string last_trade_date_or_contract_month;  // "202609", "20260918"
  std::optional<Decimal> strike;                  // unset: empty field (IB's current encoder)
  std::string right;                              // "C" / "P" for options
  std::string multiplier;
  std::string exchange;
  std::string primary_exchange;
  std::string currency;
  std::string local_symbol;
  std::string trading_class;

  bool operator==(const Contract&) const = default;
};

// One entry of IB's tag-value lists (algo parameters, security ids).
struct TagValue {
  std::string tag;
  std::string value;

  bool operator==(const TagValue&) const = default;
};

}  // namespace td::ib
