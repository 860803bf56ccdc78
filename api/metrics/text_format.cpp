#include "api/metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace td::api::metrics {
namespace {

bool is_alpha_(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not
// one (overlong forms, surrogates and code points above U+10FFFF refused).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n;
  uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return n;
}

// Copies `s`, escaping as `escape_quote` says; invalid UTF-8 -> U+FFFD.
void append_escaped(std::string& out, std::string_view s, bool escape_quote) {
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out += c;
    } else {
      const std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER, for this one byte
        ++i;
        continue;
      }
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha_(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!(is_alpha_(c) || is_digit(c) || c == ':')) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha_(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!(is_alpha_(c) || is_digit(c))) return false;
  }
  return true;
}

void append_label_value(std::string& out, std::string_view value) {
  append_escaped(out, value, true);
}

void append_help_text(std::string& out, std::string_view text) {
  append_escaped(out, text, false);
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip
  out.append(buf, r.ptr);
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_scaled(std::string& out, int64_t units, int scale) {
  if (scale <= 0) {
    append_int(out, units);
    return;
  }
  // Magnitude as unsigned so that INT64_MIN has one too.
  const uint64_t mag = units < 0 ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, mag);
  std::string_view d(digits, static_cast<std::size_t>(r.ptr - digits));
  const auto s = static_cast<std::size_t>(scale);
  if (units < 0) out += '-';
  // Integer part: the digits before the last `scale`, or "0".
  if (d.size() > s) {
    out.append(d.substr(0, d.size() - s));
    d.remove_prefix(d.size() - s);
  } else {
    out += '0';
  }
  // Fraction: `scale` digits (left-padded with zeros), trailing zeros cut.
  std::string frac(s - d.size(), '0');
  frac.append(d);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) {
    out += '.';
    out += frac;
  }
}

bool is_decimal_text(std::string_view t) {
  if (t.empty() || t.size() > 64) return false;
  std::size_t i = 0;
  if (t[0] == '+' || t[0] == '-') ++i;
  const std::size_t int_start = i;
  while (i < t.size() && is_digit(t[i])) ++i;
  if (i == int_start) return false;
  if (i == t.size()) return true;
  if (t[i] != '.') return false;
  const std::size_t frac_start = ++i;
  while (i < t.size() && is_digit(t[i])) ++i;
  return i > frac_start && i == t.size();
}

}  // namespace td::api::metrics
