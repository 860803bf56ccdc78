// Time stamps and their text forms: RFC 3339 UTC with milliseconds out,
// RFC 3339 (Z or offset) or Unix epoch seconds in; durations for config.
#include "core/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace td {
namespace {

using namespace std::chrono_literals;

// 2026-11-21T14:30:00Z: 20778 days since the epoch * 86400 + 14.5 h.
constexpr int64_t k20261121T1430 = 1'795'271'400;

TEST(Time, UnixHelpers) {
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(1'700'000'000)), 1'700'000'000);
  EXPECT_EQ(to_unix_nanos(from_unix_seconds(2)), 2'000'000'000);
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(10) + 999ms), 10);
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(0) - 1ns), -1);  // floor, not truncation
}

TEST(Time, FormatRfc3339WithMilliseconds) {
  EXPECT_EQ(format_rfc3339(Timestamp{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(from_unix_seconds(k20261121T1430) + 123ms), "2026-11-21T14:30:00.123Z");
  EXPECT_EQ(format_rfc3339(from_unix_seconds(k20261121T1430)), "2026-11-21T14:30:00.000Z");
  EXPECT_EQ(format_rfc3339(from_unix_seconds(1'700'000'000)), "2023-11-14T22:13:20.000Z");
  // Sub-millisecond digits are cut (floor), never rounded up into the next ms.
  EXPECT_EQ(format_rfc3339(from_unix_seconds(k20261121T1430) + 123'999'999ns),
            "2026-11-21T14:30:00.123Z");
  EXPECT_EQ(format_rfc3339(from_unix_seconds(k20261121T1430) + 999'999'999ns),
            "2026-11-21T14:30:00.999Z");
  EXPECT_EQ(format_rfc3339(from_unix_seconds(k20261121T1430) + 1ms), "2026-11-21T14:30:00.001Z");
  // Before the epoch, floor keeps the calendar right.
  EXPECT_EQ(format_rfc3339(Timestamp{} - 1ms), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(Timestamp{} - 1ns), "1969-12-31T23:59:59.999Z");
  // Leap day.
  EXPECT_EQ(format_rfc3339(from_unix_seconds(1'709'164'800)), "2024-02-29T00:00:00.000Z");
}

TEST(Time, ParseRfc3339) {
  const Timestamp base = from_unix_seconds(k20261121T1430);
  struct C {
    const char* in;
    Timestamp want;
  };
  const std::vector<C> cases = {
      {"2026-11-21T14:30:00Z", base},
      {"2026-11-21T14:30:00.123Z", base + 123ms},
      {"2026-11-21T14:30:00.1Z", base + 100ms},
      {"2026-11-21T14:30:00.000001Z", base + 1us},
      {"2026-11-21T14:30:00.123456789Z", base + 123'456'789ns},
      {"2026-11-21t14:30:00z", base},  // RFC 3339 allows lower case
      {"2026-11-21T14:30:00+00:00", base},
      {"2026-11-21T14:30:00-00:00", base},
      {"2026-11-21T16:30:00+02:00", base},
      {"2026-11-21T09:30:00-05:00", base},
      {"2026-11-21T20:00:00.5+05:30", base + 500ms},
      {"2026-11-22T00:30:00+10:00", base},  // the offset moves the date back
      {"2026-11-20T23:30:00-15:00", base},
      {"2024-02-29T00:00:00Z", from_unix_seconds(1'709'164'800)},
      {"1970-01-01T00:00:00Z", Timestamp{}},
      {"1969-12-31T23:59:59Z", from_unix_seconds(-1)},
      {"2026-11-21T14:30:00.1234567891Z", base + 123'456'789ns},  // past ns: cut
      {"2026-11-21T14:30:00.999999999999Z", base + 999'999'999ns},
      {"2026-11-21T14:30:00.000+00:00", base},
      {"2026-11-21T14:30:00.250-00:30", base + 30min + 250ms},
  };
  for (const auto& c : cases) {
    auto t = parse_time(c.in);
    ASSERT_TRUE(t.has_value()) << c.in;
    EXPECT_EQ(*t, c.want) << c.in << " -> " << format_rfc3339(*t);
  }
}

TEST(Time, ParseEpochSeconds) {
  EXPECT_EQ(parse_time("1700000000"), from_unix_seconds(1'700'000'000));
  EXPECT_EQ(parse_time("0"), Timestamp{});
  EXPECT_EQ(parse_time("-1"), from_unix_seconds(-1));
  EXPECT_EQ(parse_time("1704205860"), parse_time("2024-01-02T14:31:00Z"));  // backtest CSV form
  // The ends of what a Timestamp (int64 nanoseconds) can hold.
  EXPECT_EQ(parse_time("9223372035"), from_unix_seconds(9'223'372'035));
  EXPECT_EQ(parse_time("9223372035"), parse_time("2262-04-11T23:47:15Z"));
  EXPECT_EQ(parse_time("-9223372036"), from_unix_seconds(-9'223'372'036));
  EXPECT_EQ(parse_time("-9223372036"), parse_time("1677-09-21T00:12:44Z"));
  EXPECT_EQ(format_rfc3339(*parse_time("2262-04-11T23:47:15.999999999Z")),
            "2262-04-11T23:47:15.999Z");
}

TEST(Time, FormatParseRoundTrip) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1'700'000'000'123},
                     int64_t{1'795'271'400'123}, int64_t{-1}, int64_t{4'102'444'800'000}}) {
    const Timestamp t{std::chrono::milliseconds(ms)};
    const std::string s = format_rfc3339(t);
    auto back = parse_time(s);
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, t) << s;
  }
}

TEST(Time, ParseRejectsGarbage) {
  const std::vector<std::string> bad = {
      "",
      "abc",
      "-",
      "--1",
      "+1700000000",   // epoch seconds are digits only
      "1700000000.5",  // no fractional epoch
      "17e8",
      " 1700000000",
      "1700000000 ",
      "99999999999999999999",  // overflows int64
      "253402300800",          // year 10000
      "-62135596801",          // year 0
      "253402300799",          // 9999-12-31: beyond what int64 nanoseconds hold
      "9223372036",            // 2262-04-11T23:47:16Z: one second too far
      "-9223372037",
      "9999-12-31T23:59:59Z",
      "2262-04-11T23:47:16Z",
      "1677-09-21T00:12:43Z",
      "0000-01-01T00:00:00Z",
      "2026-11-21",
      "2026-11-21T14:30:00",   // no zone
      "2026-11-21T14:30Z",     // no seconds
      "2026-11-21 14:30:00Z",  // space instead of T
      "2026-11-21T14:30:00ZZ",
      "2026-11-21T14:30:00Z ",
      " 2026-11-21T14:30:00Z",
      "2026-11-21T14:30:00Zjunk",
      "2026-11-21T14:30:00+02:00junk",
      "2026-11-21T14:30:00+2:00",
      "2026-11-21T14:30:00+02",
      "2026-11-21T14:30:00.Z",
      "2026-13-01T00:00:00Z",  // month 13
      "2026-00-10T00:00:00Z",
      "2026-11-32T00:00:00Z",
      "2026-02-30T00:00:00Z",  // no such day
      "2025-02-29T00:00:00Z",  // not a leap year
      "2026-11-21T24:00:00Z",
      "2026-11-21T14:60:00Z",
      "2026/11/21T14:30:00Z",
      "20261121T143000Z",
      "2026-11-21X14:30:00Z",
      "2026-11-21T14:30:00+25:00",
      "2026-11-21T14:30:00+02:60",
      "2026-11-21T14:30:00+02:00Z",
      "2026-11-21T14:30:00+02;00",
      "2026-11-21T14:30:00,5Z",  // comma fraction
      "2026-11-21T14:30:60Z",    // leap second
      "2026-11-21T14:30:00.12a4Z",
      "+2026-11-21T14:30:00Z",
      "2026-1-21T14:30:00Z",
      "2026-11-21T4:30:00Z",
  };
  for (const auto& s : bad) {
    auto t = parse_time(s);
    EXPECT_FALSE(t.has_value()) << "'" << s << "' parsed as " << format_rfc3339(*t);
  }
}

TEST(Time, ParseDuration) {
  struct C {
    const char* in;
    Duration want;
  };
  const std::vector<C> cases = {
      {"90s", 90s},
      {"5m", 5min},
      {"5min", 5min},
      {"1h", 1h},
      {"250ms", 250ms},
      {"1d", 24h},
      {"7d", 168h},
      {"0", 0s},
      {"42", 42s},
      {"0s", 0s},
      {"3600s", 1h},
      {"1500ms", 1500ms},
      {"106751d", std::chrono::hours(24 * 106751)},  // the longest whole-day duration
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.in);
    ASSERT_TRUE(d.has_value()) << c.in;
    EXPECT_EQ(*d, c.want) << c.in;
  }
}

TEST(Time, ParseDurationRejectsGarbage) {
  for (const char* s : {"",
                        "s",
                        "-5s",
                        "-1",
                        "+5s",
                        "5x",
                        "1.5h",
                        " 5s",
                        "5s ",
                        "5 s",
                        "5S",
                        "5M",
                        "5sec",
                        "5hours",
                        "1h30m",
                        "ms",
                        "5us",
                        "5ns",
                        "abc",
                        "0x10",
                        "99999999999999999999",  // overflows int64
                        "106752d",               // more nanoseconds than int64 holds
                        "9223372037s",
                        "2562048h",
                        "153722868min",
                        "9223372036855ms"}) {
    EXPECT_FALSE(parse_duration(s).has_value()) << "'" << s << "'";
  }
}

}  // namespace
}  // namespace td
