// SessionCalendar: where one trading day ends and the next begins, as a
// wall-clock time in a time zone that follows daylight saving time.
#include "core/session_calendar.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace td {
namespace {

using namespace std::chrono_literals;

Timestamp at(const char* rfc3339) {
  auto t = parse_time(rfc3339);
  if (!t) throw std::invalid_argument(rfc3339);
  return *t;
}

SessionCalendar cal(const char* tz, const char* boundary) {
  auto c = SessionCalendar::make(tz, boundary);
  if (!c) throw std::invalid_argument(c.error().message);
  return *c;
}

TEST(SessionCalendar, DefaultIsUtcMidnight) {
  const SessionCalendar c;
  EXPECT_EQ(c.tz_name(), "UTC");
  EXPECT_EQ(c.session_start(at("2024-03-04T15:00:00Z")), at("2024-03-04T00:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-04T00:00:00Z")), at("2024-03-04T00:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-04T00:00:00Z") - 1ns), at("2024-03-03T00:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-04T23:59:59.999Z")), at("2024-03-04T00:00:00Z"));
  EXPECT_EQ(c.session_start(Timestamp{}), Timestamp{});
  // Before the epoch too.
  EXPECT_EQ(c.session_start(at("1969-12-31T12:00:00Z")), at("1969-12-31T00:00:00Z"));
}

TEST(SessionCalendar, UtcWithABoundary) {
  const SessionCalendar c = cal("UTC", "17:00");
  EXPECT_EQ(c.tz_name(), "UTC");
  EXPECT_EQ(c.session_start(at("2024-03-04T16:59:59Z")), at("2024-03-03T17:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-04T17:00:00Z")), at("2024-03-04T17:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-04T23:00:00Z")), at("2024-03-04T17:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-05T01:00:00Z")), at("2024-03-04T17:00:00Z"));
  const SessionCalendar last = cal("UTC", "23:59");
  EXPECT_EQ(last.session_start(at("2024-03-04T23:58:00Z")), at("2024-03-03T23:59:00Z"));
  EXPECT_EQ(last.session_start(at("2024-03-04T23:59:00Z")), at("2024-03-04T23:59:00Z"));
}

TEST(SessionCalendar, MakeRejectsUnknownTimeZones) {
  for (const char* tz : {"Not/AZone", "", "America/Nowhere", "EST+5", "New York"}) {
    auto c = SessionCalendar::make(tz, "17:00");
    ASSERT_FALSE(c.has_value()) << tz;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(c.error().message.find("time zone"), std::string::npos) << c.error().message;
  }
}

TEST(SessionCalendar, MakeRejectsBadBoundaries) {
  for (const char* b : {"",      "1700",  "17:0",  "7:00",     "17:000", "24:00", "17:60",
                        "99:99", "ab:cd", "17-00", "17:00:00", " 9:00",  "+9:00", "-1:00",
                        "09: 5", "9 :00", "1a:00", "17:0x",    "-0:00",  "0x:10"}) {
    auto c = SessionCalendar::make("America/New_York", b);
    ASSERT_FALSE(c.has_value()) << "'" << b << "'";
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(c.error().message.find("HH:MM"), std::string::npos) << c.error().message;
  }
}

TEST(SessionCalendar, MakeAcceptsValidBoundaries) {
  for (const char* b : {"00:00", "09:30", "17:00", "23:59", "12:05"})
    EXPECT_TRUE(SessionCalendar::make("America/New_York", b).has_value()) << b;
  auto c = SessionCalendar::make("Europe/London", "00:00");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->tz_name(), "Europe/London");
}

