#pragma once
// Splits a byte stream into frame payloads. Why incremental: a TCP read may
// carry half a frame or several (fact sheet 1.2), and the session must not
// care where the kernel cut. A length prefix above the maximum poisons the
// reader: the stream cannot be resynchronised, so every later call reports
// the same error and the session must drop the connection.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "brokers/ib/wire/frame.h"
#include "core/status.h"

namespace td::ib::wire {

class FrameReader {
 public:
  explicit FrameReader(size_t max_frame_length = kDefaultMaxFrameLength) : max_(max_frame_length) {}

  // Appends bytes read from the socket (ignored once the reader has failed).
  void feed(std::string_view bytes);

  // The next complete payload; nullopt while it is incomplete (feed more);
  // kInvalidArgument when its length exceeds the maximum.
  Result<std::optional<std::string>> next();

  // Bytes fed and not yet returned as frames.
  size_t buffered() const { return buf_.size() - pos_; }
  bool failed() const { return failed_.has_value(); }

 private:
  size_t max_;
  std::string buf_;
  size_t pos_ = 0;  // start of the first unread byte in buf_
  std::optional<Error> failed_;
};

}  // namespace td::ib::wire
