#pragma once
// The messages that carry nothing but their id, a message version and at
// most a request id: reqPositions, cancelMktData, openOrderEnd,
// execDetailsEnd and a dozen more. Why templates: one definition (and one
// field list, wire/simple_message_fields.h) instead of seventeen copies; each
// instantiation is still a type of its own, so the message variants can hold
// them side by side.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace td::ib {

// Who sends the message: it decides how its version field is read (a
// request's is checked, a server message's ignored; see the field lists).
enum class Direction { kOutgoing, kIncoming };

// A string literal as a template argument.
template <size_t N>
struct Literal {
  constexpr Literal(const char (&s)[N]) { std::copy_n(s, N, chars); }
  constexpr std::string_view view() const { return {chars, N - 1}; }
  char chars[N];
};

template <Direction D, int Id, Literal Name, Literal Version = "1">
struct IdOnlyMessage {
  static constexpr Direction kDirection = D;
  static constexpr int kId = Id;
  static constexpr std::string_view kName = Name.view();
  static constexpr std::string_view kVersion = Version.view();
  bool operator==(const IdOnlyMessage&) const = default;
};

template <Direction D, int Id, Literal Name, Literal Version = "1">
struct ReqIdMessage {
  static constexpr Direction kDirection = D;
  static constexpr int kId = Id;
  static constexpr std::string_view kName = Name.view();
  static constexpr std::string_view kVersion = Version.view();
  int64_t req_id = 0;
  bool operator==(const ReqIdMessage&) const = default;
};

}  // namespace td::ib
