#pragma once
// The Scheduler of live mode: wall-clock time, timers on the engine thread's
// io_context. Why a separate class from SimScheduler: in live mode time is
// not ours to advance; the broker connection and the engine both wait on real
// timers, and every callback still runs on the one engine thread
// (architecture.md), so nothing here locks.
#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>
#include <memory>
#include <unordered_map>

#include "core/clock.h"
#include "core/scheduler.h"

namespace td::daemon {

class AsioScheduler final : public Scheduler {
 public:
  explicit AsioScheduler(boost::asio::io_context& io) : io_(io) {}
  ~AsioScheduler() override;
  AsioScheduler(const AsioScheduler&) = delete;
  AsioScheduler& operator=(const AsioScheduler&) = delete;

  const Clock& clock() const override { return clock_; }
  TimerId schedule_at(Timestamp at, Callback fn) override;
  void cancel(TimerId id) override;
  // Cancels every timer (at shutdown); their callbacks never run.
  void cancel_all();
  size_t pending() const { return timers_.size(); }

 private:
  boost::asio::io_context& io_;
  RealClock clock_;
  TimerId next_id_ = 1;
  std::unordered_map<TimerId, std::unique_ptr<boost::asio::system_timer>> timers_;
};

}  // namespace td::daemon
