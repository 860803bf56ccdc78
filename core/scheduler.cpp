#include "core/scheduler.h"

namespace td {

TimerId SimScheduler::schedule_at(Timestamp at, Callback fn) {
  if (at < clock_.now()) at = clock_.now();  // the past is now
  const TimerId id = next_id_++;
  queue_.push(Item{at, id, std::move(fn)});
  live_.insert(id);
  return id;
}

void SimScheduler::cancel(TimerId id) {
  if (live_.erase(id)) cancelled_.insert(id);
}

void SimScheduler::drop_cancelled() {
  while (!queue_.empty() && cancelled_.count(queue_.top().id)) {
    cancelled_.erase(queue_.top().id);
    queue_.pop();
  }
}

std::optional<Timestamp> SimScheduler::next_time() const {
  const_cast<SimScheduler*>(this)->drop_cancelled();
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

bool SimScheduler::run_one() {
  drop_cancelled();
  if (queue_.empty()) return false;
  Callback fn = std::move(queue_.top().fn);
  clock_.set(queue_.top().at);
  live_.erase(queue_.top().id);
  queue_.pop();
  fn();
  return true;
}

size_t SimScheduler::run_until(Timestamp t) {
  size_t n = 0;
  for (auto next = next_time(); next && *next <= t; next = next_time()) {
    run_one();
    ++n;
  }
  clock_.set(t);
  return n;
}

}  // namespace td
