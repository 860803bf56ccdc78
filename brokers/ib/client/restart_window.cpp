#include "brokers/ib/client/restart_window.h"

#include <utility>

namespace td::ib {

RestartWindow::RestartWindow(SessionCalendar restarts, Duration before, Duration after)
    : restarts_(std::move(restarts)), before_(before), after_(after) {}

Result<RestartWindow> RestartWindow::make(const std::string& tz, const std::string& at,
                                          Duration before, Duration after) {
  if (before < Duration::zero() || after < Duration::zero() ||
      before + after >= std::chrono::hours(12)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "restart window: before and after must be >= 0 and shorter than 12 h in all");
  }
  auto calendar = SessionCalendar::make(tz, at);
  if (!calendar) return tl::unexpected(calendar.error());
  return RestartWindow(std::move(*calendar), before, after);
}

std::optional<Timestamp> RestartWindow::ends(Timestamp t) const {
  // t is inside the window of restart R when R - before <= t <= R + after,
  // i.e. R in [t - after, t + before]: the latest restart at or before
  // t + before is the only candidate.
  const Timestamp restart = restarts_.session_start(t + before_);
  if (restart < t - after_) return std::nullopt;
  return restart + after_;
}

}  // namespace td::ib
