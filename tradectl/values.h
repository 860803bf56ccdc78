#pragma once
// Client-side checks and encodings of what the user types. Quantities and
// prices stay the exact strings typed (never a double): the daemon parses
// them as fixed-point decimals. The checks here only catch typos early with a
// clear message; the daemon remains the judge of ranges and rules.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace td::tradectl {

// "100", "450.10", "0.5": digits with an optional fraction; no sign,
// exponent, spaces or separators. Returns an error message or "".
std::string check_decimal(std::string_view flag, std::string_view value);

// client_order_id: 1..64 of [A-Za-z0-9._:-]. Returns an error message or "".
std::string check_client_order_id(std::string_view value);

// KEY=VALUE arguments as the members of one JSON object, in order, as JSON
// text: a VALUE that is valid JSON goes as written (true, 10, "x",
// ["SPY","QQQ"]), except a number with a fraction or exponent, which goes as
// a string so that a decimal never becomes a binary double ("0.5" ->
// "0.5"); anything else goes as a string (30s -> "30s"). Sets `error` on a
// missing '=', an empty or repeated key.
std::optional<std::string> key_values_object(const std::vector<std::string>& args,
                                             std::string& error);

}  // namespace td::tradectl
