#pragma once
// `tradectl watch`: the WebSocket stream of api-v1.md. Connects with the
// Authorization header (never a token in the URL), subscribes, prints every
// message as one JSON line, reports seq gaps on stderr (seq grows by one per
// message on a connection, so a gap means lost messages), and reconnects
// with exponential backoff when the connection drops (including close 1013,
// "too slow"), re-subscribing; each connection starts again with snapshots,
// so seq counting restarts. A refused upgrade with 400/401/403/404 is final
// (exit 1); the stop flag (Ctrl-C) closes the stream normally (exit 0).
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tradectl/client.h"

namespace td::tradectl {

struct WatchOptions {
  std::vector<std::string> topics;
  std::optional<long> count;  // exit 0 after this many messages
  bool reconnect = true;      // false: a lost connection is exit 3
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::seconds idle_timeout{30};  // no frame (not even a pong) for this long: reconnect
};

// Returns the exit code (0, 1 or 3).
int watch(const ClientConfig& config, const WatchOptions& options, std::ostream& out,
          std::ostream& err);

}  // namespace td::tradectl
