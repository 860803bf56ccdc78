// libFuzzer target: bytes from a client, through the HTTP/1.1 parsing the
// server does (api/http/session.cpp: Beast's request_parser<string_body>
// with the server's limits, header 8 KiB and body 64 KiB, eager), each
// complete request converted to td::api::http::HttpRequest as the session
// converts it and handed to the real API router over a paper world
// (fuzz_router.h), rebuilt for every input. Pipelined requests in one input
// are parsed one after the other, as on a keep-alive connection, against
// the same world (an order submitted by the first is there for the second).
//
// Checked: nothing crashes or trips ASan/UBSan; the router answers every
// request exactly once with a status in 200..599 and never 500 (an internal
// error is a bug); a problem+json or JSON body it gives is valid JSON;
// path() and query() split the target; and every answer conforms to
// openapi.json for the operation the request reached (status documented,
// Content-Type, body schema, problem members: the route tests' check,
// tests/unit/openapi_test_support.h).
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "api/http/request_id.h"
#include "api/http/router.h"
#include "fuzz_router.h"
#include "openapi_test_support.h"

namespace {

namespace bhttp = boost::beast::http;
using td::api::http::HttpRequest;
using td::api::http::HttpResponse;

constexpr std::size_t kHeaderLimit = 8 * 1024;  // ServerOptions::header_limit
constexpr std::size_t kBodyLimit = 64 * 1024;   // ServerOptions::body_limit
constexpr int kMaxRequestsPerInput = 16;        // ServerOptions::max_pipelined

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "fuzz_http_request: property violated: %s\n", what);
    abort();
  }
}

td::fuzz::FuzzRouter& router() {
  static td::fuzz::FuzzRouter r = td::fuzz::make_fuzz_router();
  return r;
}

// As Session::on_request builds it.
HttpRequest to_http_request(bhttp::request<bhttp::string_body>&& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.version = req.version();
  for (const auto& field : req)
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  request.remote_address = "127.0.0.1";
  request.remote_port = 40000;
  const std::string_view id = request.headers.get("X-Request-Id");
  request.request_id = td::api::http::is_valid_request_id(id) ? std::string(id) : "fuzz-1";
  request.body = std::move(req.body());
  return request;
}

void route(HttpRequest request) {
  // path() and query() split the target at the first '?'.
  const std::string target = request.target, method = request.method,
                    request_id = request.request_id;
  const std::string_view path = request.path(), query = request.query();
  check(path.size() <= target.size(), "path within target");
  check(target.compare(0, path.size(), path) == 0, "path is a prefix of the target");
  if (path.size() < target.size()) check(path.size() + 1 + query.size() == target.size(), "query");

  int replies = 0;
  HttpResponse response;
  router().router->handle(std::move(request), [&](HttpResponse r) {
    ++replies;
    response = std::move(r);
  });
  if (router().drain) router().drain();
  check(replies == 1, "the router answers each request exactly once");
  check(response.status >= 200 && response.status <= 599, "status in 200..599");
  if (response.status == 500) {
    fprintf(stderr, "fuzz_http_request: 500 on %s %s: %s\n", method.c_str(), target.c_str(),
            response.body.c_str());
    check(false, "the router never answers 500");
  }
  const std::string_view type = response.headers.get("Content-Type");
  if (type.starts_with("application/json") || type.starts_with("application/problem+json"))
    check(nlohmann::json::accept(response.body), "JSON bodies are valid JSON");

  // The answer as the session sends it (it adds X-Request-Id; a HEAD
  // answer loses its body), against the document.
  td::api::openapi_test::ResponseView view;
  view.status = response.status;
  for (const auto& field : response.headers) view.headers.emplace_back(field.first, field.second);
  view.headers.emplace_back("X-Request-Id", request_id);
  if (method != "HEAD") view.body = response.body;
  const auto errors = td::api::openapi_test::response_errors(method, target, view, request_id);
  if (!errors.empty()) {
    for (const auto& e : errors) fprintf(stderr, "fuzz_http_request: %s\n", e.c_str());
    check(false, "every answer conforms to openapi.json");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (router().begin_input) router().begin_input();
  boost::asio::const_buffer input(data, size);
  for (int n = 0; n < kMaxRequestsPerInput && input.size() > 0; ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
    parser.body_limit(static_cast<std::uint64_t>(kBodyLimit));
    parser.eager(true);
    boost::beast::error_code ec;
    // The whole remaining input at once, then (as the session may see it)
    // nothing more: a request that needs more bytes ends the input.
    const std::size_t used = parser.put(input, ec);
    input += used;
    if (ec == bhttp::error::need_more) {
      // Input ended mid-request; a client closing here gets its earlier answers only.
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return 0;
    } else if (ec) {
      return 0;  // the session answers 400/413/431 and closes
    }
    if (!parser.is_done()) return 0;
    auto req = parser.release();
    if (req.version() == 11 && req.find(bhttp::field::host) == req.end()) return 0;  // 400
    const bool keep_alive = req.keep_alive();
    route(to_http_request(std::move(req)));
    if (!keep_alive) return 0;
  }
  return 0;
}
