#pragma once
// RFC 9457 problem details for the responses the transport makes itself
// (400, 413, 431, 500, 503). api-v1.md's "Errors" section is the contract:
// {"type":"/problems/<slug>","title":...,"status":...,"detail":...,"instance":...}
// with Content-Type application/problem+json.
#include <string>
#include <string_view>

#include "api/http/router.h"

namespace td::api::http {

// `instance` is omitted when empty.
HttpResponse problem_response(int status, std::string_view slug, std::string_view title,
                              std::string_view detail, std::string_view instance = {});

// The contents of a JSON string literal (no quotes). Control characters are
// escaped; bytes >= 0x80 that are not valid UTF-8 become U+FFFD, so the
// result is always valid JSON whatever a client sent.
std::string json_escape(std::string_view text);

}  // namespace td::api::http
