#include "tradectl/values.h"

#include <set>

#include "tradectl/format.h"

namespace td::tradectl {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A JSON number lexeme with a fraction or an exponent.
bool non_integer_number(std::string_view v) {
  if (v.empty()) return false;
  std::size_t i = v[0] == '-' ? 1 : 0;
  if (i >= v.size() || !is_digit(v[i])) return false;
  return v.find_first_of(".eE") != std::string_view::npos && Json::accept(v);
}

}  // namespace

std::string check_decimal(std::string_view flag, std::string_view value) {
  std::size_t i = 0, digits = 0, frac = 0;
  while (i < value.size() && is_digit(value[i])) ++i, ++digits;
  bool ok = digits > 0;
  if (ok && i < value.size() && value[i] == '.') {
    ++i;
    while (i < value.size() && is_digit(value[i])) ++i, ++frac;
    ok = frac > 0;
  }
  if (ok && i == value.size()) return {};
  return std::string(flag) + ": '" + std::string(value) +
         "' is not a decimal (expected digits with an optional fraction, like 100 or 450.10; "
         "no sign, exponent, spaces or separators)";
}

std::string check_client_order_id(std::string_view value) {
  if (value.empty() || value.size() > 64) return "--client-order-id: must be 1 to 64 characters";
  for (char c : value) {
    const bool ok = is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return "--client-order-id: only letters, digits and . _ : - are allowed";
  }
  return {};
}

std::optional<std::string> key_values_object(const std::vector<std::string>& args,
                                             std::string& error) {
  std::string out = "{";
  std::set<std::string> seen;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos) {
      error = "'" + arg + "' is not KEY=VALUE";
      return std::nullopt;
    }
    const std::string key = arg.substr(0, eq);
    const std::string value = arg.substr(eq + 1);
    if (key.empty()) {
      error = "'" + arg + "' has an empty key";
      return std::nullopt;
    }
    if (!seen.insert(key).second) {
      error = "key '" + key + "' given twice";
      return std::nullopt;
    }
    if (out.size() > 1) out += ",";
    out += json_quote(key) + ":";
    if (non_integer_number(value) || !Json::accept(value)) {
      out += json_quote(value);
    } else {
      out += compact_json(value);
    }
  }
  out += "}";
  return out;
}

}  // namespace td::tradectl
