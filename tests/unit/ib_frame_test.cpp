// IB wire framing and handshake (docs/ib.md; fact sheet 1.2-1.4, 5.1): the
// length prefix, the incremental FrameReader (partial frames, several frames
// per read, the size limit), and both sides of the handshake. Expected bytes
// are written out by hand from the fact sheet.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/frame.h"
#include "brokers/ib/wire/frame_reader.h"
#include "brokers/ib/wire/handshake.h"

namespace td::ib::wire {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

// Bytes from hex pairs ("41 50 49 00").
std::string hex(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i += 3)
    out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string next_frame(FrameReader& r) {
  auto f = r.next();
  EXPECT_TRUE(f.has_value()) << f.error().message;
  EXPECT_TRUE(f && f->has_value());
  return f && *f ? **f : "<none>";
}

bool incomplete(FrameReader& r) {
  auto f = r.next();
  return f.has_value() && !f->has_value();
}

TEST(IbFrame, LengthPrefixIsFourBytesBigEndian) {
  // 5.2 reqPositions: body "61\0" "1\0".
  EXPECT_EQ(make_frame("61\0001\0"s).value(), hex("00 00 00 05 36 31 00 31 00"));
  std::string out;
  append_length_prefix(out, 0x01020304);
  EXPECT_EQ(out, hex("01 02 03 04"));
  EXPECT_EQ(read_length_prefix(hex("00 ff 00 c8")), 0x00ff00c8u);
  EXPECT_EQ(make_frame("").value(), hex("00 00 00 00"));
}

TEST(IbFrame, MakeFrameRefusesPayloadsOverTheMaximum) {
  EXPECT_TRUE(make_frame(std::string(10, 'x'), 10).has_value());
  auto r = make_frame(std::string(11, 'x'), 10);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("exceeds the maximum of 10"), std::string::npos);
  EXPECT_EQ(kDefaultMaxFrameLength, 0xFFFFFFu);
}

TEST(IbFrameReader, WaitsForWholeFramesFedByteByByte) {
  // 5.1: nextValidId 1001 then managedAccounts DU1234567.
  const std::string bytes =
      hex("00 00 00 09") + "9\0001\0001001\0"s + hex("00 00 00 0f") + "15\0001\0DU1234567\0"s;
  FrameReader r;
  std::string frames;
  for (char c : bytes) {
    r.feed(std::string_view(&c, 1));
    auto f = r.next();
    ASSERT_TRUE(f.has_value());
    if (*f) frames += "[" + **f + "]";
  }
  EXPECT_EQ(frames, "[9\0001\0001001\0]"s + "[15\0001\0DU1234567\0]"s);
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(IbFrameReader, PopsSeveralFramesFromOneRead) {
  FrameReader r;
  r.feed(hex("00 00 00 02 61 00") + hex("00 00 00 00") + hex("00 00 00 02 62 00") + hex("00 00"));
  EXPECT_EQ(next_frame(r), "a\0"s);
  EXPECT_EQ(next_frame(r), "");  // a zero-length frame is a frame (the decoder refuses it)
  EXPECT_EQ(next_frame(r), "b\0"s);
  EXPECT_TRUE(incomplete(r));  // half a length prefix
  r.feed(hex("00 01 7a"));
  EXPECT_EQ(next_frame(r), "z");
  EXPECT_TRUE(incomplete(r));
}

TEST(IbFrameReader, TruncatedFrameWaitsForMoreBytes) {
  FrameReader r;
  r.feed(hex("00 00 00 05 36 31 00"));
  EXPECT_TRUE(incomplete(r));
  EXPECT_TRUE(incomplete(r));  // asking again changes nothing
  EXPECT_EQ(r.buffered(), 7u);
  r.feed(hex("31 00"));
  EXPECT_EQ(next_frame(r), "61\0001\0"s);
}

TEST(IbFrameReader, OversizedLengthIsAnErrorAndPoisonsTheReader) {
  FrameReader r(16);
  r.feed(hex("00 00 00 10") + std::string(16, 'x'));  // exactly the maximum: fine
  EXPECT_EQ(next_frame(r), std::string(16, 'x'));
  r.feed(hex("00 00 00 11"));  // refused before the payload arrives
  auto f = r.next();
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.error().message, "IB frame length 17 exceeds the maximum of 16 bytes");
  EXPECT_TRUE(r.failed());
  r.feed(hex("00 00 00 01 41"));
  EXPECT_FALSE(r.next().has_value());  // no resynchronisation
}

TEST(IbFrameReader, DefaultMaximumIsIbsOwn) {
  FrameReader r;
  r.feed(hex("00 ff ff ff"));
  EXPECT_TRUE(incomplete(r));  // 16 MiB - 1 is allowed (and still incomplete)
  FrameReader big;
  big.feed(hex("01 00 00 00"));
  EXPECT_FALSE(big.next().has_value());
  FrameReader garbage;
  garbage.feed(hex("ff ff ff ff"));
  EXPECT_FALSE(garbage.next().has_value());
}

TEST(IbHandshake, ClientHelloIsTheSeventeenBytesOfTheFactSheet) {
  EXPECT_EQ(encode_client_hello().value(),
            hex("41 50 49 00 00 00 00 09 76 31 30 30 2e 2e 31 37 38"));
  EXPECT_EQ(encode_client_hello({100, 178, "+PACEAPI"}).value(),
            "API\0"s + hex("00 00 00 12") + "v100..178 +PACEAPI");
  EXPECT_FALSE(encode_client_hello({178, 100, ""}).has_value());
  EXPECT_FALSE(encode_client_hello({100, 178, "a\0b"s}).has_value());
}

