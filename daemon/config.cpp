// Configuration loading: defaults <- YAML file <- TRADINGD__ variables <- --set
// (../shared/config.md). The file is parsed into a YAML tree, the overrides
// are applied onto that tree (remembering which source set which subtree),
// and the merged tree is validated into a Config in one pass that collects
// every error with its dotted key and the file line or override source.
// docs/configuration.md describes every key.
#include "daemon/config.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "brokers/ib/client/restart_window.h"
#include "core/session_calendar.h"

extern char** environ;

namespace td::daemon {
namespace {

constexpr std::string_view kEnvPrefix = "TRADINGD__";

// A key path in the tree: map keys, and sequence indices as decimal text.
using Path = std::vector<std::string>;

bool is_index(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

int line_of(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.is_null() || m.line < 0 ? 0 : m.line + 1;
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + n.Scalar() + "'";
    default:
      return "nothing (null)";
  }
}

// Optimal string alignment distance: an adjacent transposition costs 1, so
// "max_order_qyt" is one edit from "max_order_qty".
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// " (did you mean 'x'?)" when a candidate is close enough, else "".
std::string suggestion(const std::string& got, const std::vector<std::string>& candidates) {
  const std::string g = lower(got);
  const size_t limit = g.size() <= 4 ? 1 : g.size() <= 8 ? 2 : 3;
  auto common_prefix = [&g](const std::string& c) {
    return static_cast<size_t>(std::mismatch(g.begin(), g.end(), c.begin(), c.end()).first -
                               g.begin());
  };
  const std::string* best = nullptr;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(g, c);
    // On a tie, the longer common prefix: "sped" is "speed", not "seed".
    if (d < best_d || (d == best_d && best && common_prefix(c) > common_prefix(*best)))
      best = &c, best_d = d;
  }
  return best ? " (did you mean '" + *best + "'?)" : "";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

bool is_hex(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

// Names of strategies and tokens: they appear in the API, logs and the store.
bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
  });
}

bool valid_symbol(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.';
  });
}

// "HH:MM", 00:00..23:59 (or 24:00 when end_of_day), as minutes after midnight.
std::optional<std::chrono::minutes> parse_hhmm(std::string_view s, bool end_of_day) {
  auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  if (s.size() != 5 || !digit(s[0]) || !digit(s[1]) || s[2] != ':' || !digit(s[3]) || !digit(s[4]))
    return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (end_of_day && h == 24 && m == 0) return std::chrono::hours(24);
  if (h > 23 || m > 59) return std::nullopt;
  return std::chrono::minutes(h * 60 + m);
}

std::string format_hhmm(std::chrono::minutes m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m.count() / 60),
                static_cast<int>(m.count() % 60));
  return buf;
}

// Day names of instruments[].trading_hours.days, by weekday (0 = Sunday).
const std::vector<std::string>& day_names() {
  static const std::vector<std::string> names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  return names;
}

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = h.find('.', start);
    const std::string_view label =
        h.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char ch : label)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// "host:port", "[v6]:port"; on success fills host (without brackets) and port.
std::optional<std::string> parse_listen(std::string_view s, std::string& host, uint16_t& port) {
  std::string_view h, p;
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return "missing ']' after the IPv6 address";
    h = s.substr(1, close - 1);
    if (close + 1 >= s.size() || s[close + 1] != ':')
      return "expected [IPv6]:port, e.g. [::1]:8080";
    p = s.substr(close + 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, std::string(h).c_str(), &a6) != 1)
      return "'" + std::string(h) + "' is not an IPv6 address";
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string_view::npos)
      return "expected host:port, e.g. 127.0.0.1:8080, got '" + std::string(s) + "'";
    h = s.substr(0, colon);
    p = s.substr(colon + 1);
    if (h.find(':') != std::string_view::npos)
      return "an IPv6 address must be in brackets, e.g. [::1]:8080";
    if (h.empty()) return "missing host (0.0.0.0 listens on every IPv4 interface)";
    const bool numeric = std::all_of(h.begin(), h.end(),
                                     [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; });
    if (numeric) {
      in_addr a4{};
      if (inet_pton(AF_INET, std::string(h).c_str(), &a4) != 1)
        return "'" + std::string(h) + "' is not an IPv4 address";
    } else if (!valid_hostname(h)) {
      return "'" + std::string(h) + "' is not a valid host name";
    }
  }
  unsigned v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || v > 65535)
    return "port must be a number 0..65535, got '" + std::string(p) + "'";
  host = std::string(h);
  port = static_cast<uint16_t>(v);
  return std::nullopt;
}

// ---------------------------------------------------------------- overrides

struct Override {
  std::string source;  // "--set" or the variable's name
  std::string key;     // as written, for messages
  Path path;
  YAML::Node value;
};

// "risk.max_order_qty", "strategies.0.qty" or "strategies[0].qty".
std::optional<Path> parse_dotted(std::string_view key) {
  Path path;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    std::string part(
        key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    // Trailing "[n]" indices: "strategies[0]" -> "strategies", "0".
    std::vector<std::string> indices;
    while (!part.empty() && part.back() == ']') {
      const size_t open = part.rfind('[');
      if (open == std::string::npos) return std::nullopt;
      std::string idx = part.substr(open + 1, part.size() - open - 2);
      if (!is_index(idx)) return std::nullopt;
      indices.insert(indices.begin(), idx);
      part.erase(open);
    }
    if (part.empty() || part.find_first_of("[]") != std::string::npos) return std::nullopt;
    path.push_back(part);
    path.insert(path.end(), indices.begin(), indices.end());
    if (dot == std::string_view::npos) return path;
    start = dot + 1;
  }
}

std::string path_text(const Path& p, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < p.size(); ++i) {
    if (is_index(p[i])) {
      out += "[" + p[i] + "]";
    } else {
      if (!out.empty()) out += '.';
      out += p[i];
    }
  }
  return out;
}

std::optional<YAML::Node> parse_value(const std::string& text, std::string& error) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    error = "value is not valid YAML: " + e.msg;
    return std::nullopt;
  }
}

// The value under `key` in a map, if present. (yaml-cpp's const operator[]
// returns an invalid node for a missing key, which reset() refuses.)
std::optional<YAML::Node> lookup(const YAML::Node& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  return std::nullopt;
}

// Puts o.value at o.path in root (a map), creating maps on the way. Records
// in `sources` which override owns the subtree (dropping older overrides
// inside it). Returns an error message, or nullopt.
std::optional<std::string> apply_override(YAML::Node& root, const Override& o,
                                          std::map<Path, std::string>& sources) {
  YAML::Node cur = root;
  size_t created_at = o.path.size();  // first path element this override created
  for (size_t i = 0; i < o.path.size(); ++i) {
    const std::string& part = o.path[i];
    const bool last = i + 1 == o.path.size();
    YAML::Node child;
    if (cur.IsMap()) {
      std::optional<YAML::Node> found = lookup(cur, part);
      if (last) {
        if (!found) created_at = std::min(created_at, i);
        cur[part] = o.value;
        break;
      }
      if (!found || found->IsNull()) {
        cur[part] = YAML::Node(YAML::NodeType::Map);
        found = lookup(cur, part);
        created_at = std::min(created_at, i);
      }
      child.reset(*found);
    } else {  // a sequence: every step below checks that
      if (!is_index(part))
        return "'" + path_text(o.path, i) + "' is a list: the next part must be an index";
      const size_t idx = std::stoul(part);
      if (idx >= cur.size())
        return "'" + path_text(o.path, i) + "' has " + std::to_string(cur.size()) +
               " entries: no index " + part;
      if (last) {
        cur[idx] = o.value;
        break;
      }
      if (std::as_const(cur)[idx].IsNull()) {
        cur[idx] = YAML::Node(YAML::NodeType::Map);
        created_at = std::min(created_at, i);
      }
      child.reset(std::as_const(cur)[idx]);
    }
    if (!child.IsMap() && !child.IsSequence())
      return "'" + path_text(o.path, i + 1) + "' is " + describe(child) + ", not a map";
    cur.reset(child);
  }
  const Path owned(o.path.begin(), o.path.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min(created_at + 1, o.path.size())));
  for (auto it = sources.begin(); it != sources.end();) {
    const bool inside = it->first.size() >= owned.size() &&
                        std::equal(owned.begin(), owned.end(), it->first.begin());
    it = inside ? sources.erase(it) : std::next(it);
  }
  sources[owned] = o.source;
  return std::nullopt;
}

