// brokers/ib/client/restart_window.h: the window around the gateway's daily
// restart, in the gateway's local time, across midnight and DST changes.
#include <gtest/gtest.h>

#include "brokers/ib/client/restart_window.h"

namespace td::ib {
namespace {

using std::chrono::minutes;

Timestamp at(const char* rfc3339) {
  return *parse_time(rfc3339);
}

TEST(IbRestartWindowTest, AroundElevenFortyFiveNewYorkTime) {
  auto w = RestartWindow::make("America/New_York", "23:45", minutes(5), minutes(10));
  ASSERT_TRUE(w.has_value()) << w.error().message;
  // 2026-01-05 (EST, UTC-5): restart at 04:45Z on the 6th.
  EXPECT_FALSE(w->ends(at("2026-01-06T04:39:59Z")).has_value());
  EXPECT_EQ(w->ends(at("2026-01-06T04:40:00Z")), at("2026-01-06T04:55:00Z"));
  EXPECT_EQ(w->ends(at("2026-01-06T04:45:00Z")), at("2026-01-06T04:55:00Z"));
  EXPECT_EQ(w->ends(at("2026-01-06T04:55:00Z")), at("2026-01-06T04:55:00Z"));
  EXPECT_FALSE(w->ends(at("2026-01-06T04:55:00.001Z")).has_value());
  EXPECT_FALSE(w->ends(at("2026-01-06T15:00:00Z")).has_value());
  // In July (EDT, UTC-4) the same local time is an hour earlier in UTC.
  EXPECT_EQ(w->ends(at("2026-07-07T03:44:00Z")), at("2026-07-07T03:55:00Z"));
  EXPECT_FALSE(w->ends(at("2026-07-07T04:44:00Z")).has_value());
}

TEST(IbRestartWindowTest, AWindowAcrossMidnight) {
  auto w = RestartWindow::make("UTC", "00:02", minutes(5), minutes(5));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->ends(at("2026-03-01T23:58:00Z")), at("2026-03-02T00:07:00Z"));
  EXPECT_EQ(w->ends(at("2026-03-02T00:06:00Z")), at("2026-03-02T00:07:00Z"));
  EXPECT_FALSE(w->ends(at("2026-03-02T00:08:00Z")).has_value());
}

TEST(IbRestartWindowTest, BadSettingsAreRefusedWithAReason) {
  EXPECT_FALSE(RestartWindow::make("Mars/Olympus", "23:45", minutes(5), minutes(5)).has_value());
  EXPECT_FALSE(RestartWindow::make("UTC", "24:00", minutes(5), minutes(5)).has_value());
  EXPECT_FALSE(RestartWindow::make("UTC", "23:45", minutes(-1), minutes(5)).has_value());
  auto too_long = RestartWindow::make("UTC", "23:45", std::chrono::hours(6), std::chrono::hours(6));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_NE(too_long.error().message.find("12 h"), std::string::npos);
}

}  // namespace
}  // namespace td::ib
