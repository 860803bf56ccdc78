#pragma once
// Every component asks a Clock for the time, never the system, so tests and
// backtests run on simulated time and give the same result every run.
#include <chrono>

#include "core/time.h"

namespace td {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class RealClock final : public Clock {
 public:
  Timestamp now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

// Moves only when told to, and never backwards.
class SimClock final : public Clock {
 public:
  explicit SimClock(Timestamp start = {}) : now_(start) {}
  Timestamp now() const override { return now_; }
  void set(Timestamp t) {
    if (t > now_) now_ = t;
  }
  void advance(Duration d) { set(now_ + d); }

 private:
  Timestamp now_;
};

}  // namespace td
