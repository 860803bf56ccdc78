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
  // Exactly two digits, a colon, two digits (sscanf would also take " 9:00" or "+9:00").
  auto digit = [&](size_t i) { return boundary[i] >= '0' && boundary[i] <= '9'; };
  const bool shape =
      boundary.size() == 5 && digit(0) && digit(1) && boundary[2] == ':' && digit(3) && digit(4);
  const int h = shape ? (boundary[0] - '0') * 10 + (boundary[1] - '0') : -1;
  const int m = shape ? (boundary[3] - '0') * 10 + (boundary[4] - '0') : -1;
  if (!shape || h > 23 || m > 59) {
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
  // The boundary of a local day d happens at to_sys(d + boundary): a boundary
  // inside a DST gap maps to the gap's end; inside an overlap, to its first
  // occurrence. The session start is the latest such instant at or before t.
  // Compared in UTC, not in local time: local time runs backwards in an
  // overlap (01:15 EST comes after 01:30 EDT).
  const auto day = floor<days>(tz_->to_local(t));
  Timestamp best{};
  bool found = false;
  for (int k = -2; k <= 1; ++k) {
    const auto start = tz_->to_sys(day + days(k) + boundary_, date::choose::earliest);
    const Timestamp s(duration_cast<Duration>(start.time_since_epoch()));
    if (s <= t && (!found || s > best)) best = s, found = true;
  }
  return best;
}

}  // namespace td
