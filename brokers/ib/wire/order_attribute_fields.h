#pragma once
// The field lists of the order groups placeOrder and openOrder share (see
// field_list.h, order_attributes.h), and the guards that say when each group
// is on the wire. Why shared: the groups have the same fields in both
// messages; only their surroundings differ.
#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <vector>

#include "brokers/ib/contract.h"
#include "brokers/ib/order_attributes.h"
#include "brokers/ib/wire/field_list.h"
#include "core/decimal.h"

namespace td::ib::wire {

inline bool is_peg_bench(std::string_view order_type) {
  return order_type == "PEG BENCH" || order_type == "PEGBENCH";
}
inline bool is_peg_best(std::string_view order_type) {
  return order_type == "PEG BEST" || order_type == "PEGBEST";
}
inline bool is_peg_mid(std::string_view order_type) {
  return order_type == "PEG MID" || order_type == "PEGMID";
}
// The scale group follows scalePriceIncrement when it is set and positive.
inline bool scale_follows(const std::optional<Decimal>& scale_price_increment) {
  return scale_price_increment && scale_price_increment->sign() > 0;
}

template <class Io, Is<DeltaNeutralOrder> G>
void delta_neutral_order_fields(Io& io, G& g) {
  io.text("deltaNeutralConId", g.con_id);
  io.text("deltaNeutralSettlingFirm", g.settling_firm);
  io.text("deltaNeutralClearingAccount", g.clearing_account);
  io.text("deltaNeutralClearingIntent", g.clearing_intent);
  io.text("deltaNeutralOpenClose", g.open_close);
  io.text("deltaNeutralShortSale", g.short_sale);
  io.text("deltaNeutralShortSaleSlot", g.short_sale_slot);
  io.text("deltaNeutralDesignatedLocation", g.designated_location);
}

template <class Io, Is<ScaleOrder> G>
void scale_order_fields(Io& io, G& g) {
  io.text("scalePriceAdjustValue", g.price_adjust_value);
  io.text("scalePriceAdjustInterval", g.price_adjust_interval);
  io.text("scaleProfitOffset", g.profit_offset);
  io.text("scaleAutoReset", g.auto_reset);
  io.text("scaleInitPosition", g.init_position);
  io.text("scaleInitFillQty", g.init_fill_qty);
  io.text("scaleRandomPercent", g.random_percent);
}

template <class Io, Is<DeltaNeutralContract> G>
void delta_neutral_contract_fields(Io& io, G& g) {
  io.text("deltaNeutralContractConId", g.con_id);
  io.text("deltaNeutralContractDelta", g.delta);
  io.text("deltaNeutralContractPrice", g.price);
}

template <class Io, Is<PegBench> G>
void peg_bench_fields(Io& io, G& g) {
  io.text("referenceContractId", g.reference_contract_id);
  io.text("isPeggedChangeAmountDecrease", g.is_pegged_change_amount_decrease);
  io.text("peggedChangeAmount", g.pegged_change_amount);
  io.text("referenceChangeAmount", g.reference_change_amount);
  io.text("referenceExchangeId", g.reference_exchange_id);
}

template <class Io, Is<OrderCondition> G>
void order_condition_fields(Io& io, G& g) {
  using C = OrderCondition;
  io.int32("conditionType", g.type);
  io.text("conjunction", g.conjunction);
  switch (g.type) {
    case C::kExecution:
      io.text("secType", g.sec_type);
      io.text("exchange", g.exchange);
      io.text("symbol", g.symbol);
      return;
    case C::kPrice:
    case C::kTime:
    case C::kMargin:
    case C::kVolume:
    case C::kPercentChange:
      io.text("isMore", g.is_more);
      io.text("value", g.value);
      if (g.type == C::kTime || g.type == C::kMargin) return;
      io.text("conId", g.con_id);
      io.text("exchange", g.exchange);
      if (g.type == C::kPrice) io.text("triggerMethod", g.trigger_method);
      return;
    default:
      io.unsupported(fmt::format("order condition type {}", g.type));
  }
}

template <class Io, Is<std::vector<TagValue>> V>
void tag_value_fields(Io& io, std::string_view count_name, V& list) {
  io.count(count_name, list);
  for (auto& tv : list) {
    io.text("tag", tv.tag);
    io.text("value", tv.value);
  }
}

template <class Io, Is<ComboLeg> G>
void combo_leg_fields(Io& io, G& g) {
  io.text("legConId", g.con_id);
  io.text("legRatio", g.ratio);
  io.text("legAction", g.action);
  io.text("legExchange", g.exchange);
  io.text("legOpenClose", g.open_close);
  io.text("legShortSaleSlot", g.short_sale_slot);
  io.text("legDesignatedLocation", g.designated_location);
  io.text("legExemptCode", g.exempt_code);
}

// From hedgeType to the algo parameters: the same fields in placeOrder
// (rows 76-82) and openOrder (items 76-82); M is either.
template <class Io, class M>
void hedge_to_algo_fields(Io& io, M& m) {
  io.text("hedgeType", m.hedge_type);
  if (!m.hedge_type.empty()) io.text("hedgeParam", m.hedge_param);
  io.flag("optOutSmartRouting", m.opt_out_smart_routing);
  io.text("clearingAccount", m.clearing_account);
  io.text("clearingIntent", m.clearing_intent);
  io.flag("notHeld", m.not_held);
  io.presence("deltaNeutralContract", m.delta_neutral_contract);
  if (m.delta_neutral_contract) delta_neutral_contract_fields(io, *m.delta_neutral_contract);
  io.text("algoStrategy", m.algo_strategy);
  if (!m.algo_strategy.empty()) tag_value_fields(io, "algoParamsCount", m.algo_params);
}

// From randomizeSize to the conditions: the same fields in placeOrder (rows
// 87-89) and openOrder (items 100-102); M is either.
template <class Io, class M>
void randomize_to_conditions_fields(Io& io, M& m) {
  io.flag("randomizeSize", m.randomize_size);
  io.flag("randomizePrice", m.randomize_price);
  if (is_peg_bench(m.order_type)) peg_bench_fields(io, m.peg_bench);
  io.count("conditionCount", m.conditions);
  for (auto& c : m.conditions) order_condition_fields(io, c);
  if (!m.conditions.empty()) {
    io.flag("conditionsIgnoreRth", m.conditions_ignore_rth);
    io.flag("conditionsCancelOrder", m.conditions_cancel_order);
  }
}

}  // namespace td::ib::wire
