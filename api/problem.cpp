#include "api/problem.h"

#include <utility>

#include "api/json/parse.h"

namespace td::api {

using nlohmann::json;

namespace {

Problem make(int status, std::string slug, std::string title, std::string detail) {
  Problem p;
  p.status = status;
  p.slug = std::move(slug);
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

// "field: message" -> {field, message} when the part before ": " looks like a
// field name (no spaces); otherwise the whole text for the body ("").
FieldError split_field(const std::string& m) {
  const size_t colon = m.find(": ");
  if (colon == std::string::npos || colon == 0 ||
      m.find_first_of(" \t", 0) < colon)  // a sentence, not a name
    return {"", m};
  return {m.substr(0, colon), m.substr(colon + 2)};
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

json to_json(const Problem& p) {
  json out{
      {"type", "/problems/" + p.slug},
      {"title", p.title},
      {"status", p.status},
  };
  if (!p.detail.empty()) out["detail"] = p.detail;
  if (!p.instance.empty()) out["instance"] = p.instance;
  if (!p.errors.empty()) {
    json errors = json::array();
    for (const FieldError& e : p.errors)
      errors.push_back(json{{"field", e.field}, {"message", e.message}});
    out["errors"] = std::move(errors);
  }
  if (p.check) out["check"] = *p.check;
  return out;
}

std::string to_json_text(const Problem& p) {
  return dump_json(to_json(p));
}

Problem validation_error(std::vector<FieldError> errors, std::string detail) {
  if (detail.empty()) {
    constexpr size_t kShown = 5;
    for (size_t i = 0; i < errors.size() && i < kShown; ++i) {
      if (i) detail += "; ";
      const FieldError& e = errors[i];
      detail += e.field.empty() ? e.message : e.field + ": " + e.message;
    }
    if (errors.size() > kShown)
      detail += "; and " + std::to_string(errors.size() - kShown) + " more";
    if (detail.empty()) detail = "the request is not valid";
  }
  Problem p = make(400, "validation-error", "Validation error", std::move(detail));
  p.errors = std::move(errors);
  return p;
}

Problem unauthorized(std::string detail) {
  return make(401, "unauthorized", "Unauthorized", std::move(detail));
}

Problem forbidden(std::string detail) {
  return make(403, "forbidden", "Forbidden", std::move(detail));
}

Problem not_found(std::string detail) {
  return make(404, "not-found", "Not found", std::move(detail));
}

Problem idempotency_conflict(std::string detail) {
  if (detail.empty()) detail = "client_order_id was already used for a different order";
  return make(409, "idempotency-conflict", "Idempotency conflict", std::move(detail));
}

Problem trading_halted(std::string check, std::string detail) {
  Problem p = make(409, "trading-halted", "Trading halted", std::move(detail));
  p.check = std::move(check);
  return p;
}

Problem invalid_state(std::string detail) {
  return make(409, "invalid-state", "Not allowed in the current state", std::move(detail));
}

Problem payload_too_large(size_t limit_bytes) {
  return make(413, "payload-too-large", "Payload too large",
              "the body is larger than " + std::to_string(limit_bytes) + " bytes");
}

Problem unsupported_media_type(std::string detail) {
  return make(415, "unsupported-media-type", "Unsupported media type", std::move(detail));
}

Problem risk_rejected(std::string check, std::string detail) {
  Problem p = make(422, "risk-rejected", "Risk check failed", std::move(detail));
  p.check = std::move(check);
  return p;
}

Problem rate_limited(std::string detail) {
  return make(429, "rate-limited", "Too many requests", std::move(detail));
}

Problem reconciling(std::string detail) {
  Problem p = make(503, "reconciling", "Reconciling", std::move(detail));
  p.check = "reconciling";
  return p;
}

Problem unavailable(std::string detail) {
  return make(503, "unavailable", "Service unavailable", std::move(detail));
}

Problem internal_error(std::string detail) {
  return make(500, "internal-error", "Internal error", std::move(detail));
}

Problem problem_for(const RiskDenial& d) {
  if (d.check == "kill_switch_engaged" || d.check == "reducing_only")
    return trading_halted(d.check, d.message);
  if (d.check == "reconciling") return reconciling(d.message);
  return risk_rejected(d.check, d.message);
}

Problem problem_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      return validation_error({split_field(e.message)});
    case ErrorCode::kNotFound:
      return not_found(e.message);
    case ErrorCode::kConflict:
      return idempotency_conflict(e.message);
    case ErrorCode::kIllegalTransition:
      return invalid_state(e.message);
    case ErrorCode::kRejected: {
      // The engine reports a refusal as "check: message".
      const size_t colon = e.message.find(": ");
      if (colon != std::string::npos && is_identifier(std::string_view(e.message).substr(0, colon)))
        return problem_for(RiskDenial{e.message.substr(0, colon), e.message.substr(colon + 2), {}});
      Problem p = make(422, "risk-rejected", "Risk check failed", e.message);
      return p;
    }
    case ErrorCode::kUnavailable:
      return unavailable(e.message);
    case ErrorCode::kInternal:
      break;
  }
  return internal_error(e.message);
}

}  // namespace td::api
