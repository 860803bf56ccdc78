#pragma once
// The field lists of the client requests (fact sheet 2.2) at server versions
// 176-178; placeOrder's is place_order_fields.h, the simple requests'
// simple_message_fields.h. See field_list.h for how one list serves both
// directions. Message-version fields are expect(): the layout after them
// depends on them, so a simulator decoding a request with another version
// refuses it instead of misreading it.
#include "brokers/ib/requests.h"
#include "brokers/ib/wire/contract_fields.h"
#include "brokers/ib/wire/field_list.h"
#include "brokers/ib/wire/order_attribute_fields.h"
#include "brokers/ib/wire/simple_message_fields.h"

namespace td::ib::wire {

template <class Io, Is<StartApi> M>
void fields(Io& io, M& m) {
  io.expect("version", "2");
  io.int32("clientId", m.client_id);
  io.text("optionalCapabilities", m.optional_capabilities);
}

template <class Io, Is<ReqIds> M>
void fields(Io& io, M& m) {
  io.expect("version", "1");
  io.int32("numIds", m.num_ids);
}

template <class Io, Is<CancelOrder> M>
void fields(Io& io, M& m) {
  io.expect("version", "1");
  io.int64("orderId", m.order_id);
  io.text("manualOrderCancelTime", m.manual_order_cancel_time);
}

template <class Io, Is<ReqAutoOpenOrders> M>
void fields(Io& io, M& m) {
  io.expect("version", "1");
  io.flag("autoBind", m.auto_bind);
}

template <class Io, Is<ReqExecutions> M>
void fields(Io& io, M& m) {
  io.expect("version", "3");
  io.int64("reqId", m.req_id);
  io.int32("clientId", m.filter.client_id);
  io.text("acctCode", m.filter.acct_code);
  io.text("time", m.filter.time);
  io.text("symbol", m.filter.symbol);
  io.text("secType", m.filter.sec_type);
  io.text("exchange", m.filter.exchange);
  io.text("side", m.filter.side);
}

template <class Io, Is<ReqAccountUpdates> M>
void fields(Io& io, M& m) {
  io.expect("version", "2");
  io.flag("subscribe", m.subscribe);
  io.text("accountCode", m.account_code);
}

template <class Io, Is<ReqAccountSummary> M>
void fields(Io& io, M& m) {
  io.expect("version", "1");
  io.int64("reqId", m.req_id);
  io.text("group", m.group);
  io.text("tags", m.tags);
}

template <class Io, Is<ReqMktData> M>
void fields(Io& io, M& m) {
  io.expect("version", "11");
  io.int64("reqId", m.req_id);
  contract_fields(io, m.contract, ContractLayout::kC12);
  io.presence("deltaNeutralContract", m.delta_neutral_contract);
  if (m.delta_neutral_contract) delta_neutral_contract_fields(io, *m.delta_neutral_contract);
  io.text("genericTickList", m.generic_tick_list);
  io.flag("snapshot", m.snapshot);
  io.flag("regulatorySnapshot", m.regulatory_snapshot);
  io.text("mktDataOptions", m.mkt_data_options);
}

template <class Io, Is<ReqMarketDataType> M>
void fields(Io& io, M& m) {
  io.expect("version", "1");
  io.int32("marketDataType", m.market_data_type);
}

template <class Io, Is<ReqRealTimeBars> M>
void fields(Io& io, M& m) {
  io.expect("version", "3");
  io.int64("reqId", m.req_id);
  contract_fields(io, m.contract, ContractLayout::kC12);
  io.int32("barSize", m.bar_size);
  io.text("whatToShow", m.what_to_show);
  io.flag("useRTH", m.use_rth);
  io.text("realTimeBarsOptions", m.options);
}

// No version field.
template <class Io, Is<ReqHistoricalData> M>
void fields(Io& io, M& m) {
  io.int64("reqId", m.req_id);
  contract_fields(io, m.contract, ContractLayout::kC12);
  io.flag("includeExpired", m.include_expired);
  io.text("endDateTime", m.end_date_time);
  io.text("barSizeSetting", m.bar_size);
  io.text("durationStr", m.duration);
  io.flag("useRTH", m.use_rth);
  io.text("whatToShow", m.what_to_show);
  io.int32("formatDate", m.format_date);
  io.flag("keepUpToDate", m.keep_up_to_date);
  io.text("chartOptions", m.chart_options);
}

template <class Io, Is<ReqContractDetails> M>
void fields(Io& io, M& m) {
  io.expect("version", "8");
  io.int64("reqId", m.req_id);
  contract_fields(io, m.contract, ContractLayout::kC12);
  io.flag("includeExpired", m.include_expired);
  io.text("secIdType", m.sec_id_type);
  io.text("secId", m.sec_id);
  io.text("issuerId", m.issuer_id);
}

}  // namespace td::ib::wire
