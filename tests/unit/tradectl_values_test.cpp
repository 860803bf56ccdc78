// tradectl's socket-free pieces: URL parsing and percent-encoding, decimal
// and client_order_id checks, KEY=VALUE bodies, lexical JSON re-indenting.
#include <gtest/gtest.h>

#include "tradectl/format.h"
#include "tradectl/url.h"
#include "tradectl/values.h"

namespace td::tradectl {
namespace {

TEST(TradectlUrl, ParsesSchemesHostsPortsAndPrefixes) {
  std::string error;
  auto a = parse_url("http://127.0.0.1:8080", error);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->tls);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, "8080");
  EXPECT_EQ(a->prefix, "");
  EXPECT_EQ(a->host_header(), "127.0.0.1:8080");

  auto b = parse_url("https://td.example/prefix/", error);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(b->port, "443");
  EXPECT_EQ(b->prefix, "/prefix");
  EXPECT_EQ(b->host_header(), "td.example");

  auto c = parse_url("http://[::1]:9000", error);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->authority(), "[::1]:9000");

  for (const char* bad : {"ftp://x", "127.0.0.1:8080", "http://", "http://h:0", "http://h:99999",
                          "http://h:80x", "http://u:p@h", "http://h/?q=1", "http://[::1"}) {
    EXPECT_FALSE(parse_url(bad, error)) << bad;
  }
}

TEST(TradectlUrl, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c+d:e?&="), "a%20b%2Fc%2Bd%3Ae%3F%26%3D");
  EXPECT_EQ(query_string({{"a", "1"}, {"b", std::nullopt}, {"c", "x y"}}), "?a=1&c=x%20y");
  EXPECT_EQ(query_string({{"a", std::nullopt}}), "");
}

TEST(TradectlValues, DecimalsAreDigitsWithAnOptionalFraction) {
  for (const char* ok : {"0", "100", "450.10", "0.00000001", "007"}) {
    EXPECT_EQ(check_decimal("qty", ok), "") << ok;
  }
  for (const char* bad :
       {"", "-1", "+1", "1e2", "1.", ".5", "1,000", " 1", "1 ", "0x10", "1.2.3", "nan", "inf"}) {
    EXPECT_NE(check_decimal("qty", bad), "") << bad;
  }
  EXPECT_EQ(check_client_order_id("my-2026-11-21-001:a.b_c"), "");
  EXPECT_NE(check_client_order_id(""), "");
  EXPECT_NE(check_client_order_id(std::string(65, 'a')), "");
  EXPECT_NE(check_client_order_id("a b"), "");
}

TEST(TradectlValues, KeyValuesBecomeJsonWithDecimalsAsStrings) {
  std::string error;
  auto body =
      key_values_object({"n=10", "neg=-3", "d=0.1", "e=1E5", "s=30s", "b=true", "z=null",
                         "q=\"7.5\"", "list=[1.5, 2]", "obj={\"k\": 1}", "empty=", "eq=a=b"},
                        error);
  ASSERT_TRUE(body) << error;
  EXPECT_EQ(*body, R"({"n":10,"neg":-3,"d":"0.1","e":"1E5","s":"30s","b":true,"z":null,"q":"7.5",)"
                   R"("list":[1.5,2],"obj":{"k":1},"empty":"","eq":"a=b"})");
  EXPECT_FALSE(key_values_object({"x"}, error));
  EXPECT_FALSE(key_values_object({"=1"}, error));
  EXPECT_FALSE(key_values_object({"a=1", "a=2"}, error));
}

TEST(TradectlFormat, ReindentsWithoutTouchingTokens) {
  const std::string in = R"( {"a" : 1.50e3, "b":[ ], "c":{"d":[true,null, "x\\\" ]"]}} )";
  EXPECT_TRUE(valid_json(in));
  EXPECT_EQ(compact_json(in), R"({"a":1.50e3,"b":[],"c":{"d":[true,null,"x\\\" ]"]}})");
  EXPECT_EQ(pretty_json(in),
            "{\n  \"a\": 1.50e3,\n  \"b\": [],\n  \"c\": {\n    \"d\": [\n      true,\n      "
            "null,\n      \"x\\\\\\\" ]\"\n    ]\n  }\n}");
  EXPECT_FALSE(valid_json("{"));
}

}  // namespace
}  // namespace td::tradectl
