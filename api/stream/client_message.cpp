#include "api/stream/client_message.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/json/parse.h"

namespace td::api::stream {

namespace {

tl::unexpected<Error> invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// `name`'s allowed members; the first unknown one is named.
Status only_members(const nlohmann::json& object, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return invalid(fmt::format("unknown field \"{}\"", key.substr(0, 64)));
    }
  }
  return {};
}

Result<std::vector<std::string>> topics_of(const nlohmann::json& object, std::size_t max_topics) {
  const auto it = object.find("topics");
  if (it == object.end()) return invalid("topics: required");
  if (!it->is_array() || it->empty())
    return invalid("topics: must be a non-empty array of strings");
  if (it->size() > max_topics) {
    return invalid(fmt::format("topics: at most {} in one message", max_topics));
  }
  std::vector<std::string> topics;
  topics.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& t = (*it)[i];
    if (!t.is_string()) return invalid(fmt::format("topics[{}]: must be a string", i));
    const auto& s = t.get_ref<const std::string&>();
    if (s.empty() || s.size() > kMaxTopicLength || !printable_ascii(s)) {
      return invalid(fmt::format("topics[{}]: not a topic name", i));
    }
    if (std::find(topics.begin(), topics.end(), s) == topics.end()) topics.push_back(s);
  }
  return topics;
}

}  // namespace

Result<ClientMessage> parse_client_message(std::string_view text, std::size_t max_topics) {
  auto parsed = parse_json(text, ParseOptions{.max_depth = 4});
  if (!parsed) {
    const auto& e = parsed.error().front();
    return invalid(e.field.empty() ? e.message : fmt::format("{}: {}", e.field, e.message));
  }
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return invalid("a message must be a JSON object");
  const auto op_it = j.find("op");
  if (op_it == j.end()) return invalid("op: required");
  if (!op_it->is_string()) return invalid("op: must be a string");
  const auto& op = op_it->get_ref<const std::string&>();

  ClientMessage m;
  if (op == "ping") {
    m.op = ClientOp::kPing;
    if (auto s = only_members(j, {"op"}); !s) return tl::unexpected(s.error());
  } else if (op == "auth") {
    m.op = ClientOp::kAuth;
    if (auto s = only_members(j, {"op", "token"}); !s) return tl::unexpected(s.error());
    const auto t = j.find("token");
    if (t == j.end() || !t->is_string() || t->get_ref<const std::string&>().empty()) {
      return invalid("token: must be a non-empty string");
    }
    m.token = t->get<std::string>();
  } else if (op == "subscribe" || op == "unsubscribe") {
    m.op = op == "subscribe" ? ClientOp::kSubscribe : ClientOp::kUnsubscribe;
    if (auto s = only_members(j, {"op", "topics"}); !s) return tl::unexpected(s.error());
    auto topics = topics_of(j, max_topics);
    if (!topics) return tl::unexpected(topics.error());
    m.topics = std::move(*topics);
  } else {
    return invalid(fmt::format("unknown op \"{}\"", op.substr(0, 64)));
  }
  return m;
}

}  // namespace td::api::stream
