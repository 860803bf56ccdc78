#pragma once
// The placeOrder request (id 3, fact sheet 2.3): every field of the message
// at server versions 176-178, with the defaults IB's official encoder sends
// for a plain order, so that setting the few fields tradingd uses (contract,
// action, quantity, type, prices, tif, outsideRth, account, orderRef) gives
// the exact bytes of fact sheet 5.3. Modify = the same orderId again.
//
// Typed where tradingd or the simulator reads the value; the conditional
// groups are order_attributes.h. Not supported (refused in both directions):
// BAG contracts, and the 170+ tail for IBKRATS, PEG BEST and PEG MID.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/contract.h"
#include "brokers/ib/order_attributes.h"
#include "core/decimal.h"

namespace td::ib {

struct PlaceOrder {
  static constexpr int kId = 3;
  static constexpr std::string_view kName = "placeOrder";

  int64_t order_id = 0;
  Contract contract;
  std::string sec_id_type;
  std::string sec_id;
  std::string action;  // BUY / SELL
  Decimal total_quantity;
  std::string order_type;            // MKT, LMT, STP, "STP LMT"
  std::optional<Decimal> lmt_price;  // LMT and STP LMT
  std::optional<Decimal> aux_price;  // stop trigger of STP and STP LMT
  std::string tif;                   // DAY, GTC, IOC
  std::string oca_group;
  std::string account;
  std::string open_close;
  int32_t origin = 0;  // 0 customer
  std::string order_ref;
  bool transmit = true;
  int64_t parent_id = 0;
  bool block_order = false;
  bool sweep_to_fill = false;
  int32_t display_size = 0;
  int32_t trigger_method = 0;
  bool outside_rth = false;
  bool hidden = false;
  Decimal discretionary_amt;
  std::string good_after_time;
  std::string good_till_date;
  std::string fa_group;
  std::string fa_method;
  std::string fa_percentage;
  std::string fa_profile;  // sent only to servers below 177
  std::string model_code;
  int32_t short_sale_slot = 0;
  std::string designated_location;
  int32_t exempt_code = -1;
  int32_t oca_type = 0;
  std::string rule80a;
  std::string settling_firm;
  bool all_or_none = false;
  std::optional<int32_t> min_qty;
  std::optional<Decimal> percent_offset;
  int32_t auction_strategy = 0;
  std::optional<Decimal> starting_price;
  std::optional<Decimal> stock_ref_price;
  std::optional<Decimal> delta;
  std::optional<Decimal> stock_range_lower;
  std::optional<Decimal> stock_range_upper;
  bool override_percentage_constraints = false;
  std::optional<Decimal> volatility;
  std::optional<int32_t> volatility_type;
  std::string delta_neutral_order_type;  // non-empty: delta_neutral follows
  std::optional<Decimal> delta_neutral_aux_price;
  DeltaNeutralOrder delta_neutral;
  bool continuous_update = false;
  std::optional<int32_t> reference_price_type;
  std::optional<Decimal> trail_stop_price;
  std::optional<Decimal> trailing_percent;
  std::optional<int32_t> scale_init_level_size;
  std::optional<int32_t> scale_subs_level_size;
  std::optional<Decimal> scale_price_increment;  // > 0: scale follows
  ScaleOrder scale;
  std::string scale_table;
  std::string active_start_time;
  std::string active_stop_time;
  std::string hedge_type;  // non-empty: hedge_param follows
  std::string hedge_param;
  bool opt_out_smart_routing = false;
  std::string clearing_account;
  std::string clearing_intent;
  bool not_held = false;
  std::optional<DeltaNeutralContract> delta_neutral_contract;
  std::string algo_strategy;  // non-empty: algo_params follow
  std::vector<TagValue> algo_params;
  std::string algo_id;
  bool what_if = false;
  std::string order_misc_options;  // tag-value list as one field
  bool solicited = false;
  bool randomize_size = false;
  bool randomize_price = false;
  PegBench peg_bench;  // orderType PEG BENCH only
  std::vector<OrderCondition> conditions;
  bool conditions_ignore_rth = false;    // only with conditions
  bool conditions_cancel_order = false;  // only with conditions
  std::string adjusted_order_type;
  std::optional<Decimal> trigger_price;
  std::optional<Decimal> lmt_price_offset;
  std::optional<Decimal> adjusted_stop_price;
  std::optional<Decimal> adjusted_stop_limit_price;
  std::optional<Decimal> adjusted_trailing_amount;
  int32_t adjustable_trailing_unit = 0;
  std::string ext_operator;
  std::string soft_dollar_tier_name;
  std::string soft_dollar_tier_value;
  std::optional<Decimal> cash_qty;
  std::string mifid2_decision_maker;
  std::string mifid2_decision_algo;
  std::string mifid2_execution_trader;
  std::string mifid2_execution_algo;
  bool dont_use_auto_price_for_hedge = false;
  bool is_oms_container = false;
  bool discretionary_up_to_limit_price = false;
  std::optional<bool> use_price_mgmt_algo;  // unset = IB's default
  std::optional<int32_t> duration;
  std::optional<int32_t> post_to_ats;
  bool auto_cancel_parent = false;
  std::string advanced_error_override;
  std::string manual_order_time;

  bool operator==(const PlaceOrder&) const = default;
};

}  // namespace td::ib