// ---------------------------------------------------------------- validation

struct Ctx {
  YAML::Node node;
  std::string key;  // display form: "strategies[1].params.fast"
  Path path;
  std::string source;
  int line = 0;
  bool from_file = true;
};

using Handler = std::function<void(const Ctx&)>;
struct Field {
  std::string name;
  Handler handle;
};

enum class Bound { kAny, kNonNegative, kPositive };

class Validator {
 public:
  Validator(std::string file, std::map<Path, std::string> sources)
      : file_(std::move(file)), sources_(std::move(sources)) {}

  Config run(const YAML::Node& root);
  std::vector<ConfigError>& errors() { return errors_; }

 private:
  void error(const Ctx& c, std::string message) {
    errors_.push_back({c.source, c.line, c.key, std::move(message)});
  }
  // An error about `name` missing from the map at c.
  void missing(const Ctx& c, const std::string& name, const std::string& message = "") {
    errors_.push_back({c.source, c.line, c.key.empty() ? name : c.key + "." + name,
                       message.empty() ? "missing required key '" + name + "'" : message});
  }

  Ctx derive(const Ctx& parent, const YAML::Node& value, const YAML::Node& mark_node,
             const std::string& part, std::string key) {
    Ctx c;
    c.node = value;
    c.key = std::move(key);
    c.path = parent.path;
    c.path.push_back(part);
    if (auto it = sources_.find(c.path); it != sources_.end()) {
      c.source = it->second, c.line = 0, c.from_file = false;
    } else if (!parent.from_file) {
      c.source = parent.source, c.line = 0, c.from_file = false;
    } else {
      c.source = file_, c.line = line_of(mark_node);
    }
    where_.emplace(c.key, std::make_pair(c.source, c.line));
    return c;
  }
  // The context of `name` inside base as it was visited (for its line).
  Ctx sub(const Ctx& base, const std::string& name) const {
    Ctx at = base;
    at.key = base.key + "." + name;
    if (auto w = where_.find(at.key); w != where_.end())
      at.source = w->second.first, at.line = w->second.second;
    return at;
  }
  Ctx child(const Ctx& parent, const YAML::Node& key_node, const YAML::Node& value,
            const std::string& name) {
    return derive(parent, value, key_node, name,
                  parent.key.empty() ? name : parent.key + "." + name);
  }
  Ctx item(const Ctx& parent, const YAML::Node& value, size_t i) {
    return derive(parent, value, value, std::to_string(i),
                  parent.key + "[" + std::to_string(i) + "]");
  }

  // Calls fn for each entry of the map at c (null counts as empty). Reports
  // non-map values, non-scalar and duplicate keys. False when c is not a map.
  bool each_entry(const Ctx& c, const std::function<void(const std::string&, const Ctx&)>& fn) {
    if (c.node.IsNull() || !c.node.IsDefined()) return true;
    if (!c.node.IsMap()) {
      error(c, "expected a map, got " + describe(c.node));
      return false;
    }
    std::set<std::string> seen;
    for (auto it = c.node.begin(); it != c.node.end(); ++it) {
      if (!it->first.IsScalar()) {
        Ctx k = child(c, it->first, it->second, "?");
        error(k, "keys must be plain strings, got " + describe(it->first));
        continue;
      }
      const std::string name = it->first.Scalar();
      Ctx ch = child(c, it->first, it->second, name);
      if (!seen.insert(name).second) {
        error(ch, "duplicate key '" + name + "'");
        continue;
      }
      fn(name, ch);
    }
    return true;
  }

  // A map with a fixed set of keys. Returns the keys present (nullopt when
  // c is not a map).
  std::optional<std::set<std::string>> visit_map(const Ctx& c, const std::vector<Field>& fields) {
    std::set<std::string> present;
    const bool ok = each_entry(c, [&](const std::string& name, const Ctx& ch) {
      auto f = std::find_if(fields.begin(), fields.end(),
                            [&](const Field& fd) { return fd.name == name; });
      if (f == fields.end()) {
        std::vector<std::string> known;
        for (const auto& fd : fields) known.push_back(fd.name);
        error(ch, "unknown key '" + name + "'" + suggestion(name, known));
        return;
      }
      present.insert(name);
      f->handle(ch);
    });
    if (!ok) return std::nullopt;
    return present;
  }

  // Calls fn for each item of the list at c (null counts as empty).
  bool visit_seq(const Ctx& c, const std::function<void(const Ctx&, size_t)>& fn) {
    if (c.node.IsNull() || !c.node.IsDefined()) return true;
    if (!c.node.IsSequence()) {
      error(c, "expected a list, got " + describe(c.node));
      return false;
    }
    size_t i = 0;
    for (auto it = c.node.begin(); it != c.node.end(); ++it, ++i) fn(item(c, *it, i), i);
    return true;
  }

  // ---- scalars

  std::optional<std::string> scalar(const Ctx& c, const char* expected) {
    if (c.node.IsScalar()) return c.node.Scalar();
    error(c, std::string("expected ") + expected + ", got " + describe(c.node));
    return std::nullopt;
  }
  // Strings: any scalar; null is the empty string.
  std::optional<std::string> get_string(const Ctx& c) {
    if (c.node.IsNull()) return std::string();
    return scalar(c, "a string");
  }
  std::optional<Decimal> get_decimal(const Ctx& c, Bound bound) {
    auto text = scalar(c, "a decimal number");
    if (!text) return std::nullopt;
    auto d = Decimal::parse(*text);  // the text as written: never through a double
    if (!d) {
      switch (d.error()) {
        case DecimalError::kPrecision:
          error(c, "'" + *text + "' has more than " + std::to_string(Decimal::kScale) +
                       " decimal places");
          break;
        case DecimalError::kOverflow:
          error(c, "'" + *text + "' is out of range");
          break;
        default:
          error(c, "expected a decimal number, got '" + *text + "'");
      }
      return std::nullopt;
    }
    if (bound == Bound::kNonNegative && d->sign() < 0) {
      error(c, "must be >= 0, got " + *text);
      return std::nullopt;
    }
    if (bound == Bound::kPositive && d->sign() <= 0) {
      error(c, "must be > 0, got " + *text);
      return std::nullopt;
    }
    return *d;
  }
  std::optional<int64_t> get_int(const Ctx& c, int64_t lo, int64_t hi) {
    auto text = scalar(c, "an integer");
    if (!text) return std::nullopt;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (text->empty() || end != text->data() + text->size() || ec == std::errc::invalid_argument) {
      error(c, "expected an integer, got '" + *text + "'");
      return std::nullopt;
    }
    if (ec != std::errc() || v < lo || v > hi) {
      error(c, (hi == INT64_MAX
                    ? "must be >= " + std::to_string(lo)
                    : "must be between " + std::to_string(lo) + " and " + std::to_string(hi)) +
                   ", got " + *text);
      return std::nullopt;
    }
    return v;
  }
  std::optional<double> get_double(const Ctx& c, Bound bound) {
    auto text = scalar(c, "a number");
    if (!text) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (text->empty() || ec != std::errc() || end != text->data() + text->size() ||
        !std::isfinite(v)) {
      error(c, "expected a number, got '" + *text + "'");
      return std::nullopt;
    }
    if (bound == Bound::kNonNegative && v < 0) {
      error(c, "must be >= 0, got " + *text);
      return std::nullopt;
    }
    if (bound == Bound::kPositive && v <= 0) {
      error(c, "must be > 0, got " + *text);
      return std::nullopt;
    }
    return v;
  }
  std::optional<bool> get_bool(const Ctx& c) {
    auto text = scalar(c, "true or false");
    if (!text) return std::nullopt;
    bool v = false;
    if (!YAML::convert<bool>::decode(c.node, v)) {
      error(c, "expected true or false, got '" + *text + "'");
      return std::nullopt;
    }
    return v;
  }
  std::optional<Duration> get_duration(const Ctx& c, Bound bound) {
    auto text = scalar(c, "a duration");
    if (!text) return std::nullopt;
    if (!text->empty() && text->front() == '-') {
      error(c, "must not be negative, got " + *text);
      return std::nullopt;
    }
    auto d = parse_duration(*text);
    if (!d) {
      error(c, "expected a duration such as 500ms, 5s, 1m, 1h, 1d or whole seconds, got '" + *text +
                   "'");
      return std::nullopt;
    }
    if (bound == Bound::kPositive && d->count() <= 0) {
      error(c, "must be > 0, got " + *text);
      return std::nullopt;
    }
    return d;
  }

