#pragma once
// The messages IB Gateway/TWS sends that tradingd reads (fact sheet 3.1),
// at server versions 176-178; openOrder and contractData have files of their
// own. Why Decimal for every price, size and amount: they reach positions
// and P&L, which must reconcile to the cent (docs/ib.md, "Numbers"). An
// optional is empty where IB sent an empty field or its "unset" value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/contract.h"
#include "brokers/ib/simple_message.h"
#include "core/decimal.h"

namespace td::ib {

// Tick types: 1 bid, 2 ask, 4 last (66-68 delayed) carry their size too.
struct TickPrice {
  static constexpr int kId = 1;
  static constexpr std::string_view kName = "tickPrice";
  int64_t req_id = 0;
  int32_t tick_type = 0;
  std::optional<Decimal> price;  // -1: no data
  std::optional<Decimal> size;
  int32_t attr_mask = 0;  // bit 0 canAutoExecute, 1 pastLimit, 2 preOpen
  bool operator==(const TickPrice&) const = default;
};

struct TickSize {
  static constexpr int kId = 2;
  static constexpr std::string_view kName = "tickSize";
  int64_t req_id = 0;
  int32_t tick_type = 0;
  std::optional<Decimal> size;
  bool operator==(const TickSize&) const = default;
};

// Not the source of truth for fills (execDetails is); has no orderRef.
struct OrderStatus {
  static constexpr int kId = 3;
  static constexpr std::string_view kName = "orderStatus";
  int64_t order_id = 0;
  std::string status;  // PreSubmitted, Submitted, Filled, Cancelled, Inactive, ...
  Decimal filled;
  Decimal remaining;
  std::optional<Decimal> avg_fill_price;
  int64_t perm_id = 0;
  int64_t parent_id = 0;
  std::optional<Decimal> last_fill_price;
  int32_t client_id = 0;
  std::string why_held;
  std::optional<Decimal> mkt_cap_price;
  bool operator==(const OrderStatus&) const = default;
};

// Errors and notices; id is an order id, a request id or -1 (fact sheet 4.4).
struct ErrorMessage {
  static constexpr int kId = 4;
  static constexpr std::string_view kName = "error";
  int64_t id = -1;
  int32_t code = 0;
  std::string message;  // may carry literal \uXXXX escapes
  std::string advanced_order_reject_json;
  bool operator==(const ErrorMessage&) const = default;
};

// reqAccountUpdates: one key of the account (value is text: numbers, "true").
struct AccountValue {
  static constexpr int kId = 6;
  static constexpr std::string_view kName = "accountValue";
  std::string key;
  std::string value;
  std::string currency;
  std::string account_name;
  bool operator==(const AccountValue&) const = default;
};

// reqAccountUpdates: one position with its market value. The contract has
// no exchange, but the primary exchange.
struct PortfolioValue {
  static constexpr int kId = 7;
  static constexpr std::string_view kName = "portfolioValue";
  Contract contract;
  Decimal position;
  std::optional<Decimal> market_price;
  std::optional<Decimal> market_value;
  std::optional<Decimal> average_cost;
  std::optional<Decimal> unrealized_pnl;
  std::optional<Decimal> realized_pnl;
  std::string account_name;
  bool operator==(const PortfolioValue&) const = default;
};

struct AccountUpdateTime {
  static constexpr int kId = 8;
  static constexpr std::string_view kName = "accountUpdateTime";
  std::string time;  // "HH:MM"
  bool operator==(const AccountUpdateTime&) const = default;
};

// The floor for new order ids (fact sheet 4.1).
struct NextValidId {
  static constexpr int kId = 9;
  static constexpr std::string_view kName = "nextValidId";
  int64_t order_id = 0;
  bool operator==(const NextValidId&) const = default;
};

// One (partial) fill. The contract has no primary exchange. Deduplicate by
// exec_id; a correction differs only after the last '.'.
struct ExecDetails {
  static constexpr int kId = 11;
  static constexpr std::string_view kName = "execDetails";
  int64_t req_id = -1;  // -1 for live fills
  int64_t order_id = 0;
  Contract contract;
  std::string exec_id;
  std::string time;  // "20230224  12:04:56" or "20250708 02:35:00 America/New_York"
  std::string account;
  std::string exchange;
  std::string side;  // BOT / SLD
  Decimal shares;    // this fill
  Decimal price;
  int64_t perm_id = 0;
  int32_t client_id = 0;
  int32_t liquidation = 0;
  Decimal cum_qty;  // for the order so far
  Decimal avg_price;
  std::string order_ref;
  std::string ev_rule;
  std::optional<Decimal> ev_multiplier;
  std::string model_code;
  std::optional<int32_t> last_liquidity;
  bool pending_price_revision = false;  // server 178 and up
  bool operator==(const ExecDetails&) const = default;
};

// Comma-separated; may end with a comma.
struct ManagedAccounts {
  static constexpr int kId = 15;
  static constexpr std::string_view kName = "managedAccounts";
  std::string accounts;
  bool operator==(const ManagedAccounts&) const = default;
};

// -1 for volume, WAP and count where they do not apply (MIDPOINT).
struct HistoricalBar {
  std::string date;  // formatDate 1: "20231019 16:11:48 America/New_York" / "20231019"; 2: epoch
  Decimal open;
  Decimal high;
  Decimal low;
  Decimal close;
  std::optional<Decimal> volume;
  std::optional<Decimal> wap;
  std::optional<int32_t> bar_count;
  bool operator==(const HistoricalBar&) const = default;
};

struct HistoricalData {
  static constexpr int kId = 17;
  static constexpr std::string_view kName = "historicalData";
  int64_t req_id = 0;
  std::string start_date;
  std::string end_date;
  std::vector<HistoricalBar> bars;
  bool operator==(const HistoricalData&) const = default;
};

struct TickGeneric {
  static constexpr int kId = 45;
  static constexpr std::string_view kName = "tickGeneric";
  int64_t req_id = 0;
  int32_t tick_type = 0;
  std::optional<Decimal> value;
  bool operator==(const TickGeneric&) const = default;
};

struct TickString {
  static constexpr int kId = 46;
  static constexpr std::string_view kName = "tickString";
  int64_t req_id = 0;
  int32_t tick_type = 0;  // 45 last timestamp, 48 RT volume, ...
  std::string value;
  bool operator==(const TickString&) const = default;
};

struct CurrentTime {
  static constexpr int kId = 49;
  static constexpr std::string_view kName = "currentTime";
  int64_t time = 0;  // epoch seconds
  bool operator==(const CurrentTime&) const = default;
};

// One 5-second bar; time is its start (epoch seconds).
struct RealtimeBar {
  static constexpr int kId = 50;
  static constexpr std::string_view kName = "realtimeBar";
  int64_t req_id = 0;
  int64_t time = 0;
  Decimal open;
  Decimal high;
  Decimal low;
  Decimal close;
  std::optional<Decimal> volume;
  std::optional<Decimal> wap;
  std::optional<int32_t> count;
  bool operator==(const RealtimeBar&) const = default;
};

using ContractDataEnd = ReqIdMessage<Direction::kIncoming, 52, "contractDataEnd">;

using OpenOrderEnd = IdOnlyMessage<Direction::kIncoming, 53, "openOrderEnd">;

struct AccountDownloadEnd {
  static constexpr int kId = 54;
  static constexpr std::string_view kName = "accountDownloadEnd";
  std::string account_name;
  bool operator==(const AccountDownloadEnd&) const = default;
};

using ExecDetailsEnd = ReqIdMessage<Direction::kIncoming, 55, "execDetailsEnd">;

using TickSnapshotEnd = ReqIdMessage<Direction::kIncoming, 57, "tickSnapshotEnd">;

struct MarketDataType {
  static constexpr int kId = 58;
  static constexpr std::string_view kName = "marketDataType";
  int64_t req_id = 0;
  int32_t market_data_type = 1;  // 1 live, 2 frozen, 3 delayed, 4 delayed-frozen
  bool operator==(const MarketDataType&) const = default;
};

// Joins its execution by exec_id; usually right after it.
struct CommissionReport {
  static constexpr int kId = 59;
  static constexpr std::string_view kName = "commissionReport";
  std::string exec_id;
  Decimal commission;
  std::string currency;
  std::optional<Decimal> realized_pnl;  // unset when not applicable
  std::optional<Decimal> yield;
  std::optional<int32_t> yield_redemption_date;  // yyyymmdd
  bool operator==(const CommissionReport&) const = default;
};

// reqPositions. The contract has no primary exchange (exchange often empty
// for futures); avg_cost of derivatives includes the multiplier.
struct Position {
  static constexpr int kId = 61;
  static constexpr std::string_view kName = "position";
  std::string account;
  Contract contract;
  Decimal position;
  std::optional<Decimal> avg_cost;
  bool operator==(const Position&) const = default;
};

using PositionEnd = IdOnlyMessage<Direction::kIncoming, 62, "positionEnd">;

struct AccountSummary {
  static constexpr int kId = 63;
  static constexpr std::string_view kName = "accountSummary";
  int64_t req_id = 0;
  std::string account;
  std::string tag;
  std::string value;  // text, as accountValue
  std::string currency;
  bool operator==(const AccountSummary&) const = default;
};

using AccountSummaryEnd = ReqIdMessage<Direction::kIncoming, 64, "accountSummaryEnd">;

// Sent after reqMktData.
struct TickReqParams {
  static constexpr int kId = 81;
  static constexpr std::string_view kName = "tickReqParams";
  int64_t req_id = 0;
  std::optional<Decimal> min_tick;
  std::string bbo_exchange;
  std::optional<int32_t> snapshot_permissions;
  bool operator==(const TickReqParams&) const = default;
};

// keepUpToDate: the forming bar, every few seconds. Note the field order on
// the wire: open, close, high, low, WAP, volume.
struct HistoricalDataUpdate {
  static constexpr int kId = 90;
  static constexpr std::string_view kName = "historicalDataUpdate";
  int64_t req_id = 0;
  HistoricalBar bar;
  bool operator==(const HistoricalDataUpdate&) const = default;
};

}  // namespace td::ib
