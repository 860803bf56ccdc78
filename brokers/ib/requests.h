#pragma once
// The client requests other than placeOrder (fact sheet 2.2), at server
// versions 176-178. Why structs with the id and name attached: the codec
// (wire/codec.h) encodes and decodes each one from its field list
// (wire/request_fields.h) and finds it by id; the name labels errors.
// Request ids (reqId/tickerId) are independent of order ids.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "brokers/ib/contract.h"
#include "brokers/ib/order_attributes.h"
#include "brokers/ib/simple_message.h"

namespace td::ib {

// First message after the handshake reply (fact sheet 1.5).
struct StartApi {
  static constexpr int kId = 71;
  static constexpr std::string_view kName = "startApi";
  int32_t client_id = 0;
  std::string optional_capabilities;
  bool operator==(const StartApi&) const = default;
};

struct ReqIds {
  static constexpr int kId = 8;
  static constexpr std::string_view kName = "reqIds";
  int32_t num_ids = 1;  // ignored by TWS
  bool operator==(const ReqIds&) const = default;
};

struct CancelOrder {
  static constexpr int kId = 4;
  static constexpr std::string_view kName = "cancelOrder";
  int64_t order_id = 0;
  std::string manual_order_cancel_time;
  bool operator==(const CancelOrder&) const = default;
};

// Cancels every open order of the account, TWS-entered ones included.
using ReqGlobalCancel = IdOnlyMessage<Direction::kOutgoing, 58, "reqGlobalCancel">;

// This client's open orders (openOrder... openOrderEnd).
using ReqOpenOrders = IdOnlyMessage<Direction::kOutgoing, 5, "reqOpenOrders">;

// Every API client's open orders.
using ReqAllOpenOrders = IdOnlyMessage<Direction::kOutgoing, 16, "reqAllOpenOrders">;

// Only valid for client id 0: binds TWS orders to it.
struct ReqAutoOpenOrders {
  static constexpr int kId = 15;
  static constexpr std::string_view kName = "reqAutoOpenOrders";
  bool auto_bind = true;
  bool operator==(const ReqAutoOpenOrders&) const = default;
};

// Empty fields (and client_id 0) match everything; only today's executions.
struct ExecutionFilter {
  int32_t client_id = 0;
  std::string acct_code;
  std::string time;  // "yyyymmdd-hh:mm:ss"
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string side;  // BUY / SELL
  bool operator==(const ExecutionFilter&) const = default;
};

struct ReqExecutions {
  static constexpr int kId = 7;
  static constexpr std::string_view kName = "reqExecutions";
  int64_t req_id = 0;
  ExecutionFilter filter;
  bool operator==(const ReqExecutions&) const = default;
};

using ReqPositions = IdOnlyMessage<Direction::kOutgoing, 61, "reqPositions">;

using CancelPositions = IdOnlyMessage<Direction::kOutgoing, 64, "cancelPositions">;

// One subscription at a time: a second replaces the first.
struct ReqAccountUpdates {
  static constexpr int kId = 6;
  static constexpr std::string_view kName = "reqAccountUpdates";
  bool subscribe = true;
  std::string account_code;
  bool operator==(const ReqAccountUpdates&) const = default;
};

struct ReqAccountSummary {
  static constexpr int kId = 62;
  static constexpr std::string_view kName = "reqAccountSummary";
  int64_t req_id = 0;
  std::string group = "All";
  std::string tags;  // comma list: "NetLiquidation,TotalCashValue,BuyingPower"
  bool operator==(const ReqAccountSummary&) const = default;
};

using CancelAccountSummary = ReqIdMessage<Direction::kOutgoing, 63, "cancelAccountSummary">;

using ReqManagedAccts = IdOnlyMessage<Direction::kOutgoing, 17, "reqManagedAccts">;

struct ReqMktData {
  static constexpr int kId = 1;
  static constexpr std::string_view kName = "reqMktData";
  int64_t req_id = 0;
  Contract contract;  // not BAG
  std::optional<DeltaNeutralContract> delta_neutral_contract;
  std::string generic_tick_list;  // e.g. "233,236"
  bool snapshot = false;
  bool regulatory_snapshot = false;
  std::string mkt_data_options;  // tag-value list as one field
  bool operator==(const ReqMktData&) const = default;
};

using CancelMktData = ReqIdMessage<Direction::kOutgoing, 2, "cancelMktData", "2">;

// 1 live, 2 frozen, 3 delayed, 4 delayed-frozen. Send before reqMktData.
struct ReqMarketDataType {
  static constexpr int kId = 59;
  static constexpr std::string_view kName = "reqMarketDataType";
  int32_t market_data_type = 1;
  bool operator==(const ReqMarketDataType&) const = default;
};

struct ReqRealTimeBars {
  static constexpr int kId = 50;
  static constexpr std::string_view kName = "reqRealTimeBars";
  int64_t req_id = 0;
  Contract contract;
  int32_t bar_size = 5;      // the only size IB serves
  std::string what_to_show;  // TRADES, MIDPOINT, BID, ASK
  bool use_rth = false;
  std::string options;  // tag-value list as one field
  bool operator==(const ReqRealTimeBars&) const = default;
};

using CancelRealTimeBars = ReqIdMessage<Direction::kOutgoing, 51, "cancelRealTimeBars">;

struct ReqHistoricalData {
  static constexpr int kId = 20;
  static constexpr std::string_view kName = "reqHistoricalData";
  int64_t req_id = 0;
  Contract contract;  // not BAG
  bool include_expired = false;
  std::string end_date_time;  // empty = now; must be empty with keep_up_to_date
  std::string bar_size;       // "5 mins", "1 day"
  std::string duration;       // "1 D", "60 S"
  bool use_rth = false;
  std::string what_to_show;  // TRADES, MIDPOINT, BID, ASK, ...
  int32_t format_date = 1;   // 1 text, 2 epoch seconds
  bool keep_up_to_date = false;
  std::string chart_options;  // tag-value list as one field
  bool operator==(const ReqHistoricalData&) const = default;
};

using CancelHistoricalData = ReqIdMessage<Direction::kOutgoing, 25, "cancelHistoricalData">;

struct ReqContractDetails {
  static constexpr int kId = 9;
  static constexpr std::string_view kName = "reqContractDetails";
  int64_t req_id = 0;
  Contract contract;
  bool include_expired = false;
  std::string sec_id_type;
  std::string sec_id;
  std::string issuer_id;
  bool operator==(const ReqContractDetails&) const = default;
};

// Also the liveness probe: IB's protocol has no heartbeat.
using ReqCurrentTime = IdOnlyMessage<Direction::kOutgoing, 49, "reqCurrentTime">;

}  // namespace td::ib
