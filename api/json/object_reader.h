#pragma once
// Reads the members of one JSON object (a request body) field by field,
// collecting every problem instead of stopping at the first, and reports
// the members nobody asked for as "unknown field" (api-v1.md: typos never
// pass silently).
//
//   std::vector<FieldError> errors;
//   ObjectReader r(body, errors);
//   auto qty = r.decimal("qty", Need::kRequired);
//   auto tif = r.choice("tif", parse_tif, "day, gtc, ioc");
//   r.finish();  // unknown fields
//
// Null: for an optional field (Need::kOptional) null means "not given" (the
// default applies), so clients may send the example body of api-v1.md with
// "stop_price": null. A required field that is null is "required"; a
// Need::kNonNull field may be absent but not null (e.g. a risk limit: 0, not
// null, turns it off).
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/json/field_error.h"
#include "core/decimal.h"
#include "core/time.h"

namespace td::api {

enum class Need {
  kOptional,  // absent or null: nullopt, no error
  kRequired,  // absent or null: "required"
  kNonNull,   // absent: nullopt; null: "must not be null"
};

class ObjectReader {
 public:
  // `obj` must outlive the reader. When it is not an object, one error is
  // recorded (for `prefix`, "" at the top level) and every accessor returns
  // nullopt. Field names in errors are prefixed with `prefix` + ".".
  ObjectReader(const nlohmann::json& obj, std::vector<FieldError>& errors, std::string prefix = "");

  bool ok_object() const { return obj_ != nullptr; }

  // The raw member (marks it known); nullptr when absent, or null and
  // allowed to be (per `need`, which also records the errors).
  const nlohmann::json* get(std::string_view key, Need need = Need::kOptional);

  std::optional<std::string> string(std::string_view key, Need need = Need::kOptional);
  std::optional<bool> boolean(std::string_view key, Need need = Need::kOptional);
  // A decimal as a string or a number (decimal_field.h).
  std::optional<Decimal> decimal(std::string_view key, Need need = Need::kOptional);
  // A whole JSON number within [min, max].
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max,
                                 Need need = Need::kOptional);
  // An RFC 3339 time string ("2026-11-21T14:30:00Z", any offset, optional fraction).
  std::optional<Timestamp> time(std::string_view key, Need need = Need::kOptional);
  // A duration string ("500ms", "30s", "5m", "1h", "1d") or a whole number of seconds.
  std::optional<Duration> duration(std::string_view key, Need need = Need::kOptional);
  // One of a set of words: `parse` maps the text, `allowed` lists the words
  // for the message ("must be one of buy, sell").
  template <class E>
  std::optional<E> choice(std::string_view key, std::optional<E> (*parse)(std::string_view),
                          std::string_view allowed, Need need = Need::kOptional) {
    auto s = string(key, need);
    if (!s) return std::nullopt;
    auto v = parse(*s);
    if (!v) error(key, "must be one of " + std::string(allowed));
    return v;
  }

  // Records an error for a member (named with the prefix).
  void error(std::string_view key, std::string message);
  // Records "unknown field" for every member no accessor asked for.
  void finish();

  std::string field_name(std::string_view key) const;

 private:
  const nlohmann::json* obj_ = nullptr;
  std::vector<FieldError>& errors_;
  std::string prefix_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace td::api
