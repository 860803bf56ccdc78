#pragma once
// Decimals in JSON (api-v1.md): responses always send strings ("150.25");
// requests may send a string or a number. A number is read from its original
// text as parse_json() kept it (parse.h), never through a double, so "450.10"
// and 450.10 are both exactly 450.1, and 1e2 is 100. More than 8 decimal
// places (0.123456789) or a value beyond the Decimal range is an error, not
// a rounding.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tl/expected.hpp>

#include "core/decimal.h"

namespace td::api {

// The decimal a JSON value holds, or a message for the field's error
// ("must be a decimal ...", "more than 8 decimal places", "out of range ...").
// A plain nlohmann floating-point number (one not built by parse_json) is
// refused: its text is lost.
tl::expected<Decimal, std::string> decimal_from_json(const nlohmann::json& v);

// "150.25": the shortest exact form.
nlohmann::json decimal_to_json(Decimal d);
// The decimal as a string, or null.
nlohmann::json decimal_to_json(const std::optional<Decimal>& d);

}  // namespace td::api