  // ---- handler factories

  Handler str(std::string& out, bool required_non_empty = false) {
    return [this, &out, required_non_empty](const Ctx& c) {
      auto v = get_string(c);
      if (!v) return;
      if (required_non_empty && v->empty()) return error(c, "must not be empty");
      out = *v;
    };
  }
  Handler dec(Decimal& out, Bound bound) {
    return [this, &out, bound](const Ctx& c) {
      if (auto v = get_decimal(c, bound)) out = *v;
    };
  }
  Handler opt_dec(std::optional<Decimal>& out, Bound bound) {
    return [this, &out, bound](const Ctx& c) {
      if (auto v = get_decimal(c, bound)) out = *v;
    };
  }
  template <class T>
  Handler integer(T& out, int64_t lo, int64_t hi) {
    return [this, &out, lo, hi](const Ctx& c) {
      if (auto v = get_int(c, lo, hi)) out = static_cast<T>(*v);
    };
  }
  Handler real(double& out, Bound bound) {
    return [this, &out, bound](const Ctx& c) {
      if (auto v = get_double(c, bound)) out = *v;
    };
  }
  Handler boolean(bool& out) {
    return [this, &out](const Ctx& c) {
      if (auto v = get_bool(c)) out = *v;
    };
  }
  Handler duration(Duration& out, Bound bound) {
    return [this, &out, bound](const Ctx& c) {
      if (auto v = get_duration(c, bound)) out = *v;
    };
  }
  Handler one_of(std::string& out, std::vector<std::string> allowed) {
    return [this, &out, allowed = std::move(allowed)](const Ctx& c) {
      auto v = scalar(c, "a string");
      if (!v) return;
      if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end())
        return error(c, "must be one of " + join(allowed, "|") + ", got '" + *v + "'" +
                            suggestion(*v, allowed));
      out = *v;
    };
  }
  // A word from a fixed list, stored as its enum value.
  template <class E>
  Handler word(E& out, std::vector<std::pair<std::string, E>> allowed) {
    return [this, &out, allowed = std::move(allowed)](const Ctx& c) {
      auto v = scalar(c, "a string");
      if (!v) return;
      std::vector<std::string> words;
      for (const auto& [w, e] : allowed) {
        if (w == *v) {
          out = e;
          return;
        }
        words.push_back(w);
      }
      error(c, "must be one of " + join(words, "|") + ", got '" + *v + "'" + suggestion(*v, words));
    };
  }
  Handler breaker_action(td::risk::BreakerAction& out) {
    using td::risk::BreakerAction;
    return word(
        out, std::vector<std::pair<std::string, BreakerAction>>{{"reduce", BreakerAction::kReduce},
                                                                {"halt", BreakerAction::kHalt},
                                                                {"alert", BreakerAction::kAlert}});
  }
  // A percentage 0..100.
  Handler percent(Decimal& out) {
    return [this, &out](const Ctx& c) {
      auto v = get_decimal(c, Bound::kNonNegative);
      if (v && *v > Decimal::from_int(100))
        return error(c, "must be between 0 and 100 (percent), got " + c.node.Scalar());
      if (v) out = *v;
    };
  }

  // ---- sections

  void api(const Ctx& c, ApiConfig& out);
  void ib(const Ctx& c, IbConfig& out);
  void market(const Ctx& c, MarketConfig& out);
  void instrument(const Ctx& c, InstrumentConfig& out,
                  std::optional<td::risk::TradingHours>& hours);
  void trading_hours(const Ctx& c, td::risk::TradingHours& out);
  void portfolio(const Ctx& c, PortfolioConfig& out);
  void risk(const Ctx& c, td::risk::RiskLimits& out);
  void risk_library_check(const td::risk::RiskLimits& limits);
  bool strategy_body(const Ctx& c, strategies::StrategySpec& spec, bool* enabled);
  void params(const Ctx& c, strategies::StrategySpec& spec);
  void strategy(const Ctx& c, StrategyConfig& out);

  std::string file_;
  std::map<Path, std::string> sources_;
  std::vector<ConfigError> errors_;
  // Where each visited key came from, for errors reported later by path.
  std::unordered_map<std::string, std::pair<std::string, int>> where_;
  // Strategy symbols and risk.allowed_symbols, checked against the
  // instruments once all are read.
  std::vector<std::pair<Ctx, std::string>> strategy_symbols_;
  std::vector<std::pair<Ctx, std::string>> risk_symbols_;
  std::set<std::string> instrument_symbols_;
  // Instruments that IB cannot name without more (FUT/OPT need expiry...),
  // checked once the mode is known.
  std::vector<std::pair<Ctx, std::string>> ib_incomplete_;
  // Symbol -> "instruments[i]" of the instruments with trading_hours.
  std::map<std::string, std::string> hours_keys_;
};

