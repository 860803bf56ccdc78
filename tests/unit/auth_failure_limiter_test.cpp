// api/auth/failure_limiter: the threshold, the block and its end (SimClock),
// the sliding window, success does not lift a block or reset the count, the
// memory bound, concurrent use.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "api/auth/failure_limiter.h"

namespace td::api::auth {
namespace {

using std::chrono::seconds;

const Timestamp kT0 = from_unix_seconds(1'800'000'000);

TEST(AuthFailureLimiter, TenFailuresOkEleventhBlocks) {
  SimClock clock(kT0);
  FailureLimiter lim(clock);
  for (int i = 0; i < 10; ++i) {
    lim.record_failure("10.0.0.1");
    EXPECT_FALSE(lim.blocked("10.0.0.1")) << "after failure " << i + 1;
  }
  lim.record_failure("10.0.0.1");
  EXPECT_TRUE(lim.blocked("10.0.0.1"));
  EXPECT_FALSE(lim.blocked("10.0.0.2"));  // per address
}

TEST(AuthFailureLimiter, UnblocksAfterBlockPeriod) {
  SimClock clock(kT0);
  FailureLimiter lim(clock);
  for (int i = 0; i < 11; ++i) lim.record_failure("a");
  ASSERT_TRUE(lim.blocked("a"));
  clock.advance(seconds(59));
  EXPECT_TRUE(lim.blocked("a"));
  clock.advance(seconds(1));
  EXPECT_FALSE(lim.blocked("a"));
  // A fresh start: ten more failures are tolerated again.
  for (int i = 0; i < 10; ++i) lim.record_failure("a");
  EXPECT_FALSE(lim.blocked("a"));
  lim.record_failure("a");
  EXPECT_TRUE(lim.blocked("a"));
}

TEST(AuthFailureLimiter, FailuresAgeOutOfTheWindow) {
  SimClock clock(kT0);
  FailureLimiter lim(clock);
  for (int i = 0; i < 10; ++i) lim.record_failure("a");
  clock.advance(seconds(60));
  lim.record_failure("a");  // the first ten are older than the window now
  EXPECT_FALSE(lim.blocked("a"));
  // Sliding, not fixed: 10 spread over 30 s, then 1 more within 60 s of them blocks.
  SimClock c2(kT0);
  FailureLimiter l2(c2);
  for (int i = 0; i < 10; ++i) {
    l2.record_failure("b");
    c2.advance(seconds(3));
  }
  l2.record_failure("b");
  EXPECT_TRUE(l2.blocked("b"));
}

TEST(AuthFailureLimiter, SuccessDoesNotLiftABlock) {
  SimClock clock(kT0);
  FailureLimiter lim(clock);
  for (int i = 0; i < 11; ++i) lim.record_failure("a");
  ASSERT_TRUE(lim.blocked("a"));
  lim.record_success("a");
  EXPECT_TRUE(lim.blocked("a"));
}

TEST(AuthFailureLimiter, SuccessDoesNotResetTheCount) {
  SimClock clock(kT0);
  FailureLimiter lim(clock);
  for (int i = 0; i < 10; ++i) lim.record_failure("a");
  lim.record_success("a");  // e.g. another client behind the same NAT
  lim.record_failure("a");
  EXPECT_TRUE(lim.blocked("a"));
}

TEST(AuthFailureLimiter, SuccessForgetsAnAddressWithNothingToRemember) {
  SimClock clock(kT0);
  FailureLimiter lim(clock);
  lim.record_failure("a");
  lim.record_success("a");
  EXPECT_EQ(lim.tracked(), 1u);  // the failure is still in the window
  clock.advance(seconds(60));
  lim.record_success("a");
  EXPECT_EQ(lim.tracked(), 0u);
  lim.record_success("never-seen");
  EXPECT_EQ(lim.tracked(), 0u);
}

TEST(AuthFailureLimiter, Configurable) {
  SimClock clock(kT0);
  FailureLimiter lim(
      clock,
      {.max_failures = 2, .window = seconds(10), .block_for = seconds(300), .max_addresses = 100});
  lim.record_failure("a");
  lim.record_failure("a");
  EXPECT_FALSE(lim.blocked("a"));
  lim.record_failure("a");
  EXPECT_TRUE(lim.blocked("a"));
  clock.advance(seconds(299));
  EXPECT_TRUE(lim.blocked("a"));
  clock.advance(seconds(1));
  EXPECT_FALSE(lim.blocked("a"));
}

TEST(AuthFailureLimiter, MemoryBoundEvictsOldest) {
  SimClock clock(kT0);
  FailureLimiter lim(clock, {.max_failures = 1, .max_addresses = 3});
  lim.record_failure("a");
  lim.record_failure("a");
  ASSERT_TRUE(lim.blocked("a"));
  lim.record_failure("b");
  lim.record_failure("c");
  EXPECT_EQ(lim.tracked(), 3u);
  lim.record_failure("b");  // b becomes the most recent; a is the oldest
  lim.record_failure("d");  // evicts a
  EXPECT_EQ(lim.tracked(), 3u);
  EXPECT_FALSE(lim.blocked("a"));
  EXPECT_TRUE(lim.blocked("b"));  // b had 2 failures: kept and blocked
  for (int i = 0; i < 1000; ++i) lim.record_failure("x" + std::to_string(i));
  EXPECT_EQ(lim.tracked(), 3u);
}

TEST(AuthFailureLimiter, ConcurrentUse) {
  SimClock clock(kT0);
  FailureLimiter lim(clock, {.max_failures = 10, .max_addresses = 50});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&lim, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string addr = "10.0." + std::to_string(t) + "." + std::to_string(i % 100);
        lim.record_failure(addr);
        (void)lim.blocked(addr);
        if (i % 7 == 0) lim.record_success(addr);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_LE(lim.tracked(), 50u);
}

}  // namespace
}  // namespace td::api::auth
