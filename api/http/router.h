#pragma once
// The seam between the HTTP transport (server.h) and whatever answers requests
// (the API routes). The transport parses HTTP/1.1, enforces limits and
// timeouts, orders pipelined responses and stamps X-Request-Id; the router
// only sees a parsed request and answers it, now or later, from any thread.
//
// No Boost in this header: routes and their tests depend on these plain
// types only.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace td::api::http {

// ASCII case-insensitive equality (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

// Header fields in the order they arrived (or were added). Names compare
// case-insensitively (RFC 9110 5.1); a name may repeat.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first field with this name, or nullptr.
  const std::string* find(std::string_view name) const;
  // The first field's value, or `fallback`.
  std::string_view get(std::string_view name, std::string_view fallback = {}) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  // Appends a field (a repeated name stays repeated).
  void add(std::string name, std::string value);
  // Replaces every field of that name with one field.
  void set(std::string name, std::string value);
  void erase(std::string_view name);

  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

struct HttpRequest {
  std::string method;     // as sent, case preserved: "GET", "POST", ...
  std::string target;     // as sent: "/api/v1/orders?status=open" (not percent-decoded)
  unsigned version = 11;  // 10 (HTTP/1.0) or 11 (HTTP/1.1)
  Headers headers;
  std::string body;            // complete (never larger than ServerOptions::body_limit)
  std::string remote_address;  // the client's IP address: "127.0.0.1", "::1"
  uint16_t remote_port = 0;
  // The X-Request-Id the response will carry: the client's when it sent a
  // sane one (request_id.h), otherwise generated. For logs and the audit.
  std::string request_id;

  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', without it ("" when none)
};

struct HttpResponse {
  int status = 200;  // 200..599 (anything else is answered as a 500)
  // The transport owns Content-Length, Transfer-Encoding, Connection and
  // X-Request-Id (router values for them are ignored, except that
  // "Connection: close" closes the connection after this response). It adds
  // Server and Date when absent. Fields with CR, LF or NUL are dropped.
  Headers headers;
  std::string body;  // not sent for HEAD requests, 204 and 304 (Content-Length is kept for HEAD)

  // `body` with Content-Type application/json.
  static HttpResponse json(int status, std::string body);
  // `body` with the given Content-Type.
  static HttpResponse text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
};

// Answers one request. Call it once, from any thread, now or later; later
// calls are ignored. A reply whose connection has gone (client left, server
// stopped or destroyed) is dropped safely. If every copy of a Reply is
// destroyed without being called, the client gets a 500 problem response, so
// a lost command never hangs a connection.
using Reply = std::function<void(HttpResponse)>;

class Router {
 public:
  virtual ~Router() = default;
  // Runs on an API thread: must not block (post engine work and answer from
  // the engine's reply; answer reads from snapshots at once). An exception
  // escaping it is logged and answered with a 500.
  virtual void handle(HttpRequest request, Reply reply) = 0;
};

}  // namespace td::api::http
