#pragma once
// The connection handshake, both sides (fact sheet 1.3-1.4). Why both: the
// daemon is the client, and the gateway simulator (tests, users without an
// IB account) must accept exactly what the daemon and IB's own clients send.
//
//   client: "API\0" (raw, not framed), then one frame "v<min>..<max>[ opts]"
//           with no NUL inside
//   server: one frame of exactly two fields: negotiated version, connection
//           time ("20260115 09:30:00 EST", zone text in any encoding)
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/frame.h"
#include "core/status.h"

namespace td::ib::wire {

inline constexpr std::string_view kApiPrefix{"API\0", 4};

struct VersionRange {
  int min_version = kAdvertisedMinVersion;
  int max_version = kAdvertisedMaxVersion;
  std::string options;  // connect options after a space, e.g. "+PACEAPI"; empty for none
  bool operator==(const VersionRange&) const = default;
};

// Client side: "API\0" + the framed version range (17 bytes for v100..178).
Result<std::string> encode_client_hello(const VersionRange& range = {});

// The text of the version frame: "v100..178" or "v100..178 +PACEAPI".
Result<VersionRange> parse_version_range(std::string_view text);

// Server side, incrementally over the bytes received so far: nullopt while
// the hello is incomplete; an error as soon as the bytes cannot be one (wrong
// prefix, oversized frame, bad range). `consumed` is where frames begin.
struct ClientHello {
  VersionRange range;
  size_t consumed = 0;
};
Result<std::optional<ClientHello>> parse_client_hello(
    std::string_view bytes, size_t max_frame_length = kDefaultMaxFrameLength);

// Server side: the version the server answers for a client range, given the
// versions the server speaks; an error when the ranges do not overlap.
Result<int> negotiate_version(const VersionRange& client, int server_min = kMinServerVersion,
                              int server_max = kMaxServerVersion);

struct ServerHello {
  int version = 0;
  std::string connection_time;  // opaque bytes (the zone may be GB2312)
  bool operator==(const ServerHello&) const = default;
};

// Server side: the framed two-field reply.
Result<std::string> encode_server_hello(const ServerHello& hello);

// Client side, for each frame received before the session starts: nullopt
// when the frame is not a version reply (not exactly two fields; IB's client
// keeps reading past such traffic); an error for a malformed reply or a
// redirect (negative version, "host:port" in the second field). The version
// is not range-checked here: see check_server_version.
Result<std::optional<ServerHello>> parse_server_hello(std::string_view payload);

}  // namespace td::ib::wire
