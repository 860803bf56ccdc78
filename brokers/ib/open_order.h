#pragma once
// The openOrder message (id 5, fact sheet 3.2): an order's full description
// and state, sent for open orders on request, after every order event, and
// unsolicited at connect. Why every field is kept although tradingd reads
// about fifteen: the message is parsed strictly in sequence (the conditional
// groups shift every later field), and the gateway simulator must send all
// of them. Fields tradingd reads are typed; the rest keep their wire text so
// that an order entered in TWS with any attributes decodes and re-encodes
// without loss (docs/ib.md). The defaults are what a real IB Gateway sent
// for a plain MKT order (capture in rust-ibapi v2.12.0, src/orders/sync.rs).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/contract.h"
#include "brokers/ib/order_attributes.h"
#include "core/decimal.h"

namespace td::ib {

struct OpenOrder {
  static constexpr int kId = 5;
  static constexpr std::string_view kName = "openOrder";

  int64_t order_id = 0;
  Contract contract;  // no primary exchange in this message
  std::string action;
  Decimal total_quantity;
  std::string order_type;
  std::optional<Decimal> lmt_price;
  std::optional<Decimal> aux_price;
  std::string tif;
  std::string oca_group;
  std::string account;
  std::string open_close;
  std::string origin = "0";
  std::string order_ref;
  int32_t client_id = 0;
  int64_t perm_id = 0;
  bool outside_rth = false;
  bool hidden = false;
  std::string discretionary_amt = "0";
  std::string good_after_time;
  std::string shares_allocation;  // deprecated
  std::string fa_group;
  std::string fa_method;
  std::string fa_percentage;
  std::string fa_profile;  // only from servers below 177
  std::string model_code;
  std::string good_till_date;
  std::string rule80a;
  std::string percent_offset;
  std::string settling_firm;
  std::string short_sale_slot = "0";
  std::string designated_location;
  std::string exempt_code = "-1";
  std::string auction_strategy = "0";
  std::string starting_price;
  std::string stock_ref_price;
  std::string delta;
  std::string stock_range_lower;
  std::string stock_range_upper;
  std::string display_size = "2147483647";
  std::string block_order = "0";
  std::string sweep_to_fill = "0";
  std::string all_or_none = "0";
  std::string min_qty;
  std::string oca_type = "3";
  std::string e_trade_only = "0";     // deprecated
  std::string firm_quote_only = "0";  // deprecated
  std::string nbbo_price_cap;         // deprecated
  int64_t parent_id = 0;
  std::string trigger_method = "0";
  std::string volatility;
  std::string volatility_type = "0";
  std::string delta_neutral_order_type = "None";  // non-empty (TWS: "None"): delta_neutral follows
  std::string delta_neutral_aux_price;
  DeltaNeutralOrder delta_neutral{.con_id = "0",
                                  .settling_firm = "",
                                  .clearing_account = "",
                                  .clearing_intent = "",
                                  .open_close = "?",
                                  .short_sale = "0",
                                  .short_sale_slot = "0",
                                  .designated_location = ""};
  std::string continuous_update = "0";
  std::string reference_price_type = "0";
  std::string trail_stop_price;
  std::string trailing_percent;
  std::string basis_points;
  std::string basis_points_type;
  std::string combo_legs_description;
  std::vector<ComboLeg> combo_legs;
  std::vector<std::string> order_combo_leg_prices;
  std::vector<TagValue> smart_combo_routing_params;
  std::string scale_init_level_size = "2147483647";
  std::string scale_subs_level_size = "2147483647";
  std::optional<Decimal> scale_price_increment;  // > 0: scale follows
  ScaleOrder scale;
  std::string hedge_type;  // non-empty: hedge_param follows
  std::string hedge_param;
  bool opt_out_smart_routing = false;
  std::string clearing_account;
  std::string clearing_intent = "IB";
  bool not_held = false;
  std::optional<DeltaNeutralContract> delta_neutral_contract;
  std::string algo_strategy;  // non-empty: algo_params follow
  std::vector<TagValue> algo_params;
  std::string solicited = "0";
  bool what_if = false;
  // The order state.
  std::string status;  // as orderStatus.status
  std::string init_margin_before = "1.7976931348623157E308";
  std::string maint_margin_before = "1.7976931348623157E308";
  std::string equity_with_loan_before = "1.7976931348623157E308";
  std::string init_margin_change = "1.7976931348623157E308";
  std::string maint_margin_change = "1.7976931348623157E308";
  std::string equity_with_loan_change = "1.7976931348623157E308";
  std::string init_margin_after = "1.7976931348623157E308";
  std::string maint_margin_after = "1.7976931348623157E308";
  std::string equity_with_loan_after = "1.7976931348623157E308";
  std::string commission;
  std::string min_commission;
  std::string max_commission;
  std::string commission_currency;
  std::string warning_text;
  // The order again.
  bool randomize_size = false;
  bool randomize_price = false;
  PegBench peg_bench;  // orderType PEG BENCH only
  std::vector<OrderCondition> conditions;
  bool conditions_ignore_rth = false;    // only with conditions
  bool conditions_cancel_order = false;  // only with conditions
  std::string adjusted_order_type = "None";
  std::string trigger_price = "1.7976931348623157E308";
  std::string adjusted_trail_stop_price =
      "1.7976931348623157E308";  // trailStopPrice, sent again in this block
  std::string lmt_price_offset = "1.7976931348623157E308";
  std::string adjusted_stop_price = "1.7976931348623157E308";
  std::string adjusted_stop_limit_price = "1.7976931348623157E308";
  std::string adjusted_trailing_amount = "1.7976931348623157E308";
  std::string adjustable_trailing_unit = "0";
  std::string soft_dollar_tier_name;
  std::string soft_dollar_tier_value;
  std::string soft_dollar_tier_display_name;
  std::string cash_qty = "0";
  std::string dont_use_auto_price_for_hedge = "1";
  std::string is_oms_container = "0";
  std::string discretionary_up_to_limit_price = "0";
  std::string use_price_mgmt_algo = "0";
  std::string duration;
  std::string post_to_ats;
  std::string auto_cancel_parent = "0";
  std::string min_trade_qty = "2147483647";
  std::string min_compete_size = "2147483647";
  std::string compete_against_best_offset = "1.7976931348623157E308";  // may be "Infinity"
  std::string mid_offset_at_whole = "1.7976931348623157E308";
  std::string mid_offset_at_half = "1.7976931348623157E308";

  bool operator==(const OpenOrder&) const = default;
};

}  // namespace td::ib
