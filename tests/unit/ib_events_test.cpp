// IB server messages (docs/ib.md; fact sheet 3, 5.1, 5.4): each decoder
// against payloads in the sheet's layouts for server versions 176-178 (the
// recorded real messages of 3.1 verbatim, openOrder with its conditional
// groups, the error message with its advanced-reject JSON), and each encoder
// (the simulator's side) back to the same bytes. "|" stands for one NUL byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/wire/codec.h"

namespace td::ib::wire {
namespace {

using namespace std::string_literals;

std::string payload(std::string pipes) {
  std::replace(pipes.begin(), pipes.end(), '|', '\0');
  return pipes;
}

Decimal D(std::string_view s) {
  return Decimal::parse(s).value();
}

template <class T>
T decoded(const std::string& pipes, int version = 178) {
  auto m = decode(payload(pipes), version);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  if (!m) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*m)) << "got " << message_name(*m);
  return std::holds_alternative<T>(*m) ? std::get<T>(*m) : T{};
}

// `m` is what `pipes` decodes to, and encodes to exactly that payload after
// its big-endian length.
void expect_wire(const IncomingMessage& m, const std::string& pipes, int version = 178) {
  const std::string body = payload(pipes);
  auto back = decode(body, version);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_TRUE(*back == m) << "decoded " << message_name(*back) << " differs";
  auto bytes = encode_incoming(m, version);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
  ASSERT_EQ(bytes->size(), body.size() + 4);
  EXPECT_EQ(bytes->substr(4), body);
  const auto* b = reinterpret_cast<const uint8_t*>(bytes->data());
  EXPECT_EQ(uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3], body.size());
}

std::string decode_error(const std::string& pipes, int version = 178) {
  auto m = decode(payload(pipes), version);
  return m ? "" : m.error().message;
}

Contract tsla() {
  Contract c;
  c.con_id = 76792991;
  c.symbol = "TSLA";
  c.sec_type = "STK";
  c.strike = Decimal();
  c.exchange = "NASDAQ";
  c.currency = "USD";
  c.local_symbol = "TSLA";
  c.trading_class = "NMS";
  return c;
}

TEST(IbEvents, HandshakeFollowUpsOfTheFactSheet) {
  // 5.1: length 00 00 00 09 and 00 00 00 0f.
  expect_wire(NextValidId{1001}, "9|1|1001|");
  EXPECT_EQ(encode_incoming(NextValidId{1001}, 178).value().substr(0, 4), "\0\0\0\x09"s);
  expect_wire(ManagedAccounts{"DU1234567"}, "15|1|DU1234567|");
  EXPECT_EQ(encode_incoming(ManagedAccounts{"DU1234567"}, 178).value().substr(0, 4), "\0\0\0\x0f"s);
  expect_wire(ManagedAccounts{"DU1234567,DU7654321,"}, "15|1|DU1234567,DU7654321,|");
  expect_wire(CurrentTime{1768487400}, "49|1|1768487400|");
}

TEST(IbEvents, OrderStatusOfTheFactSheet) {
  // 5.4: 46 bytes.
  OrderStatus s{1001, "Submitted", D("0"), D("100"), D("0"), 1376327563, 0, D("0"), 17, "", D("0")};
  expect_wire(s, "3|1001|Submitted|0|100|0|1376327563|0|0|17||0|");
  EXPECT_EQ(payload("3|1001|Submitted|0|100|0|1376327563|0|0|17||0|").size(), 46u);
  // Recorded (3.1).
  expect_wire(OrderStatus{13, "Filled", D("100"), D("0"), D("196.52"), 1376327563, 0, D("196.52"),
                          100, "", D("0")},
              "3|13|Filled|100|0|196.52|1376327563|0|196.52|100||0|");
  // Recorded with one field more than the layout: tolerated.
  auto extra = decoded<OrderStatus>("3|13|PreSubmitted|0|100|0|1376327563|0|0|100||0||");
  EXPECT_EQ(extra.status, "PreSubmitted");
  EXPECT_EQ(extra.remaining, D("100"));
}

