// Exact JSON parsing (api/json/parse.h) and decimals in JSON
// (api/json/decimal_field.h): numbers keep their text, so 450.10 is exactly
// 450.1; malformed, hostile or huge input is an error, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "api/json/decimal_field.h"
#include "api/json/parse.h"

namespace td::api {
namespace {

using nlohmann::json;

json parsed(std::string_view text) {
  auto j = parse_json(text);
  EXPECT_TRUE(j.has_value()) << text;
  return j ? *j : json();
}

FieldError only_error(std::string_view text) {
  auto j = parse_json(text);
  EXPECT_FALSE(j.has_value()) << text;
  if (j) return {};
  EXPECT_EQ(j.error().size(), 1u) << text;
  return j.error().front();
}

TEST(JsonParse, BuildsTheTreeWithNumbersAsText) {
  const json j = parsed(R"({"a": "x", "b": [1, -2, 450.10, 1e2, true, null], "c": {"d": false}})");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["a"], "x");
  ASSERT_TRUE(j["b"].is_array());
  ASSERT_EQ(j["b"].size(), 6u);
  EXPECT_EQ(number_text(j["b"][0]), "1");
  EXPECT_EQ(number_text(j["b"][1]), "-2");
  EXPECT_EQ(number_text(j["b"][2]), "450.10");  // the text as written, trailing zero too
  EXPECT_EQ(number_text(j["b"][3]), "1e2");
  EXPECT_TRUE(is_number(j["b"][2]));
  EXPECT_EQ(j["b"][4], true);
  EXPECT_TRUE(j["b"][5].is_null());
  EXPECT_EQ(j["c"], json({{"d", false}}));
}

TEST(JsonParse, HugeIntegersKeepTheirDigits) {
  const json j =
      parsed(R"([18446744073709551615, 123456789012345678901234567890, -9223372036854775808])");
  EXPECT_EQ(number_text(j[0]), "18446744073709551615");
  EXPECT_EQ(number_text(j[1]), "123456789012345678901234567890");
  EXPECT_EQ(number_text(j[2]), "-9223372036854775808");
}

TEST(JsonParse, StringsAreNeverNumbers) {
  const json j = parsed(R"({"a": "1"})");
  EXPECT_FALSE(is_number(j["a"]));
  EXPECT_EQ(number_text(j["a"]), std::nullopt);
}

TEST(JsonParse, ToStandardTurnsNumberTextIntoNumbers) {
  const json j = to_standard(parsed(R"({"n": 3, "f": 0.5, "l": [1, {"x": -7}]})"));
  EXPECT_EQ(j, json::parse(R"({"n": 3, "f": 0.5, "l": [1, {"x": -7}]})"));
  EXPECT_TRUE(j["n"].is_number_integer());
}

TEST(JsonParse, MalformedJsonIsOneErrorWithTheByteOffset) {
  FieldError e = only_error(R"({"a":})");
  EXPECT_EQ(e.field, "");
  EXPECT_NE(e.message.find("malformed JSON at byte offset 5"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("syntax error"), std::string::npos) << e.message;

  e = only_error(R"({"qty": "1",})");
  EXPECT_NE(e.message.find("byte offset 12"), std::string::npos) << e.message;

  e = only_error("");
  EXPECT_NE(e.message.find("malformed JSON at byte offset 0"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("unexpected end of input"), std::string::npos) << e.message;

  // Trailing content after the value.
  e = only_error(R"({} {})");
  EXPECT_NE(e.message.find("byte offset 3"), std::string::npos) << e.message;

  // A raw NUL byte (nlohmann would take it for the end of the input).
  e = only_error(std::string("{\"a\": 1}\0{\"b\": 2}", 17));
  EXPECT_EQ(e, (FieldError{"", "malformed JSON at byte offset 8: NUL byte"}));

  // Line and column are in the message too.
  e = only_error("{\n  \"a\": 1,\n  \"b\": tru\n}");
  EXPECT_NE(e.message.find("byte offset 22: parse error at line 4"), std::string::npos)
      << e.message;

  // Comments, single quotes, NaN: not JSON.
  only_error(R"({"a": 1 /* c */})");
  only_error(R"({'a': 1})");
  only_error(R"({"a": NaN})");
  only_error(R"({"a": 01})");
}

TEST(JsonParse, NumbersBeyondDoubleAreAnErrorNamingTheField) {
  FieldError e = only_error(R"({"qty": 1e400})");
  EXPECT_EQ(e, (FieldError{"qty", "number out of range"}));
  e = only_error(R"({"a": {"b": [1, -1e999]}})");
  EXPECT_EQ(e, (FieldError{"a.b[1]", "number out of range"}));
}

TEST(JsonParse, DeepNestingIsRefusedWithoutRecursion) {
  const std::string deep(100000, '[');
  FieldError e = only_error(deep);
  EXPECT_EQ(e.field, "");
  EXPECT_NE(e.message.find("nested deeper than 64 levels"), std::string::npos) << e.message;

  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
  e = only_error(objects);
  EXPECT_NE(e.message.find("nested deeper"), std::string::npos) << e.message;

  // 64 levels are fine; 65 are not.
  EXPECT_TRUE(parse_json(std::string(64, '[') + std::string(64, ']')).has_value());
  EXPECT_FALSE(parse_json(std::string(65, '[') + std::string(65, ']')).has_value());
  EXPECT_TRUE(parse_json("[[[]]]", ParseOptions{3}).has_value());
  EXPECT_FALSE(parse_json("[[[[]]]]", ParseOptions{3}).has_value());
}

TEST(JsonParse, InvalidUtf8InStringsIsAnError) {
  for (std::string bad : {std::string("{\"symbol\": \"SP\xff\"}"),
                          std::string("{\"symbol\": \"\xc3\x28\"}"),      // bad continuation
                          std::string("{\"symbol\": \"\xed\xa0\x80\"}"),  // UTF-16 surrogate
                          std::string("{\"symbol\": \"\xc0\xaf\"}"),      // overlong
                          std::string("{\"sym\xfe\": 1}")}) {
    FieldError e = only_error(bad);
    EXPECT_EQ(e.field, "");
    EXPECT_NE(e.message.find("malformed JSON"), std::string::npos) << e.message;
    // The message is printable ASCII whatever the input was.
    for (char c : e.message) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << e.message;
  }
  // Valid UTF-8 and escapes are fine.
  const json j = parsed("{\"reason\": \"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00\"}");
  EXPECT_EQ(j["reason"], "caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80");
}

TEST(JsonParse, LongGarbageGivesAShortMessage) {
  const std::string body = "{\"a\": \"" + std::string(100000, 'x') + "\x01\"}";
  FieldError e = only_error(body);
  EXPECT_LT(e.message.size(), 400u);
}

TEST(JsonParse, DuplicateMembersAreErrors) {
  auto j = parse_json(R"({"qty": "1", "side": "buy", "qty": "2", "x": {"y": 1, "y": 2}})");
  ASSERT_FALSE(j.has_value());
  ASSERT_EQ(j.error().size(), 2u);
  EXPECT_EQ(j.error()[0], (FieldError{"qty", "duplicate field"}));
  EXPECT_EQ(j.error()[1], (FieldError{"x.y", "duplicate field"}));
}

TEST(JsonParse, DumpNeverThrows) {
  EXPECT_EQ(dump_json(json{{"a", "x"}}), R"({"a":"x"})");
  EXPECT_NO_THROW(dump_json(json("bad \xff utf-8")));
  EXPECT_EQ(dump_json(json("\xff")), "\"\xef\xbf\xbd\"");  // U+FFFD
}

// ------------------------------------------------------------------ decimals

Decimal dec(std::string_view body) {
  auto j = parse_json(body);
  EXPECT_TRUE(j.has_value()) << body;
  auto d = decimal_from_json((*j)[0]);
  EXPECT_TRUE(d.has_value()) << body << ": " << (d ? "" : d.error());
  return d ? *d : Decimal();
}

std::string dec_error(std::string_view body) {
  auto j = parse_json(body);
  EXPECT_TRUE(j.has_value()) << body;
  auto d = decimal_from_json((*j)[0]);
  EXPECT_FALSE(d.has_value()) << body;
  return d ? "" : d.error();
}

TEST(JsonDecimal, StringAndNumberGiveTheSameExactValue) {
  EXPECT_EQ(dec(R"(["450.10"])"), Decimal::from_units(45'010'000'000));
  EXPECT_EQ(dec(R"([450.10])"), Decimal::from_units(45'010'000'000));
  EXPECT_EQ(dec(R"([450.10])").to_string(), "450.1");
  EXPECT_EQ(dec(R"([0.1])").units(), 10'000'000);  // exactly 0.1, no binary drift
  EXPECT_EQ(dec(R"([0.30000000])").units(), 30'000'000);
  EXPECT_EQ(dec(R"([1e2])"), Decimal::from_int(100));
  EXPECT_EQ(dec(R"(["1e2"])"), Decimal::from_int(100));
  EXPECT_EQ(dec(R"([1.5E-2])").to_string(), "0.015");
  EXPECT_EQ(dec(R"([-0.5])").to_string(), "-0.5");
  EXPECT_EQ(dec(R"([100])").to_string(), "100");
  EXPECT_EQ(dec(R"([-0])"), Decimal());
  EXPECT_EQ(dec(R"([92233720368.54775807])"), Decimal::max());
  EXPECT_EQ(dec(R"([0.00000001])").units(), 1);
  // A value a double cannot hold exactly, and one it would round.
  EXPECT_EQ(dec(R"([12345678901.23456789])").to_string(), "12345678901.23456789");
}

TEST(JsonDecimal, TooPreciseOrTooLargeIsAnError) {
  EXPECT_EQ(dec_error(R"([0.123456789])"), "more than 8 decimal places");
  EXPECT_EQ(dec_error(R"(["0.123456789"])"), "more than 8 decimal places");
  EXPECT_EQ(dec_error(R"([1e-9])"), "more than 8 decimal places");
  EXPECT_NE(dec_error(R"([92233720368.54775808])").find("out of range"), std::string::npos);
  EXPECT_NE(dec_error(R"([1e300])").find("out of range"), std::string::npos);
  EXPECT_NE(dec_error(R"([123456789012345678901234567890])").find("out of range"),
            std::string::npos);
  EXPECT_NE(
      dec_error(R"(["99999999999999999999999999999999999999999999999"])").find("out of range"),
      std::string::npos);
}

TEST(JsonDecimal, WrongTypesAndSyntaxAreErrors) {
  EXPECT_EQ(dec_error(R"(["abc"])"), "not a decimal number");
  EXPECT_EQ(dec_error(R"([" 1"])"), "not a decimal number");
  EXPECT_EQ(dec_error(R"(["1,5"])"), "not a decimal number");
  EXPECT_EQ(dec_error(R"(["0x10"])"), "not a decimal number");
  EXPECT_EQ(dec_error(R"([""])"), "must not be empty");
  const std::string wrong_type = "must be a decimal (a string such as \"150.25\" or a number)";
  EXPECT_EQ(dec_error(R"([true])"), wrong_type);
  EXPECT_EQ(dec_error(R"([null])"), wrong_type);
  EXPECT_EQ(dec_error(R"([[1]])"), wrong_type);
  EXPECT_EQ(dec_error(R"([{"v": 1}])"), wrong_type);
  // A plain double (not from parse_json) has lost its text.
  EXPECT_FALSE(decimal_from_json(json(0.1)).has_value());
  EXPECT_EQ(decimal_from_json(json(42)).value(), Decimal::from_int(42));
}

TEST(JsonDecimal, OutputIsTheShortestExactString) {
  EXPECT_EQ(decimal_to_json(Decimal::parse("450.10").value()), json("450.1"));
  EXPECT_EQ(decimal_to_json(Decimal::from_int(100)), json("100"));
  EXPECT_EQ(decimal_to_json(Decimal::parse("-0.00000001").value()), json("-0.00000001"));
  EXPECT_EQ(decimal_to_json(std::optional<Decimal>()), json(nullptr));
  EXPECT_EQ(decimal_to_json(std::optional<Decimal>(Decimal::from_int(1))), json("1"));
}

}  // namespace
}  // namespace td::api
