#pragma once
// The conditional groups of an order that placeOrder and openOrder share
// (fact sheet 2.3, 3.2): each is present on the wire only when a guard field
// says so. Why the values are kept as wire text: tradingd places none of
// these order kinds, but TWS reports them for orders entered elsewhere (in
// TWS, by other clients), and such an openOrder must still decode, field for
// field, and re-encode without loss.
#include <cstdint>
#include <string>

namespace td::ib {

// After deltaNeutralOrderType, when it is non-empty (TWS sends "None").
struct DeltaNeutralOrder {
  std::string con_id;
  std::string settling_firm;
  std::string clearing_account;
  std::string clearing_intent;
  std::string open_close;
  std::string short_sale;
  std::string short_sale_slot;
  std::string designated_location;

  bool operator==(const DeltaNeutralOrder&) const = default;
};

// After scalePriceIncrement, when it is set and > 0.
struct ScaleOrder {
  std::string price_adjust_value;
  std::string price_adjust_interval;
  std::string profit_offset;
  std::string auto_reset;
  std::string init_position;
  std::string init_fill_qty;
  std::string random_percent;

  bool operator==(const ScaleOrder&) const = default;
};

// After the deltaNeutralContract presence flag, when it is 1.
struct DeltaNeutralContract {
  std::string con_id;
  std::string delta;
  std::string price;

  bool operator==(const DeltaNeutralContract&) const = default;
};

// For orderType "PEG BENCH" (or "PEGBENCH").
struct PegBench {
  std::string reference_contract_id;
  std::string is_pegged_change_amount_decrease;
  std::string pegged_change_amount;
  std::string reference_change_amount;
  std::string reference_exchange_id;

  bool operator==(const PegBench&) const = default;
};

// One order condition; which fields it has depends on its type.
struct OrderCondition {
  static constexpr int kPrice = 1, kTime = 3, kMargin = 4, kExecution = 5, kVolume = 6,
                       kPercentChange = 7;
  int32_t type = kPrice;
  std::string conjunction = "a";  // "a" and, "o" or
  std::string is_more;            // price, time, margin, volume, percent change
  std::string value;              // the same: price, time, percent, volume, change
  std::string con_id;             // price, volume, percent change
  std::string exchange;           // price, volume, percent change, execution
  std::string trigger_method;     // price
  std::string sec_type;           // execution
  std::string symbol;             // execution

  bool operator==(const OrderCondition&) const = default;
};

// One leg of a combo as openOrder reports it.
struct ComboLeg {
  std::string con_id;
  std::string ratio;
  std::string action;
  std::string exchange;
  std::string open_close;
  std::string short_sale_slot;
  std::string designated_location;
  std::string exempt_code;

  bool operator==(const ComboLeg&) const = default;
};

}  // namespace td::ib