void Validator::api(const Ctx& c, ApiConfig& out) {
  std::optional<Ctx> tls;
  visit_map(
      c,
      {
          {"listen",
           [&](const Ctx& ch) {
             auto v = scalar(ch, "host:port");
             if (!v) return;
             if (auto e = parse_listen(*v, out.host, out.port)) error(ch, *e);
           }},
          {"tokens",
           [&](const Ctx& ch) {
             std::map<std::string, std::string> names, hashes;  // -> first key
             visit_seq(ch, [&](const Ctx& it, size_t) {
               ApiToken t;
               std::optional<Ctx> name_ctx, hash_ctx;
               auto present = visit_map(
                   it, {
                           {"name",
                            [&](const Ctx& x) {
                              name_ctx = x;
                              auto v = get_string(x);
                              if (!v) return;
                              if (!valid_name(*v))
                                return error(x,
                                             "must be 1-64 characters of "
                                             "[A-Za-z0-9_.-], got '" +
                                                 *v + "'");
                              t.name = *v;
                            }},
                           {"role", one_of(t.role, {"viewer", "trader", "admin"})},
                           {"sha256",
                            [&](const Ctx& x) {
                              hash_ctx = x;
                              auto v = get_string(x);
                              if (!v) return;
                              if (v->size() != 64 || !std::all_of(v->begin(), v->end(), is_hex))
                                return error(x,
                                             "must be 64 hex characters (the SHA-256 "
                                             "of the token), got " +
                                                 std::to_string(v->size()) + " characters" +
                                                 (v->size() == 64 ? " (not all hex)" : ""));
                              t.sha256 = lower(*v);
                            }},
                       });
               if (!present) return;
               for (const char* k : {"name", "role", "sha256"})
                 if (!present->count(k)) missing(it, k);
               if (!t.name.empty() && name_ctx) {
                 auto [pos, fresh] = names.emplace(t.name, it.key);
                 if (!fresh)
                   error(*name_ctx,
                         "duplicate token name '" + t.name + "' (also " + pos->second + ")");
               }
               if (!t.sha256.empty() && hash_ctx) {
                 auto [pos, fresh] = hashes.emplace(t.sha256, it.key);
                 if (!fresh) error(*hash_ctx, "same token hash as " + pos->second);
               }
               out.tokens.push_back(t);
             });
           }},
          {"tls",
           [&](const Ctx& ch) {
             tls = ch;
             visit_map(ch, {{"cert", str(out.tls_cert)}, {"key", str(out.tls_key)}});
           }},
          {"allow_insecure_listen", boolean(out.allow_insecure_listen)},
          {"metrics_public", boolean(out.metrics_public)},
          {"requests_per_second", real(out.requests_per_second, Bound::kNonNegative)},
          {"request_burst", real(out.request_burst, Bound::kPositive)},
          {"max_body_bytes", integer(out.max_body_bytes, 1024, 16 * 1024 * 1024)},
          {"max_connections", integer(out.max_connections, 1, 100000)},
          {"threads", integer(out.threads, 1, 64)},
          {"read_timeout", duration(out.read_timeout, Bound::kPositive)},
          {"idle_timeout", duration(out.idle_timeout, Bound::kPositive)},
          {"allowed_origins",
           [&](const Ctx& ch) {
             visit_seq(ch, [&](const Ctx& it, size_t) {
               auto v = get_string(it);
               if (!v) return;
               if (!(v->starts_with("http://") || v->starts_with("https://")) || v->back() == '/')
                 return error(it, "must be an origin like https://host:port, got '" + *v + "'");
               out.allowed_origins.push_back(*v);
             });
           }},
      });
  const bool loopback =
      out.host == "localhost" || out.host == "::1" || out.host.rfind("127.", 0) == 0;
  if (!loopback && out.tls_cert.empty() && !out.allow_insecure_listen)
    error(c, "api.listen " + out.host +
                 " is not loopback and api.tls is not set: tokens would cross the network in "
                 "clear; configure api.tls, or set api.allow_insecure_listen: true");
  if (tls) {
    if (!out.tls_cert.empty() && out.tls_key.empty())
      missing(*tls, "key", "api.tls.cert is set but api.tls.key is not: TLS needs both");
    if (out.tls_cert.empty() && !out.tls_key.empty())
      missing(*tls, "cert", "api.tls.key is set but api.tls.cert is not: TLS needs both");
  }
}

void Validator::ib(const Ctx& c, IbConfig& out) {
  std::optional<Ctx> restart;
  visit_map(c, {
                   {"host", str(out.host, true)},
                   {"port", integer(out.port, 1, 65535)},
                   {"client_id", integer(out.client_id, 0, INT32_MAX)},
                   {"account", str(out.account)},
                   {"order_ref_prefix", str(out.order_ref_prefix, true)},
                   {"connect_timeout", duration(out.connect_timeout, Bound::kPositive)},
                   {"heartbeat_interval", duration(out.heartbeat_interval, Bound::kPositive)},
                   {"heartbeat_timeout", duration(out.heartbeat_timeout, Bound::kPositive)},
                   {"market_data_type",
                    one_of(out.market_data_type, {"live", "frozen", "delayed", "delayed_frozen"})},
                   {"restart",
                    [&](const Ctx& r) {
                      restart = r;
                      visit_map(r,
                                {
                                    {"at", str(out.restart.at, true)},
                                    {"tz", str(out.restart.tz, true)},
                                    {"before", duration(out.restart.before, Bound::kNonNegative)},
                                    {"after", duration(out.restart.after, Bound::kNonNegative)},
                                });
                    }},
               });
  if (restart) {
    // The same checks the client makes when it builds the window.
    auto w = ib::RestartWindow::make(out.restart.tz, out.restart.at, out.restart.before,
                                     out.restart.after);
    if (!w) error(*restart, w.error().message);
  }
  const auto& prefix = out.order_ref_prefix;
  if (prefix.size() > 20 || prefix.find_first_of(" \t-") != std::string::npos)
    error(sub(c, "order_ref_prefix"), "at most 20 characters, no spaces or '-'");
}

void Validator::market(const Ctx& c, MarketConfig& out) {
  std::optional<Ctx> bar, quote;
  bool intervals_ok = true;
  auto interval = [&intervals_ok, this](Duration& d, std::optional<Ctx>& where) -> Handler {
    return [&d, &where, &intervals_ok, this](const Ctx& ch) {
      where = ch;
      if (auto v = get_duration(ch, Bound::kPositive))
        d = *v;
      else
        intervals_ok = false;
    };
  };
  visit_map(c, {
                   {"seed",
                    [&](const Ctx& ch) {
                      auto text = scalar(ch, "an integer");
                      if (!text) return;
                      uint64_t v = 0;
                      auto [end, ec] =
                          std::from_chars(text->data(), text->data() + text->size(), v);
                      if (text->empty() || ec != std::errc() || end != text->data() + text->size())
                        return error(ch, "expected an integer 0.." + std::to_string(UINT64_MAX) +
                                             ", got '" + *text + "'");
                      out.seed = v;
                    }},
                   {"speed", real(out.speed, Bound::kNonNegative)},
                   {"bar_interval", interval(out.bar_interval, bar)},
                   {"quote_interval", interval(out.quote_interval, quote)},
                   {"ack_latency", duration(out.ack_latency, Bound::kNonNegative)},
                   {"start",
                    [&](const Ctx& ch) {
                      auto v = get_string(ch);
                      if (!v) return;
                      if (v->empty()) {
                        out.start.reset();
                        return;
                      }
                      auto t = parse_time(*v);
                      if (!t)
                        return error(ch,
                                     "expected an RFC 3339 time such as 2026-01-05T14:30:00Z "
                                     "(or empty for now), got '" +
                                         *v + "'");
                      out.start = *t;
                    }},
                   {"duration", duration(out.duration, Bound::kNonNegative)},
               });
  if (intervals_ok && out.bar_interval % out.quote_interval != Duration::zero()) {
    const Ctx& where = bar ? *bar : quote ? *quote : c;
    Ctx at = where;
    if (!bar && !quote) at.key = c.key.empty() ? "bar_interval" : c.key + ".bar_interval";
    error(at, "bar_interval must be a whole multiple of quote_interval");
  }
}

