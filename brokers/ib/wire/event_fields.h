#pragma once
// The field lists of the server messages (fact sheet 3.1) at server versions
// 176-178; openOrder's is open_order_fields.h. See field_list.h. Message-
// version fields are ignore(): IB's clients read and discard them, so a
// decoder must not depend on them; the literal is what the simulator sends
// (errMsg 2 and position 3 as the sheet gives them; the others the highest
// version of each message in IB's clients, which is what TWS sends).
#include "brokers/ib/contract_data.h"
#include "brokers/ib/events.h"
#include "brokers/ib/versions.h"
#include "brokers/ib/wire/contract_fields.h"
#include "brokers/ib/wire/field_list.h"
#include "brokers/ib/wire/order_attribute_fields.h"
#include "brokers/ib/wire/simple_message_fields.h"

namespace td::ib::wire {

template <class Io, Is<TickPrice> M>
void fields(Io& io, M& m) {
  io.ignore("version", "6");
  io.int64("reqId", m.req_id);
  io.int32("tickType", m.tick_type);
  io.opt_dbl("price", m.price);
  io.opt_decimal("size", m.size);
  io.int32("attrMask", m.attr_mask);
}

template <class Io, Is<TickSize> M>
void fields(Io& io, M& m) {
  io.ignore("version", "6");
  io.int64("reqId", m.req_id);
  io.int32("tickType", m.tick_type);
  io.opt_decimal("size", m.size);
}

// No version field.
template <class Io, Is<OrderStatus> M>
void fields(Io& io, M& m) {
  io.int64("orderId", m.order_id);
  io.text("status", m.status);
  io.decimal("filled", m.filled);
  io.decimal("remaining", m.remaining);
  io.opt_dbl("avgFillPrice", m.avg_fill_price);
  io.int64("permId", m.perm_id);
  io.int64("parentId", m.parent_id);
  io.opt_dbl("lastFillPrice", m.last_fill_price);
  io.int32("clientId", m.client_id);
  io.text("whyHeld", m.why_held);
  io.opt_dbl("mktCapPrice", m.mkt_cap_price);
}

template <class Io, Is<ErrorMessage> M>
void fields(Io& io, M& m) {
  io.ignore("version", "2");
  io.int64("id", m.id);
  io.int32("errorCode", m.code);
  io.text("errorString", m.message);
  io.text("advancedOrderRejectJson", m.advanced_order_reject_json);
}

template <class Io, Is<AccountValue> M>
void fields(Io& io, M& m) {
  io.ignore("version", "2");
  io.text("key", m.key);
  io.text("value", m.value);
  io.text("currency", m.currency);
  io.text("accountName", m.account_name);
}

template <class Io, Is<PortfolioValue> M>
void fields(Io& io, M& m) {
  io.ignore("version", "8");
  contract_fields(io, m.contract, ContractLayout::kWithoutExchange);
  io.decimal("position", m.position);
  io.opt_dbl("marketPrice", m.market_price);
  io.opt_dbl("marketValue", m.market_value);
  io.opt_dbl("averageCost", m.average_cost);
  io.opt_dbl("unrealizedPNL", m.unrealized_pnl);
  io.opt_dbl("realizedPNL", m.realized_pnl);
  io.text("accountName", m.account_name);
}

template <class Io, Is<AccountUpdateTime> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.text("timeStamp", m.time);
}

template <class Io, Is<NextValidId> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.int64("orderId", m.order_id);
}

// No version field (server 164 and up).
template <class Io, Is<ContractData> M>
void fields(Io& io, M& m) {
  io.int64("reqId", m.req_id);
  io.text("symbol", m.contract.symbol);
  io.text("secType", m.contract.sec_type);
  io.text("lastTradeDateOrContractMonth", m.contract.last_trade_date_or_contract_month);
  io.opt_dbl("strike", m.contract.strike);
  io.text("right", m.contract.right);
  io.text("exchange", m.contract.exchange);
  io.text("currency", m.contract.currency);
  io.text("localSymbol", m.contract.local_symbol);
  io.text("marketName", m.market_name);
  io.text("tradingClass", m.contract.trading_class);
  io.int64("conId", m.contract.con_id);
  io.opt_dbl("minTick", m.min_tick);
  io.text("multiplier", m.contract.multiplier);
  io.text("orderTypes", m.order_types);
  io.text("validExchanges", m.valid_exchanges);
  io.opt_int32("priceMagnifier", m.price_magnifier);
  io.opt_int64("underConId", m.under_con_id);
  io.text("longName", m.long_name);
  io.text("primaryExchange", m.contract.primary_exchange);
  io.text("contractMonth", m.contract_month);
  io.text("industry", m.industry);
  io.text("category", m.category);
  io.text("subcategory", m.subcategory);
  io.text("timeZoneId", m.time_zone_id);
  io.text("tradingHours", m.trading_hours);
  io.text("liquidHours", m.liquid_hours);
  io.text("evRule", m.ev_rule);
  io.opt_dbl("evMultiplier", m.ev_multiplier);
  tag_value_fields(io, "secIdListCount", m.sec_ids);
  io.opt_int32("aggGroup", m.agg_group);
  io.text("underSymbol", m.under_symbol);
  io.text("underSecType", m.under_sec_type);
  io.text("marketRuleIds", m.market_rule_ids);
  io.text("realExpirationDate", m.real_expiration_date);
  io.text("stockType", m.stock_type);
  io.opt_decimal("minSize", m.min_size);
  io.opt_decimal("sizeIncrement", m.size_increment);
  io.opt_decimal("suggestedSizeIncrement", m.suggested_size_increment);
}

