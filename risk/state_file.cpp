// The risk state file (docs/risk.md, "State file"): one "key value" per line
// after a version line, strings quoted and escaped, times in RFC 3339 with
// nanoseconds, an "end" line last (a file cut short is corrupt, not partial).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "core/file_io.h"
#include "risk/risk_manager.h"

namespace td::risk {
namespace {

constexpr std::string_view kHeader = "tradingd-risk-state";
constexpr std::string_view kVersion = "1";
constexpr size_t kMaxFileSize = 1 << 20;

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

std::optional<std::string> unquote(std::string_view v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::nullopt;
  v = v.substr(1, v.size() - 2);
  std::string out;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '"') return std::nullopt;  // unescaped quote inside
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == v.size()) return std::nullopt;
    switch (v[i]) {
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x': {
        if (i + 2 >= v.size()) return std::nullopt;
        const int hi = hex(v[i + 1]), lo = hex(v[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

// RFC 3339 with all nine fraction digits (exact), or "-" for none.
std::string time_text(const std::optional<Timestamp>& t) {
  if (!t) return "-";
  const auto secs = std::chrono::floor<std::chrono::seconds>(*t);
  const int64_t nanos = (*t - secs).count();
  std::string s = format_rfc3339(Timestamp(secs));  // "...:SS.000Z"
  const auto dot = s.rfind('.');
  return s.substr(0, dot) + fmt::format(".{:09}Z", nanos);
}

std::string serialize(const PersistedRiskState& s) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += key;
    out += ' ';
    out += value;
    out += '\n';
  };
  out += fmt::format("{} {}\n", kHeader, kVersion);
  line("trading.state", std::string(to_string(s.trading.state)));
  line("trading.reason", quote(s.trading.reason));
  line("trading.by", quote(s.trading.by));
  line("trading.since", time_text(s.trading.since));
  line("kill_switch.engaged", s.kill_switch.engaged ? "true" : "false");
  line("kill_switch.reason", quote(s.kill_switch.reason));
  line("kill_switch.engaged_by", quote(s.kill_switch.engaged_by));
  line("kill_switch.engaged_at", time_text(s.kill_switch.engaged_at));
  line("kill_switch.rearmed_at", time_text(s.kill_switch.rearmed_at));
  line("kill_switch.rearmed_by", quote(s.kill_switch.rearmed_by));
  out += "end\n";
  return out;
}

}  // namespace

std::string serialize_state(const PersistedRiskState& s) {
  return serialize(s);
}

Status save_state_file(const std::string& path, const PersistedRiskState& s) {
  if (auto st = write_file_atomically(path, serialize(s)); !st)
    return make_error(st.error().code, "risk state file: " + st.error().message);
  return {};
}

Result<PersistedRiskState> load_state_file(const std::string& path) {
  auto read = read_small_file(path, kMaxFileSize);
  if (!read) return make_error(read.error().code, "risk state file: " + read.error().message);
  if (!*read) return PersistedRiskState{};
  const std::string text = std::move(**read);

  auto corrupt = [&](size_t line, const std::string& what) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("risk state file {}:{}: {}", path, line, what));
  };
  std::map<std::string, std::pair<std::string, size_t>> values;  // key -> (value, line)
  size_t lineno = 0, pos = 0;
  bool ended = false;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos)
      return corrupt(lineno + 1, "last line not terminated (cut short?)");
    const std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    if (ended) {
      if (!line.empty()) return corrupt(lineno, "text after the end line");
      continue;
    }
    if (lineno == 1) {
      const std::string prefix = std::string(kHeader) + " ";
      if (!line.starts_with(prefix))
        return corrupt(
            1, fmt::format("not a tradingd risk state file (expected '{} {}')", kHeader, kVersion));
      const std::string_view version = line.substr(prefix.size());
      if (version != kVersion)
        return corrupt(1, fmt::format("unknown version '{}' (this build reads version {})", version,
                                      kVersion));
      continue;
    }
    if (line == "end") {
      ended = true;
      continue;
    }
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0)
      return corrupt(lineno, fmt::format("expected 'key value', got '{}'", line));
    std::string key(line.substr(0, sp));
    if (values.count(key)) return corrupt(lineno, fmt::format("duplicate key '{}'", key));
    values.emplace(std::move(key), std::pair{std::string(line.substr(sp + 1)), lineno});
  }
  if (lineno == 0) return corrupt(1, "empty file");
  if (!ended) return corrupt(lineno, "no 'end' line (file cut short?)");

  PersistedRiskState s;
  std::optional<Error> error;  // the first problem in line order
  size_t error_line = 0;
  auto fail = [&](size_t line, const std::string& what) {
    if (!error || line < error_line) error = corrupt(line, what).value(), error_line = line;
  };
  auto take = [&](const char* key) -> std::optional<std::pair<std::string, size_t>> {
    auto it = values.find(key);
    if (it == values.end()) {
      fail(lineno, fmt::format("missing key '{}'", key));
      return std::nullopt;
    }
    auto v = std::move(it->second);
    values.erase(it);
    return v;
  };
  auto str = [&](const char* key, std::string& out) {
    if (auto v = take(key)) {
      if (auto u = unquote(v->first))
        out = std::move(*u);
      else
        fail(v->second, fmt::format("{}: not a quoted string: {}", key, v->first));
    }
  };
  auto time = [&](const char* key, std::optional<Timestamp>& out) {
    if (auto v = take(key)) {
      if (v->first == "-") {
        out.reset();
      } else if (auto t = parse_time(v->first); t && v->first.find('T') != std::string::npos) {
        out = *t;
      } else {
        fail(v->second, fmt::format("{}: not an RFC 3339 time or '-': {}", key, v->first));
      }
    }
  };
  if (auto v = take("trading.state")) {
    if (auto st = parse_trading_state(v->first))
      s.trading.state = *st;
    else
      fail(v->second, fmt::format("trading.state: unknown state '{}'", v->first));
  }
  str("trading.reason", s.trading.reason);
  str("trading.by", s.trading.by);
  time("trading.since", s.trading.since);
  if (auto v = take("kill_switch.engaged")) {
    if (v->first == "true" || v->first == "false")
      s.kill_switch.engaged = v->first == "true";
    else
      fail(v->second, fmt::format("kill_switch.engaged: not true or false: {}", v->first));
  }
  str("kill_switch.reason", s.kill_switch.reason);
  str("kill_switch.engaged_by", s.kill_switch.engaged_by);
  time("kill_switch.engaged_at", s.kill_switch.engaged_at);
  time("kill_switch.rearmed_at", s.kill_switch.rearmed_at);
  str("kill_switch.rearmed_by", s.kill_switch.rearmed_by);
  for (const auto& [key, v] : values) fail(v.second, fmt::format("unknown key '{}'", key));
  if (error) return tl::unexpected(*error);
  return s;
}

}  // namespace td::risk