void Validator::instrument(const Ctx& c, InstrumentConfig& out,
                           std::optional<td::risk::TradingHours>& hours) {
  Instrument& ins = out.instrument;
  std::optional<Decimal> per_unit, min_per_order, max_pct;
  auto present = visit_map(
      c, {
             {"symbol",
              [&](const Ctx& ch) {
                auto v = get_string(ch);
                if (!v) return;
                instrument_symbols_.insert(*v);
                if (!valid_symbol(*v))
                  return error(ch, "must be upper case letters, digits and '.', got '" + *v + "'");
                ins.symbol = Symbol(*v);
              }},
             {"sec_type",
              [&](const Ctx& ch) {
                auto v = scalar(ch, "a string");
                if (!v) return;
                auto t = parse_sec_type(*v);
                if (!t)
                  return error(ch, "must be one of STK|FUT|OPT|CASH, got '" + *v + "'" +
                                       suggestion(*v, {"STK", "FUT", "OPT", "CASH"}));
                ins.sec_type = *t;
              }},
             {"currency", str(ins.currency, true)},
             {"exchange", str(ins.exchange, true)},
             {"tick", dec(ins.tick, Bound::kPositive)},
             {"multiplier", dec(ins.multiplier, Bound::kPositive)},
             {"commission",
              [&](const Ctx& ch) {
                visit_map(ch, {
                                  {"per_unit", opt_dec(per_unit, Bound::kNonNegative)},
                                  {"min_per_order", opt_dec(min_per_order, Bound::kNonNegative)},
                                  {"max_pct",
                                   [&](const Ctx& x) {
                                     auto v = get_decimal(x, Bound::kNonNegative);
                                     if (v && *v > Decimal::from_int(100))
                                       return error(x, "must be between 0 and 100 (percent)");
                                     if (v) max_pct = *v;
                                   }},
                              });
              }},
             {"sim",
              [&](const Ctx& ch) {
                SimParams& s = out.sim;
                visit_map(ch, {
                                  {"price", dec(s.price, Bound::kPositive)},
                                  {"volatility", real(s.volatility, Bound::kNonNegative)},
                                  {"drift", real(s.drift, Bound::kAny)},
                                  {"spread_ticks", integer(s.spread_ticks, 1, 1'000'000)},
                                  {"display_size", dec(s.display_size, Bound::kPositive)},
                              });
              }},
             {"trading_hours",
              [&](const Ctx& ch) {
                hours.emplace();
                trading_hours(ch, *hours);
              }},
             {"ib",
              [&](const Ctx& ch) {
                ib::ContractOverrides& o = out.ib;
                visit_map(ch, {
                                  {"con_id", integer(o.con_id, 1, INT32_MAX)},
                                  {"symbol", str(o.symbol, true)},
                                  {"expiry",
                                   [&](const Ctx& x) {
                                     auto v = get_string(x);
                                     if (!v) return;
                                     const bool digits =
                                         !v->empty() &&
                                         v->find_first_not_of("0123456789") == std::string::npos;
                                     if (!digits || (v->size() != 6 && v->size() != 8))
                                       return error(x,
                                                    "must be YYYYMM or YYYYMMDD, got '" + *v + "'");
                                     o.expiry = *v;
                                   }},
                                  {"strike", opt_dec(o.strike, Bound::kPositive)},
                                  {"right",
                                   [&](const Ctx& x) {
                                     auto v = get_string(x);
                                     if (!v) return;
                                     if (*v != "C" && *v != "P")
                                       return error(x, "must be C or P, got '" + *v + "'");
                                     o.right = *v;
                                   }},
                                  {"exchange", str(o.exchange, true)},
                                  {"primary_exchange", str(o.primary_exchange, true)},
                                  {"local_symbol", str(o.local_symbol, true)},
                                  {"trading_class", str(o.trading_class, true)},
                              });
              }},
         });
  if (present && !present->count("symbol")) missing(c, "symbol");
  if (out.ib.con_id == 0) {
    if (ins.sec_type == SecType::kFuture && out.ib.expiry.empty())
      ib_incomplete_.emplace_back(c, "a future needs ib.expiry (YYYYMM) or ib.con_id in mode ib");
    if (ins.sec_type == SecType::kOption &&
        (out.ib.expiry.empty() || !out.ib.strike || out.ib.right.empty()))
      ib_incomplete_.emplace_back(
          c, "an option needs ib.expiry, ib.strike and ib.right (or ib.con_id) in mode ib");
  }
  // Futures pay per contract: IB's fixed rate for CME micro/E-mini futures.
  if (ins.sec_type == SecType::kFuture)
    ins.commission = CommissionSchedule{Decimal::from_units(62'000'000), Decimal(), Decimal()};
  if (per_unit) ins.commission.per_unit = *per_unit;
  if (min_per_order) ins.commission.min_per_order = *min_per_order;
  if (max_pct) ins.commission.max_pct = *max_pct;
}

void Validator::portfolio(const Ctx& c, PortfolioConfig& out) {
  visit_map(c, {
                   {"initial_cash", dec(out.initial_cash, Bound::kPositive)},
                   {"timezone",
                    [&](const Ctx& ch) {
                      auto v = get_string(ch);
                      if (!v) return;
                      if (auto cal = SessionCalendar::make(*v, "00:00"); !cal)
                        return error(ch, cal.error().message);
                      out.timezone = *v;
                    }},
                   {"session_boundary",
                    [&](const Ctx& ch) {
                      auto v = get_string(ch);
                      if (!v) return;
                      if (auto cal = SessionCalendar::make("UTC", *v); !cal)
                        return error(ch, cal.error().message);
                      out.session_boundary = *v;
                    }},
               });
}

void Validator::trading_hours(const Ctx& c, td::risk::TradingHours& out) {
  std::optional<Ctx> open_ctx, close_ctx;
  bool times_ok = true;
  auto hhmm = [&](std::chrono::minutes& m, std::optional<Ctx>& where, bool close) -> Handler {
    return [&m, &where, &times_ok, close, this](const Ctx& ch) {
      where = ch;
      auto v = scalar(ch, "a time HH:MM");
      std::optional<std::chrono::minutes> t;
      if (v && !(t = parse_hhmm(*v, close)))
        error(ch, std::string("expected a time HH:MM (") +
                      (close ? "00:00..24:00" : "00:00..23:59") + "), got '" + *v + "'");
      if (t)
        m = *t;
      else
        times_ok = false;
    };
  };
  auto present = visit_map(
      c, {
             {"timezone",
              [&](const Ctx& ch) {
                auto v = scalar(ch, "a time zone name");
                if (!v) return;
                if (auto cal = SessionCalendar::make(*v, "00:00"); !cal)
                  return error(ch, cal.error().message);
                out.timezone = *v;
              }},
             {"open", hhmm(out.open, open_ctx, false)},
             {"close", hhmm(out.close, close_ctx, true)},
             {"days",
              [&](const Ctx& ch) {
                const size_t before = errors_.size();
                std::set<int> days;
                const bool ok = visit_seq(ch, [&](const Ctx& it, size_t) {
                  auto v = scalar(it, "a day name");
                  if (!v) return;
                  const auto& names = day_names();
                  const auto pos = std::find(names.begin(), names.end(), lower(*v));
                  if (pos == names.end())
                    return error(it, "must be one of " + join(names, "|") + ", got '" + *v + "'" +
                                         suggestion(*v, names));
                  if (!days.insert(static_cast<int>(pos - names.begin())).second)
                    error(it, "duplicate day '" + *v + "'");
                });
                if (!ok || errors_.size() != before) return;
                if (days.empty())
                  return error(ch,
                               "must list at least one day (leave trading_hours out to trade "
                               "around the clock)");
                out.weekdays = std::move(days);
              }},
             {"outside_rth", boolean(out.outside_rth)},
         });
  if (present && times_ok && out.open >= out.close) {
    Ctx at = close_ctx ? *close_ctx : open_ctx ? *open_ctx : c;
    if (!close_ctx && !open_ctx) at.key = c.key + ".close";
    error(at, "close (" + format_hhmm(out.close) + ") must be after open (" +
                  format_hhmm(out.open) + "): sessions across midnight are not supported");
  }
}

