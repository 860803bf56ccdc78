#include "brokers/ib/wire/frame_reader.h"

#include <fmt/format.h>

namespace td::ib::wire {

void FrameReader::feed(std::string_view bytes) {
  if (failed_) return;
  // Drop what was consumed before growing, so the buffer stays about one
  // frame long however long the connection lives.
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<std::string>> FrameReader::next() {
  if (failed_) return tl::unexpected(*failed_);
  const std::string_view rest = std::string_view(buf_).substr(pos_);
  if (rest.size() < kLengthPrefixSize) return std::optional<std::string>();
  const uint32_t length = read_length_prefix(rest);
  if (length > max_) {
    failed_ =
        Error{ErrorCode::kInvalidArgument,
              fmt::format("IB frame length {} exceeds the maximum of {} bytes", length, max_)};
    return tl::unexpected(*failed_);
  }
  if (rest.size() - kLengthPrefixSize < length) return std::optional<std::string>();
  std::string payload(rest.substr(kLengthPrefixSize, length));
  pos_ += kLengthPrefixSize + length;
  if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
  return std::optional<std::string>(std::move(payload));
}

}  // namespace td::ib::wire
