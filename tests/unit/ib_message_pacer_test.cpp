// brokers/ib/client/message_pacer.h: never more than 45 messages in any
// second, none lost, and no slower than that allows.
#include <gtest/gtest.h>

#include <vector>

#include "brokers/ib/client/message_pacer.h"

namespace td::ib {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kT0 = from_unix_seconds(1767623400);

TEST(IbMessagePacerTest, ABurstOf500LeavesAtMost45PerSecondAndNoneIsLost) {
  MessagePacer pacer;
  std::vector<Timestamp> sent;
  Timestamp now = kT0;  // all 500 are queued at kT0; the sender waits for each slot
  for (int i = 0; i < 500; ++i) {
    now = pacer.next_slot(now);
    pacer.sent(now);
    sent.push_back(now);
  }
  ASSERT_EQ(sent.size(), 500u);
  for (size_t i = 0; i + 45 < sent.size(); ++i)
    ASSERT_GE(sent[i + 45] - sent[i], seconds(1)) << "46 messages within a second at " << i;
  // As fast as the limit allows: 45 at once, then 45 more every second.
  EXPECT_EQ(sent[44], kT0);
  EXPECT_EQ(sent[45], kT0 + seconds(1));
  EXPECT_EQ(sent.back(), kT0 + seconds(499 / 45));
}

TEST(IbMessagePacerTest, SpreadOutTrafficIsNeverDelayed) {
  MessagePacer pacer;
  Timestamp now = kT0;
  for (int i = 0; i < 1000; ++i) {
    now += milliseconds(30);  // ~33 per second
    EXPECT_EQ(pacer.next_slot(now), now);
    pacer.sent(now);
  }
}

TEST(IbMessagePacerTest, TheWindowSlides) {
  MessagePacer pacer(3, seconds(1));
  pacer.sent(kT0);
  pacer.sent(kT0 + milliseconds(400));
  pacer.sent(kT0 + milliseconds(800));
  EXPECT_EQ(pacer.next_slot(kT0 + milliseconds(900)), kT0 + seconds(1));
  pacer.sent(kT0 + seconds(1));
  EXPECT_EQ(pacer.next_slot(kT0 + seconds(1)), kT0 + milliseconds(1400));
  EXPECT_EQ(pacer.next_slot(kT0 + seconds(5)), kT0 + seconds(5));
}

}  // namespace
}  // namespace td::ib
