#pragma once
// The messages a stream client sends (api-v1.md "WebSocket stream"), parsed
// strictly: a typo must get an error, never be ignored, as in the REST API.
//
//   {"op":"auth","token":"..."}                 first message, browsers only
//   {"op":"subscribe","topics":["orders",...]}  1..max topics, strings
//   {"op":"unsubscribe","topics":[...]}
//   {"op":"ping"}
//
// Unknown ops and unknown members are errors; so are duplicate members and
// anything that is not one JSON object (api/json/parse.h). Topic names are
// only checked for shape here (non-empty, printable ASCII, <= 64 bytes); the
// StreamSource decides which exist. Duplicates in one list are dropped.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace td::api::stream {

enum class ClientOp { kAuth, kSubscribe, kUnsubscribe, kPing };

struct ClientMessage {
  ClientOp op = ClientOp::kPing;
  std::string token;                // kAuth
  std::vector<std::string> topics;  // kSubscribe, kUnsubscribe: in order, no duplicates
};

inline constexpr std::size_t kMaxTopicLength = 64;

// kInvalidArgument with a message fit for the client's error "detail".
Result<ClientMessage> parse_client_message(std::string_view text, std::size_t max_topics);

}  // namespace td::api::stream
