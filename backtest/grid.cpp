#include "backtest/grid.h"

#include <charconv>
#include <set>

#include "core/decimal.h"

namespace td::backtest {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

Error bad(const std::string& part, const std::string& why) {
  return Error{ErrorCode::kInvalidArgument, "--grid: '" + part + "': " + why};
}

}  // namespace

size_t Grid::size() const {
  if (params.empty()) return 0;
  size_t n = 1;
  for (const auto& p : params) n *= p.values.size();
  return n;
}

std::map<std::string, std::string> Grid::point(size_t i) const {
  std::map<std::string, std::string> out;
  // The last parameter changes fastest.
  for (size_t k = params.size(); k-- > 0;) {
    const auto& p = params[k];
    const std::string key = p.strategy.empty() ? p.name : p.strategy + "." + p.name;
    out[key] = p.values[i % p.values.size()];
    i /= p.values.size();
  }
  return out;
}

Result<Grid> parse_grid(const std::string& text) {
  Grid g;
  g.text = text;
  if (trim(text).empty()) return tl::unexpected(bad(text, "empty grid"));
  std::set<std::string> seen;
  size_t total = 1;
  for (const std::string& raw : split(text, ',')) {
    const std::string part = trim(raw);
    const size_t eq = part.find('=');
    if (eq == std::string::npos)
      return tl::unexpected(bad(part, "expected name=start:stop:step, name=a|b|c or name=value"));
    GridParam p;
    std::string key = trim(part.substr(0, eq));
    const std::string spec = trim(part.substr(eq + 1));
    if (const size_t dot = key.find('.'); dot != std::string::npos) {
      p.strategy = key.substr(0, dot);
      p.name = key.substr(dot + 1);
      if (!valid_name(p.strategy)) return tl::unexpected(bad(part, "bad strategy name"));
    } else {
      p.name = key;
    }
    if (!valid_name(p.name)) return tl::unexpected(bad(part, "bad parameter name"));
    if (!seen.insert(key).second) return tl::unexpected(bad(part, "parameter given twice"));
    if (spec.empty()) return tl::unexpected(bad(part, "no values"));
    if (spec.find(':') != std::string::npos) {
      const auto r = split(spec, ':');
      if (r.size() != 3) return tl::unexpected(bad(part, "a range is start:stop:step"));
      auto start = Decimal::parse(trim(r[0]));
      auto stop = Decimal::parse(trim(r[1]));
      auto step = Decimal::parse(trim(r[2]));
      if (!start || !stop || !step)
        return tl::unexpected(bad(part, "start, stop and step must be numbers"));
      if (step->sign() <= 0) return tl::unexpected(bad(part, "step must be > 0"));
      if (*stop < *start) return tl::unexpected(bad(part, "stop is below start"));
      for (Decimal v = *start; v <= *stop; v += *step) {
        p.values.push_back(v.to_string());
        if (p.values.size() > kMaxGridPoints)
          return tl::unexpected(bad(part, "more than 1000000 values"));
      }
    } else {
      for (const std::string& v : split(spec, '|')) {
        const std::string t = trim(v);
        if (t.empty()) return tl::unexpected(bad(part, "an empty value in the list"));
        p.values.push_back(t);
      }
    }
    total *= p.values.size();
    if (total > kMaxGridPoints) return tl::unexpected(bad(text, "more than 1000000 grid points"));
    g.params.push_back(std::move(p));
  }
  return g;
}

Result<Shard> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto fail = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "--shard: expected i/n with 0 <= i < n (e.g. 0/4), got '" + text + "'");
  };
  if (slash == std::string::npos) return fail();
  Shard s;
  const char* b = text.data();
  auto r1 = std::from_chars(b, b + slash, s.index);
  auto r2 = std::from_chars(b + slash + 1, b + text.size(), s.count);
  if (r1.ec != std::errc() || r1.ptr != b + slash || r2.ec != std::errc() ||
      r2.ptr != b + text.size() || s.count == 0 || s.index >= s.count)
    return fail();
  return s;
}

}  // namespace td::backtest
