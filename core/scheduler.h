#pragma once
// Deferred work on the engine thread: broker acknowledgement latency, market
// data ticks, strategy timers. Live mode backs it with Asio timers (daemon/);
// SimScheduler is a discrete-event queue ordered by (time, insertion), which
// is what makes paper runs and backtests deterministic.
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_set>
#include <vector>

#include "core/clock.h"

namespace td {

using TimerId = uint64_t;

class Scheduler {
 public:
  using Callback = std::function<void()>;
  virtual ~Scheduler() = default;
  virtual const Clock& clock() const = 0;
  virtual TimerId schedule_at(Timestamp at, Callback fn) = 0;
  virtual void cancel(TimerId id) = 0;

  Timestamp now() const { return clock().now(); }
  TimerId schedule_after(Duration d, Callback fn) { return schedule_at(now() + d, std::move(fn)); }
};

class SimScheduler final : public Scheduler {
 public:
  explicit SimScheduler(Timestamp start = {}) : clock_(start) {}

  const Clock& clock() const override { return clock_; }
  TimerId schedule_at(Timestamp at, Callback fn) override;
  void cancel(TimerId id) override;

  std::optional<Timestamp> next_time() const;
  // Runs the earliest event (advancing the clock to it); false when empty.
  bool run_one();
  // Runs every event due at or before t, then sets the clock to t.
  size_t run_until(Timestamp t);
  size_t pending() const { return live_.size(); }
  SimClock& sim_clock() { return clock_; }

 private:
  struct Item {
    Timestamp at;
    TimerId id;
    mutable Callback fn;
    bool operator>(const Item& o) const { return at != o.at ? at > o.at : id > o.id; }
  };
  void drop_cancelled();

  SimClock clock_;
  TimerId next_id_ = 1;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue_;
  std::unordered_set<TimerId> live_;       // scheduled, not yet run or cancelled
  std::unordered_set<TimerId> cancelled_;  // still in queue_, to be skipped
};

}  // namespace td
