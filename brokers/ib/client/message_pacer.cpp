#include "brokers/ib/client/message_pacer.h"

#include <algorithm>

namespace td::ib {

MessagePacer::MessagePacer(std::size_t limit, Duration window)
    : limit_(std::max<std::size_t>(limit, 1)), window_(window) {}

Timestamp MessagePacer::next_slot(Timestamp now) const {
  if (recent_.size() < limit_) return now;
  // The window that would hold this message must not hold the `limit_`
  // before it: it may leave once the oldest of them is a window old.
  return std::max(now, recent_.front() + window_);
}

void MessagePacer::sent(Timestamp now) {
  recent_.push_back(now);
  while (recent_.size() > limit_) recent_.pop_front();
}

}  // namespace td::ib
