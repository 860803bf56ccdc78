#include "api/stream/send_queue.h"

#include <algorithm>

namespace td::api::stream {

SendQueue::SendQueue(std::size_t max_messages, std::size_t max_bytes)
    : max_messages_(std::max<std::size_t>(max_messages, 1)),
      max_bytes_(std::max<std::size_t>(max_bytes, 1)) {}

SendQueue::Push SendQueue::push(OutMessage m) {
  const std::size_t cost = m.cost();
  std::lock_guard lock(mu_);
  if (closed_) return Push::kClosed;
  // One message larger than the byte limit still goes through an empty queue
  // (a large snapshot must not make a topic unsubscribable).
  if (queue_.size() >= max_messages_ || (!queue_.empty() && bytes_ + cost > max_bytes_)) {
    return Push::kFull;
  }
  queue_.push_back(std::move(m));
  bytes_ += cost;
  if (writer_) return Push::kQueued;
  writer_ = true;
  return Push::kStartWriter;
}

bool SendQueue::pop_some(std::vector<OutMessage>& out, std::size_t max_messages,
                         std::size_t max_bytes) {
  std::lock_guard lock(mu_);
  if (queue_.empty()) {
    writer_ = false;
    return false;
  }
  std::size_t taken = 0, taken_bytes = 0;
  while (!queue_.empty() && taken < max_messages && (taken == 0 || taken_bytes < max_bytes)) {
    const std::size_t cost = queue_.front().cost();
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
    bytes_ -= cost;
    taken_bytes += cost;
    ++taken;
  }
  return true;
}

void SendQueue::close() {
  std::deque<OutMessage> dropped;  // freed outside the lock
  std::lock_guard lock(mu_);
  closed_ = true;
  dropped.swap(queue_);
  bytes_ = 0;
}

std::size_t SendQueue::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t SendQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace td::api::stream
