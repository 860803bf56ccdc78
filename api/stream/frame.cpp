#include "api/stream/frame.h"

#include <cstdint>

namespace td::api::stream {

void append_text_frame_header(std::string& out, std::size_t payload_bytes) {
  constexpr char kFinText = static_cast<char>(0x81);  // FIN, opcode 1 (text)
  out.push_back(kFinText);
  // Server frames are not masked (5.1): the mask bit stays 0.
  if (payload_bytes <= 125) {
    out.push_back(static_cast<char>(payload_bytes));
  } else if (payload_bytes <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>((payload_bytes >> 8) & 0xFF));
    out.push_back(static_cast<char>(payload_bytes & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    const auto n = static_cast<uint64_t>(payload_bytes);
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
}

}  // namespace td::api::stream
