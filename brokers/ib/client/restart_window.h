#pragma once
// The minutes around IB Gateway's daily auto-restart (ib-protocol.md 4.6:
// every API socket is dropped, the gateway returns minutes later). Orders
// that would leave in the window wait in the engine's queue instead of being
// sent into a connection about to die, and leave once it is over and the
// connection is back. Why local time: the restart is configured in the
// gateway's local time ("Lock and Exit", 11:45 PM by default), so the window
// follows that zone's DST changes.
#include <optional>
#include <string>

#include "core/session_calendar.h"
#include "core/status.h"
#include "core/time.h"

namespace td::ib {

class RestartWindow {
 public:
  // `at`: "HH:MM" in `tz` (IANA name); the window is [at - before, at + after]
  // every day; before + after must be shorter than 12 hours.
  static Result<RestartWindow> make(const std::string& tz, const std::string& at, Duration before,
                                    Duration after);

  // When `t` is inside a window: the instant that window ends.
  std::optional<Timestamp> ends(Timestamp t) const;

 private:
  RestartWindow(SessionCalendar restarts, Duration before, Duration after);
  SessionCalendar restarts_;  // its "session start" is the latest restart
  Duration before_, after_;
};

}  // namespace td::ib
