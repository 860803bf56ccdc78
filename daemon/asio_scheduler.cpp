#include "daemon/asio_scheduler.h"

namespace td::daemon {

AsioScheduler::~AsioScheduler() {
  cancel_all();
}

TimerId AsioScheduler::schedule_at(Timestamp at, Callback fn) {
  const TimerId id = next_id_++;
  auto timer = std::make_unique<boost::asio::system_timer>(io_);
  timer->expires_at(std::chrono::time_point_cast<std::chrono::system_clock::duration>(at));
  timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled (the timer may already be gone)
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    timers_.erase(it);
    fn();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioScheduler::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

void AsioScheduler::cancel_all() {
  for (auto& [id, t] : timers_) t->cancel();
  timers_.clear();
}

}  // namespace td::daemon