TEST(SessionCalendar, NewYork1700InWinterAndSummer) {
  const SessionCalendar c = cal("America/New_York", "17:00");
  // Winter (EST, UTC-5): 17:00 = 22:00Z.
  EXPECT_EQ(c.session_start(at("2024-01-10T21:59:00Z")), at("2024-01-09T22:00:00Z"));  // 16:59
  EXPECT_EQ(c.session_start(at("2024-01-10T22:00:00Z")), at("2024-01-10T22:00:00Z"));  // 17:00
  EXPECT_EQ(c.session_start(at("2024-01-10T22:01:00Z")), at("2024-01-10T22:00:00Z"));  // 17:01
  EXPECT_EQ(c.session_start(at("2024-01-11T04:30:00Z")), at("2024-01-10T22:00:00Z"));  // 23:30
  EXPECT_EQ(c.session_start(at("2024-01-11T05:30:00Z")), at("2024-01-10T22:00:00Z"));  // 00:30
  // Summer (EDT, UTC-4): 17:00 = 21:00Z.
  EXPECT_EQ(c.session_start(at("2024-07-10T20:59:00Z")), at("2024-07-09T21:00:00Z"));  // 16:59
  EXPECT_EQ(c.session_start(at("2024-07-10T21:00:00Z")), at("2024-07-10T21:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-07-10T21:01:00Z")), at("2024-07-10T21:00:00Z"));
}

TEST(SessionCalendar, NewYork1700AcrossSpringForward) {
  // Clocks go from 02:00 EST to 03:00 EDT on Sunday 2024-03-10 (07:00Z).
  const SessionCalendar c = cal("America/New_York", "17:00");
  // Saturday 17:00 EST = 22:00Z; Sunday 17:00 EDT = 21:00Z: a 23-hour session.
  EXPECT_EQ(c.session_start(at("2024-03-10T06:59:00Z")), at("2024-03-09T22:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-10T07:00:00Z")), at("2024-03-09T22:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-10T20:59:00Z")), at("2024-03-09T22:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-10T21:00:00Z")), at("2024-03-10T21:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-10T21:30:00Z")), at("2024-03-10T21:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-11T20:59:00Z")), at("2024-03-10T21:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-03-11T21:01:00Z")), at("2024-03-11T21:00:00Z"));
}

TEST(SessionCalendar, NewYork1700AcrossFallBack) {
  // Clocks go from 02:00 EDT back to 01:00 EST on Sunday 2024-11-03 (06:00Z).
  const SessionCalendar c = cal("America/New_York", "17:00");
  // Saturday 17:00 EDT = 21:00Z; Sunday 17:00 EST = 22:00Z: a 25-hour session.
  EXPECT_EQ(c.session_start(at("2024-11-03T05:30:00Z")), at("2024-11-02T21:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-11-03T06:30:00Z")), at("2024-11-02T21:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-11-03T21:30:00Z")), at("2024-11-02T21:00:00Z"));  // 16:30 EST
  EXPECT_EQ(c.session_start(at("2024-11-03T22:00:00Z")), at("2024-11-03T22:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-11-04T21:59:00Z")), at("2024-11-03T22:00:00Z"));
  EXPECT_EQ(c.session_start(at("2024-11-04T22:00:00Z")), at("2024-11-04T22:00:00Z"));
}

TEST(SessionCalendar, BoundaryInsideTheSpringForwardGap) {
  // 02:30 does not exist on 2024-03-10 in New York: that day's session starts
  // when the gap ends (03:00 EDT = 07:00Z).
  const SessionCalendar c = cal("America/New_York", "02:30");
  EXPECT_EQ(c.session_start(at("2024-03-10T06:59:00Z")), at("2024-03-09T07:30:00Z"));  // 01:59 EST
  EXPECT_EQ(c.session_start(at("2024-03-10T07:00:00Z")), at("2024-03-10T07:00:00Z"));  // 03:00 EDT
  EXPECT_EQ(c.session_start(at("2024-03-10T07:30:00Z")), at("2024-03-10T07:00:00Z"));  // 03:30 EDT
  EXPECT_EQ(c.session_start(at("2024-03-11T06:29:00Z")), at("2024-03-10T07:00:00Z"));  // 02:29 EDT
  EXPECT_EQ(c.session_start(at("2024-03-11T06:30:00Z")), at("2024-03-11T06:30:00Z"));  // 02:30 EDT
}

