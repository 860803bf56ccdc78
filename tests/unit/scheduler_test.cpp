// SimScheduler: the discrete-event queue behind paper runs and backtests.
// Deterministic: ordered by (time, insertion); the clock moves only with it.
#include "core/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace td {
namespace {

using namespace std::chrono_literals;

Timestamp T(int64_t seconds) {
  return from_unix_seconds(1'700'000'000 + seconds);
}

TEST(SimClock, MovesOnlyForward) {
  SimClock c(T(10));
  EXPECT_EQ(c.now(), T(10));
  c.set(T(20));
  EXPECT_EQ(c.now(), T(20));
  c.set(T(5));  // never backwards
  EXPECT_EQ(c.now(), T(20));
  c.advance(1500ms);
  EXPECT_EQ(c.now(), T(20) + 1500ms);
  c.advance(-1s);
  EXPECT_EQ(c.now(), T(20) + 1500ms);
}

TEST(SimScheduler, EmptyQueue) {
  SimScheduler s(T(0));
  EXPECT_EQ(s.now(), T(0));
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_FALSE(s.next_time().has_value());
  EXPECT_FALSE(s.run_one());
  EXPECT_EQ(s.run_until(T(100)), 0u);
  EXPECT_EQ(s.now(), T(100));  // run_until sets the clock even with nothing to run
}

TEST(SimScheduler, OrdersByTimeThenInsertion) {
  SimScheduler s(T(0));
  std::vector<std::string> log;
  auto rec = [&](std::string name) {
    return [&, name] {
      log.push_back(name + "@" + std::to_string(to_unix_seconds(s.now()) - 1'700'000'000));
    };
  };
  s.schedule_at(T(3), rec("c"));
  s.schedule_at(T(1), rec("a1"));
  s.schedule_at(T(2), rec("b"));
  s.schedule_at(T(1), rec("a2"));
  s.schedule_at(T(1), rec("a3"));
  s.schedule_at(T(1) + 1ns, rec("a4"));
  EXPECT_EQ(s.pending(), 6u);
  EXPECT_EQ(s.next_time(), T(1));
  EXPECT_EQ(s.run_until(T(10)), 6u);
  EXPECT_EQ(log, (std::vector<std::string>{"a1@1", "a2@1", "a3@1", "a4@1", "b@2", "c@3"}));
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_EQ(s.now(), T(10));
}

TEST(SimScheduler, TimerIdsAreUniqueAndIncreasing) {
  SimScheduler s;
  const TimerId a = s.schedule_at(T(1), [] {});
  const TimerId b = s.schedule_at(T(1), [] {});
  const TimerId c = s.schedule_after(1s, [] {});
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(a, 0u);
}

TEST(SimScheduler, RunOneAdvancesTheClockToTheEvent) {
  SimScheduler s(T(0));
  Timestamp seen{};
  s.schedule_at(T(5), [&] { seen = s.now(); });
  s.schedule_at(T(7), [] {});
  EXPECT_TRUE(s.run_one());
  EXPECT_EQ(seen, T(5));
  EXPECT_EQ(s.now(), T(5));
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_TRUE(s.run_one());
  EXPECT_EQ(s.now(), T(7));
  EXPECT_FALSE(s.run_one());
  EXPECT_EQ(s.now(), T(7));
}

TEST(SimScheduler, RunUntilRunsOnlyWhatIsDue) {
  SimScheduler s(T(0));
  std::vector<int> ran;
  s.schedule_at(T(1), [&] { ran.push_back(1); });
  s.schedule_at(T(5), [&] { ran.push_back(5); });  // exactly at the horizon: due
  s.schedule_at(T(6), [&] { ran.push_back(6); });
  EXPECT_EQ(s.run_until(T(5)), 2u);
  EXPECT_EQ(ran, (std::vector<int>{1, 5}));
  EXPECT_EQ(s.now(), T(5));
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.next_time(), T(6));
  // A horizon in the past runs nothing and does not move the clock back.
  EXPECT_EQ(s.run_until(T(2)), 0u);
  EXPECT_EQ(s.now(), T(5));
  EXPECT_EQ(s.run_until(T(6)), 1u);
  EXPECT_EQ(ran, (std::vector<int>{1, 5, 6}));
}

TEST(SimScheduler, Cancel) {
  SimScheduler s(T(0));
  std::vector<int> ran;
  const TimerId a = s.schedule_at(T(1), [&] { ran.push_back(1); });
  const TimerId b = s.schedule_at(T(2), [&] { ran.push_back(2); });
  s.schedule_at(T(3), [&] { ran.push_back(3); });
  s.cancel(a);  // the head of the queue
  EXPECT_EQ(s.pending(), 2u);
  EXPECT_EQ(s.next_time(), T(2));  // a cancelled head is skipped
  s.cancel(a);                     // twice: no effect
  s.cancel(9999);                  // unknown: no effect
  EXPECT_EQ(s.pending(), 2u);
  s.cancel(b);
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.run_until(T(10)), 1u);
  EXPECT_EQ(ran, (std::vector<int>{3}));
  EXPECT_EQ(s.pending(), 0u);
}

TEST(SimScheduler, CancelAfterRunIsANoOp) {
  SimScheduler s(T(0));
  int n = 0;
  const TimerId a = s.schedule_at(T(1), [&] { ++n; });
  s.run_until(T(1));
  s.cancel(a);
  s.schedule_at(T(2), [&] { ++n; });
  EXPECT_EQ(s.pending(), 1u);
  s.run_until(T(2));
  EXPECT_EQ(n, 2);
}

TEST(SimScheduler, EverythingCancelled) {
  SimScheduler s(T(0));
  bool ran = false;
  const TimerId a = s.schedule_at(T(1), [&] { ran = true; });
  const TimerId b = s.schedule_at(T(1), [&] { ran = true; });
  s.cancel(b);
  s.cancel(a);
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_FALSE(s.next_time().has_value());
  EXPECT_FALSE(s.run_one());
  EXPECT_EQ(s.run_until(T(5)), 0u);
  EXPECT_FALSE(ran);
}

TEST(SimScheduler, CallbacksScheduleMoreCallbacks) {
  SimScheduler s(T(0));
  std::vector<std::string> log;
  s.schedule_at(T(1), [&] {
    log.push_back("first");
    // At the same time: runs after everything already queued for T(1).
    s.schedule_at(T(1), [&] { log.push_back("same-time child"); });
    // Later but within the horizon: runs in the same run_until.
    s.schedule_after(2s, [&] {
      log.push_back("child@" + std::to_string(to_unix_seconds(s.now()) - 1'700'000'000));
      s.schedule_after(1s, [&] { log.push_back("grandchild"); });
    });
    // Beyond the horizon: stays pending.
    s.schedule_at(T(100), [&] { log.push_back("late"); });
  });
  s.schedule_at(T(1), [&] { log.push_back("second"); });
  EXPECT_EQ(s.run_until(T(10)), 5u);
  EXPECT_EQ(log, (std::vector<std::string>{"first", "second", "same-time child", "child@3",
                                           "grandchild"}));
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.next_time(), T(100));
}

TEST(SimScheduler, ACallbackCanCancelALaterTimer) {
  SimScheduler s(T(0));
  bool later_ran = false;
  TimerId later = 0;
  s.schedule_at(T(1), [&] { s.cancel(later); });
  later = s.schedule_at(T(2), [&] { later_ran = true; });
  EXPECT_EQ(s.run_until(T(5)), 1u);
  EXPECT_FALSE(later_ran);
  EXPECT_EQ(s.pending(), 0u);
}

TEST(SimScheduler, ACallbackCancellingItselfIsHarmless) {
  SimScheduler s(T(0));
  int n = 0;
  TimerId self = 0;
  self = s.schedule_at(T(1), [&] {
    ++n;
    s.cancel(self);
  });
  s.schedule_at(T(2), [&] { ++n; });
  EXPECT_EQ(s.run_until(T(5)), 2u);
  EXPECT_EQ(n, 2);
}

TEST(SimScheduler, PastTimesRunNow) {
  SimScheduler s(T(100));
  Timestamp seen{};
  s.schedule_at(T(50), [&] { seen = s.now(); });
  EXPECT_EQ(s.next_time(), T(100));  // the past is now
  s.schedule_at(T(100), [] {});
  EXPECT_EQ(s.run_until(T(100)), 2u);
  EXPECT_EQ(seen, T(100));
  EXPECT_EQ(s.now(), T(100));
  // After the clock moved, "the past" is the new now, in insertion order.
  s.run_until(T(200));
  std::vector<int> order;
  s.schedule_at(T(150), [&] { order.push_back(1); });
  s.schedule_at(T(200), [&] { order.push_back(2); });
  s.schedule_at(T(0), [&] { order.push_back(3); });
  s.run_until(T(200));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(SimScheduler, ScheduleAfterIsRelativeToNow) {
  SimScheduler s(T(10));
  Timestamp seen{};
  s.schedule_after(250ms, [&] { seen = s.now(); });
  EXPECT_EQ(s.next_time(), T(10) + 250ms);
  s.run_until(T(11));
  EXPECT_EQ(seen, T(10) + 250ms);
  // Through the Scheduler interface too.
  Scheduler& base = s;
  EXPECT_EQ(base.now(), T(11));
  EXPECT_EQ(&base.clock(), static_cast<const Clock*>(&s.sim_clock()));
  base.schedule_after(1s, [&] { seen = base.now(); });
  s.run_until(T(20));
  EXPECT_EQ(seen, T(12));
}

TEST(SimScheduler, SimClockAdvanceDoesNotRunEvents) {
  SimScheduler s(T(0));
  bool ran = false;
  s.schedule_at(T(5), [&] { ran = true; });
  s.sim_clock().advance(10s);
  EXPECT_FALSE(ran);
  EXPECT_EQ(s.now(), T(10));
  // The overdue event runs at its own time stamp... but the clock never goes back.
  EXPECT_TRUE(s.run_one());
  EXPECT_TRUE(ran);
  EXPECT_EQ(s.now(), T(10));
}

TEST(SimScheduler, ManyEventsStayInOrder) {
  SimScheduler s(T(0));
  std::vector<int> seen;
  // Insert in a scrambled order; equal times keep insertion order.
  for (int i = 0; i < 1000; ++i) {
    const int slot = (i * 7919) % 100;
    s.schedule_at(T(slot), [&seen, i] { seen.push_back(i); });
  }
  EXPECT_EQ(s.run_until(T(1000)), 1000u);
  ASSERT_EQ(seen.size(), 1000u);
  for (size_t k = 1; k < seen.size(); ++k) {
    const int a = seen[k - 1], b = seen[k];
    const int sa = (a * 7919) % 100, sb = (b * 7919) % 100;
    ASSERT_TRUE(sa < sb || (sa == sb && a < b)) << k;
  }
}

}  // namespace
}  // namespace td
