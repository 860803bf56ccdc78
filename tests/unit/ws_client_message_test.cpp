// api/stream: the stream's client messages (strict parsing), the bounded
// send queue and the envelope of server messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/stream/client_message.h"
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
  OutMessage m;
  ASSERT_TRUE(q.pop(m));
  EXPECT_EQ(*m.data, "1");
  ASSERT_TRUE(q.pop(m));
  ASSERT_TRUE(q.pop(m));
  EXPECT_EQ(*m.data, "3");
  EXPECT_FALSE(q.pop(m));                                         // the writer stops ...
  EXPECT_EQ(q.push(update("5")), SendQueue::Push::kStartWriter);  // ... and is restarted
  q.close();
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.push(update("6")), SendQueue::Push::kClosed);
}

TEST(WsSendQueueTest, ByteLimitButOneLargeMessageAlwaysFits) {
  SendQueue q(100, 200);
  EXPECT_EQ(q.push(update(std::string(1000, 'x'))), SendQueue::Push::kStartWriter);
  EXPECT_EQ(q.push(update("1")), SendQueue::Push::kFull);
  OutMessage m;
  ASSERT_TRUE(q.pop(m));
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.push(update("1")), SendQueue::Push::kQueued);  // the writer still runs
  EXPECT_EQ(q.push(update("2")), SendQueue::Push::kQueued);
}

TEST(WsEnvelopeTest, EveryMessageCarriesItsSeq) {
  const auto u = update(R"({"id":"7"})");
  const auto e = envelope(u, 12);
  EXPECT_EQ(e.head + *u.data + std::string(e.tail),
            R"({"type":"update","topic":"orders","seq":12,"data":{"id":"7"}})");
  OutMessage s = u;
  s.kind = OutMessage::Kind::kSnapshot;
  const auto es = envelope(s, 1);
  EXPECT_EQ(
      nlohmann::json::parse(es.head + *s.data + std::string(es.tail)),
      nlohmann::json::parse(R"({"type":"snapshot","topic":"orders","seq":1,"data":{"id":"7"}})"));
  EXPECT_EQ(envelope(OutMessage::pong(), 3).head, R"({"type":"pong","seq":3})");
  EXPECT_EQ(envelope(OutMessage::error("bad \"x\"\n"), 4).head,
            R"({"type":"error","seq":4,"detail":"bad \"x\"\n"})");
}

}  // namespace
}  // namespace td::api::stream
