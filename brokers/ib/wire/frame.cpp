#include "brokers/ib/wire/frame.h"

#include <fmt/format.h>

namespace td::ib::wire {

void append_length_prefix(std::string& out, uint32_t length) {
  out.push_back(static_cast<char>((length >> 24) & 0xFF));
  out.push_back(static_cast<char>((length >> 16) & 0xFF));
  out.push_back(static_cast<char>((length >> 8) & 0xFF));
  out.push_back(static_cast<char>(length & 0xFF));
}

uint32_t read_length_prefix(std::string_view bytes) {
  uint32_t n = 0;
  for (size_t i = 0; i < kLengthPrefixSize; ++i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  return n;
}

Result<std::string> make_frame(std::string_view payload, size_t max_length) {
  if (payload.size() > max_length)
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("IB frame of {} bytes exceeds the maximum of {} bytes",
                                  payload.size(), max_length));
  std::string out;
  out.reserve(kLengthPrefixSize + payload.size());
  append_length_prefix(out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

}  // namespace td::ib::wire
