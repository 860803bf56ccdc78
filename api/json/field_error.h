#pragma once
// One problem with one field of a request body, as the "errors" entries of a
// problem+json answer show it ({"field": "qty", "message": "must be > 0"}).
// `field` is the member's name ("qty"), a path for nested values
// ("limits.max_order_qty", "topics[2]"), or "" for the body as a whole
// (malformed JSON, not an object).
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace td::api {

struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// A parsed request, or every problem found in it (not only the first).
template <class T>
using Parsed = tl::expected<T, std::vector<FieldError>>;

}  // namespace td::api
