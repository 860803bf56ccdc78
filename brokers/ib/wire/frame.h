#pragma once
// The TWS framing: every message after the "API\0" token is a 4-byte
// big-endian payload length and the payload, in both directions (fact sheet
// 1.2). Why a maximum: the length comes from the peer, so without a bound a
// garbled or hostile prefix makes us buffer up to 4 GiB. 0xFFFFFF (16 MiB - 1)
// is what IB's own clients enforce (ibapi const.py MAX_MSG_LEN), so nothing a
// real gateway sends is refused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace td::ib::wire {

inline constexpr size_t kLengthPrefixSize = 4;
inline constexpr size_t kDefaultMaxFrameLength = 0xFFFFFF;

// The length prefix of a payload of `length` bytes.
void append_length_prefix(std::string& out, uint32_t length);
// Reads the big-endian length from the first 4 bytes of `bytes` (which must
// hold at least 4).
uint32_t read_length_prefix(std::string_view bytes);

// Length prefix + payload; kInvalidArgument when the payload is longer than
// max_length (the peer would drop the connection).
Result<std::string> make_frame(std::string_view payload,
                               size_t max_length = kDefaultMaxFrameLength);

}  // namespace td::ib::wire
