#pragma once
// The WebSocket frame header of a server message (RFC 6455 5.2), for the
// messages the stream frames itself (coalescing_stream.h). Why by hand:
// Beast's write path costs one composed operation per message; a server's
// unfragmented, unmasked, uncompressed text frame is two to ten bytes of
// header before the payload. Beast still writes its own control frames and
// reads everything.
#include <cstddef>
#include <string>

namespace td::api::stream {

// Appends the header of one final (FIN) text frame carrying `payload_bytes`.
void append_text_frame_header(std::string& out, std::size_t payload_bytes);

}  // namespace td::api::stream
