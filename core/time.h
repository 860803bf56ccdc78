#pragma once
// Time points and their text forms. Everything in state is UTC nanoseconds
// since the Unix epoch; RFC 3339 with milliseconds is the only text form that
// leaves the process (api-v1.md), so there is exactly one formatter for it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace td {

using Duration = std::chrono::nanoseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;

constexpr Timestamp from_unix_seconds(int64_t s) {
  return Timestamp(std::chrono::seconds(s));
}
constexpr int64_t to_unix_seconds(Timestamp t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}
constexpr int64_t to_unix_nanos(Timestamp t) {
  return t.time_since_epoch().count();
}

// "2026-11-21T14:30:00.123Z"
std::string format_rfc3339(Timestamp t);
// RFC 3339 ("...Z" or "+hh:mm" offset, optional fraction; digits past
// nanoseconds are cut) or Unix epoch seconds. Times a Timestamp cannot hold
// (before 1677-09-21, after 2262-04-11) are refused.
std::optional<Timestamp> parse_time(std::string_view s);
// "90s", "5m", "1h", "250ms", "1d" -> duration; plain integers are seconds.
// Negative or out-of-range (> ~292 years) values are refused.
std::optional<Duration> parse_duration(std::string_view s);

}  // namespace td