TEST(IbHandshake, ParsesVersionRanges) {
  EXPECT_EQ(parse_version_range("v100..178").value(), (VersionRange{100, 178, ""}));
  EXPECT_EQ(parse_version_range("v157..178 +PACEAPI").value(),
            (VersionRange{157, 178, "+PACEAPI"}));
  EXPECT_EQ(parse_version_range("v100..200").value(), (VersionRange{100, 200, ""}));
  for (std::string_view bad : {"", "100..178", "v100.200", "v100..", "v..178", "vx..178",
                               "v178..100", "v-1..178", "v100..99999999999", "v1 00..178"}) {
    auto r = parse_version_range(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
  auto nul = parse_version_range("v100..178\0"s);
  ASSERT_FALSE(nul.has_value());
  EXPECT_NE(nul.error().message.find("NUL"), std::string::npos);
}

TEST(IbHandshake, ServerParsesTheClientHelloIncrementally) {
  const std::string hello =
      encode_client_hello().value() + hex("00 00 00 09") + "71\0002\00017\0\0"s;
  for (size_t n = 0; n < 17; ++n) {
    auto partial = parse_client_hello(std::string_view(hello).substr(0, n));
    ASSERT_TRUE(partial.has_value()) << n;
    EXPECT_FALSE(partial->has_value()) << n;
  }
  auto done = parse_client_hello(hello);
  ASSERT_TRUE(done.has_value() && done->has_value());
  EXPECT_EQ((*done)->range, (VersionRange{100, 178, ""}));
  EXPECT_EQ((*done)->consumed, 17u);  // startApi follows, for the FrameReader
}

TEST(IbHandshake, ServerRefusesABadClientHelloEarly) {
  auto wrong = parse_client_hello("GET / HTTP/1.1\r\n");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().message, "IB client hello: expected \"API\\x00\", got \"GET \"");
  EXPECT_FALSE(parse_client_hello("AP!").has_value());  // wrong before 4 bytes arrive
  auto huge = parse_client_hello("API\0"s + hex("7f 00 00 00"));
  ASSERT_FALSE(huge.has_value());
  EXPECT_NE(huge.error().message.find("exceeds the maximum"), std::string::npos);
  auto bad = parse_client_hello("API\0"s + hex("00 00 00 08") + "v100.178");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("v100.178"), std::string::npos);
}

TEST(IbHandshake, ServerNegotiatesTheHighestCommonVersion) {
  EXPECT_EQ(negotiate_version({100, 178, ""}).value(), 178);
  EXPECT_EQ(negotiate_version({100, 200, ""}).value(), 178);
  EXPECT_EQ(negotiate_version({100, 177, ""}).value(), 177);
  EXPECT_EQ(negotiate_version({100, 178, ""}, 100, 187).value(), 178);
  EXPECT_FALSE(negotiate_version({100, 175, ""}).has_value());
  EXPECT_FALSE(negotiate_version({179, 200, ""}).has_value());
}

TEST(IbHandshake, ServerHelloIsTheFactSheetReply) {
  const std::string reply = hex("00 00 00 1a") + "178\00020260115 09:30:00 EST\0"s;
  EXPECT_EQ(encode_server_hello({178, "20260115 09:30:00 EST"}).value(), reply);
  auto parsed = parse_server_hello(reply.substr(4));
  ASSERT_TRUE(parsed.has_value() && parsed->has_value());
  EXPECT_EQ(**parsed, (ServerHello{178, "20260115 09:30:00 EST"}));
  EXPECT_FALSE(encode_server_hello({178, "a\0b"s}).has_value());
}

TEST(IbHandshake, ConnectionTimeIsOpaqueBytes) {
  const std::string gb2312 = "20260115 09:30:00 \xd6\xd0\xb9\xfa\xb1\xea\xd7\xbc\xca\xb1\xbc\xe4";
  auto parsed = parse_server_hello("176\0"s + gb2312 + "\0"s);
  ASSERT_TRUE(parsed.has_value() && parsed->has_value());
  EXPECT_EQ((*parsed)->version, 176);
  EXPECT_EQ((*parsed)->connection_time, gb2312);
}

TEST(IbHandshake, OtherTrafficBeforeTheReplyIsNotAReply) {
  for (std::string_view other : {"15\0001\0DU1\0"sv, "178\0"sv, ""sv, "178\000x"sv})
    EXPECT_FALSE(parse_server_hello(other).value().has_value());
}

TEST(IbHandshake, RedirectAndGarbageRepliesAreErrors) {
  auto redirect = parse_server_hello("-1\000gw2.example:4001\0"s);
  ASSERT_FALSE(redirect.has_value());
  EXPECT_EQ(redirect.error().message, "IB server hello: redirected to gw2.example:4001");
  auto garbage = parse_server_hello("v178\000x\0"s);
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().message, "IB server hello: version \"v178\" is not a number");
}

TEST(IbVersions, OnlyTheRecommendedRangeIsAccepted) {
  EXPECT_EQ(kAdvertisedMinVersion, 100);
  EXPECT_EQ(kAdvertisedMaxVersion, 178);
  for (int v : {176, 177, 178}) EXPECT_TRUE(check_server_version(v).has_value()) << v;
  auto low = check_server_version(173);
  ASSERT_FALSE(low.has_value());
  EXPECT_EQ(low.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(low.error().message.find("173 is below the minimum 176"), std::string::npos);
  EXPECT_FALSE(check_server_version(179).has_value());
  EXPECT_FALSE(check_server_version(-5).has_value());
}

}  // namespace
}  // namespace td::ib::wire
