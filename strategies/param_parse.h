#pragma once
// Strict parsing of strategy parameters, which arrive from configuration as
// strings. Why strict: a typo such as "10x" or "2,5" must be reported, not
// read as 10 or 2; the whole string must be the number, with no spaces, and
// a real must be finite ("1e999", "inf" and "nan" are refused).
#include <cstdint>
#include <optional>
#include <string_view>

namespace td::strategies {

// Decimal digits with an optional leading '-': "10", "-3". Not "+1", "1.0",
// " 1", "1e3" or a value beyond int64.
std::optional<int64_t> parse_integer(std::string_view s);

// A finite decimal number: "2", "-0.5", "2.5e1", ".5". Not "", "2,5", "0x10",
// "inf", "nan", "1e999".
std::optional<double> parse_real(std::string_view s);

}  // namespace td::strategies
