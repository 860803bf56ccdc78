// IB client requests (docs/ib.md; fact sheet 2, 5): each encoder against
// frames written out by hand from the sheet (5.1-5.3 verbatim, the "verified
// byte strings" of 2.2, the others from the field lists), and each frame
// decoded back (the simulator's side) to the same request. "|" stands for
// one NUL byte, as in the sheet.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/wire/codec.h"

namespace td::ib::wire {
namespace {

using namespace std::string_literals;

// The frame of a payload written with "|" for NUL: length prefix + payload.
std::string frame(std::string body) {
  std::replace(body.begin(), body.end(), '|', '\0');
  const auto n = static_cast<uint32_t>(body.size());
  return std::string{char(n >> 24), char(n >> 16 & 0xFF), char(n >> 8 & 0xFF), char(n & 0xFF)} +
         body;
}

// `m` encodes to exactly `expected` and decodes from it.
void expect_wire(const OutgoingMessage& m, const std::string& expected, int version = 178) {
  auto bytes = encode(m, version);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
  EXPECT_EQ(*bytes, expected);
  auto back = decode_outgoing(std::string_view(expected).substr(4), version);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_TRUE(*back == m) << "decoded " << message_name(*back) << " differs";
}

std::string encode_error(const OutgoingMessage& m, int version = 178) {
  auto bytes = encode(m, version);
  return bytes ? "" : bytes.error().message;
}

std::string decode_error(const std::string& pipes, int version = 178) {
  const std::string f = frame(pipes);
  auto m = decode_outgoing(std::string_view(f).substr(4), version);
  return m ? "" : m.error().message;
}

Contract aapl() {
  Contract c;
  c.symbol = "AAPL";
  c.sec_type = "STK";
  c.exchange = "SMART";
  c.primary_exchange = "NASDAQ";
  c.currency = "USD";
  return c;
}

// 5.3 verbatim: BUY 100 AAPL LMT 150.25 DAY, orderId 1001, orderRef d1-1001.
const std::string kPlaceOrderHex =
    "00 00 00 c8 33 00 31 30 30 31 00 30 00 41 41 50 4c 00 53 54 4b 00 00 30 00 00 00 53 4d 41 52 "
    "54 00 4e 41 53 44 41 51 00 55 53 44 00 00 00 00 00 42 55 59 00 31 30 30 00 4c 4d 54 00 31 35 "
    "30 2e 32 35 00 00 44 41 59 00 00 00 00 30 00 64 31 2d 31 30 30 31 00 31 00 30 00 30 00 30 00 "
    "30 00 30 00 30 00 30 00 00 30 00 00 00 00 00 00 00 30 00 00 2d 31 00 30 00 00 00 30 00 00 00 "
    "30 00 30 00 00 30 00 00 00 00 00 00 30 00 00 00 00 00 30 00 00 00 00 00 00 00 00 00 00 00 30 "
    "00 00 00 30 00 30 00 00 00 30 00 00 30 00 30 00 30 00 30 00 00 00 00 00 00 00 30 00 00 00 00 "
    "00 00 00 00 00 30 00 30 00 30 00 00 00 00 30 00 00 00";

std::string from_hex(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i += 3)
    out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

PlaceOrder aapl_limit() {
  PlaceOrder o;
  o.order_id = 1001;
  o.contract = aapl();
  o.contract.strike = Decimal();  // the sheet's example sends strike 0
  o.action = "BUY";
  o.total_quantity = Decimal::from_int(100);
  o.order_type = "LMT";
  o.lmt_price = Decimal::parse("150.25").value();
  o.tif = "DAY";
  o.order_ref = "d1-1001";
  return o;
}

// The 114 fields of 5.3, to derive the sheet's variants from ("For MKT:
// field 18 MKT, field 19 empty", ...).
std::vector<std::string> example_fields() {
  const std::string body = from_hex(kPlaceOrderHex).substr(4);
  std::vector<std::string> out;
  for (size_t start = 0, end; (end = body.find('\0', start)) != std::string::npos; start = end + 1)
    out.push_back(body.substr(start, end - start));
  return out;
}

std::string frame_of(const std::vector<std::string>& fields) {
  std::string body;
  for (const auto& f : fields) body += f + "|";
  return frame(body);
}

std::string with(std::map<int, std::string> changes) {
  auto fields = example_fields();
  for (const auto& [i, v] : changes) fields.at(i) = v;
  return frame_of(fields);
}

TEST(IbRequests, PlaceOrderLimitIsTheFactSheetFrame) {
  ASSERT_EQ(example_fields().size(), 114u);
  expect_wire(aapl_limit(), from_hex(kPlaceOrderHex));
}

TEST(IbRequests, PlaceOrderTypes) {
  auto mkt = aapl_limit();
  mkt.order_type = "MKT";
  mkt.lmt_price.reset();
  expect_wire(mkt, with({{18, "MKT"}, {19, ""}}));

  auto stp = aapl_limit();
  stp.order_type = "STP";
  stp.lmt_price.reset();
  stp.aux_price = Decimal::parse("149.00").value();
  expect_wire(stp, with({{18, "STP"}, {19, ""}, {20, "149"}}));

  auto stp_lmt = aapl_limit();
  stp_lmt.order_type = "STP LMT";
  stp_lmt.lmt_price = Decimal::parse("148.5").value();
  stp_lmt.aux_price = Decimal::parse("149").value();
  expect_wire(stp_lmt, with({{18, "STP LMT"}, {19, "148.5"}, {20, "149"}}));
}

TEST(IbRequests, PlaceOrderTimeInForceOutsideRthAccount) {
  auto gtc = aapl_limit();
  gtc.tif = "GTC";
  gtc.outside_rth = true;
  gtc.account = "DU1234567";
  gtc.action = "SELL";
  gtc.total_quantity = Decimal::parse("0.5").value();
  expect_wire(gtc, with({{16, "SELL"}, {17, "0.5"}, {21, "GTC"}, {23, "DU1234567"}, {33, "1"}}));
  auto ioc = aapl_limit();
  ioc.tif = "IOC";
  ioc.order_ref = "";
  expect_wire(ioc, with({{21, "IOC"}, {26, ""}}));
}

TEST(IbRequests, PlaceOrderContracts) {
  auto fut = aapl_limit();
  fut.contract = Contract{};
  fut.contract.symbol = "ES";
  fut.contract.sec_type = "FUT";
  fut.contract.last_trade_date_or_contract_month = "202609";
  fut.contract.strike = Decimal();
  fut.contract.multiplier = "50";
  fut.contract.exchange = "CME";
  fut.contract.currency = "USD";
  fut.contract.trading_class = "ES";
  fut.lmt_price = Decimal::parse("6012.25").value();
  expect_wire(fut, with({{3, "ES"},
                         {4, "FUT"},
                         {5, "202609"},
                         {8, "50"},
                         {9, "CME"},
                         {10, ""},
                         {13, "ES"},
                         {19, "6012.25"}}));

  auto opt = aapl_limit();
  opt.contract.sec_type = "OPT";
  opt.contract.con_id = 712345678;
  opt.contract.last_trade_date_or_contract_month = "20260918";
  opt.contract.strike = Decimal::from_int(200);
  opt.contract.right = "C";
  opt.contract.multiplier = "100";
  opt.contract.primary_exchange = "";
  opt.total_quantity = Decimal::from_int(2);
  opt.lmt_price = Decimal::parse("3.45").value();
  expect_wire(opt, with({{2, "712345678"},
                         {4, "OPT"},
                         {5, "20260918"},
                         {6, "200"},
                         {7, "C"},
                         {8, "100"},
                         {10, ""},
                         {17, "2"},
                         {19, "3.45"}}));

  auto cash = aapl_limit();
  cash.contract = Contract{};
  cash.contract.symbol = "EUR";
  cash.contract.sec_type = "CASH";
  cash.contract.strike = Decimal();
  cash.contract.exchange = "IDEALPRO";
  cash.contract.currency = "USD";
  cash.total_quantity = Decimal::from_int(20000);
  cash.lmt_price = Decimal::parse("1.08125").value();
  expect_wire(
      cash,
      with({{3, "EUR"}, {4, "CASH"}, {9, "IDEALPRO"}, {10, ""}, {17, "20000"}, {19, "1.08125"}}));
}

TEST(IbRequests, PlaceOrderToA176ServerCarriesFaProfile) {
  auto fields = example_fields();
  fields.insert(fields.begin() + 42, "");  // after field 41 (faPercentage)
  ASSERT_EQ(fields.size(), 115u);
  expect_wire(aapl_limit(), frame_of(fields), 176);
  auto profiled = aapl_limit();
  profiled.fa_profile = "growth";
  fields[42] = "growth";
  expect_wire(profiled, frame_of(fields), 176);
  expect_wire(aapl_limit(), from_hex(kPlaceOrderHex), 177);
}

TEST(IbRequests, PlaceOrderConditionalGroupsSitWhereTheSheetSays) {
  auto o = aapl_limit();
  o.hedge_type = "D";
  o.hedge_param = "0.5";
  o.algo_strategy = "Adaptive";
  o.algo_params = {{"adaptivePriority", "Normal"}};
  OrderCondition price;
  price.type = OrderCondition::kPrice;
  price.is_more = "1";
  price.value = "151.5";
  price.con_id = "265598";
  price.exchange = "SMART";
  price.trigger_method = "0";
  OrderCondition time;
  time.type = OrderCondition::kTime;
  time.conjunction = "o";
  time.is_more = "1";
  time.value = "20260115 15:00:00 US/Eastern";
  o.conditions = {price, time};
  o.conditions_cancel_order = true;
  o.delta_neutral_contract = DeltaNeutralContract{"12345", "0.5", "100.25"};
  auto f = example_fields();
  // From the end backwards, so the earlier positions stay valid.
  f[89] = "2";  // conditionCount, then the conditions, ignoreRth, cancelOrder
  f.insert(f.begin() + 90, {"1", "a", "1", "151.5", "265598", "SMART", "0", "3", "o", "1",
                            "20260115 15:00:00 US/Eastern", "0", "1"});
  f[82] = "Adaptive";  // algoStrategy, then the count and pairs
  f.insert(f.begin() + 83, {"1", "adaptivePriority", "Normal"});
  f[81] = "1";  // deltaNeutralContract present, then conId, delta, price
  f.insert(f.begin() + 82, {"12345", "0.5", "100.25"});
  f[76] = "D";  // hedgeType, then hedgeParam
  f.insert(f.begin() + 77, "0.5");
  expect_wire(o, frame_of(f));
}

TEST(IbRequests, PlaceOrderScaleDeltaNeutralAndPegBenchGroups) {
  auto o = aapl_limit();
  o.order_type = "PEG BENCH";
  o.peg_bench = {"265598", "0", "0.05", "0.1", "NASDAQ"};
  o.scale_price_increment = Decimal::parse("0.05").value();
  o.scale = {"0.01", "60", "0.5", "1", "100", "0", "0"};
  o.delta_neutral_order_type = "LMT";
  o.delta_neutral = {"0", "", "", "", "O", "0", "0", ""};
  auto f = example_fields();
  f[18] = "PEG BENCH";
  f.insert(f.begin() + 89, {"265598", "0", "0.05", "0.1", "NASDAQ"});  // before conditionCount
  f[72] = "0.05";
  f.insert(f.begin() + 73, {"0.01", "60", "0.5", "1", "100", "0", "0"});
  f[64] = "LMT";
  f.insert(f.begin() + 66, {"0", "", "", "", "O", "0", "0", ""});  // after deltaNeutralAuxPrice
  expect_wire(o, frame_of(f));
  // A scale increment that is not positive brings no scale fields.
  auto zero = aapl_limit();
  zero.scale_price_increment = Decimal();
  expect_wire(zero, with({{72, "0"}}));
}

TEST(IbRequests, PlaceOrderUnsupportedFeaturesAreRefused) {
  auto bag = aapl_limit();
  bag.contract.sec_type = "BAG";
  EXPECT_EQ(encode_error(bag), "placeOrder: a BAG (combo) contract is not supported by this codec");
  auto best = aapl_limit();
  best.order_type = "PEG BEST";
  EXPECT_EQ(encode_error(best), "placeOrder: order type PEG BEST is not supported by this codec");
  auto ats = aapl_limit();
  ats.contract.exchange = "IBKRATS";
  EXPECT_EQ(encode_error(ats), "placeOrder: exchange IBKRATS is not supported by this codec");
  auto nul = aapl_limit();
  nul.order_ref = "a\0b"s;
  EXPECT_EQ(encode_error(nul), "placeOrder: field 26 (orderRef) contains a NUL byte");
  EXPECT_EQ(encode_error(aapl_limit(), 175),
            "IB server version 175 is below the minimum 176 (upgrade TWS/IB Gateway to 10.19 or "
            "later)");
  EXPECT_FALSE(encode(aapl_limit(), 179).has_value());
}

TEST(IbRequests, SimulatorReadsOtherClientsUnsetSpellings) {
  // IB's Python client writes some unset values literally, ib_async sends
  // openClose "O" and usePriceMgmtAlgo "0": all decode.
  auto f = example_fields();
  f[50] = "2147483647";               // minQty
  f[51] = "1.7976931348623157e+308";  // percentOffset
  f[24] = "O";
  f[108] = "0";
  f[6] = "";  // strike empty instead of 0
  const std::string bytes = frame_of(f);
  auto m = decode_outgoing(std::string_view(bytes).substr(4), 178);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  const auto& o = std::get<PlaceOrder>(*m);
  EXPECT_EQ(o.min_qty, std::nullopt);
  EXPECT_EQ(o.percent_offset, std::nullopt);
  EXPECT_EQ(o.open_close, "O");
  EXPECT_EQ(o.use_price_mgmt_algo, false);
  EXPECT_EQ(o.contract.strike, std::nullopt);
  EXPECT_EQ(o.lmt_price, Decimal::parse("150.25").value());
}

TEST(IbRequests, HandshakeFollowUps) {
  // 5.1: startApi for client id 17.
  expect_wire(StartApi{17, ""}, from_hex("00 00 00 09 37 31 00 32 00 31 37 00 00"));
  // 5.2: reqPositions.
  expect_wire(ReqPositions{}, from_hex("00 00 00 05 36 31 00 31 00"));
  expect_wire(ReqIds{1}, frame("8|1|1|"));
  expect_wire(ReqManagedAccts{}, frame("17|1|"));
  expect_wire(ReqCurrentTime{}, frame("49|1|"));
}

TEST(IbRequests, OrderManagement) {
  expect_wire(CancelOrder{1001, ""}, frame("4|1|1001||"));  // verified string of 2.2
  expect_wire(CancelOrder{1002, "20260115 09:31:00"}, frame("4|1|1002|20260115 09:31:00|"));
  expect_wire(ReqGlobalCancel{}, frame("58|1|"));
  expect_wire(ReqOpenOrders{}, frame("5|1|"));
  expect_wire(ReqAllOpenOrders{}, frame("16|1|"));
  expect_wire(ReqAutoOpenOrders{true}, frame("15|1|1|"));
  expect_wire(ReqAutoOpenOrders{false}, frame("15|1|0|"));
}

TEST(IbRequests, ExecutionsPositionsAccounts) {
  expect_wire(ReqExecutions{5, {}}, frame("7|3|5|0|||||||"));  // verified string of 2.2
  expect_wire(
      ReqExecutions{6, {17, "DU1234567", "20260115-09:30:00", "AAPL", "STK", "SMART", "BUY"}},
      frame("7|3|6|17|DU1234567|20260115-09:30:00|AAPL|STK|SMART|BUY|"));
  expect_wire(CancelPositions{}, frame("64|1|"));
  expect_wire(ReqAccountUpdates{true, "DU1234567"}, frame("6|2|1|DU1234567|"));
  expect_wire(ReqAccountUpdates{false, ""}, frame("6|2|0||"));
  expect_wire(ReqAccountSummary{9, "All", "NetLiquidation,TotalCashValue,BuyingPower"},
              frame("62|1|9|All|NetLiquidation,TotalCashValue,BuyingPower|"));
  expect_wire(CancelAccountSummary{9}, frame("63|1|9|"));
}

TEST(IbRequests, MarketData) {
  ReqMktData md;
  md.req_id = 1;
  md.contract = aapl();
  md.generic_tick_list = "233,236";
  expect_wire(md, frame("1|11|1|0|AAPL|STK|||||SMART|NASDAQ|USD|||0|233,236|0|0||"));
  md.snapshot = true;
  md.delta_neutral_contract = DeltaNeutralContract{"12345", "0.5", "100.25"};
  expect_wire(md,
              frame("1|11|1|0|AAPL|STK|||||SMART|NASDAQ|USD|||1|12345|0.5|100.25|233,236|1|0||"));
  expect_wire(CancelMktData{1}, frame("2|2|1|"));
  expect_wire(ReqMarketDataType{3}, frame("59|1|3|"));
}

TEST(IbRequests, Bars) {
  ReqRealTimeBars rt;
  rt.req_id = 10;
  rt.contract = aapl();
  rt.what_to_show = "TRADES";
  expect_wire(rt, frame("50|3|10|0|AAPL|STK|||||SMART|NASDAQ|USD|||5|TRADES|0||"));  // verified
  expect_wire(CancelRealTimeBars{10}, frame("51|1|10|"));
  ReqHistoricalData h;
  h.req_id = 8;
  h.contract = aapl();
  h.bar_size = "5 mins";
  h.duration = "1 D";
  h.use_rth = true;
  h.what_to_show = "TRADES";
  expect_wire(h, frame("20|8|0|AAPL|STK|||||SMART|NASDAQ|USD|||0||5 mins|1 D|1|TRADES|1|0||"));
  h.keep_up_to_date = true;
  h.format_date = 2;
  h.end_date_time = "20260115-21:00:00";
  expect_wire(h, frame("20|8|0|AAPL|STK|||||SMART|NASDAQ|USD|||0|20260115-21:00:00|5 mins|1 D|1|"
                       "TRADES|2|1||"));
  expect_wire(CancelHistoricalData{8}, frame("25|1|8|"));
}

TEST(IbRequests, ContractDetails) {
  ReqContractDetails cd;
  cd.req_id = 11;
  cd.contract = aapl();
  expect_wire(cd, frame("9|8|11|0|AAPL|STK|||||SMART|NASDAQ|USD|||0||||"));  // verified
  ReqContractDetails es;
  es.req_id = 12;
  es.contract.symbol = "ES";
  es.contract.sec_type = "FUT";
  es.contract.exchange = "CME";
  es.contract.currency = "USD";
  es.include_expired = true;
  expect_wire(es, frame("9|8|12|0|ES|FUT|||||CME||USD|||1||||"));
}

TEST(IbRequests, UnknownIdsReachTheSimulatorAsUnknown) {
  expect_wire(UnknownMessage{99, {"0"}}, frame("99|0|"));
  expect_wire(UnknownMessage{105, {}}, frame("105|"));
}

TEST(IbRequests, SimulatorRefusesOtherMessageVersionsAndBadFields) {
  EXPECT_EQ(decode_error("71|3|17||"),
            "startApi: field 1 (version): \"3\" where \"2\" is expected");
  EXPECT_EQ(decode_error("1|10|1|"),
            "reqMktData: field 1 (version): \"10\" where \"11\" is expected");
  EXPECT_EQ(decode_error("4|1|x||"), "cancelOrder: field 2 (orderId): \"x\" is not an integer");
  EXPECT_EQ(decode_error("4|1|"),
            "cancelOrder: field 2 (orderId): missing (the message has 2 fields)");
  EXPECT_EQ(decode_error("9|8|11|0|X|BAG|||||SMART||USD|||0||||"),
            "reqContractDetails: a BAG (combo) contract is not supported by this codec");
  auto f = example_fields();
  f[17] = "1e";
  const std::string bad_qty = frame_of(f);
  auto m = decode_outgoing(std::string_view(bad_qty).substr(4), 178);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().message,
            "placeOrder: field 17 (totalQuantity): \"1e\": not a decimal number");
  f[17] = "100";
  f[89] = "1";  // a condition count with nothing after it that is a condition
  f[90] = "2";  // condition type 2 does not exist
  const std::string bad_condition = frame_of(f);
  m = decode_outgoing(std::string_view(bad_condition).substr(4), 178);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().message, "placeOrder: order condition type 2 is not supported by this codec");
}

TEST(IbRequests, SimulatorToleratesExtraTrailingFields) {
  auto m = decode_outgoing(frame("61|1|extra|").substr(4), 178);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(std::holds_alternative<ReqPositions>(*m));
}

}  // namespace
}  // namespace td::ib::wire
