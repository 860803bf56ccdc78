#include "api/stream/out_message.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/json/parse.h"
#include "api/stream/frame.h"

namespace td::api::stream {

namespace {
constexpr std::size_t kEnvelopeBytes = 64;  // {"type":"snapshot","topic":,"seq":N,"data":}
}

OutMessage OutMessage::error(std::string detail) {
  // Quoted once here: the detail may echo client text (dump_json replaces
  // invalid UTF-8).
  return OutMessage{Kind::kError, nullptr,
                    std::make_shared<const std::string>(dump_json(nlohmann::json(detail)))};
}

std::size_t OutMessage::cost() const {
  return kEnvelopeBytes + (topic ? topic->size() : 0) + (data ? data->size() : 0);
}

namespace {
// The message's text before `data` (snapshot/update) or all of it (pong,
// error), into `head`; returns the text after `data`.
std::string_view format_head(fmt::memory_buffer& head, const OutMessage& m, uint64_t seq) {
  auto out = std::back_inserter(head);
  switch (m.kind) {
    case OutMessage::Kind::kSnapshot:
      fmt::format_to(out, R"({{"type":"snapshot","topic":{},"seq":{},"data":)", *m.topic, seq);
      return "}";
    case OutMessage::Kind::kUpdate:
      fmt::format_to(out, R"({{"type":"update","topic":{},"seq":{},"data":)", *m.topic, seq);
      return "}";
    case OutMessage::Kind::kPong:
      fmt::format_to(out, R"({{"type":"pong","seq":{}}})", seq);
      return {};
    case OutMessage::Kind::kError:
      fmt::format_to(out, R"({{"type":"error","seq":{},"detail":{}}})", seq, *m.data);
      return {};
  }
  return {};
}

bool has_data(const OutMessage& m) {
  return m.kind == OutMessage::Kind::kSnapshot || m.kind == OutMessage::Kind::kUpdate;
}
}  // namespace

void append_frame(std::string& out, const OutMessage& m, uint64_t seq) {
  fmt::memory_buffer head;
  const std::string_view tail = format_head(head, m, seq);
  const std::string_view data = has_data(m) ? std::string_view(*m.data) : std::string_view();
  append_text_frame_header(out, head.size() + data.size() + tail.size());
  out.append(head.data(), head.size());
  out.append(data);
  out.append(tail);
}

}  // namespace td::api::stream
