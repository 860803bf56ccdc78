// api/metrics/text_format: name rules, escaping and number spelling of the
// Prometheus text format 0.0.4.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "api/metrics/text_format.h"

namespace td::api::metrics {
namespace {

std::string label(std::string_view v) {
  std::string out;
  append_label_value(out, v);
  return out;
}

std::string help(std::string_view v) {
  std::string out;
  append_help_text(out, v);
  return out;
}

std::string dbl(double v) {
  std::string out;
  append_double(out, v);
  return out;
}

std::string scaled(int64_t units, int scale) {
  std::string out;
  append_scaled(out, units, scale);
  return out;
}

TEST(MetricsTextFormat, MetricNames) {
  for (const char* ok : {"a", "_", ":", "tradingd_up", "a:b_c9", "A_Z", "http_requests_total"}) {
    EXPECT_TRUE(is_valid_metric_name(ok)) << ok;
  }
  for (const char* bad : {"", "9a", "a-b", "a b", "a.b", "ä", "a{b}", "a\"", "a\n"}) {
    EXPECT_FALSE(is_valid_metric_name(bad)) << bad;
  }
}

TEST(MetricsTextFormat, LabelNames) {
  for (const char* ok : {"a", "_a", "route", "le", "A9_b", "_"}) {
    EXPECT_TRUE(is_valid_label_name(ok)) << ok;
  }
  for (const char* bad : {"", "__name__", "__x", "9a", "a:b", "a-b", "a b", "é"}) {
    EXPECT_FALSE(is_valid_label_name(bad)) << bad;
  }
}

TEST(MetricsTextFormat, LabelValueEscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(label("plain /api/v1/orders/{id}"), "plain /api/v1/orders/{id}");
  EXPECT_EQ(label(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(label(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(label("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(label("\\\"\n"), R"(\\\"\n)");
  EXPECT_EQ(label("tab\tand\rcr"), "tab\tand\rcr");  // only the three are escaped
  EXPECT_EQ(label(""), "");
}

TEST(MetricsTextFormat, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(label("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88");  // valid multi-byte kept
  EXPECT_EQ(label("a\xff"
                  "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(label("\xc3"), "\xef\xbf\xbd");                                  // truncated sequence
  EXPECT_EQ(label("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong '/'
  EXPECT_EQ(label("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(label("\xf4\x90\x80\x80").substr(0, 3), "\xef\xbf\xbd");         // > U+10FFFF
}

TEST(MetricsTextFormat, HelpEscapesBackslashAndNewlineNotQuotes) {
  EXPECT_EQ(help(R"(a "quoted" \ path)"), R"(a "quoted" \\ path)");
  EXPECT_EQ(help("line\nbreak"), R"(line\nbreak)");
}

TEST(MetricsTextFormat, DoublesAreShortestRoundTrip) {
  EXPECT_EQ(dbl(0), "0");
  EXPECT_EQ(dbl(1), "1");
  EXPECT_EQ(dbl(-3), "-3");
  EXPECT_EQ(dbl(0.1), "0.1");
  EXPECT_EQ(dbl(1795271400.123), "1795271400.123");
  EXPECT_EQ(dbl(1e21), "1e+21");
  EXPECT_EQ(dbl(5e-324), "5e-324");
  EXPECT_EQ(dbl(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(dbl(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(dbl(std::nan("")), "NaN");

  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> bits;
  for (int i = 0; i < 20000; ++i) {
    const double v = std::bit_cast<double>(bits(rng));
    if (!std::isfinite(v)) continue;
    const std::string s = dbl(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

TEST(MetricsTextFormat, ScaledIntegersAreExactDecimals) {
  EXPECT_EQ(scaled(50'000, 9), "0.00005");
  EXPECT_EQ(scaled(2'500'000, 9), "0.0025");
  EXPECT_EQ(scaled(5'000'000'000, 9), "5");
  EXPECT_EQ(scaled(1'234'567'891, 9), "1.234567891");
  EXPECT_EQ(scaled(0, 9), "0");
  EXPECT_EQ(scaled(-1500, 3), "-1.5");
  EXPECT_EQ(scaled(-5, 3), "-0.005");
  EXPECT_EQ(scaled(7, 0), "7");
  EXPECT_EQ(scaled(std::numeric_limits<int64_t>::min(), 9), "-9223372036.854775808");
  EXPECT_EQ(scaled(std::numeric_limits<int64_t>::max(), 18), "9.223372036854775807");
}

TEST(MetricsTextFormat, DecimalText) {
  for (const char* ok : {"0", "-0.5", "+5", "12345.67", "100", "0.00000001"}) {
    EXPECT_TRUE(is_decimal_text(ok)) << ok;
  }
  for (const char* bad :
       {"", "-", ".5", "5.", "1e3", "1,000", " 1", "1 ", "NaN", "0x10", "1.2.3"}) {
    EXPECT_FALSE(is_decimal_text(bad)) << bad;
  }
  EXPECT_FALSE(is_decimal_text(std::string(65, '1')));
}

}  // namespace
}  // namespace td::api::metrics
