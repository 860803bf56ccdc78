#pragma once
// The lexical pieces of Prometheus's text exposition format 0.0.4: name
// rules, escaping and number spelling. Kept apart from the registry so that
// each rule is tested on its own and the renderer is only the layout.
//
// Numbers are written so that they parse back to the same value: integers
// as integers, doubles in their shortest round-trip form (std::to_chars),
// fixed-point values (histogram bounds and sums kept in integer units,
// money given as decimal text) exactly, digit for digit, never through a
// binary double.
#include <cstdint>
#include <string>
#include <string_view>

namespace td::api::metrics {

// The Content-Type of GET /metrics.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__" (reserved for Prometheus).
bool is_valid_label_name(std::string_view name);

// A label value between the quotes: backslash, double quote and line feed
// escaped (\\ \" \n). Bytes that are not valid UTF-8 become U+FFFD (the
// format requires UTF-8; a strategy name from a config file must not break
// the whole scrape).
void append_label_value(std::string& out, std::string_view value);
// HELP text: backslash and line feed escaped (quotes are not, in 0.0.4);
// invalid UTF-8 replaced as above.
void append_help_text(std::string& out, std::string_view text);

// Shortest text that parses back to `v`; "+Inf", "-Inf", "NaN".
void append_double(std::string& out, double v);
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);
// units / 10^scale written exactly (scale 0..18): (50000, 9) -> "0.00005",
// (-1500, 3) -> "-1.5", (7, 0) -> "7". No trailing zeros, no exponent.
void append_scaled(std::string& out, int64_t units, int scale);

// Decimal text as Decimal::to_string writes it: [+-]?[0-9]+(\.[0-9]+)?
// (at most 64 characters). Such text is a valid sample value as it stands.
bool is_decimal_text(std::string_view text);

}  // namespace td::api::metrics
