#include "core/session_calendar.h"

#include <date/tz.h>

namespace td {

SessionCalendar::SessionCalendar() = default;

Result<SessionCalendar> SessionCalendar::make(const std::string& tz, const std::string& boundary) {
  SessionCalendar c;
  if (tz != "UTC") {
    try {
      c.tz_ = date::locate_zone(tz);
    } catch (const std::exception&) {
      return make_error(ErrorCode::kInvalidArgument, "unknown time zone '" + tz + "'");
    }
  }
  c.tz_name_ = tz;
  int h = -1, m = -1;
  if (boundary.size() != 5 || boundary[2] != ':' ||
      std::sscanf(boundary.c_str(), "%2d:%2d", &h, &m) != 2 || h < 0 || h > 23 || m < 0 || m > 59) {
    return make_error(ErrorCode::kInvalidArgument,
                      "session boundary '" + boundary + "' is not HH:MM (00:00..23:59)");
  }
  c.boundary_ = std::chrono::hours(h) + std::chrono::minutes(m);
  return c;
}

Timestamp SessionCalendar::session_start(Timestamp t) const {
  using namespace std::chrono;
  if (!tz_) {
    auto day = floor<days>(t);
    Timestamp start = day + boundary_;
    return start <= t ? start : start - days(1);
  }
  const auto local = tz_->to_local(t);
  auto day = floor<days>(local);
  auto start_local = day + boundary_;
  if (start_local > local) start_local -= days(1);
  // A boundary inside a DST gap maps to the gap's end; inside an overlap, to the first.
  auto start = tz_->to_sys(start_local, date::choose::earliest);
  if (start > t) {  // can happen around a transition: step back one more day
    start = tz_->to_sys(start_local - days(1), date::choose::earliest);
  }
  return Timestamp(duration_cast<Duration>(start.time_since_epoch()));
}

}  // namespace td
