#include "brokers/ib/ibsim/history.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <cstdio>

namespace td::ibsim {
namespace {

Status bad(std::string why) {
  return make_error(ErrorCode::kInvalidArgument, std::move(why));
}

// "<n> <unit>" into n and unit.
bool split_count(std::string_view text, int64_t& n, std::string_view& unit) {
  const auto sp = text.find(' ');
  if (sp == std::string_view::npos) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + sp, n);
  if (ec != std::errc() || p != text.data() + sp || n <= 0) return false;
  unit = text.substr(sp + 1);
  return !unit.empty();
}

Timestamp floor_to(Timestamp t, Duration d) {
  const auto since = t.time_since_epoch();
  auto r = since % d;
  if (r.count() < 0) r += d;
  return t - r;
}

}  // namespace

Result<Duration> parse_bar_size(std::string_view text) {
  int64_t n = 0;
  std::string_view unit;
  if (!split_count(text, n, unit))
    return tl::unexpected(bad("bar size '" + std::string(text) + "'").error());
  using namespace std::chrono;
  Duration d{};
  if (unit == "min" || unit == "mins")
    d = minutes(n);
  else if (unit == "hour" || unit == "hours")
    d = hours(n);
  else if (unit == "day" || unit == "days")
    d = hours(24 * n);
  else if (unit == "week" || unit == "weeks")
    d = hours(24 * 7 * n);
  else if ((unit == "sec" || unit == "secs") && n % 5 == 0)
    d = seconds(n);
  else if (unit == "sec" || unit == "secs")
    return tl::unexpected(
        bad("bar size '" + std::string(text) + "': the simulator serves multiples of 5 secs").error());
  else
    return tl::unexpected(bad("bar size '" + std::string(text) + "'").error());
  return d;
}

Result<Duration> parse_history_duration(std::string_view text) {
  int64_t n = 0;
  std::string_view unit;
  if (!split_count(text, n, unit) || unit.size() != 1)
    return tl::unexpected(bad("duration '" + std::string(text) + "'").error());
  using namespace std::chrono;
  switch (unit[0]) {
    case 'S':
      return Duration(seconds(n));
    case 'D':
      return Duration(hours(24 * n));
    case 'W':
      return Duration(hours(24 * 7 * n));
    case 'M':
      return Duration(hours(24 * 30 * n));
    case 'Y':
      return Duration(hours(24 * 365 * n));
    default:
      return tl::unexpected(bad("duration '" + std::string(text) + "'").error());
  }
}

Result<Timestamp> parse_end_date_time(std::string_view text, Timestamp now) {
  if (text.empty()) return now;
  const std::string s(text);
  int y, mo, d, h, mi, se;
  char sep = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d%2d%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se, &used) !=
          7 ||
      (sep != ' ' && sep != '-'))
    return tl::unexpected(bad("endDateTime '" + s + "'").error());
  std::string_view zone = text.substr(static_cast<size_t>(used));
  while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
  if (sep == '-' && !zone.empty()) return tl::unexpected(bad("endDateTime '" + s + "'").error());
  if (!zone.empty() && zone != "UTC" && zone != "GMT" && zone != "Etc/UTC")
    return tl::unexpected(
        bad("endDateTime '" + s + "': the simulator knows only UTC (no zone, UTC or GMT)").error());
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59)
    return tl::unexpected(bad("endDateTime '" + s + "'").error());
  return Timestamp(sys_days(ymd).time_since_epoch() + hours(h) + minutes(mi) + seconds(se));
}

std::string format_bar_time(Timestamp t, Duration bar_size, int format_date) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  if (format_date == 2) return std::to_string(secs.time_since_epoch().count());
  if (bar_size >= std::chrono::hours(24)) return fmt::format("{:%Y%m%d}", secs);
  return fmt::format("{:%Y%m%d %H:%M:%S} UTC", secs);
}

HistoryWindow history_window(Timestamp end, Duration duration, Duration bar_size) {
  HistoryWindow w;
  w.end = floor_to(end, bar_size);
  w.bars = static_cast<size_t>((duration + bar_size - Duration(1)) / bar_size);
  w.start = w.end - bar_size * static_cast<int64_t>(w.bars);
  return w;
}

std::vector<Bar> aggregate_bars(const std::vector<Bar>& base, Duration size,
                                const HistoryWindow& window) {
  std::vector<Bar> out;
  for (const Bar& b : base) {
    if (b.time < window.start || b.time >= window.end) continue;
    const Timestamp slot = floor_to(b.time, size);
    if (out.empty() || out.back().time != slot) {
      Bar n = b;
      n.time = slot;
      n.interval = size;
      out.push_back(n);
      continue;
    }
    Bar& a = out.back();
    a.high = std::max(a.high, b.high);
    a.low = std::min(a.low, b.low);
    a.close = b.close;
    a.volume += b.volume;
  }
  return out;
}

}  // namespace td::ibsim
