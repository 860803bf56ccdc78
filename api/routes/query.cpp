#include "api/routes/query.h"

#include <charconv>

namespace td::api {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

Parsed<std::map<std::string, std::string>> parse_query(std::string_view query,
                                                       const std::set<std::string>& allowed) {
  std::map<std::string, std::string> out;
  std::vector<FieldError> errors;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    auto key = percent_decode(part.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!key || !value) {
      errors.push_back({"query", "malformed percent-encoding"});
      continue;
    }
    if (!allowed.count(*key)) {
      errors.push_back({*key, "unknown query parameter"});
      continue;
    }
    if (!out.emplace(*key, *value).second) errors.push_back({*key, "given more than once"});
  }
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return out;
}

ListParams list_params(const std::map<std::string, std::string>& q,
                       std::vector<FieldError>& errors) {
  ListParams p;
  if (auto it = q.find("limit"); it != q.end()) {
    const std::string& v = it->second;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > 1000)
      errors.push_back({"limit", "must be an integer from 1 to 1000"});
    else
      p.limit = static_cast<size_t>(n);
  }
  if (auto it = q.find("cursor"); it != q.end()) {
    const std::string& v = it->second;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || v.empty())
      errors.push_back({"cursor", "not a cursor this API returned"});
    else
      p.cursor = n;
  }
  return p;
}

std::optional<Timestamp> time_param(const std::map<std::string, std::string>& q,
                                    const std::string& key, std::vector<FieldError>& errors) {
  auto it = q.find(key);
  if (it == q.end()) return std::nullopt;
  auto t = parse_time(it->second);
  if (!t) {
    errors.push_back({key, "must be an RFC 3339 time, e.g. 2026-11-21T14:30:00Z"});
    return std::nullopt;
  }
  return *t;
}

}  // namespace td::api
