#include "api/stream/out_message.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/json/parse.h"

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

Envelope envelope(const OutMessage& m, uint64_t seq) {
  switch (m.kind) {
    case OutMessage::Kind::kSnapshot:
      return {fmt::format(R"({{"type":"snapshot","topic":{},"seq":{},"data":)", *m.topic, seq),
              "}"};
    case OutMessage::Kind::kUpdate:
      return {fmt::format(R"({{"type":"update","topic":{},"seq":{},"data":)", *m.topic, seq), "}"};
    case OutMessage::Kind::kPong:
      return {fmt::format(R"({{"type":"pong","seq":{}}})", seq), {}};
    case OutMessage::Kind::kError:
      return {fmt::format(R"({{"type":"error","seq":{},"detail":{}}})", seq, *m.data), {}};
  }
  return {};
}

}  // namespace td::api::stream
