#pragma once
// Where one trading day ends and the next begins: a wall-clock time in a
// time zone (e.g. 17:00 America/New_York for futures), so the daily P&L
// reset follows daylight-saving changes the way a desk's day does.
#include <chrono>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace date {
class time_zone;
}

namespace td {

class SessionCalendar {
 public:
  // UTC midnight.
  SessionCalendar();
  // tz: IANA name ("America/New_York"); boundary: "HH:MM" local time.
  static Result<SessionCalendar> make(const std::string& tz, const std::string& boundary);

  // Start of the session containing t (the last boundary at or before t).
  Timestamp session_start(Timestamp t) const;
  const std::string& tz_name() const { return tz_name_; }

 private:
  const date::time_zone* tz_ = nullptr;  // null = UTC
  std::string tz_name_ = "UTC";
  std::chrono::minutes boundary_{0};
};

}  // namespace td