void Validator::risk(const Ctx& c, td::risk::RiskLimits& out) {
  using td::risk::ThrottleAction;
  std::optional<Ctx> min_notional_ctx, losses_ctx, cooldown_ctx;
  auto noted = [](std::optional<Ctx>& where, Handler h) -> Handler {
    return [&where, h = std::move(h)](const Ctx& ch) {
      where = ch;
      h(ch);
    };
  };
  constexpr int64_t kMaxRate = td::risk::kMaxRateLimit;
  const auto nonneg = Bound::kNonNegative;
  visit_map(c, {
                   // Pre-trade checks.
                   {"max_order_qty", dec(out.max_order_qty, nonneg)},
                   {"max_order_notional", dec(out.max_order_notional, nonneg)},
                   {"min_notional", noted(min_notional_ctx, dec(out.min_notional, nonneg))},
                   {"price_collar_pct", percent(out.price_collar_pct)},
                   {"reference_max_age", duration(out.reference_max_age, nonneg)},
                   {"max_position_qty", dec(out.max_position_qty, nonneg)},
                   {"max_position_notional", dec(out.max_position_notional, nonneg)},
                   {"max_gross_exposure", dec(out.max_gross_exposure, nonneg)},
                   {"max_net_exposure", dec(out.max_net_exposure, nonneg)},
                   {"max_working_orders", integer(out.max_working_orders, 0, INT64_MAX)},
                   {"max_orders_per_second", integer(out.max_orders_per_second, 0, kMaxRate)},
                   {"max_orders_per_minute", integer(out.max_orders_per_minute, 0, kMaxRate)},
                   {"throttle", word(out.throttle_action,
                                     std::vector<std::pair<std::string, ThrottleAction>>{
                                         {"refuse", ThrottleAction::kRefuse},
                                         {"queue", ThrottleAction::kQueue}})},
                   {"duplicate_window", duration(out.duplicate_window, nonneg)},
                   {"allowed_symbols",
                    [&](const Ctx& ch) {
                      std::set<Symbol> syms;
                      visit_seq(ch, [&](const Ctx& it, size_t) {
                        auto v = scalar(it, "a symbol");
                        if (!v) return;
                        if (v->empty()) return error(it, "must not be empty");
                        if (!syms.insert(Symbol(*v)).second)
                          return error(it, "duplicate symbol '" + *v + "'");
                        risk_symbols_.emplace_back(it, *v);
                      });
                      out.allowed_symbols = std::move(syms);
                    }},
                   {"allow_short", boolean(out.allow_short)},
                   // Circuit breakers.
                   {"daily_loss_limit", dec(out.daily_loss_limit, nonneg)},
                   {"daily_loss_action", breaker_action(out.daily_loss_action)},
                   {"max_drawdown", dec(out.max_drawdown, nonneg)},
                   {"max_drawdown_pct", percent(out.max_drawdown_pct)},
                   {"max_drawdown_action", breaker_action(out.max_drawdown_action)},
                   {"max_consecutive_losses",
                    noted(losses_ctx, integer(out.max_consecutive_losses, 0, INT64_MAX))},
                   {"consecutive_losses_cooldown",
                    noted(cooldown_ctx, duration(out.consecutive_losses_cooldown, nonneg))},
                   {"consecutive_losses_action", breaker_action(out.consecutive_losses_action)},
                   {"max_position_duration", duration(out.max_position_duration, nonneg)},
                   {"stale_data_after", duration(out.stale_data_after, nonneg)},
                   {"broker_disconnect_after", duration(out.broker_disconnect_after, nonneg)},
                   {"broker_disconnect_action", breaker_action(out.broker_disconnect_action)},
               });
  if (min_notional_ctx && out.min_notional.sign() > 0 && out.max_order_notional.sign() > 0 &&
      out.min_notional > out.max_order_notional)
    error(*min_notional_ctx, "min_notional (" + out.min_notional.to_string() +
                                 ") is above max_order_notional (" +
                                 out.max_order_notional.to_string() + "): no order could pass");
  if (out.max_consecutive_losses > 0 && out.consecutive_losses_cooldown <= Duration::zero())
    error(cooldown_ctx ? *cooldown_ctx : *losses_ctx,
          "must be > 0 when max_consecutive_losses is set");
}

// td::risk::validate() is the risk library's own check of a whole set of
// limits (limit changes at run time go through it too). The loader checks
// every rule it knows with the key's line; this reports any the library
// adds, under the key it belongs to, and none that was reported already.
void Validator::risk_library_check(const td::risk::RiskLimits& limits) {
  const size_t before = errors_.size();
  for (const std::string& problem : td::risk::validate(limits)) {
    const size_t colon = problem.find(": ");
    std::string field = colon == std::string::npos ? "" : problem.substr(0, colon);
    const std::string message = colon == std::string::npos ? problem : problem.substr(colon + 2);
    // "field" or "trading_hours.SYMBOL[.part]" (a symbol may contain '.').
    std::string key = "risk";
    constexpr std::string_view kHours = "trading_hours.";
    if (field.compare(0, kHours.size(), kHours) == 0) {
      const std::string rest = field.substr(kHours.size());
      for (const auto& [sym, ins_key] : hours_keys_) {
        if (rest != sym && rest.compare(0, sym.size() + 1, sym + ".") != 0) continue;
        std::string part = rest.size() > sym.size() ? rest.substr(sym.size() + 1) : "";
        if (part == "weekdays") part = "days";
        key = ins_key + ".trading_hours" + (part.empty() ? "" : "." + part);
        break;
      }
    } else if (!field.empty()) {
      key += "." + (field == "throttle_action" ? std::string("throttle") : field);
    }
    auto within = [](const std::string& inner, const std::string& outer) {
      return inner == outer ||
             (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
              (inner[outer.size()] == '.' || inner[outer.size()] == '['));
    };
    const bool reported =
        std::any_of(errors_.begin(), errors_.begin() + static_cast<std::ptrdiff_t>(before),
                    [&](const ConfigError& e) { return within(e.key, key) || within(key, e.key); });
    if (reported) continue;
    // The line of the key, else of its nearest written ancestor.
    ConfigError e{file_, 0, key, message};
    for (std::string probe = key; !probe.empty();) {
      if (auto w = where_.find(probe); w != where_.end()) {
        e.source = w->second.first, e.line = w->second.second;
        break;
      }
      const size_t cut = probe.find_last_of(".[");
      probe.erase(cut == std::string::npos ? 0 : cut);
    }
    errors_.push_back(std::move(e));
  }
}

// params: scalars kept as written; for ensembles, `members` is a list of
// {type, params} turned into StrategySpec::members.
void Validator::params(const Ctx& c, strategies::StrategySpec& spec) {
  each_entry(c, [&](const std::string& name, const Ctx& ch) {
    if (name == "members" && (spec.type == "ensemble" || ch.node.IsSequence())) {
      // An unknown type was reported already: still check the members.
      if (!spec.type.empty() && spec.type != "ensemble")
        return error(ch, "only strategies of type 'ensemble' have members");
      if (ch.node.IsNull()) return error(ch, "expected a list of {type, params}, got nothing");
      visit_seq(ch, [&](const Ctx& m, size_t) {
        strategies::StrategySpec member;
        strategy_body(m, member, nullptr);
        spec.members.push_back(std::move(member));
      });
      return;
    }
    if (ch.node.IsNull()) return error(ch, "parameter has no value");
    if (!ch.node.IsScalar())
      return error(ch, "parameter values must be single values, got " + describe(ch.node));
    spec.params[name] = ch.node.Scalar();
  });
}

