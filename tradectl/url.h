#pragma once
// The daemon's base URL as tradectl understands it (http:// or https://, a
// host, an optional port and path prefix), and percent-encoding for the
// pieces tradectl puts into targets. Kept apart from the transport so both are
// testable without sockets.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace td::tradectl {

struct Endpoint {
  bool tls = false;    // https:// (and wss:// for the stream)
  std::string host;    // name or address, without IPv6 brackets
  std::string port;    // always set: explicit, or 80 / 443
  std::string prefix;  // path prefix without trailing '/' ("" or "/tradingd")
  // The Host header value: host[:port], brackets for IPv6, port only when not the default.
  std::string host_header() const;
  // "host:port" for messages ("[::1]:8080").
  std::string authority() const;
};

// Parses "http://127.0.0.1:8080", "https://td.example:8443/prefix". Returns
// nullopt and sets `error` on anything else (other schemes, user info,
// query, fragment, bad port).
std::optional<Endpoint> parse_url(std::string_view url, std::string& error);

// RFC 3986 percent-encoding of everything but the unreserved set
// (A-Z a-z 0-9 - . _ ~): safe for one path segment or one query value.
std::string percent_encode(std::string_view s);

// "?a=1&b=x" from the pairs whose value is set ("" when none is).
using QueryParams = std::vector<std::pair<std::string, std::optional<std::string>>>;
std::string query_string(const QueryParams& params);

}  // namespace td::tradectl
