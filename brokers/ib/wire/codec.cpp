#include "brokers/ib/wire/codec.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/event_fields.h"
#include "brokers/ib/wire/field_reader.h"
#include "brokers/ib/wire/field_writer.h"
#include "brokers/ib/wire/frame.h"
#include "brokers/ib/wire/open_order_fields.h"
#include "brokers/ib/wire/place_order_fields.h"
#include "brokers/ib/wire/request_fields.h"

namespace td::ib::wire {
namespace {

template <class Variant>
Result<std::string> encode_any(const Variant& message, int server_version) {
  if (auto ok = check_server_version(server_version); !ok) return tl::unexpected(ok.error());
  auto payload = std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, UnknownMessage>) {
          FieldWriter w(server_version, "unknown message");
          w.int32("message id", m.id);
          for (const auto& f : m.fields) w.text("field", f);
          return std::move(w).finish();
        } else {
          FieldWriter w(server_version, T::kName);
          w.int32("message id", T::kId);
          fields(w, m);
          return std::move(w).finish();
        }
      },
      message);
  if (!payload) return tl::unexpected(payload.error());
  return make_frame(*payload);
}

// Decodes the alternative of Variant whose kId is `id` (the last
// alternative, UnknownMessage, when none is).
template <class Variant, size_t I = 0>
Variant decode_alternative(int id, FieldReader& r) {
  using T = std::variant_alternative_t<I, Variant>;
  if constexpr (std::is_same_v<T, UnknownMessage>) {
    static_assert(I + 1 == std::variant_size_v<Variant>, "UnknownMessage comes last");
    r.set_message("unknown message");
    UnknownMessage u{id, {}};
    while (r.remaining() > 0) u.fields.emplace_back(*r.next("field"));
    return u;
  } else {
    if (T::kId != id) return decode_alternative<Variant, I + 1>(id, r);
    r.set_message(T::kName);
    T m;
    fields(r, m);
    return m;
  }
}

template <class Variant>
Result<Variant> decode_any(std::string_view payload, int server_version) {
  if (auto ok = check_server_version(server_version); !ok) return tl::unexpected(ok.error());
  FieldReader r(payload, server_version);
  auto id = r.message_id();
  if (!id) return tl::unexpected(id.error());
  Variant m = decode_alternative<Variant>(*id, r);
  if (auto ok = r.status(); !ok) return tl::unexpected(ok.error());
  return m;
}

template <class Variant>
std::string_view name_of(const Variant& message) {
  return std::visit(
      [](const auto& m) -> std::string_view {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, UnknownMessage>)
          return "unknown";
        else
          return T::kName;
      },
      message);
}

}  // namespace

Result<std::string> encode(const OutgoingMessage& message, int server_version) {
  return encode_any(message, server_version);
}

Result<IncomingMessage> decode(std::string_view payload, int server_version) {
  return decode_any<IncomingMessage>(payload, server_version);
}

Result<std::string> encode_incoming(const IncomingMessage& message, int server_version) {
  return encode_any(message, server_version);
}

Result<OutgoingMessage> decode_outgoing(std::string_view payload, int server_version) {
  return decode_any<OutgoingMessage>(payload, server_version);
}

std::string_view message_name(const OutgoingMessage& message) {
  return name_of(message);
}
std::string_view message_name(const IncomingMessage& message) {
  return name_of(message);
}

}  // namespace td::ib::wire