TEST(SessionCalendar, BoundaryInsideTheFallBackOverlap) {
  // 01:30 happens twice on 2024-11-03 in New York (05:30Z as EDT, 06:30Z as
  // EST). The session starts at the first one; the second is not a new session.
  const SessionCalendar c = cal("America/New_York", "01:30");
  EXPECT_EQ(c.session_start(at("2024-11-03T05:29:00Z")), at("2024-11-02T05:30:00Z"));  // 01:29 EDT
  EXPECT_EQ(c.session_start(at("2024-11-03T05:30:00Z")), at("2024-11-03T05:30:00Z"));  // 01:30 EDT
  EXPECT_EQ(c.session_start(at("2024-11-03T05:45:00Z")), at("2024-11-03T05:30:00Z"));  // 01:45 EDT
  // 01:15 EST comes after 01:30 EDT: the session that began at 05:30Z goes on.
  EXPECT_EQ(c.session_start(at("2024-11-03T06:15:00Z")), at("2024-11-03T05:30:00Z"));  // 01:15 EST
  EXPECT_EQ(c.session_start(at("2024-11-03T06:30:00Z")), at("2024-11-03T05:30:00Z"));  // 01:30 EST
  EXPECT_EQ(c.session_start(at("2024-11-03T06:45:00Z")), at("2024-11-03T05:30:00Z"));  // 01:45 EST
  EXPECT_EQ(c.session_start(at("2024-11-04T06:29:00Z")), at("2024-11-03T05:30:00Z"));  // 01:29 EST
  EXPECT_EQ(c.session_start(at("2024-11-04T06:30:00Z")), at("2024-11-04T06:30:00Z"));  // 01:30 EST
}

TEST(SessionCalendar, ZonesWithoutDstAndEastOfUtc) {
  const SessionCalendar tokyo = cal("Asia/Tokyo", "09:00");  // UTC+9: 09:00 = 00:00Z
  EXPECT_EQ(tokyo.session_start(at("2024-03-10T23:59:00Z")), at("2024-03-10T00:00:00Z"));
  EXPECT_EQ(tokyo.session_start(at("2024-03-11T00:00:00Z")), at("2024-03-11T00:00:00Z"));
  const SessionCalendar london = cal("Europe/London", "00:00");
  EXPECT_EQ(london.session_start(at("2024-07-01T12:00:00Z")), at("2024-06-30T23:00:00Z"));  // BST
  EXPECT_EQ(london.session_start(at("2024-01-01T12:00:00Z")), at("2024-01-01T00:00:00Z"));  // GMT
}

// Properties over a whole year, every 15 minutes, for boundaries away from and
// inside the DST transitions: the start is at or before t, at most 25 hours
// before it, never moves backwards, is its own session start, and its local
// wall-clock time is the boundary (or the end of a DST gap).
TEST(SessionCalendar, PropertiesOverAYear) {
  for (const char* boundary : {"17:00", "00:00", "01:30", "02:30", "23:59"}) {
    const SessionCalendar c = cal("America/New_York", boundary);
    const auto* tz = date::locate_zone("America/New_York");
    const int bh = std::stoi(std::string(boundary).substr(0, 2));
    const int bm = std::stoi(std::string(boundary).substr(3, 2));
    const auto bmin = std::chrono::hours(bh) + std::chrono::minutes(bm);
    Timestamp prev{};
    int sessions = 0;
    for (Timestamp t = at("2024-01-01T00:00:00Z"); t < at("2025-01-01T00:00:00Z"); t += 15min) {
      const Timestamp s = c.session_start(t);
      ASSERT_LE(s, t) << boundary << " " << format_rfc3339(t);
      ASSERT_LT(t - s, std::chrono::hours(25)) << boundary << " " << format_rfc3339(t);
      ASSERT_GE(s, prev) << boundary << " " << format_rfc3339(t);
      ASSERT_EQ(c.session_start(s), s) << boundary << " " << format_rfc3339(t);
      if (s != prev) {
        ++sessions;
        const auto local = tz->to_local(s);
        const auto tod = local - date::floor<date::days>(local);
        if (tod != bmin) {
          // Only a boundary inside the spring-forward gap moves (to the gap's end).
          const auto info = tz->get_info(s);
          EXPECT_EQ(info.begin, date::sys_seconds(std::chrono::floor<std::chrono::seconds>(s)))
              << boundary << " " << format_rfc3339(s);
        }
      }
      prev = s;
    }
    EXPECT_GE(sessions, 366) << boundary;  // 2024 is a leap year
    EXPECT_LE(sessions, 367) << boundary;
  }
}

}  // namespace
}  // namespace td
