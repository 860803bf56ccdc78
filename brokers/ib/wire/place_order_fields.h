#pragma once
// placeOrder's field list (fact sheet 2.3, rows 0-113 at 177-178; faProfile
// after faPercentage below 177). See field_list.h. No message-version field
// (dropped at server 145). Row numbers in the comments are the sheet's.
#include "brokers/ib/place_order.h"
#include "brokers/ib/versions.h"
#include "brokers/ib/wire/contract_fields.h"
#include "brokers/ib/wire/field_list.h"
#include "brokers/ib/wire/order_attribute_fields.h"

namespace td::ib::wire {

template <class Io, Is<PlaceOrder> M>
void fields(Io& io, M& m) {
  io.int64("orderId", m.order_id);                        // 1
  contract_fields(io, m.contract, ContractLayout::kC12);  // 2-13 (BAG refused)
  io.text("secIdType", m.sec_id_type);
  io.text("secId", m.sec_id);
  io.text("action", m.action);  // 16
  io.decimal("totalQuantity", m.total_quantity);
  io.text("orderType", m.order_type);
  io.opt_dbl("lmtPrice", m.lmt_price);
  io.opt_dbl("auxPrice", m.aux_price);  // 20
  io.text("tif", m.tif);
  io.text("ocaGroup", m.oca_group);
  io.text("account", m.account);
  io.text("openClose", m.open_close);
  io.int32("origin", m.origin);  // 25
  io.text("orderRef", m.order_ref);
  io.flag("transmit", m.transmit);
  io.int64("parentId", m.parent_id);
  io.flag("blockOrder", m.block_order);
  io.flag("sweepToFill", m.sweep_to_fill);  // 30
  io.int32("displaySize", m.display_size);
  io.int32("triggerMethod", m.trigger_method);
  io.flag("outsideRth", m.outside_rth);
  io.flag("hidden", m.hidden);
  io.ignore("sharesAllocation", "");  // 35, deprecated
  io.dbl("discretionaryAmt", m.discretionary_amt);
  io.text("goodAfterTime", m.good_after_time);
  io.text("goodTillDate", m.good_till_date);
  io.text("faGroup", m.fa_group);
  io.text("faMethod", m.fa_method);  // 40
  io.text("faPercentage", m.fa_percentage);
  if (io.version() < kVersionFaProfileRemoved) io.text("faProfile", m.fa_profile);
  io.text("modelCode", m.model_code);
  io.int32("shortSaleSlot", m.short_sale_slot);
  io.text("designatedLocation", m.designated_location);
  io.int32("exemptCode", m.exempt_code);  // 45
  io.int32("ocaType", m.oca_type);
  io.text("rule80A", m.rule80a);
  io.text("settlingFirm", m.settling_firm);
  io.flag("allOrNone", m.all_or_none);
  io.opt_int32("minQty", m.min_qty);  // 50
  io.opt_dbl("percentOffset", m.percent_offset);
  io.ignore("eTradeOnly", "0");                     // deprecated, must be 0
  io.ignore("firmQuoteOnly", "0");                  // deprecated, must be 0
  io.ignore("nbboPriceCap", "");                    // deprecated
  io.int32("auctionStrategy", m.auction_strategy);  // 55
  io.opt_dbl("startingPrice", m.starting_price);
  io.opt_dbl("stockRefPrice", m.stock_ref_price);
  io.opt_dbl("delta", m.delta);
  io.opt_dbl("stockRangeLower", m.stock_range_lower);
  io.opt_dbl("stockRangeUpper", m.stock_range_upper);  // 60
  io.flag("overridePercentageConstraints", m.override_percentage_constraints);
  io.opt_dbl("volatility", m.volatility);
  io.opt_int32("volatilityType", m.volatility_type);
  io.text("deltaNeutralOrderType", m.delta_neutral_order_type);
  io.opt_dbl("deltaNeutralAuxPrice", m.delta_neutral_aux_price);  // 65
  if (!m.delta_neutral_order_type.empty()) delta_neutral_order_fields(io, m.delta_neutral);
  io.flag("continuousUpdate", m.continuous_update);
  io.opt_int32("referencePriceType", m.reference_price_type);
  io.opt_dbl("trailStopPrice", m.trail_stop_price);
  io.opt_dbl("trailingPercent", m.trailing_percent);
  io.opt_int32("scaleInitLevelSize", m.scale_init_level_size);  // 70
  io.opt_int32("scaleSubsLevelSize", m.scale_subs_level_size);
  io.opt_dbl("scalePriceIncrement", m.scale_price_increment);
  if (scale_follows(m.scale_price_increment)) scale_order_fields(io, m.scale);
  io.text("scaleTable", m.scale_table);
  io.text("activeStartTime", m.active_start_time);
  io.text("activeStopTime", m.active_stop_time);  // 75
  hedge_to_algo_fields(io, m);                    // 76-82
  io.text("algoId", m.algo_id);
  io.flag("whatIf", m.what_if);
  io.text("orderMiscOptions", m.order_misc_options);  // 85
  io.flag("solicited", m.solicited);
  randomize_to_conditions_fields(io, m);                // 87-89
  io.text("adjustedOrderType", m.adjusted_order_type);  // 90
  io.opt_dbl("triggerPrice", m.trigger_price);
  io.opt_dbl("lmtPriceOffset", m.lmt_price_offset);
  io.opt_dbl("adjustedStopPrice", m.adjusted_stop_price);
  io.opt_dbl("adjustedStopLimitPrice", m.adjusted_stop_limit_price);
  io.opt_dbl("adjustedTrailingAmount", m.adjusted_trailing_amount);  // 95
  io.int32("adjustableTrailingUnit", m.adjustable_trailing_unit);
  io.text("extOperator", m.ext_operator);
  io.text("softDollarTierName", m.soft_dollar_tier_name);
  io.text("softDollarTierValue", m.soft_dollar_tier_value);
  io.opt_dbl("cashQty", m.cash_qty);  // 100
  io.text("mifid2DecisionMaker", m.mifid2_decision_maker);
  io.text("mifid2DecisionAlgo", m.mifid2_decision_algo);
  io.text("mifid2ExecutionTrader", m.mifid2_execution_trader);
  io.text("mifid2ExecutionAlgo", m.mifid2_execution_algo);
  io.flag("dontUseAutoPriceForHedge", m.dont_use_auto_price_for_hedge);  // 105
  io.flag("isOmsContainer", m.is_oms_container);
  io.flag("discretionaryUpToLimitPrice", m.discretionary_up_to_limit_price);
  io.opt_flag("usePriceMgmtAlgo", m.use_price_mgmt_algo);
  io.opt_int32("duration", m.duration);
  io.opt_int32("postToAts", m.post_to_ats);  // 110
  io.flag("autoCancelParent", m.auto_cancel_parent);
  io.text("advancedErrorOverride", m.advanced_error_override);
  io.text("manualOrderTime", m.manual_order_time);  // 113
  // Server 170+ appends fields for these; not implemented.
  if (m.contract.exchange == "IBKRATS") io.unsupported("exchange IBKRATS");
  if (is_peg_best(m.order_type) || is_peg_mid(m.order_type))
    io.unsupported("order type " + m.order_type);
}

}  // namespace td::ib::wire
