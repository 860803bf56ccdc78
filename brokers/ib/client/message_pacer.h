#pragma once
// Outgoing pacing for the TWS socket. Why: IB accepts 50 messages per second
// from a client and, depending on a TWS setting, answers more with error 100
// or drops the connection after three violations (ib-protocol.md 4.5). Every
// outgoing message, orders included, waits for its slot here instead: at most
// `limit` messages in any window of `window`, in order, none dropped. 45 per
// second leaves a margin for clock differences (as ib_async does).
#include <cstddef>
#include <deque>

#include "core/time.h"

namespace td::ib {

class MessagePacer {
 public:
  explicit MessagePacer(std::size_t limit = 45, Duration window = std::chrono::seconds(1));

  // The earliest time, not before `now`, at which one more message may leave.
  Timestamp next_slot(Timestamp now) const;
  // Records a message sent at `now` (a time at or after next_slot()).
  void sent(Timestamp now);

 private:
  const std::size_t limit_;
  const Duration window_;
  std::deque<Timestamp> recent_;  // the last `limit_` send times
};

}  // namespace td::ib
