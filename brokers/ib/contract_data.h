#pragma once
// The contractData message (id 10): one match of reqContractDetails, ended by
// contractDataEnd. Why it matters: the daemon resolves each instrument once
// and then trades by conId; minTick and the size rules bound its orders.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/contract.h"
#include "core/decimal.h"

namespace td::ib {

struct ContractData {
  static constexpr int kId = 10;
  static constexpr std::string_view kName = "contractData";

  int64_t req_id = 0;
  // last_trade_date_or_contract_month may carry extra parts after a space or '-'.
  Contract contract;
  std::string market_name;
  std::optional<Decimal> min_tick;
  std::string order_types;
  std::string valid_exchanges;
  std::optional<int32_t> price_magnifier;
  std::optional<int64_t> under_con_id;
  std::string long_name;  // may carry literal \uXXXX escapes
  std::string contract_month;
  std::string industry;
  std::string category;
  std::string subcategory;
  std::string time_zone_id;
  std::string trading_hours;
  std::string liquid_hours;
  std::string ev_rule;
  std::optional<Decimal> ev_multiplier;
  std::vector<TagValue> sec_ids;
  std::optional<int32_t> agg_group;
  std::string under_symbol;
  std::string under_sec_type;
  std::string market_rule_ids;
  std::string real_expiration_date;
  std::string stock_type;
  std::optional<Decimal> min_size;
  std::optional<Decimal> size_increment;
  std::optional<Decimal> suggested_size_increment;

  bool operator==(const ContractData&) const = default;
};

}  // namespace td::ib
