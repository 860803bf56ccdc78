#pragma once
// The knobs of the WebSocket stream (api-v1.md "WebSocket stream"); the
// daemon fills them from its config (api.ws.*). Defaults are the documented
// ones (docs/api.md "WebSocket stream").
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth/failure_limiter.h"
#include "api/auth/token_store.h"

namespace td::api::stream {

struct StreamOptions {
  std::string path = "/api/v1/stream";

  // Checks an Authorization header value ("Bearer <token>"; the first-message
  // token is presented the same way). Typically TokenStore::authenticate.
  // Unset: every token is refused.
  std::function<std::optional<auth::Principal>(std::string_view authorization)> authenticate;
  // Failures are recorded here and a blocked address is refused (429 at the
  // upgrade, close 1008 at the auth message). Optional; must outlive the hub.
  auth::FailureLimiter* limiter = nullptr;

  // Browser origins allowed to open the stream, exactly as browsers send
  // them: "https://dash.example.com", "http://127.0.0.1:8080". A request with
  // an Origin header not in this list is refused (403); a request without
  // one (curl, scripts, tradectl) is not concerned.
  std::vector<std::string> allowed_origins;
  // Also allow an Origin equal to the request's own loopback Host
  // ("http://127.0.0.1:8080" for Host 127.0.0.1:8080): the daemon's own pages.
  bool allow_same_origin_loopback = true;

  std::chrono::milliseconds auth_timeout{5000};        // first-message auth must arrive within it
  std::chrono::milliseconds handshake_timeout{15000};  // WebSocket opening and closing handshakes
  // A WebSocket ping goes out after this long without anything from the
  // client; without any answer within the same time again, the connection is
  // dropped.
  std::chrono::milliseconds ping_interval{20000};
  // A close (1008, 1013, ...) that cannot be delivered within this (the
  // client does not read) ends with the TCP connection being closed.
  std::chrono::milliseconds close_timeout{5000};

  std::size_t max_message_bytes = 64 * 1024;        // incoming; larger: close 1009
  std::size_t send_queue_messages = 4096;           // per connection; more: close 1013
  std::size_t send_queue_bytes = 16 * 1024 * 1024;  // per connection; more: close 1013
  std::size_t max_clients = 64;                     // concurrent connections; more: 503
  std::size_t max_topics = 256;                     // subscriptions per connection
  // Hub events (updates and snapshots) not yet fanned out. Only reached when
  // the API threads cannot keep up with the engine at all; then every
  // connection is closed with 1013 (clients reconnect to fresh snapshots)
  // rather than letting memory grow or a gap pass unseen.
  std::size_t max_pending_events = 65536;
};

}  // namespace td::api::stream