// A strategy entry, or (member = true) an ensemble member, which has only
// type and params. Returns whether the spec can be handed to make_strategy():
// nothing in it was unreadable (a bad name does not matter to the strategy).
bool Validator::strategy_body(const Ctx& c, strategies::StrategySpec& spec, bool* enabled) {
  const bool member = enabled == nullptr;
  const size_t before = errors_.size();
  std::optional<Ctx> params_ctx, symbol_ctx, symbols_ctx;
  std::vector<Field> fields = {
      {"type",
       [&](const Ctx& ch) {
         auto v = get_string(ch);
         if (!v) return;
         const auto& types = strategies::strategy_types();
         if (std::find(types.begin(), types.end(), *v) == types.end())
           return error(ch, "unknown strategy type '" + *v + "'" + suggestion(*v, types) +
                                " (known: " + join(types, ", ") + ")");
         spec.type = *v;
       }},
      {"params", [&](const Ctx& ch) { params_ctx = ch; }},
  };
  if (!member) {
    const std::vector<Field> entry_fields = {
        {"name",
         [&](const Ctx& ch) {
           auto v = get_string(ch);
           if (!v) return;
           if (!valid_name(*v))
             return error(ch, "must be 1-64 characters of [A-Za-z0-9_.-], got '" + *v + "'");
           spec.name = *v;
         }},
        {"symbol",
         [&](const Ctx& ch) {
           symbol_ctx = ch;
           auto v = get_string(ch);
           if (!v) return;
           if (v->empty()) return error(ch, "must not be empty");
           spec.symbols = {Symbol(*v)};
           strategy_symbols_.emplace_back(ch, *v);
         }},
        {"symbols",
         [&](const Ctx& ch) {
           symbols_ctx = ch;
           std::vector<Symbol> syms;
           const bool ok = visit_seq(ch, [&](const Ctx& it, size_t) {
             auto v = get_string(it);
             if (!v) return;
             if (v->empty()) return error(it, "must not be empty");
             if (std::find(syms.begin(), syms.end(), Symbol(*v)) != syms.end())
               return error(it, "duplicate symbol '" + *v + "'");
             syms.emplace_back(*v);
             strategy_symbols_.emplace_back(it, *v);
           });
           if (ok && syms.empty() && errors_.size() == before)
             return error(ch, "must list at least one symbol");
           spec.symbols = std::move(syms);
         }},
        {"qty", dec(spec.qty, Bound::kPositive)},
        {"notional",
         [&](const Ctx& ch) {
           if (auto v = get_decimal(ch, Bound::kPositive)) spec.notional = *v;
         }},
        {"allow_short", boolean(spec.allow_short)},
        {"enabled", boolean(*enabled)},
    };
    fields.insert(fields.end(), entry_fields.begin(), entry_fields.end());
  }
  auto present = visit_map(c, fields);
  if (!present) return false;
  if (!present->count("type")) missing(c, "type");
  if (!member) {
    if (!present->count("name")) missing(c, "name");
    if (symbol_ctx && symbols_ctx) error(*symbols_ctx, "give either symbol or symbols, not both");
    if (!symbol_ctx && !symbols_ctx)
      missing(c, "symbol", "missing required key 'symbol' (or 'symbols')");
  }
  // params last: whether `members` is allowed depends on the type.
  if (params_ctx) params(*params_ctx, spec);
  const std::string name_key = c.key + ".name";
  return std::all_of(errors_.begin() + static_cast<std::ptrdiff_t>(before), errors_.end(),
                     [&](const ConfigError& e) { return e.key == name_key; });
}

void Validator::strategy(const Ctx& c, StrategyConfig& out) {
  const size_t before = errors_.size();
  if (!strategy_body(c, out.spec, &out.enabled)) return;
  strategies::MakeResult made;
  try {
    made = strategies::make_strategy(out.spec);
  } catch (const std::exception& e) {
    return error(c, std::string("cannot build the strategy: ") + e.what());
  }
  if (made) return;
  for (const auto& pe : made.error()) {
    Ctx at = c;
    at.key = pe.path.empty() ? c.key : c.key + "." + pe.path;
    const bool reported =
        std::any_of(errors_.begin() + static_cast<std::ptrdiff_t>(before), errors_.end(),
                    [&](const ConfigError& e) { return e.key == at.key; });
    if (reported) continue;
    // The line of the parameter itself, else of its nearest written ancestor.
    for (std::string probe = at.key; probe.size() > c.key.size();) {
      if (auto w = where_.find(probe); w != where_.end()) {
        at.source = w->second.first, at.line = w->second.second;
        break;
      }
      const size_t cut = probe.find_last_of(".[");
      if (cut == std::string::npos || cut < c.key.size()) break;
      probe.erase(cut);
    }
    error(at, pe.message);
  }
}

Config Validator::run(const YAML::Node& root_node) {
  Config cfg;
  Ctx root;
  root.node = root_node;
  root.source = file_;
  root.line = line_of(root_node);
  visit_map(
      root,
      {
          {"mode", one_of(cfg.mode, {"paper", "ib"})},
          {"data_dir", str(cfg.data_dir, true)},
          {"api", [&](const Ctx& c) { api(c, cfg.api); }},
          {"database",
           [&](const Ctx& c) {
             visit_map(c, {{"dsn", str(cfg.database_dsn)}});
           }},
          {"backtest",
           [&](const Ctx& c) {
             visit_map(
                 c, {{"slippage_bps",
                      [&](const Ctx& ch) {
                        auto v = get_decimal(ch, Bound::kNonNegative);
                        if (v && *v >= Decimal::from_int(10000))
                          return error(
                              ch, "must be below 10000 (basis points), got " + ch.node.Scalar());
                        if (v) cfg.backtest.slippage_bps = *v;
                      }},
                     {"bar_interval", duration(cfg.backtest.bar_interval, Bound::kPositive)},
                     {"periods_per_year", real(cfg.backtest.periods_per_year, Bound::kPositive)}});
           }},
          {"recovery",
           [&](const Ctx& c) {
             visit_map(c,
                       {{"adopt_broker_positions", boolean(cfg.recovery_adopt_broker_positions)}});
           }},
          {"broker",
           [&](const Ctx& c) {
             visit_map(c, {{"ib", [&](const Ctx& x) { ib(x, cfg.ib); }}});
           }},
          {"market", [&](const Ctx& c) { market(c, cfg.market); }},
          {"instruments",
           [&](const Ctx& c) {
             std::map<std::string, std::string> seen;  // symbol -> first key
             visit_seq(c, [&](const Ctx& it, size_t) {
               InstrumentConfig ic;
               std::optional<td::risk::TradingHours> hours;
               instrument(it, ic, hours);
               if (ic.instrument.symbol.empty()) return;
               auto [pos, fresh] = seen.emplace(ic.instrument.symbol.str(), it.key);
               if (!fresh)
                 error(sub(it, "symbol"), "duplicate symbol '" + ic.instrument.symbol.str() +
                                              "' (also " + pos->second + ")");
               else if (hours) {
                 cfg.risk.trading_hours[ic.instrument.symbol] = std::move(*hours);
                 hours_keys_[ic.instrument.symbol.str()] = it.key;
               }
               cfg.instruments.push_back(std::move(ic));
             });
           }},
          {"engine",
           [&](const Ctx& c) {
             visit_map(c, {{"cpu", integer(cfg.engine.cpu, -1, 1023)}});
           }},
          {"portfolio", [&](const Ctx& c) { portfolio(c, cfg.portfolio); }},
          {"risk", [&](const Ctx& c) { risk(c, cfg.risk); }},
          {"strategies",
           [&](const Ctx& c) {
             std::map<std::string, std::string> seen;
             visit_seq(c, [&](const Ctx& it, size_t) {
               StrategyConfig sc;
               strategy(it, sc);
               if (!sc.spec.name.empty()) {
                 auto [pos, fresh] = seen.emplace(sc.spec.name, it.key);
                 if (!fresh)
                   error(sub(it, "name"), "duplicate strategy name '" + sc.spec.name + "' (also " +
                                              pos->second + ")");
               }
               cfg.strategies.push_back(std::move(sc));
             });
           }},
          {"log",
           [&](const Ctx& c) {
             visit_map(c, {{"level",
                            one_of(cfg.log.level, {"trace", "debug", "info", "warn", "error"})}});
           }},
      });
  for (const auto* list : {&strategy_symbols_, &risk_symbols_})
    for (const auto& [at, sym] : *list)
      if (!instrument_symbols_.count(sym))
        error(at, "unknown symbol '" + sym + "': not in instruments");
  if (cfg.mode == "ib")
    for (const auto& [at, why] : ib_incomplete_) error(at, why);
  risk_library_check(cfg.risk);
  return cfg;
}

}  // namespace

