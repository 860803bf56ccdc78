#pragma once
// openOrder's field list (fact sheet 3.2) at server versions 176-178, read
// strictly in sequence: the conditional groups shift every later field. See
// field_list.h. No message-version field. Item numbers are the sheet's.
#include "brokers/ib/open_order.h"
#include "brokers/ib/versions.h"
#include "brokers/ib/wire/contract_fields.h"
#include "brokers/ib/wire/field_list.h"
#include "brokers/ib/wire/order_attribute_fields.h"

namespace td::ib::wire {

template <class Io, Is<OpenOrder> M>
void fields(Io& io, M& m) {
  io.int64("orderId", m.order_id);                                           // 1
  contract_fields(io, m.contract, ContractLayout::kWithoutPrimaryExchange);  // 2-12
  io.text("action", m.action);
  io.decimal("totalQuantity", m.total_quantity);
  io.text("orderType", m.order_type);  // 15
  io.opt_dbl("lmtPrice", m.lmt_price);
  io.opt_dbl("auxPrice", m.aux_price);
  io.text("tif", m.tif);
  io.text("ocaGroup", m.oca_group);
  io.text("account", m.account);  // 20
  io.text("openClose", m.open_close);
  io.text("origin", m.origin);
  io.text("orderRef", m.order_ref);
  io.int32("clientId", m.client_id);
  io.int64("permId", m.perm_id);  // 25
  io.flag("outsideRth", m.outside_rth);
  io.flag("hidden", m.hidden);
  io.text("discretionaryAmt", m.discretionary_amt);
  io.text("goodAfterTime", m.good_after_time);
  io.text("sharesAllocation", m.shares_allocation);  // 30
  io.text("faGroup", m.fa_group);
  io.text("faMethod", m.fa_method);
  io.text("faPercentage", m.fa_percentage);
  if (io.version() < kVersionFaProfileRemoved) io.text("faProfile", m.fa_profile);
  io.text("modelCode", m.model_code);
  io.text("goodTillDate", m.good_till_date);  // 35
  io.text("rule80A", m.rule80a);
  io.text("percentOffset", m.percent_offset);
  io.text("settlingFirm", m.settling_firm);
  io.text("shortSaleSlot", m.short_sale_slot);
  io.text("designatedLocation", m.designated_location);  // 40
  io.text("exemptCode", m.exempt_code);
  io.text("auctionStrategy", m.auction_strategy);
  io.text("startingPrice", m.starting_price);
  io.text("stockRefPrice", m.stock_ref_price);
  io.text("delta", m.delta);  // 45
  io.text("stockRangeLower", m.stock_range_lower);
  io.text("stockRangeUpper", m.stock_range_upper);
  io.text("displaySize", m.display_size);
  io.text("blockOrder", m.block_order);
  io.text("sweepToFill", m.sweep_to_fill);  // 50
  io.text("allOrNone", m.all_or_none);
  io.text("minQty", m.min_qty);
  io.text("ocaType", m.oca_type);
  io.text("eTradeOnly", m.e_trade_only);
  io.text("firmQuoteOnly", m.firm_quote_only);  // 55
  io.text("nbboPriceCap", m.nbbo_price_cap);
  io.int64("parentId", m.parent_id);
  io.text("triggerMethod", m.trigger_method);
  io.text("volatility", m.volatility);
  io.text("volatilityType", m.volatility_type);  // 60
  io.text("deltaNeutralOrderType", m.delta_neutral_order_type);
  io.text("deltaNeutralAuxPrice", m.delta_neutral_aux_price);
  // Any non-empty text, TWS's "None" included.
  if (!m.delta_neutral_order_type.empty()) delta_neutral_order_fields(io, m.delta_neutral);
  io.text("continuousUpdate", m.continuous_update);
  io.text("referencePriceType", m.reference_price_type);
  io.text("trailStopPrice", m.trail_stop_price);  // 65
  io.text("trailingPercent", m.trailing_percent);
  io.text("basisPoints", m.basis_points);
  io.text("basisPointsType", m.basis_points_type);
  io.text("comboLegsDescrip", m.combo_legs_description);
  io.count("comboLegsCount", m.combo_legs);  // 70
  for (auto& leg : m.combo_legs) combo_leg_fields(io, leg);
  io.count("orderComboLegsCount", m.order_combo_leg_prices);
  for (auto& price : m.order_combo_leg_prices) io.text("orderComboLegPrice", price);
  tag_value_fields(io, "smartComboRoutingParamsCount", m.smart_combo_routing_params);
  io.text("scaleInitLevelSize", m.scale_init_level_size);
  io.text("scaleSubsLevelSize", m.scale_subs_level_size);
  io.opt_dbl("scalePriceIncrement", m.scale_price_increment);  // 75
  if (scale_follows(m.scale_price_increment)) scale_order_fields(io, m.scale);
  hedge_to_algo_fields(io, m);  // 76-82
  io.text("solicited", m.solicited);
  io.flag("whatIf", m.what_if);
  io.text("status", m.status);  // 85
  io.text("initMarginBefore", m.init_margin_before);
  io.text("maintMarginBefore", m.maint_margin_before);
  io.text("equityWithLoanBefore", m.equity_with_loan_before);
  io.text("initMarginChange", m.init_margin_change);
  io.text("maintMarginChange", m.maint_margin_change);
  io.text("equityWithLoanChange", m.equity_with_loan_change);
  io.text("initMarginAfter", m.init_margin_after);
  io.text("maintMarginAfter", m.maint_margin_after);
  io.text("equityWithLoanAfter", m.equity_with_loan_after);
  io.text("commission", m.commission);  // 95
  io.text("minCommission", m.min_commission);
  io.text("maxCommission", m.max_commission);
  io.text("commissionCurrency", m.commission_currency);
  io.text("warningText", m.warning_text);
  randomize_to_conditions_fields(io, m);  // 100-102
  io.text("adjustedOrderType", m.adjusted_order_type);
  io.text("triggerPrice", m.trigger_price);
  io.text("trailStopPrice", m.adjusted_trail_stop_price);  // 105
  io.text("lmtPriceOffset", m.lmt_price_offset);
  io.text("adjustedStopPrice", m.adjusted_stop_price);
  io.text("adjustedStopLimitPrice", m.adjusted_stop_limit_price);
  io.text("adjustedTrailingAmount", m.adjusted_trailing_amount);
  io.text("adjustableTrailingUnit", m.adjustable_trailing_unit);  // 110
  io.text("softDollarTierName", m.soft_dollar_tier_name);
  io.text("softDollarTierValue", m.soft_dollar_tier_value);
  io.text("softDollarTierDisplayName", m.soft_dollar_tier_display_name);
  io.text("cashQty", m.cash_qty);
  io.text("dontUseAutoPriceForHedge", m.dont_use_auto_price_for_hedge);  // 115
  io.text("isOmsContainer", m.is_oms_container);
  io.text("discretionaryUpToLimitPrice", m.discretionary_up_to_limit_price);
  io.text("usePriceMgmtAlgo", m.use_price_mgmt_algo);
  io.text("duration", m.duration);
  io.text("postToAts", m.post_to_ats);  // 120
  io.text("autoCancelParent", m.auto_cancel_parent);
  io.text("minTradeQty", m.min_trade_qty);
  io.text("minCompeteSize", m.min_compete_size);
  io.text("competeAgainstBestOffset", m.compete_against_best_offset);
  io.text("midOffsetAtWhole", m.mid_offset_at_whole);  // 125
  io.text("midOffsetAtHalf", m.mid_offset_at_half);
}

}  // namespace td::ib::wire
