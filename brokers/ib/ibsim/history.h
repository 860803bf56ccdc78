#pragma once
// reqHistoricalData's arithmetic: IB's bar-size, duration and end-time texts,
// and bars of the requested size built from the market simulator's 1-minute
// history. Why aggregate rather than generate per size: a 1-hour bar then
// agrees with the sixty 1-minute bars a client may also ask for, and every
// answer is a slice of one deterministic tape.
#include <string>
#include <string_view>
#include <vector>

#include "core/market_data.h"
#include "core/status.h"
#include "core/time.h"

namespace td::ibsim {

// The base bars the simulator keeps; requested sizes must be multiples.
inline constexpr Duration kBaseBar = std::chrono::seconds(5);

// "5 secs", "1 min", "5 mins", "1 hour", "1 day", "1 week" (multiples of 5 s).
Result<Duration> parse_bar_size(std::string_view text);
// "<n> S|D|W|M|Y" (a month is 30 days, a year 365: the simulated market never closes).
Result<Duration> parse_history_duration(std::string_view text);
// Empty: now. "yyyymmdd hh:mm:ss" with no zone or UTC/GMT, or "yyyymmdd-hh:mm:ss" (UTC).
Result<Timestamp> parse_end_date_time(std::string_view text, Timestamp now);

// formatDate 1: "yyyymmdd hh:mm:ss UTC", daily (and longer) bars "yyyymmdd";
// formatDate 2: epoch seconds.
std::string format_bar_time(Timestamp t, Duration bar_size, int format_date);

// The window [start, end) of `duration` that ends at `end` floored to the bar size.
struct HistoryWindow {
  Timestamp start, end;
  size_t bars = 0;
};
HistoryWindow history_window(Timestamp end, Duration duration, Duration bar_size);

// Bars of `size` (aligned to multiples of it since the epoch) inside
// [window.start, window.end) from base bars, oldest first; slots without base
// bars are skipped.
std::vector<Bar> aggregate_bars(const std::vector<Bar>& base, Duration size,
                                const HistoryWindow& window);

}  // namespace td::ibsim