TEST(IbEvents, ErrorMessages) {
  expect_wire(ErrorMessage{-1, 2104, "Market data farm connection is OK:usfarm", ""},
              "4|2|-1|2104|Market data farm connection is OK:usfarm||");  // recorded
  const std::string json = R"({"rejectReason":"Order size exceeds the limit","code":"OSL"})";
  expect_wire(ErrorMessage{1001, 201, "Order rejected - reason:Order size exceeds the limit", json},
              "4|2|1001|201|Order rejected - reason:Order size exceeds the limit|" + json + "|");
  // Text with IB's literal \u escapes is kept as sent.
  auto escaped = decoded<ErrorMessage>("4|2|7|200|No security definition: \\u00e9|||");
  EXPECT_EQ(escaped.message, "No security definition: \\u00e9");
  EXPECT_EQ(escaped.advanced_order_reject_json, "");
}

TEST(IbEvents, ExecutionsAndCommissions) {
  const std::string recorded =
      "11|-1|13|76792991|TSLA|STK||0.0|||ISLAND|USD|TSLA|NMS|00025b46.63f8f39c.01.01|20230224  "
      "12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|||||2|";
  ExecDetails e;
  e.req_id = -1;
  e.order_id = 13;
  e.contract = tsla();
  e.contract.exchange = "ISLAND";
  e.exec_id = "00025b46.63f8f39c.01.01";
  e.time = "20230224  12:04:56";
  e.account = "DU1234567";
  e.exchange = "ISLAND";
  e.side = "BOT";
  e.shares = D("100");
  e.price = D("196.52");
  e.perm_id = 1376327563;
  e.client_id = 100;
  e.cum_qty = D("100");
  e.avg_price = D("196.52");
  e.last_liquidity = 2;
  // Recorded below 178: decodes at 176 and 177 ...
  EXPECT_EQ(decoded<ExecDetails>(recorded, 177), e);
  EXPECT_EQ(decoded<ExecDetails>(recorded, 176), e);
  // ... and lacks pendingPriceRevision at 178.
  EXPECT_EQ(decode_error(recorded, 178),
            "execDetails: field 31 (pendingPriceRevision): missing (the message has 31 fields)");
  e.order_ref = "d1-13";
  e.pending_price_revision = true;
  expect_wire(e,
              "11|-1|13|76792991|TSLA|STK||0|||ISLAND|USD|TSLA|NMS|00025b46.63f8f39c.01.01|"
              "20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|"
              "d1-13||||2|1|");
  expect_wire(ExecDetailsEnd{5}, "55|1|5|");

  CommissionReport c{
      "00025b46.63f8f39c.01.01", D("1"), "USD", std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(decoded<CommissionReport>("59|1|00025b46.63f8f39c.01.01|1.0|USD|1.7976931348623157E308|"
                                      "1.7976931348623157E308||"),
            c);  // recorded
  expect_wire(c, "59|1|00025b46.63f8f39c.01.01|1|USD||||");
  c.commission = D("1.0345");
  c.realized_pnl = D("-12.5");
  expect_wire(c, "59|1|00025b46.63f8f39c.01.01|1.0345|USD|-12.5|||");
}

TEST(IbEvents, PositionsAndAccounts) {
  Position p{"DU1234567", tsla(), D("500"), D("196.77")};
  EXPECT_EQ(decoded<Position>("61|3|DU1234567|76792991|TSLA|STK||0.0|||NASDAQ|USD|TSLA|NMS|500|"
                              "196.77|"),
            p);  // recorded
  expect_wire(p, "61|3|DU1234567|76792991|TSLA|STK||0|||NASDAQ|USD|TSLA|NMS|500|196.77|");
  Position es{"DU1234567", {}, D("-2"), D("301250")};
  es.contract.con_id = 620730920;
  es.contract.symbol = "ES";
  es.contract.sec_type = "FUT";
  es.contract.last_trade_date_or_contract_month = "20260918";
  es.contract.multiplier = "50";
  es.contract.currency = "USD";
  es.contract.local_symbol = "ESU6";
  es.contract.trading_class = "ES";
  expect_wire(es, "61|3|DU1234567|620730920|ES|FUT|20260918|||50||USD|ESU6|ES|-2|301250|");
  expect_wire(PositionEnd{}, "62|1|");

  expect_wire(AccountValue{"NetLiquidation", "100000.00", "USD", "DU1234567"},
              "6|2|NetLiquidation|100000.00|USD|DU1234567|");
  PortfolioValue pv{tsla(),     D("500"),  D("196.77"), D("98385"),
                    D("180.5"), D("8135"), D("0"),      "DU1234567"};
  pv.contract.exchange = "";
  pv.contract.primary_exchange = "NASDAQ";
  expect_wire(pv,
              "7|8|76792991|TSLA|STK||0|||NASDAQ|USD|TSLA|NMS|500|196.77|98385|180.5|8135|0|"
              "DU1234567|");
  expect_wire(AccountUpdateTime{"09:30"}, "8|1|09:30|");
  expect_wire(AccountDownloadEnd{"DU1234567"}, "54|1|DU1234567|");
  expect_wire(AccountSummary{9, "DU1234567", "NetLiquidation", "100000.00", "USD"},
              "63|1|9|DU1234567|NetLiquidation|100000.00|USD|");
  expect_wire(AccountSummaryEnd{9}, "64|1|9|");
}

TEST(IbEvents, MarketData) {
  expect_wire(TickPrice{1, 1, D("150.25"), D("100"), 3}, "1|6|1|1|150.25|100|3|");
  expect_wire(TickPrice{1, 4, D("-1"), std::nullopt, 0}, "1|6|1|4|-1||0|");
  EXPECT_EQ(decoded<TickPrice>("1|6|1|9|1.2345678E7|0|0|").price, D("12345678"));
  expect_wire(TickSize{1, 8, D("1234567")}, "2|6|1|8|1234567|");
  expect_wire(TickGeneric{1, 49, D("0")}, "45|6|1|49|0|");
  expect_wire(TickString{1, 48, "150.25;100;1768487400123;23456;150.2;true"},
              "46|6|1|48|150.25;100;1768487400123;23456;150.2;true|");
  expect_wire(TickSnapshotEnd{1}, "57|1|1|");
  expect_wire(MarketDataType{1, 3}, "58|1|1|3|");
  expect_wire(TickReqParams{1, D("0.01"), "9c0001", 3}, "81|1|0.01|9c0001|3|");
}

TEST(IbEvents, Bars) {
  HistoricalData h;
  h.req_id = 8;
  h.start_date = "20260114 16:00:00 America/New_York";
  h.end_date = "20260115 16:00:00 America/New_York";
  h.bars = {{"20260115 09:30:00 America/New_York", D("150.25"), D("151"), D("150"), D("150.5"),
             D("12345"), D("150.6"), 321},
            {"20260115 09:35:00 America/New_York", D("150.5"), D("150.75"), D("150.25"), D("150.5"),
             D("-1"), D("-1"), -1}};
  expect_wire(h,
              "17|8|20260114 16:00:00 America/New_York|20260115 16:00:00 America/New_York|2|"
              "20260115 09:30:00 America/New_York|150.25|151|150|150.5|12345|150.6|321|"
              "20260115 09:35:00 America/New_York|150.5|150.75|150.25|150.5|-1|-1|-1|");
  HistoricalDataUpdate u{
      8,
      {"1768487700", D("150.5"), D("150.75"), D("150.25"), D("150.6"), D("1200"), D("150.55"), 15}};
  // open, close, high, low, WAP, volume.
  expect_wire(u, "90|8|15|1768487700|150.5|150.6|150.75|150.25|150.55|1200|");
  expect_wire(RealtimeBar{10, 1768487400, D("150.25"), D("150.3"), D("150.2"), D("150.28"),
                          D("1200"), D("150.26"), 15},
              "50|3|10|1768487400|150.25|150.3|150.2|150.28|1200|150.26|15|");
}

TEST(IbEvents, ContractData) {
  ContractData cd;
  cd.req_id = 11;
  cd.contract.symbol = "AAPL";
  cd.contract.sec_type = "STK";
  cd.contract.strike = Decimal();
  cd.contract.exchange = "SMART";
  cd.contract.currency = "USD";
  cd.contract.local_symbol = "AAPL";
  cd.market_name = "NMS";
  cd.contract.trading_class = "NMS";
  cd.contract.con_id = 265598;
  cd.min_tick = D("0.01");
  cd.order_types = "ACTIVETIM,AD,ADJUST";
  cd.valid_exchanges = "SMART,AMEX,NYSE";
  cd.price_magnifier = 1;
  cd.under_con_id = 0;
  cd.long_name = "APPLE INC";
  cd.contract.primary_exchange = "NASDAQ";
  cd.industry = "Technology";
  cd.category = "Computers";
  cd.subcategory = "Computers";
  cd.time_zone_id = "US/Eastern";
  cd.trading_hours = "20260115:0400-20260115:2000";
  cd.liquid_hours = "20260115:0930-20260115:1600";
  cd.sec_ids = {{"ISIN", "US0378331005"}};
  cd.agg_group = 1;
  cd.market_rule_ids = "26,26";
  cd.stock_type = "COMMON";
  cd.min_size = D("0.0001");
  cd.size_increment = D("0.0001");
  cd.suggested_size_increment = D("100");
  expect_wire(cd,
              "10|11|AAPL|STK||0||SMART|USD|AAPL|NMS|NMS|265598|0.01||ACTIVETIM,AD,ADJUST|"
              "SMART,AMEX,NYSE|1|0|APPLE INC|NASDAQ||Technology|Computers|Computers|US/Eastern|"
              "20260115:0400-20260115:2000|20260115:0930-20260115:1600|||1|ISIN|US0378331005|1|||"
              "26,26||COMMON|0.0001|0.0001|100|");
  expect_wire(ContractDataEnd{11}, "52|1|11|");
}

// The real openOrder of the fact sheet (3.1/3.2: rust-ibapi v2.12.0, captured
// at server 164, with faProfile and one extra trailing field), plus the five
// fields servers 170+ append (minTradeQty .. midOffsetAtHalf): the layout of
// server 176. Everything but the typed fields equals OpenOrder's defaults.
const std::string kCapturedOpenOrder176 =
    "5|13|76792991|TSLA|STK||0|?||SMART|USD|TSLA|NMS|BUY|100|MKT|0.0|0.0|DAY||DU1236109||0||100|"
    "1376327563|0|0|0||1376327563.0/DU1236109/100||||||||||0||-1|0||||||2147483647|0|0|0||3|0|0||0|"
    "0||0|None||0||||?|0|0||0|0||||||0|0|0|2147483647|2147483647|||0||IB|0|0||0|0|PreSubmitted|"
    "1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|"
    "1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|"
    "1.7976931348623157E308||||||0|0|0|None|1.7976931348623157E308|1.7976931348623157E308|"
    "1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|"
    "0||||0|1|0|0|0|||0|"
    "2147483647|2147483647|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|"
    "|";

TEST(IbEvents, RealOpenOrderCaptureDecodes) {
  OpenOrder want;
  want.order_id = 13;
  want.contract = tsla();
  want.contract.right = "?";
  want.contract.exchange = "SMART";
  want.action = "BUY";
  want.total_quantity = D("100");
  want.order_type = "MKT";
  want.lmt_price = D("0");
  want.aux_price = D("0");
  want.tif = "DAY";
  want.account = "DU1236109";
  want.client_id = 100;
  want.perm_id = 1376327563;
  want.shares_allocation = "1376327563.0/DU1236109/100";
  want.status = "PreSubmitted";
  EXPECT_EQ(decoded<OpenOrder>(kCapturedOpenOrder176, 176), want);
  // At 177 the same bytes are one field off (no faProfile there): the field
  // after faPercentage is read as modelCode and everything shifts, which
  // the typed fields catch.
  EXPECT_EQ(decode_error(kCapturedOpenOrder176, 177),
            "openOrder: field 57 (parentId): \"\" is not an integer");
}

// An openOrder at 178 with every conditional group, item by item (3.2).
std::vector<std::string> full_open_order_fields() {
  const std::string kMax = "1.7976931348623157E308";
  std::vector<std::string> f = {
      "5",
      // 1-12: orderId, contract
      "1001", "265598", "AAPL", "STK", "", "0", "?", "", "SMART", "USD", "AAPL", "NMS",
      // 13-20: action .. account
      "BUY", "100", "PEG BENCH", "150.25", "", "GTC", "", "DU1234567",
      // 21-30: openClose, origin, orderRef, clientId, permId, outsideRth, hidden,
      // discretionaryAmt, goodAfterTime, sharesAllocation
      "", "0", "d1-1001", "17", "1376327563", "1", "0", "0", "", "",
      // 31-40: faGroup, faMethod, faPercentage, modelCode, goodTillDate, rule80A,
      // percentOffset, settlingFirm, shortSaleSlot, designatedLocation
      "", "", "", "", "", "", "", "", "0", "",
      // 41-50: exemptCode .. sweepToFill
      "-1", "0", "", "", "", "", "", "2147483647", "0", "0",
      // 51-60: allOrNone .. volatilityType
      "0", "", "3", "0", "0", "", "0", "0", "", "0",
      // 61-62 and the 8 delta-neutral fields ("None" is non-empty)
      "None", "", "0", "", "", "", "?", "0", "0", "",
      // 63-69: continuousUpdate .. comboLegsDescrip
      "0", "0", "", "", "", "", "",
      // 70: two combo legs of 8 fields
      "2", "111", "1", "BUY", "SMART", "0", "0", "", "-1", "222", "2", "SELL", "SMART", "0", "0",
      "", "-1",
      // 71: order combo leg prices; 72: smart combo routing params
      "2", "1.5", "", "1", "NonGuaranteed", "1",
      // 73-75 and the 7 scale fields (increment 0.05 > 0)
      "2147483647", "2147483647", "0.05", "0.01", "60", "0.5", "1", "100", "0", "0",
      // 76: hedgeType, hedgeParam; 77-80
      "D", "0.5", "0", "", "IB", "0",
      // 81: delta-neutral contract; 82: algo with one parameter
      "1", "12345", "0.5", "100.25", "Adaptive", "1", "adaptivePriority", "Normal",
      // 83-85: solicited, whatIf, status
      "0", "0", "Submitted",
      // 86-94: margins
      kMax, kMax, kMax, kMax, kMax, kMax, kMax, kMax, kMax,
      // 95-101: commissions, warning, randomizeSize, randomizePrice
      "", "", "", "", "", "0", "0",
      // PEG BENCH: 5 fields
      "265598", "0", "0.05", "0.1", "NASDAQ",
      // 102: six conditions, one of each type, then ignoreRth, cancelOrder
      "6", "1", "a", "1", "151.5", "265598", "SMART", "0",  // price
      "3", "o", "1", "20260115 15:00:00 US/Eastern",        // time
      "4", "a", "0", "30",                                  // margin
      "5", "a", "STK", "SMART", "AAPL",                     // execution
      "6", "a", "1", "1000000", "265598", "SMART",          // volume
      "7", "o", "0", "2.5", "265598", "SMART",              // percent change
      "1", "0",
      // 103-110
      "None", kMax, kMax, kMax, kMax, kMax, kMax, "0",
      // 111-113: soft dollar tier
      "", "", "",
      // 114-121: cashQty .. autoCancelParent
      "0", "1", "0", "0", "0", "", "", "0",
      // 122-126: minTradeQty .. midOffsetAtHalf
      "2147483647", "2147483647", "Infinity", kMax, kMax};
  return f;
}

std::string pipes(const std::vector<std::string>& fields) {
  std::string s;
  for (const auto& f : fields) s += f + "|";
  return s;
}

OpenOrder full_open_order() {
  OpenOrder o;
  o.order_id = 1001;
  o.contract.con_id = 265598;
  o.contract.symbol = "AAPL";
  o.contract.sec_type = "STK";
  o.contract.strike = Decimal();
  o.contract.right = "?";
  o.contract.exchange = "SMART";
  o.contract.currency = "USD";
  o.contract.local_symbol = "AAPL";
  o.contract.trading_class = "NMS";
  o.action = "BUY";
  o.total_quantity = D("100");
  o.order_type = "PEG BENCH";
  o.lmt_price = D("150.25");
  o.tif = "GTC";
  o.account = "DU1234567";
  o.order_ref = "d1-1001";
  o.client_id = 17;
  o.perm_id = 1376327563;
  o.outside_rth = true;
  o.combo_legs = {{"111", "1", "BUY", "SMART", "0", "0", "", "-1"},
                  {"222", "2", "SELL", "SMART", "0", "0", "", "-1"}};
  o.order_combo_leg_prices = {"1.5", ""};
  o.smart_combo_routing_params = {{"NonGuaranteed", "1"}};
  o.scale_price_increment = D("0.05");
  o.scale = {"0.01", "60", "0.5", "1", "100", "0", "0"};
  o.hedge_type = "D";
  o.hedge_param = "0.5";
  o.delta_neutral_contract = DeltaNeutralContract{"12345", "0.5", "100.25"};
  o.algo_strategy = "Adaptive";
  o.algo_params = {{"adaptivePriority", "Normal"}};
  o.status = "Submitted";
  o.peg_bench = {"265598", "0", "0.05", "0.1", "NASDAQ"};
  using C = OrderCondition;
  o.conditions = {
      {C::kPrice, "a", "1", "151.5", "265598", "SMART", "0", "", ""},
      {C::kTime, "o", "1", "20260115 15:00:00 US/Eastern", "", "", "", "", ""},
      {C::kMargin, "a", "0", "30", "", "", "", "", ""},
      {C::kExecution, "a", "", "", "", "SMART", "", "STK", "AAPL"},
      {C::kVolume, "a", "1", "1000000", "265598", "SMART", "", "", ""},
      {C::kPercentChange, "o", "0", "2.5", "265598", "SMART", "", "", ""},
  };
  o.conditions_ignore_rth = true;
  o.compete_against_best_offset = "Infinity";
  return o;
}

TEST(IbEvents, OpenOrderWithEveryConditionalGroup) {
  expect_wire(full_open_order(), pipes(full_open_order_fields()), 178);
  expect_wire(full_open_order(), pipes(full_open_order_fields()), 177);
  // 176 has faProfile after faPercentage (item 33).
  auto f = full_open_order_fields();
  f.insert(f.begin() + 34, "");
  expect_wire(full_open_order(), pipes(f), 176);
}

TEST(IbEvents, OpenOrderWithoutGroups) {
  // No delta-neutral order type, legs, scale, hedge, delta-neutral contract,
  // algo, PEG BENCH or conditions: only the guards are on the wire.
  const std::string kMax = "1.7976931348623157E308";
  const std::vector<std::string> f = {
      "5",          "1001",       "265598",    "AAPL",   "STK",        "",    "0",
      "?",          "",           "SMART",     "USD",    "AAPL",       "NMS",  // 1-12
      "BUY",        "100",        "LMT",       "150.25", "",           "GTC", "",
      "DU1234567",  // 13-20
      "",           "0",          "d1-1001",   "17",     "1376327563", "1",   "0",
      "0",          "",           "",  // 21-30
      "",           "",           "",          "",       "",           "",    "",
      "",           "0",          "",  // 31-40
      "-1",         "0",          "",          "",       "",           "",    "",
      "2147483647", "0",          "0",  // 41-50
      "0",          "",           "3",         "0",      "0",          "",    "0",
      "0",          "",           "0",  // 51-60
      "",           "",                 // 61-62: no delta-neutral order
      "0",          "0",          "",          "",       "",           "",    "",  // 63-69
      "0",          "0",          "0",                         // 70-72: no legs, prices, params
      "2147483647", "2147483647", "",                          // 73-75: no scale
      "",           "0",          "",          "IB",     "0",  // 76-80: no hedge
      "0",          "",                                        // 81-82: no contract, no algo
      "0",          "0",          "Submitted",                 // 83-85
      kMax,         kMax,         kMax,        kMax,     kMax,         kMax,  kMax,
      kMax,         kMax,                                                           // 86-94
      "",           "",           "",          "",       "",           "0",   "0",  // 95-101
      "0",  // 102: no conditions
      "None",       kMax,         kMax,        kMax,     kMax,         kMax,  kMax,
      "0",                             // 103-110
      "",           "",           "",  // 111-113
      "0",          "1",          "0",         "0",      "0",          "",    "",
      "0",                                                       // 114-121
      "2147483647", "2147483647", "Infinity",  kMax,     kMax};  // 122-126
  ASSERT_EQ(f.size(), 127u);                                     // the id and items 1-126
  OpenOrder o = full_open_order();
  o.order_type = "LMT";
  o.delta_neutral_order_type = "";
  o.delta_neutral = OpenOrder{}.delta_neutral;  // not on the wire: the decoder keeps the default
  o.combo_legs.clear();
  o.order_combo_leg_prices.clear();
  o.smart_combo_routing_params.clear();
  o.scale_price_increment.reset();
  o.scale = {};
  o.hedge_type = "";
  o.hedge_param = "";
  o.delta_neutral_contract.reset();
  o.algo_strategy = "";
  o.algo_params.clear();
  o.peg_bench = {};
  o.conditions.clear();
  o.conditions_ignore_rth = false;
  expect_wire(o, pipes(f));
}

TEST(IbEvents, OpenOrderRejections) {
  auto f = full_open_order_fields();
  auto with = [&](size_t i, std::string v) {
    auto g = f;
    g.at(i) = std::move(v);
    return pipes(g);
  };
  EXPECT_EQ(decode_error(with(14, "lots")),
            "openOrder: field 14 (totalQuantity): \"lots\": not a decimal number");
  EXPECT_EQ(decode_error(with(16, "150,25")),
            "openOrder: field 16 (lmtPrice): \"150,25\": not a decimal number");
  const size_t legs = std::find(f.begin(), f.end(), "111") - f.begin() - 1;
  EXPECT_EQ(decode_error(with(legs, "1000")),
            "openOrder: field " + std::to_string(legs) + " (comboLegsCount): count 1000 with " +
                std::to_string(f.size() - legs - 1) + " fields left in the message");
  const size_t condition_type = std::find(f.begin(), f.end(), "6") - f.begin() + 1;
  EXPECT_EQ(decode_error(with(condition_type, "9")),
            "openOrder: order condition type 9 is not supported by this codec");
  // Cut anywhere: the missing field is named.
  const size_t status = std::find(f.begin(), f.end(), "Submitted") - f.begin();
  f.resize(status);
  EXPECT_EQ(decode_error(pipes(f)), "openOrder: field " + std::to_string(status) +
                                        " (status): missing (the message has " +
                                        std::to_string(status) + " fields)");
}

TEST(IbEvents, UnknownIdsAreNotErrors) {
  // tickOptionComputation (21) is not decoded by the codec.
  expect_wire(
      UnknownMessage{21,
                     {"1", "13", "0", "0.25", "0.5", "3.1", "0", "0.01", "0.2", "-0.05", "150.25"}},
      "21|1|13|0|0.25|0.5|3.1|0|0.01|0.2|-0.05|150.25|");
  expect_wire(UnknownMessage{999, {}}, "999|");
}

TEST(IbEvents, GarbageFramesAreRefused) {
  EXPECT_EQ(decode_error(""), "IB message: empty payload");
  EXPECT_EQ(decode_error("abc|"), "IB message: field 0 (message id): \"abc\" is not an integer");
  auto no_nul = decode("9\0001\0001001"s, 178);
  ASSERT_FALSE(no_nul.has_value());
  EXPECT_EQ(no_nul.error().message, "IB message: last field \"1001\" is not NUL-terminated");
  EXPECT_EQ(decode_error("9|1|"),
            "nextValidId: field 2 (orderId): missing (the message has 2 fields)");
  EXPECT_EQ(decode_error("9|1|1001|", 175),
            "IB server version 175 is below the minimum 176 (upgrade TWS/IB Gateway to 10.19 or "
            "later)");
  EXPECT_EQ(decode_error("61|3|DU1|1|X|STK||0|||SMART|USD|X|X|9223372036854775807|1|"),
            "position: field 14 (position): \"9223372036854775807\": out of range");
  EXPECT_EQ(decode_error("17|8|a|b|10|d|1|1|1|1|1|1|1|"),
            "historicalData: field 4 (itemCount): count 10 with 8 fields left in the message");
}

TEST(IbEvents, SimulatorRefusesToEncodeNulInText) {
  auto r = encode_incoming(ErrorMessage{-1, 2104, "a\0b"s, ""}, 178);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "error: field 4 (errorString) contains a NUL byte");
}

}  // namespace
}  // namespace td::ib::wire
