// brokers/ib/client/historical_pacer.h: IB's historical-data pacing rules
// (ib-protocol.md 4.5), each on its own and a long warm-up that never
// breaks any of them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "brokers/ib/client/historical_pacer.h"

namespace td::ib {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kT0 = from_unix_seconds(1767623400);

HistoricalRequestKey key(std::string contract, std::string what = "TRADES",
                         std::string rest = "20260105 16:00:00 UTC|1 D|1 min|1") {
  return {std::move(contract), "SMART", std::move(what), std::move(rest)};
}

TEST(IbHistoricalPacerTest, NoIdenticalRequestWithin15Seconds) {
  HistoricalPacer p;
  p.sent(key("SPY"), kT0);
  p.finished();
  EXPECT_EQ(p.next_slot(key("SPY"), kT0 + seconds(1)), kT0 + seconds(15));
  // Another end date is not identical.
  EXPECT_EQ(p.next_slot(key("SPY", "TRADES", "20260104 16:00:00 UTC|1 D|1 min|1"), kT0), kT0);
}

TEST(IbHistoricalPacerTest, FewerThanSixForOneSeriesWithinTwoSeconds) {
  HistoricalPacer p;
  for (int i = 0; i < 5; ++i) {
    const auto k = key("SPY", "TRADES", std::to_string(i));
    ASSERT_EQ(p.next_slot(k, kT0 + milliseconds(100 * i)), kT0 + milliseconds(100 * i));
    p.sent(k, kT0 + milliseconds(100 * i));
  }
  EXPECT_EQ(p.next_slot(key("SPY", "TRADES", "5"), kT0 + milliseconds(500)), kT0 + seconds(2));
  EXPECT_EQ(p.next_slot(key("SPY", "MIDPOINT", "5"), kT0 + milliseconds(500)),
            kT0 + milliseconds(500));  // another data type is another series
}

TEST(IbHistoricalPacerTest, SixtyPerTenMinutesWithBidAskCountingTwice) {
  HistoricalPacer p;
  Timestamp now = kT0;
  for (int i = 0; i < 30; ++i) {  // 30 x BID_ASK = 60
    const auto k = key("C" + std::to_string(i), "BID_ASK");
    now = *p.next_slot(k, now);
    p.sent(k, now);
    p.finished();
  }
  EXPECT_EQ(p.next_slot(key("X"), now), kT0 + minutes(10));
}

TEST(IbHistoricalPacerTest, AtMostFiftyOpen) {
  HistoricalPacer p;
  for (int i = 0; i < 50; ++i) p.sent(key("C" + std::to_string(i)), kT0 + seconds(i));
  EXPECT_FALSE(p.next_slot(key("Z"), kT0 + seconds(60)).has_value());
  p.finished();
  EXPECT_TRUE(p.next_slot(key("Z"), kT0 + seconds(60)).has_value());
}

TEST(IbHistoricalPacerTest, ForgetsKeysWhoseRulesNoLongerBind) {
  HistoricalPacer p;
  for (int i = 0; i < 100; ++i) {
    p.sent(key("C" + std::to_string(i)), kT0 + seconds(i * 10));
    p.finished();
  }
  // Within 15 s of the last send: the last two keys, each in both maps.
  EXPECT_LE(p.remembered(), 4u);
  EXPECT_EQ(p.next_slot(key("C99"), kT0 + seconds(991)), kT0 + seconds(1005));  // still held
}

// A warm-up of 200 requests (some repeated, a few BID_ASK) sent as soon as
// allowed: every rule holds over the whole sequence.
TEST(IbHistoricalPacerTest, AWarmUpNeverBreaksARule) {
  HistoricalPacer p;
  struct Sent {
    HistoricalRequestKey k;
    Timestamp at;
  };
  std::vector<Sent> sent;
  Timestamp now = kT0;
  for (int i = 0; i < 200; ++i) {
    const auto k = key("C" + std::to_string(i % 7), i % 10 == 0 ? "BID_ASK" : "TRADES",
                       std::to_string(i % 13));
    now = *p.next_slot(k, now);
    p.sent(k, now);
    p.finished();
    sent.push_back({k, now});
  }
  for (size_t i = 0; i < sent.size(); ++i) {
    int in_window = 0, same_series = 0;
    for (size_t j = 0; j <= i; ++j) {
      const auto dt = sent[i].at - sent[j].at;
      if (dt < minutes(10)) in_window += sent[j].k.what_to_show == "BID_ASK" ? 2 : 1;
      const bool series = sent[j].k.contract == sent[i].k.contract &&
                          sent[j].k.what_to_show == sent[i].k.what_to_show;
      if (series && dt < seconds(2)) ++same_series;
      if (j < i && series && sent[j].k.rest == sent[i].k.rest) {
        ASSERT_GE(dt, seconds(15)) << i;
      }
    }
    ASSERT_LE(in_window, 60) << i;
    ASSERT_LE(same_series, 5) << i;
  }
}

}  // namespace
}  // namespace td::ib
