#pragma once
// tradectl's HTTP(S) transport: one request per connection (a CLI makes one
// or a few), every step under one deadline, interruptible by a stop flag
// (Ctrl-C). https:// verifies the daemon's certificate and host name against
// the system store, or only against --cacert FILE (a self-signed daemon
// certificate); --insecure skips verification (tradectl warns).
//
// Failures of the transport (resolve, connect, TLS, timeout) are a
// TransportError (exit code 3); any HTTP response, whatever its status, is a
// Response for the caller to judge.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "tradectl/url.h"

namespace td::tradectl {

struct ClientConfig {
  Endpoint endpoint;
  std::optional<std::string> token;  // sent as "Authorization: Bearer <token>"
  std::string cacert;                // PEM file: the only trusted CAs (https)
  bool insecure = false;             // https without certificate verification
  std::chrono::milliseconds timeout{10000};
  const std::atomic<bool>* stop = nullptr;  // set: abandon what is in progress
};

struct Request {
  Request(std::string m, std::string t, std::optional<std::string> b = std::nullopt, bool a = true)
      : method(std::move(m)), target(std::move(t)), body(std::move(b)), auth(a) {}
  std::string method;  // "GET", "POST", "PATCH", "PUT", "DELETE"
  // Path and query, without the endpoint's prefix: "/api/v1/orders?status=open".
  std::string target;
  std::optional<std::string> body;  // JSON text (Content-Type: application/json)
  bool auth = true;                 // false: no Authorization header (/healthz, /readyz)
};

struct Response {
  int status = 0;
  std::string reason;
  std::string content_type;
  std::string body;
  std::string request_id;  // the response's X-Request-Id (ours, echoed)
};

struct TransportError {
  std::string message;
  bool interrupted = false;  // the stop flag was set
};

using Outcome = std::variant<Response, TransportError>;

// A fresh X-Request-Id: "tc-" and 20 random hex digits.
std::string new_request_id();

// Performs one request. Never throws for network reasons.
Outcome perform(const ClientConfig& config, const Request& request);

}  // namespace td::tradectl