tl::expected<Config, std::vector<ConfigError>> load_config(const LoadOptions& options) {
  std::vector<ConfigError> errors;
  YAML::Node root;
  if (!options.path.empty()) {
    std::error_code ec;
    if (std::filesystem::is_directory(options.path, ec))
      return tl::unexpected(std::vector<ConfigError>{
          {options.path, 0, "", "cannot read the configuration file: it is a directory"}});
    std::ifstream in(options.path, std::ios::binary);
    if (!in)
      return tl::unexpected(std::vector<ConfigError>{
          {options.path, 0, "",
           std::string("cannot read the configuration file: ") + std::strerror(errno)}});
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
      return tl::unexpected(std::vector<ConfigError>{
          {options.path, 0, "", "cannot read the configuration file: read error"}});
    try {
      std::vector<YAML::Node> docs = YAML::LoadAll(text.str());
      if (docs.size() > 1)
        errors.push_back({options.path, line_of(docs[1]), "",
                          "more than one YAML document ('---'): the configuration is one"});
      if (!docs.empty()) root = docs.front();
    } catch (const YAML::Exception& e) {
      return tl::unexpected(
          std::vector<ConfigError>{{options.path, e.mark.is_null() ? 0 : e.mark.line + 1, "",
                                    "YAML syntax error: " + e.msg}});
    }
    if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
      errors.push_back(
          {options.path, line_of(root), "",
           "the top level must be a map of keys (mode, api, market, ...), got " + describe(root)});
      return tl::unexpected(std::move(errors));
    }
  }
  if (!root.IsDefined() || root.IsNull()) root.reset(YAML::Node(YAML::NodeType::Map));

  // Overrides: environment (in name order), then --set (in order; later wins).
  std::vector<Override> overrides;
  for (const auto& [name, value] : options.env) {
    if (name.size() <= kEnvPrefix.size() || name.compare(0, kEnvPrefix.size(), kEnvPrefix) != 0)
      continue;
    Override o;
    o.source = name;
    std::string rest = name.substr(kEnvPrefix.size());
    bool ok = true;
    for (size_t start = 0;;) {
      const size_t sep = rest.find("__", start);
      std::string part = lower(rest.substr(start, sep == std::string::npos ? sep : sep - start));
      if (part.empty()) ok = false;
      o.path.push_back(part);
      if (sep == std::string::npos) break;
      start = sep + 2;
    }
    o.key = path_text(o.path, o.path.size());
    if (!ok) {
      errors.push_back({name, 0, o.key, "empty key part: use __ only between keys"});
      continue;
    }
    std::string err;
    auto v = parse_value(value, err);
    if (!v) {
      errors.push_back({name, 0, o.key, err});
      continue;
    }
    o.value = *v;
    overrides.push_back(std::move(o));
  }
  for (const auto& set : options.sets) {
    Override o;
    o.source = "--set";
    const size_t eq = set.find('=');
    o.key = set.substr(0, eq);
    if (eq == std::string::npos) {
      errors.push_back({"--set", 0, o.key, "expected dotted.key=value"});
      continue;
    }
    auto path = parse_dotted(o.key);
    if (!path) {
      errors.push_back({"--set", 0, o.key,
                        "bad key: expected dotted.key (e.g. risk.max_order_qty or "
                        "strategies.0.qty)"});
      continue;
    }
    o.path = *path;
    o.key = path_text(o.path, o.path.size());
    std::string err;
    auto v = parse_value(set.substr(eq + 1), err);
    if (!v) {
      errors.push_back({"--set", 0, o.key, err});
      continue;
    }
    o.value = *v;
    overrides.push_back(std::move(o));
  }
  std::map<Path, std::string> sources;
  for (const auto& o : overrides) {
    try {
      if (auto e = apply_override(root, o, sources)) errors.push_back({o.source, 0, o.key, *e});
    } catch (const YAML::Exception& e) {  // not expected: every step is type-checked
      errors.push_back({o.source, 0, o.key, std::string("cannot apply: ") + e.what()});
    }
  }

  Validator v(options.path, std::move(sources));
  Config cfg;
  try {
    cfg = v.run(root);
  } catch (const YAML::Exception& e) {  // not expected: every access is type-checked
    v.errors().push_back({options.path, 0, "", std::string("internal error: ") + e.what()});
  }
  errors.insert(errors.end(), v.errors().begin(), v.errors().end());
  if (!errors.empty()) {
    // File errors first in line order, then the overrides' in the order found.
    std::stable_sort(errors.begin(), errors.end(), [&](const ConfigError& a, const ConfigError& b) {
      const bool fa = a.source == options.path, fb = b.source == options.path;
      if (fa != fb) return fa;
      return fa && a.line < b.line;
    });
    return tl::unexpected(std::move(errors));
  }
  return cfg;
}

std::string format_errors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += e.source;
    if (e.line > 0) out += ":" + std::to_string(e.line);
    out += ": ";
    if (!e.key.empty()) out += e.key + ": ";
    out += e.message;
    out += '\n';
  }
  return out;
}

std::map<std::string, std::string> tradingd_environment() {
  std::map<std::string, std::string> env;
  for (char** p = environ; p && *p; ++p) {
    std::string_view entry(*p);
    if (entry.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

namespace {
// The live-trading ports of IB Gateway and TWS.
bool is_live_ib_port(uint16_t port) {
  return port == 4001 || port == 7496;
}
}  // namespace

std::vector<std::string> config_warnings(const Config& config) {
  std::vector<std::string> out;
  if (config.mode != "ib" || !is_live_ib_port(config.ib.port)) return out;
  const std::string where = "broker.ib.port " + std::to_string(config.ib.port) + " is a LIVE port";
  // Numbers a small account does not mean to risk on one order or one day.
  const Decimal large_notional = Decimal::from_int(250000);
  const Decimal large_loss = Decimal::from_int(50000);
  auto check = [&](const char* key, const Decimal& v, const Decimal& large) {
    if (v.is_zero())
      out.push_back(where + " and risk." + key + " is off (0)");
    else if (v > large)
      out.push_back(where + " and risk." + key + " is " + v.to_string() + " (above " +
                    large.to_string() + ")");
  };
  check("max_order_qty", config.risk.max_order_qty, Decimal::from_int(10000));
  check("max_order_notional", config.risk.max_order_notional, large_notional);
  check("daily_loss_limit", config.risk.daily_loss_limit, large_loss);
  return out;
}

}  // namespace td::daemon
