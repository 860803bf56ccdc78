// IB field codec (docs/ib.md "Numbers" and "Unset values"; fact sheet 1.6):
// what FieldWriter writes for each type, what FieldReader accepts (IB's unset
// sentinels, Java number forms) and how it refuses bad fields: with an error
// naming the message, the field's position and its name.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/wire/field_reader.h"
#include "brokers/ib/wire/field_writer.h"

namespace td::ib::wire {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

// "|" stands for one NUL byte, as in the fact sheet.
std::string nul(std::string s) {
  std::replace(s.begin(), s.end(), '|', '\0');
  return s;
}

std::string error_of(const FieldReader& r) {
  auto s = r.status();
  return s ? "" : s.error().message;
}

Decimal D(std::string_view s) {
  return Decimal::parse(s).value();
}

TEST(IbFieldWriter, WritesEachTypeAsIbExpects) {
  FieldWriter w(178, "test");
  w.int32("a", -1);
  w.int64("b", 9'000'000'000);
  w.flag("c", true);
  w.flag("d", false);
  w.decimal("e", D("100"));
  w.dbl("f", D("150.25"));
  w.dbl("g", D("0.00000001"));  // never an exponent
  w.dbl("h", D("-90000000000"));
  w.opt_dbl("i", std::nullopt);
  w.opt_int32("j", std::nullopt);
  w.opt_int32("k", 2147483647);  // a set value is written as it is
  w.opt_flag("l", std::nullopt);
  w.text("m", "SMART");
  w.expect("n", "3");
  w.ignore("o", "");
  w.count("p", std::vector<int>(3));
  EXPECT_EQ(std::move(w).finish().value(),
            nul("-1|9000000000|1|0|100|150.25|0.00000001|-90000000000|||2147483647||SMART|3||3|"));
}

TEST(IbFieldWriter, RefusesNulInsideATextField) {
  FieldWriter w(178, "placeOrder");
  w.int32("orderId", 1);
  w.text("orderRef", "a\0b"s);
  w.text("after", "x");  // ignored after the error
  auto r = std::move(w).finish();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "placeOrder: field 1 (orderRef) contains a NUL byte");
}

TEST(IbFieldWriter, UnsupportedGroupIsAnError) {
  FieldWriter w(178, "placeOrder");
  w.unsupported("a BAG (combo) contract");
  EXPECT_EQ(std::move(w).finish().error().message,
            "placeOrder: a BAG (combo) contract is not supported by this codec");
}

TEST(IbFieldReader, ReadsEachType) {
  const std::string p = nul("9|-1|9000000000|1|0||7|STK|150.25|100|x|");
  FieldReader r(p, 178);
  EXPECT_EQ(r.message_id().value(), 9);
  int32_t a = 0;
  int64_t b = 0;
  bool c = false, d = true, e = true, f = false;
  Decimal g, h;
  std::string i, j;
  r.int32("a", a);
  r.int64("b", b);
  r.flag("c", c);
  r.flag("d", d);
  r.flag("e", e);  // empty is false
  r.flag("f", f);  // any non-zero integer is true
  r.text("i", i);
  r.dbl("g", g);
  r.decimal("h", h);
  EXPECT_EQ(r.remaining(), 1u);
  r.ignore("j", "");
  EXPECT_TRUE(r.status().has_value()) << error_of(r);
  EXPECT_EQ(a, -1);
  EXPECT_EQ(b, 9'000'000'000);
  EXPECT_TRUE(c);
  EXPECT_FALSE(d);
  EXPECT_FALSE(e);
  EXPECT_TRUE(f);
  EXPECT_EQ(i, "STK");
  EXPECT_EQ(g, D("150.25"));
  EXPECT_EQ(h, D("100"));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(IbFieldReader, UnsetIntsAreEmptyOptionals) {
  const std::string p = nul("1||2147483647|5|9223372036854775807|2147483647|-1|");
  FieldReader r(p, 178);
  ASSERT_TRUE(r.message_id().has_value());
  std::optional<int32_t> a = 1, b = 1, c;
  std::optional<int64_t> d = 1, e, f;
  r.opt_int32("a", a);
  r.opt_int32("b", b);
  r.opt_int32("c", c);
  r.opt_int64("d", d);
  r.opt_int64("e", e);  // an int's unset value is a value for a long
  r.opt_int64("f", f);
  EXPECT_TRUE(r.status().has_value()) << error_of(r);
  EXPECT_EQ(a, std::nullopt);
  EXPECT_EQ(b, std::nullopt);
  EXPECT_EQ(c, 5);
  EXPECT_EQ(d, std::nullopt);
  EXPECT_EQ(e, 2147483647);
  EXPECT_EQ(f, -1);
}

// Reads `payload` (after a message id) with `read` until one field is left,
// expecting nullopt each time, then the last field as `last`.
template <class Read>
void expect_unset_then(const std::string& payload, Read read, std::optional<Decimal> last) {
  const std::string p = nul(payload);
  FieldReader r(p, 178);
  ASSERT_TRUE(r.message_id().has_value());
  while (r.remaining() > 1) {
    std::optional<Decimal> v = D("1");
    (r.*read)("v", v);
    EXPECT_EQ(v, std::nullopt) << r.remaining();
  }
  std::optional<Decimal> v;
  (r.*read)("v", v);
  EXPECT_EQ(v, last);
  EXPECT_TRUE(r.status().has_value()) << error_of(r);
}

TEST(IbFieldReader, UnsetDoublesAsJavaAndPythonWriteThem) {
  // A double's only unset value is DBL_MAX: 2147483647 is a number.
  expect_unset_then("1||1.7976931348623157E308|1.7976931348623157e+308|2147483647|",
                    &FieldReader::opt_dbl, D("2147483647"));
}

TEST(IbFieldReader, UnsetDecimalsInEveryIbSpelling) {
  expect_unset_then(
      "1||2147483647|9223372036854775807|1.7976931348623157E308|-9223372036854775808|0.5|",
      &FieldReader::opt_decimal, D("0.5"));
}

TEST(IbFieldReader, JavaDoubleTextIsReadExactly) {
  const std::string p =
      nul("1|196.52|0.0|1.0E-4|1.2345678E7|-1|196.523333333333333|150.123456785|0.000000005|");
  FieldReader r(p, 178);
  ASSERT_TRUE(r.message_id().has_value());
  std::vector<Decimal> got(8);
  for (auto& d : got) r.dbl("v", d);
  EXPECT_TRUE(r.status().has_value()) << error_of(r);
  EXPECT_EQ(got[0], D("196.52"));
  EXPECT_EQ(got[1], D("0"));
  EXPECT_EQ(got[2], D("0.0001"));
  EXPECT_EQ(got[3], D("12345678"));
  EXPECT_EQ(got[4], D("-1"));
  // More than 8 decimals (an average): rounded half-even at 1e-8.
  EXPECT_EQ(got[5], D("196.52333333"));
  EXPECT_EQ(got[6], D("150.12345678"));  // tie to even
  EXPECT_EQ(got[7], D("0"));
}

TEST(IbFieldReader, DecimalQuantitiesMustBeExact) {
  const std::string p = nul("1|0.123456789|");
  FieldReader r(p, 178);
  ASSERT_TRUE(r.message_id().has_value());
  r.set_message("position");
  Decimal q;
  r.decimal("position", q);
  EXPECT_EQ(error_of(r),
            "position: field 1 (position): \"0.123456789\": more than 8 decimal places");
}

TEST(IbFieldReader, ErrorsNameMessageFieldPositionAndName) {
  struct Case {
    std::string payload;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"3|abc|", "orderStatus: field 1 (orderId): \"abc\" is not an integer"},
      {"3||", "orderStatus: field 1 (orderId): \"\" is not an integer"},
      {"3|12x|", "orderStatus: field 1 (orderId): \"12x\" is not an integer"},
      {"3| 12|", "orderStatus: field 1 (orderId): \" 12\" is not an integer"},
      {"3|+12|", "orderStatus: field 1 (orderId): \"+12\" is not an integer"},
      {"3|99999999999999999999|",
       "orderStatus: field 1 (orderId): 99999999999999999999 is out of range"},
      {"3|", "orderStatus: field 1 (orderId): missing (the message has 1 fields)"},
  };
  for (const auto& c : cases) {
    const std::string p = nul(c.payload);
    FieldReader r(p, 178);
    ASSERT_TRUE(r.message_id().has_value());
    r.set_message("orderStatus");
    int64_t id = 0;
    r.int64("orderId", id);
    EXPECT_EQ(error_of(r), c.error) << c.payload;
  }
}

TEST(IbFieldReader, NumberErrors) {
  const std::string p = nul("1|2147483648|x|1e400||Infinity|NaN|1.7976931348623157E308|");
  auto first_error = [&](auto read) {
    FieldReader r(p, 178);
    r.message_id();
    r.set_message("m");
    read(r);
    return error_of(r);
  };
  EXPECT_EQ(first_error([](FieldReader& r) {
              int32_t v;
              r.int32("a", v);
            }),
            "m: field 1 (a): 2147483648 is out of range");
  EXPECT_EQ(first_error([](FieldReader& r) {
              r.ignore("a", "");
              bool v;
              r.flag("b", v);
            }),
            "m: field 2 (b): \"x\" is not an integer");
  auto nth_dbl_error = [&](int n) {
    return first_error([n](FieldReader& r) {
      for (int k = 1; k < n; ++k) r.ignore("skip", "");
      Decimal v;
      r.dbl("p", v);
    });
  };
  EXPECT_EQ(nth_dbl_error(3), "m: field 3 (p): \"1e400\": out of range");
  EXPECT_EQ(nth_dbl_error(4), "m: field 4 (p): empty where a number is required");
  EXPECT_EQ(nth_dbl_error(5), "m: field 5 (p): \"Infinity\": not a decimal number");
  EXPECT_EQ(nth_dbl_error(6), "m: field 6 (p): \"NaN\": not a decimal number");
  EXPECT_EQ(nth_dbl_error(7), "m: field 7 (p): \"1.7976931348623157E308\": out of range");
}

TEST(IbFieldReader, GarbageBytesAreQuotedPrintably) {
  const std::string p = "1\0\x01\xff\\"s + std::string(50, 'z') + "\0"s;
  FieldReader r(p, 178);
  r.message_id();
  r.set_message("m");
  int32_t v;
  r.int32("v", v);
  EXPECT_EQ(error_of(r),
            "m: field 1 (v): \"\\x01\\xff\\x5c" + std::string(37, 'z') + "...\" is not an integer");
}

TEST(IbFieldReader, PayloadMustBeNulTerminated) {
  FieldReader empty("", 178);
  EXPECT_EQ(empty.message_id().error().message, "IB message: empty payload");
  FieldReader open("9\0001\0001001"sv, 178);
  EXPECT_EQ(open.message_id().error().message,
            "IB message: last field \"1001\" is not NUL-terminated");
  FieldReader no_nul("9", 178);
  EXPECT_FALSE(no_nul.message_id().has_value());
  const std::string negative = nul("-3|");
  FieldReader bad_id(negative, 178);
  EXPECT_EQ(bad_id.message_id().error().message,
            "IB message: field 0 (message id): -3 is out of range");
}

TEST(IbFieldReader, ExpectRefusesAnotherValue) {
  const std::string p = nul("71|3|");
  FieldReader r(p, 178);
  r.message_id();
  r.set_message("startApi");
  r.expect("version", "2");
  EXPECT_EQ(error_of(r), "startApi: field 1 (version): \"3\" where \"2\" is expected");
}

TEST(IbFieldReader, CountsAreBoundedByTheFieldsLeft) {
  auto count_error = [](std::string payload) {
    const std::string p = nul(payload);
    FieldReader r(p, 178);
    r.message_id();
    r.set_message("m");
    std::vector<std::string> v;
    r.count("n", v);
    for (auto& s : v) r.text("item", s);
    return std::make_pair(v.size(), error_of(r));
  };
  EXPECT_EQ(count_error("1|2|a|b|"), std::make_pair(size_t{2}, ""s));
  EXPECT_EQ(
      count_error("1|3|a|b|"),
      std::make_pair(size_t{0}, "m: field 1 (n): count 3 with 2 fields left in the message"s));
  EXPECT_EQ(count_error("1|2000000000|"),
            std::make_pair(size_t{0},
                           "m: field 1 (n): count 2000000000 with 0 fields left in the message"s));
  EXPECT_EQ(
      count_error("1|-1|"),
      std::make_pair(size_t{0}, "m: field 1 (n): count -1 with 0 fields left in the message"s));
}

TEST(IbFieldReader, FirstErrorIsKeptAndLaterCallsDoNothing) {
  const std::string p = nul("1|x|5|");
  FieldReader r(p, 178);
  r.message_id();
  r.set_message("m");
  int32_t a = 7, b = 7;
  r.int32("a", a);
  r.int32("b", b);
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 7);
  EXPECT_EQ(error_of(r), "m: field 1 (a): \"x\" is not an integer");
  EXPECT_FALSE(r.next("c").has_value());
}

}  // namespace
}  // namespace td::ib::wire
