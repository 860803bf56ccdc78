// brokers/ib/client/reconnect_backoff.h: 1 s doubling to 60 s with +-20 %
// jitter, reset after a good connection, the same for the same seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "brokers/ib/client/reconnect_backoff.h"

namespace td::ib {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(IbReconnectBackoffTest, DoublesFromOneSecondToSixtyWithJitter) {
  ReconnectBackoff b(7);
  const int bases[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
  for (int base : bases) {
    const Duration d = b.next();
    EXPECT_GE(d, milliseconds(base * 800)) << base;
    EXPECT_LE(d, milliseconds(base * 1200)) << base;
  }
  EXPECT_EQ(b.attempts(), 9);
}

TEST(IbReconnectBackoffTest, JitterSpreadsClientsThatFailTogether) {
  std::vector<Duration> first;
  for (uint64_t seed = 1; seed <= 20; ++seed) first.push_back(ReconnectBackoff(seed).next());
  int distinct = 0;
  for (size_t i = 0; i < first.size(); ++i)
    distinct += std::count(first.begin(), first.end(), first[i]) == 1 ? 1 : 0;
  EXPECT_GE(distinct, 18);
}

TEST(IbReconnectBackoffTest, ResetStartsOverAndTheSameSeedRepeats) {
  ReconnectBackoff a(42), b(42);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.next(), b.next());
  a.reset();
  EXPECT_EQ(a.attempts(), 0);
  const Duration d = a.next();
  EXPECT_GE(d, milliseconds(800));
  EXPECT_LE(d, milliseconds(1200));
}

}  // namespace
}  // namespace td::ib
