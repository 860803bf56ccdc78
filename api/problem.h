#pragma once
// Errors of the control API as RFC 9457 problem details
// (application/problem+json), one helper per row of api-v1.md's error table:
//
//   {"type": "/problems/validation-error", "title": "Validation error",
//    "status": 400, "detail": "qty: must be > 0", "instance": "/api/v1/orders",
//    "errors": [{"field": "qty", "message": "must be > 0"}]}
//
// "detail" and "instance" are left out when empty (the router sets instance
// to the request path); "errors" only for validation errors; "check" names a
// refusal so that scripts can switch on it (max_order_notional,
// kill_switch_engaged, reducing_only, rate_limit, reconciling, ...).
//
// Additions to the table (api-v1.md welcomes additions): 409 invalid-state
// (the order or kill switch is not in a state that allows the request, e.g.
// cancelling a filled order) and 500 internal-error.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json/field_error.h"
#include "core/risk_hook.h"
#include "core/status.h"

namespace td::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

struct Problem {
  int status = 500;
  std::string slug;  // "validation-error": type is "/problems/<slug>"
  std::string title;
  std::string detail;
  std::string instance;
  std::vector<FieldError> errors;
  std::optional<std::string> check;
};

nlohmann::json to_json(const Problem& p);
// The response body (compact; never throws).
std::string to_json_text(const Problem& p);

// 400: malformed JSON, wrong types, unknown fields, bad values. The detail
// lists the first few errors ("qty: must be > 0; side: required").
Problem validation_error(std::vector<FieldError> errors, std::string detail = "");
// 401
Problem unauthorized(std::string detail = "missing or invalid bearer token");
// 403
Problem forbidden(std::string detail = "this token's role may not do this");
// 404
Problem not_found(std::string detail = "no such resource");
// 409: client_order_id reused with a different body.
Problem idempotency_conflict(std::string detail = "");
// 409: kill switch engaged / the trading state does not allow this order.
Problem trading_halted(std::string check, std::string detail);
// 409 (addition): not possible in the current state of the order or switch.
Problem invalid_state(std::string detail);
// 413
Problem payload_too_large(size_t limit_bytes = 64 * 1024);
// 415
Problem unsupported_media_type(std::string detail = "the body must be application/json");
// 422: a pre-trade check failed.
Problem risk_rejected(std::string check, std::string detail);
// 429
Problem rate_limited(std::string detail = "too many requests; try again later");
// 503, check "reconciling".
Problem reconciling(
    std::string detail = "start-up reconciliation with the broker has not finished");
// 503
Problem unavailable(std::string detail = "the store or the broker is unavailable");
// 500 (addition)
Problem internal_error(std::string detail = "internal error");

// A risk refusal: kill_switch_engaged and reducing_only (the trading state's
// gate) are 409 trading-halted, reconciling is 503 reconciling, every other
// check is 422 risk-rejected; the check is always carried.
Problem problem_for(const RiskDenial& denial);
// An error from the engine or the risk manager:
//   kInvalidArgument  -> 400 validation-error ("field: message" becomes the
//                        error's field and message)
//   kNotFound         -> 404 not-found
//   kConflict         -> 409 idempotency-conflict
//   kIllegalTransition-> 409 invalid-state
//   kRejected         -> as problem_for(RiskDenial) with "check: message"
//   kUnavailable      -> 503 unavailable
//   kInternal         -> 500 internal-error
Problem problem_for(const Error& error);

}  // namespace td::api
