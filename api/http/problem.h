#pragma once
// RFC 9457 problem details for the responses the transport makes itself
// (400, 413, 431, 500, 503). api-v1.md's "Errors" section is the contract:
// {"type":"/problems/<slug>","title":...,"status":...,"detail":...,"instance":...}
// with Content-Type application/problem+json, built by api/problem.h (one
// problem+json writer for the transport and the routes).
#include <string>
#include <string_view>

#include "api/http/router.h"

namespace td::api::http {

// `instance` is omitted when empty.
HttpResponse problem_response(int status, std::string_view slug, std::string_view title,
                              std::string_view detail, std::string_view instance = {});

}  // namespace td::api::http
