#pragma once
// Query strings of the read routes: percent-decoded, each key at most once,
// unknown keys refused (as unknown body fields are: typos never pass
// silently), and the common list parameters (limit, cursor, times) checked
// the same way everywhere.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/json/field_error.h"
#include "core/time.h"

namespace td::api {

// "a=1&b=x%20y" -> {a: "1", b: "x y"} ('+' is a space). Errors: malformed
// escapes, a repeated key, a key not in `allowed`.
Parsed<std::map<std::string, std::string>> parse_query(std::string_view query,
                                                       const std::set<std::string>& allowed);
// Percent-decodes a path segment; nullopt on a malformed escape or a NUL.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);

struct ListParams {
  size_t limit = 100;  // 1..1000
  std::optional<uint64_t> cursor;
};
// Reads limit and cursor from `q` (errors appended to `errors`).
ListParams list_params(const std::map<std::string, std::string>& q,
                       std::vector<FieldError>& errors);
// An RFC 3339 time parameter (errors appended); nullopt when absent.
std::optional<Timestamp> time_param(const std::map<std::string, std::string>& q,
                                    const std::string& key, std::vector<FieldError>& errors);

}  // namespace td::api
