#include "core/time.h"

#include <charconv>
#include <sstream>

// date::parse trips a GCC 12 false positive inside <chrono> at -O3.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>

namespace td {

std::string format_rfc3339(Timestamp t) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(t));
}

std::optional<Timestamp> parse_time(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool all_digits = true;
  for (size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') all_digits = false;
  if (all_digits && s != "-") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    if (v < -62135596800 || v > 253402300799) return std::nullopt;  // years 1..9999
    return from_unix_seconds(v);
  }
  // Require the RFC 3339 shape: date 'T' time, then Z or an offset.
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't')) {
    return std::nullopt;
  }
  std::string str(s);
  str[10] = 'T';
  if (str.back() == 'z') str.back() = 'Z';
  std::istringstream in(str);
  date::sys_time<Duration> tp;
  if (str.back() == 'Z') {
    in >> date::parse("%FT%TZ", tp);
  } else {
    std::chrono::minutes offset{};
    in >> date::parse("%FT%T%Ez", tp, offset);
    if (!in.fail()) tp -= offset;
  }
  if (in.fail()) return std::nullopt;
  in.peek();
  if (!in.eof()) return std::nullopt;
  return Timestamp(tp.time_since_epoch());
}

std::optional<Duration> parse_duration(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || v < 0) return std::nullopt;
  std::string_view unit(p, s.data() + s.size() - p);
  using namespace std::chrono;
  if (unit.empty() || unit == "s") return duration_cast<Duration>(seconds(v));
  if (unit == "ms") return duration_cast<Duration>(milliseconds(v));
  if (unit == "m" || unit == "min") return duration_cast<Duration>(minutes(v));
  if (unit == "h") return duration_cast<Duration>(hours(v));
  if (unit == "d") return duration_cast<Duration>(hours(24 * v));
  return std::nullopt;
}

}  // namespace td