// No version field.
template <class Io, Is<ExecDetails> M>
void fields(Io& io, M& m) {
  io.int64("reqId", m.req_id);
  io.int64("orderId", m.order_id);
  contract_fields(io, m.contract, ContractLayout::kWithoutPrimaryExchange);
  io.text("execId", m.exec_id);
  io.text("time", m.time);
  io.text("acctNumber", m.account);
  io.text("exchange", m.exchange);
  io.text("side", m.side);
  io.decimal("shares", m.shares);
  io.dbl("price", m.price);
  io.int64("permId", m.perm_id);
  io.int32("clientId", m.client_id);
  io.int32("liquidation", m.liquidation);
  io.decimal("cumQty", m.cum_qty);
  io.dbl("avgPrice", m.avg_price);
  io.text("orderRef", m.order_ref);
  io.text("evRule", m.ev_rule);
  io.opt_dbl("evMultiplier", m.ev_multiplier);
  io.text("modelCode", m.model_code);
  io.opt_int32("lastLiquidity", m.last_liquidity);
  if (io.version() >= kVersionPendingPriceRevision)
    io.flag("pendingPriceRevision", m.pending_price_revision);
}

template <class Io, Is<ManagedAccounts> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.text("accountsList", m.accounts);
}

// No version field; the bars of message 17.
template <class Io, Is<HistoricalData> M>
void fields(Io& io, M& m) {
  io.int64("reqId", m.req_id);
  io.text("startDate", m.start_date);
  io.text("endDate", m.end_date);
  io.count("itemCount", m.bars);
  for (auto& b : m.bars) {
    io.text("date", b.date);
    io.dbl("open", b.open);
    io.dbl("high", b.high);
    io.dbl("low", b.low);
    io.dbl("close", b.close);
    io.opt_decimal("volume", b.volume);
    io.opt_decimal("WAP", b.wap);
    io.opt_int32("barCount", b.bar_count);
  }
}

template <class Io, Is<TickGeneric> M>
void fields(Io& io, M& m) {
  io.ignore("version", "6");
  io.int64("reqId", m.req_id);
  io.int32("tickType", m.tick_type);
  io.opt_dbl("value", m.value);
}

template <class Io, Is<TickString> M>
void fields(Io& io, M& m) {
  io.ignore("version", "6");
  io.int64("reqId", m.req_id);
  io.int32("tickType", m.tick_type);
  io.text("value", m.value);
}

template <class Io, Is<CurrentTime> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.int64("time", m.time);
}

template <class Io, Is<RealtimeBar> M>
void fields(Io& io, M& m) {
  io.ignore("version", "3");
  io.int64("reqId", m.req_id);
  io.int64("time", m.time);
  io.dbl("open", m.open);
  io.dbl("high", m.high);
  io.dbl("low", m.low);
  io.dbl("close", m.close);
  io.opt_decimal("volume", m.volume);
  io.opt_decimal("WAP", m.wap);
  io.opt_int32("count", m.count);
}

template <class Io, Is<AccountDownloadEnd> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.text("accountName", m.account_name);
}

template <class Io, Is<MarketDataType> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.int64("reqId", m.req_id);
  io.int32("marketDataType", m.market_data_type);
}

template <class Io, Is<CommissionReport> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.text("execId", m.exec_id);
  io.dbl("commission", m.commission);
  io.text("currency", m.currency);
  io.opt_dbl("realizedPNL", m.realized_pnl);
  io.opt_dbl("yield", m.yield);
  io.opt_int32("yieldRedemptionDate", m.yield_redemption_date);
}

template <class Io, Is<Position> M>
void fields(Io& io, M& m) {
  io.ignore("version", "3");
  io.text("account", m.account);
  contract_fields(io, m.contract, ContractLayout::kWithoutPrimaryExchange);
  io.decimal("position", m.position);
  io.opt_dbl("avgCost", m.avg_cost);
}

template <class Io, Is<AccountSummary> M>
void fields(Io& io, M& m) {
  io.ignore("version", "1");
  io.int64("reqId", m.req_id);
  io.text("account", m.account);
  io.text("tag", m.tag);
  io.text("value", m.value);
  io.text("currency", m.currency);
}

// No version field.
template <class Io, Is<TickReqParams> M>
void fields(Io& io, M& m) {
  io.int64("reqId", m.req_id);
  io.opt_dbl("minTick", m.min_tick);
  io.text("bboExchange", m.bbo_exchange);
  io.opt_int32("snapshotPermissions", m.snapshot_permissions);
}

// No version field; open, close, high, low (sic), WAP, volume.
template <class Io, Is<HistoricalDataUpdate> M>
void fields(Io& io, M& m) {
  io.int64("reqId", m.req_id);
  io.opt_int32("barCount", m.bar.bar_count);
  io.text("date", m.bar.date);
  io.dbl("open", m.bar.open);
  io.dbl("close", m.bar.close);
  io.dbl("high", m.bar.high);
  io.dbl("low", m.bar.low);
  io.opt_decimal("WAP", m.bar.wap);
  io.opt_decimal("volume", m.bar.volume);
}

}  // namespace td::ib::wire
