// Parts of the IB client and its daemon wiring that need no gateway: how
// instruments are named at IB, bar sizes and durations for history requests,
// the persisted order-id high-water marks, and the live scheduler.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>

#include "brokers/ib/client/contract_for.h"
#include "brokers/ib/client/ib_market_data.h"
#include "daemon/asio_scheduler.h"
#include "daemon/ib_order_ids.h"

namespace td {
namespace {

using namespace std::chrono_literals;

TEST(IbContractFor, StockIsItsSymbolOnSmart) {
  Instrument spy;
  spy.symbol = Symbol("SPY");
  const auto c = ib::contract_for(spy);
  EXPECT_EQ(c.symbol, "SPY");
  EXPECT_EQ(c.sec_type, "STK");
  EXPECT_EQ(c.exchange, "SMART");
  EXPECT_EQ(c.currency, "USD");
  EXPECT_TRUE(c.last_trade_date_or_contract_month.empty());
  EXPECT_TRUE(c.multiplier.empty());
}

TEST(IbContractFor, CurrencyPairSplitsIntoSymbolAndCurrencyOnIdealpro) {
  Instrument fx;
  fx.symbol = Symbol("EUR.USD");
  fx.sec_type = SecType::kCash;
  const auto c = ib::contract_for(fx);
  EXPECT_EQ(c.symbol, "EUR");
  EXPECT_EQ(c.currency, "USD");
  EXPECT_EQ(c.exchange, "IDEALPRO");
  EXPECT_EQ(c.sec_type, "CASH");
}

TEST(IbContractFor, FutureCarriesExpiryAndMultiplier) {
  Instrument mes;
  mes.symbol = Symbol("MES");
  mes.sec_type = SecType::kFuture;
  mes.exchange = "CME";
  mes.multiplier = Decimal::from_int(5);
  ib::ContractOverrides o;
  o.expiry = "202612";
  const auto c = ib::contract_for(mes, o);
  EXPECT_EQ(c.sec_type, "FUT");
  EXPECT_EQ(c.exchange, "CME");
  EXPECT_EQ(c.last_trade_date_or_contract_month, "202612");
  EXPECT_EQ(Decimal::parse(c.multiplier).value(), Decimal::from_int(5));
}

TEST(IbContractFor, OptionTakesStrikeRightAndOverrides) {
  Instrument opt;
  opt.symbol = Symbol("SPYC600");
  opt.sec_type = SecType::kOption;
  opt.multiplier = Decimal::from_int(100);
  ib::ContractOverrides o;
  o.symbol = "SPY";
  o.expiry = "20261218";
  o.strike = Decimal::from_int(600);
  o.right = "C";
  o.con_id = 12345;
  const auto c = ib::contract_for(opt, o);
  EXPECT_EQ(c.symbol, "SPY");
  EXPECT_EQ(c.con_id, 12345);
  EXPECT_EQ(c.right, "C");
  EXPECT_EQ(c.strike, Decimal::from_int(600));
}

TEST(IbHistoryRequest, BarSizesAreIbsSpelling) {
  EXPECT_EQ(ib::ib_bar_size(1min), "1 min");
  EXPECT_EQ(ib::ib_bar_size(5min), "5 mins");
  EXPECT_EQ(ib::ib_bar_size(1h), "1 hour");
  EXPECT_EQ(ib::ib_bar_size(24h), "1 day");
  EXPECT_EQ(ib::ib_bar_size(5s), "5 secs");
  EXPECT_FALSE(ib::ib_bar_size(7min));
  EXPECT_FALSE(ib::ib_bar_size(1500ms));
}

TEST(IbHistoryRequest, DurationCoversTheSpan) {
  EXPECT_EQ(ib::ib_duration(60s), "60 S");
  EXPECT_EQ(ib::ib_duration(1500ms), "2 S");
  EXPECT_EQ(ib::ib_duration(24h), "86400 S");
  EXPECT_EQ(ib::ib_duration(25h), "2 D");
  EXPECT_EQ(ib::ib_duration(24h * 400), "2 Y");
}

class IbIdsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("td-ibids-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ib-order-ids").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(IbIdsFile, MissingFileMeansNothingUsedYet) {
  auto ids = daemon::load_ib_ids(path_);
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (daemon::IbIds{0, 0}));
}

TEST_F(IbIdsFile, SavedMarksComeBack) {
  ASSERT_TRUE(daemon::save_ib_ids(path_, {4711, 93}));
  auto ids = daemon::load_ib_ids(path_);
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (daemon::IbIds{4711, 93}));
}

TEST_F(IbIdsFile, DamagedFileStopsTheStartInsteadOfGuessing) {
  for (const char* text : {"ib_order_id=12\n", "ib_order_id=x\norder_id=3\n",
                           "ib_order_id=-4\norder_id=3\n", "garbage\n"}) {
    std::ofstream(path_) << text;
    auto ids = daemon::load_ib_ids(path_);
    ASSERT_FALSE(ids) << text;
    EXPECT_NE(ids.error().message.find(path_), std::string::npos);
  }
}

TEST(AsioSchedulerTest, RunsTimersInTimeOrderAndSkipsCancelled) {
  boost::asio::io_context io;
  daemon::AsioScheduler s(io);
  std::vector<int> ran;
  const Timestamp t0 = s.now();
  s.schedule_at(t0 + 30ms, [&] { ran.push_back(3); });
  s.schedule_at(t0 + 10ms, [&] { ran.push_back(1); });
  const TimerId cancelled = s.schedule_at(t0 + 20ms, [&] { ran.push_back(2); });
  s.schedule_at(t0 + 40ms, [&] {
    ran.push_back(4);
    EXPECT_GE(s.now(), t0 + 40ms);
  });
  s.cancel(cancelled);
  EXPECT_EQ(s.pending(), 3u);
  io.run();
  EXPECT_EQ(ran, (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(s.pending(), 0u);
}

TEST(AsioSchedulerTest, CancelAllDropsEveryTimer) {
  boost::asio::io_context io;
  daemon::AsioScheduler s(io);
  bool ran = false;
  s.schedule_after(1ms, [&] { ran = true; });
  s.schedule_after(2ms, [&] { ran = true; });
  s.cancel_all();
  io.run();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace td
