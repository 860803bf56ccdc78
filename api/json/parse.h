#pragma once
// Exact JSON parsing for request bodies.
//
// Why not nlohmann::json::parse: it turns every non-integer number into a
// double, so 450.10 would arrive as 450.09999999999999431566 and the text the
// client wrote is gone. Decimals must be exact (architecture.md invariant 4).
//
// How: parse_json() drives nlohmann's SAX parser with its own handler, which
// builds an ordinary nlohmann::json tree except that every JSON number is
// kept as its original text (the lexeme, e.g. "450.10", "1e2", "-0.5"). The
// lexeme is stored in a node of nlohmann's *binary* type with the subtype
// kNumberSubtype. A binary node can never come out of JSON text, so the tag is
// unambiguous; every other node (objects, arrays, strings, booleans, null)
// is what json::parse would have built. Read numbers with number_text() or
// decimal_from_json() (decimal_field.h), never with get<double>().
// to_standard() turns such a tree back into a plain one (numbers as
// nlohmann numbers) for values that are passed through, not reconciled.
//
// The handler also
// - limits nesting (ParseOptions::max_depth): 100000 '[' is one error, not a
//   deep recursion (nlohmann's parser itself is iterative; the limit also
//   keeps the tree and its destruction shallow);
// - refuses duplicate member names (the RFC leaves their meaning open: a
//   request must not mean two things);
// - reports numbers a double cannot hold (1e400) under the member's name.
// Malformed JSON (including invalid UTF-8 in strings, which nlohmann's
// lexer checks) is one FieldError with field "" whose message carries the
// parser's explanation and the 0-based byte offset where it stopped.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/json/field_error.h"

namespace td::api {

// Subtype of the binary nodes that hold a number's text ('N').
inline constexpr std::uint64_t kNumberSubtype = 0x4e;

struct ParseOptions {
  size_t max_depth = 64;  // nested arrays/objects; the top-level value is depth 1
};

Parsed<nlohmann::json> parse_json(std::string_view text, const ParseOptions& options = {});

// A number node as parse_json() builds it.
nlohmann::json number_node(std::string_view lexeme);
// True for a number node of parse_json() and for a plain nlohmann number.
bool is_number(const nlohmann::json& v);
// The number's text: the lexeme of a parse_json() node, or the digits of a
// plain integer. nullopt for a plain floating-point number (its text is lost)
// and for anything that is not a number.
std::optional<std::string> number_text(const nlohmann::json& v);

// Copy with every number node replaced by a plain nlohmann number (integers
// stay exact; others become doubles): for values passed through as they are
// (e.g. strategy parameters), never for money.
nlohmann::json to_standard(const nlohmann::json& v);

// Compact text of a response body. Never throws: invalid UTF-8 (which can
// only come from non-JSON sources) is replaced by U+FFFD.
std::string dump_json(const nlohmann::json& v);

}  // namespace td::api
