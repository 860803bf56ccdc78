#include "core/time.h"

#include <charconv>
#include <limits>

// date's headers trip a GCC 12 false positive inside <chrono> at -O3.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/date.h>

namespace td {

std::string format_rfc3339(Timestamp t) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(t));
}

namespace {
// Timestamp counts nanoseconds in an int64: 1677-09-21T00:12:44Z ..
// 2262-04-11T23:47:15.999999999Z. Anything outside would wrap around.
constexpr int64_t kMinSeconds = -9'223'372'036;
constexpr int64_t kMaxSeconds = 9'223'372'035;
}  // namespace

std::optional<Timestamp> parse_time(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool all_digits = true;
  for (size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') all_digits = false;
  if (all_digits && s != "-") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    if (v < kMinSeconds || v > kMaxSeconds) return std::nullopt;
    return from_unix_seconds(v);
  }
  // RFC 3339 date-time, strictly: YYYY-MM-DD "T" hh:mm:ss [.digits] ("Z" | +hh:mm | -hh:mm),
  // "T" and "Z" in either case. Checked by hand: date::parse also takes
  // "+2:00", "+02" or a "." without digits.
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    out = 0;
    for (size_t k = pos; k < pos + len; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      out = out * 10 + (s[k] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, y) || s.size() < 20 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' ||
      !num(8, 2, d) || (s[10] != 'T' && s[10] != 't') || !num(11, 2, h) || s[13] != ':' ||
      !num(14, 2, mi) || s[16] != ':' || !num(17, 2, sec)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;  // no leap seconds
  size_t i = 19;
  int64_t frac_ns = 0;
  if (s[i] == '.') {
    ++i;
    const size_t first = i;
    int64_t scale = 100'000'000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac_ns += (s[i] - '0') * scale;  // digits past nanoseconds are cut
      scale /= 10;
      ++i;
    }
    if (i == first) return std::nullopt;
  }
  std::chrono::minutes offset{0};
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    // UTC
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!num(i + 1, 2, oh) || !num(i + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    if (s[i] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  // Local time minus its offset is UTC: 16:30+02:00 is 14:30Z.
  const auto t = date::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                 std::chrono::seconds(sec) - offset;
  const int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  if (secs < kMinSeconds || secs > kMaxSeconds) return std::nullopt;
  return from_unix_seconds(secs) + Duration(frac_ns);
}

std::optional<Duration> parse_duration(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || v < 0) return std::nullopt;
  std::string_view unit(p, s.data() + s.size() - p);
  struct Unit {
    std::string_view name;
    int64_t ns;
  };
  static constexpr Unit kUnits[] = {
      {"", 1'000'000'000},       {"s", 1'000'000'000},    {"ms", 1'000'000},
      {"m", 60'000'000'000},     {"min", 60'000'000'000}, {"h", 3'600'000'000'000},
      {"d", 86'400'000'000'000},
  };
  for (const auto& u : kUnits) {
    if (unit != u.name) continue;
    // Out of range (about 292 years) is an error, not a wrapped-around value.
    if (v > std::numeric_limits<int64_t>::max() / u.ns) return std::nullopt;
    return Duration(v * u.ns);
  }
  return std::nullopt;
}

}  // namespace td
