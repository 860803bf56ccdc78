// api/stream: the stream's client messages (strict parsing), the bounded
// send queue and the envelope of server messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/stream/client_message.h"
#include "api/stream/frame.h"
#include "api/stream/out_message.h"
#include "api/stream/send_queue.h"

namespace td::api::stream {
namespace {

TEST(WsClientMessageTest, ParsesEveryOp) {
  auto m =
      parse_client_message(R"({"op":"subscribe","topics":["orders","quotes:SPY","orders"]})", 16);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->op, ClientOp::kSubscribe);
  EXPECT_EQ(m->topics, (std::vector<std::string>{"orders", "quotes:SPY"}));  // deduplicated
  m = parse_client_message(R"({"topics":["pnl"],"op":"unsubscribe"})", 16);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, ClientOp::kUnsubscribe);
  m = parse_client_message(R"({"op":"ping"})", 16);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, ClientOp::kPing);
  m = parse_client_message(R"({"op":"auth","token":"td_x"})", 16);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->op, ClientOp::kAuth);
  EXPECT_EQ(m->token, "td_x");
}

TEST(WsClientMessageTest, RefusesEverythingElseWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "malformed"},
      {"{", "malformed"},
      {"[]", "JSON object"},
      {R"({"op":1})", "op: must be a string"},
      {R"({})", "op: required"},
      {R"({"op":"dance"})", "unknown op \"dance\""},
      {R"({"op":"ping","x":1})", "unknown field \"x\""},
      {R"({"op":"ping","op":"ping"})", "duplicate"},
      {R"({"op":"subscribe"})", "topics: required"},
      {R"({"op":"subscribe","topics":[]})", "non-empty"},
      {R"({"op":"subscribe","topics":[1]})", "topics[0]: must be a string"},
      {R"({"op":"subscribe","topics":["a b"]})", "topics[0]: not a topic name"},
      {R"({"op":"subscribe","topics":["a","b","c"]})", "at most 2"},
      {R"({"op":"auth"})", "token"},
      {R"({"op":"auth","token":""})", "token"},
  };
  for (const auto& [text, reason] : cases) {
    auto m = parse_client_message(text, 2);
    ASSERT_FALSE(m.has_value()) << text;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(m.error().message.find(reason), std::string::npos)
        << text << " -> " << m.error().message;
  }
}

OutMessage update(std::string data) {
  return OutMessage{OutMessage::Kind::kUpdate, std::make_shared<const std::string>("\"orders\""),
                    std::make_shared<const std::string>(std::move(data))};
}

TEST(WsSendQueueTest, OneWriterAndLimits) {
  SendQueue q(3, 1 << 20);
  EXPECT_EQ(q.push(update("1")), SendQueue::Push::kStartWriter);
  EXPECT_EQ(q.push(update("2")), SendQueue::Push::kQueued);
  EXPECT_EQ(q.push(update("3")), SendQueue::Push::kQueued);
  EXPECT_EQ(q.push(update("4")), SendQueue::Push::kFull);
  std::vector<OutMessage> out;
  ASSERT_TRUE(q.pop_some(out, 2, 1 << 20));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0].data, "1");
  EXPECT_EQ(*out[1].data, "2");
  ASSERT_TRUE(q.pop_some(out, 2, 1 << 20));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(*out[2].data, "3");
  EXPECT_FALSE(q.pop_some(out, 2, 1 << 20));                      // the writer stops ...
  EXPECT_EQ(q.push(update("5")), SendQueue::Push::kStartWriter);  // ... and is restarted
  q.close();
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.push(update("6")), SendQueue::Push::kClosed);
}

TEST(WsSendQueueTest, ByteLimitButOneLargeMessageAlwaysFits) {
  SendQueue q(100, 200);
  EXPECT_EQ(q.push(update(std::string(1000, 'x'))), SendQueue::Push::kStartWriter);
  EXPECT_EQ(q.push(update("1")), SendQueue::Push::kFull);
  std::vector<OutMessage> out;
  ASSERT_TRUE(q.pop_some(out, 100, 1));
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.push(update("1")), SendQueue::Push::kQueued);  // the writer still runs
  EXPECT_EQ(q.push(update("2")), SendQueue::Push::kQueued);
}

TEST(WsSendQueueTest, PopSomeStopsAtTheByteBudget) {
  SendQueue q(100, 1 << 20);
  for (int i = 0; i < 5; ++i) q.push(update(std::string(100, 'x')));
  std::vector<OutMessage> out;
  ASSERT_TRUE(q.pop_some(out, 100, 2 * update(std::string(100, 'x')).cost()));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(q.size(), 3u);
}

// The text of the single frame in `wire`, after checking its header: FIN,
// text, unmasked, with the shortest length encoding (RFC 6455 5.2).
std::string frame_text(const std::string& wire) {
  EXPECT_GE(wire.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0x81);
  const auto b1 = static_cast<unsigned char>(wire[1]);
  EXPECT_EQ(b1 & 0x80, 0) << "server frames are not masked";
  std::size_t len = b1 & 0x7F, at = 2;
  if (len == 126) {
    len = (static_cast<unsigned char>(wire[2]) << 8) | static_cast<unsigned char>(wire[3]);
    EXPECT_GT(len, 125u);
    at = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(wire[2 + i]);
    EXPECT_GT(len, 0xFFFFu);
    at = 10;
  }
  EXPECT_EQ(wire.size(), at + len);
  return wire.substr(at);
}

TEST(WsFrameTest, EveryMessageCarriesItsSeq) {
  const auto u = update(R"({"id":"7"})");
  std::string wire;
  append_frame(wire, u, 12);
  EXPECT_EQ(frame_text(wire), R"({"type":"update","topic":"orders","seq":12,"data":{"id":"7"}})");
  OutMessage s = u;
  s.kind = OutMessage::Kind::kSnapshot;
  wire.clear();
  append_frame(wire, s, 1);
  EXPECT_EQ(
      nlohmann::json::parse(frame_text(wire)),
      nlohmann::json::parse(R"({"type":"snapshot","topic":"orders","seq":1,"data":{"id":"7"}})"));
  wire.clear();
  append_frame(wire, OutMessage::pong(), 3);
  EXPECT_EQ(frame_text(wire), R"({"type":"pong","seq":3})");
  wire.clear();
  append_frame(wire, OutMessage::error("bad \"x\"\n"), 4);
  EXPECT_EQ(frame_text(wire), R"({"type":"error","seq":4,"detail":"bad \"x\"\n"})");
}

TEST(WsFrameTest, LengthEncodingsAtTheirBoundaries) {
  // 7-bit up to 125, 16-bit up to 65535, 64-bit beyond.
  for (const std::size_t len : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 1000000u}) {
    std::string wire;
    append_text_frame_header(wire, len);
    wire.append(len, 'x');
    EXPECT_EQ(frame_text(wire).size(), len) << len;
  }
}

}  // namespace
}  // namespace td::api::stream
