#include "tradectl/format.h"

#include <algorithm>
#include <cctype>

namespace td::tradectl {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string reformat(std::string_view in, bool pretty) {
  std::string out;
  out.reserve(in.size() + in.size() / 4);
  int depth = 0;
  auto newline = [&] {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<std::size_t>(std::max(depth, 0)) * 2, ' ');
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '"') {
      const std::size_t start = i++;
      while (i < in.size() && in[i] != '"') {
        if (in[i] == '\\') ++i;
        ++i;
      }
      out.append(in.substr(start, i - start + 1));
      continue;
    }
    if (is_ws(c)) continue;
    switch (c) {
      case '{':
      case '[': {
        std::size_t j = i + 1;
        while (j < in.size() && is_ws(in[j])) ++j;
        if (j < in.size() && in[j] == (c == '{' ? '}' : ']')) {
          out += c;
          out += in[j];
          i = j;
          break;
        }
        out += c;
        ++depth;
        newline();
        break;
      }
      case '}':
      case ']':
        --depth;
        newline();
        out += c;
        break;
      case ',':
        out += ',';
        newline();
        break;
      case ':':
        out += pretty ? ": " : ":";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void flatten(const std::string& prefix, const Json& v,
             std::vector<std::pair<std::string, std::string>>& lines) {
  if (v.is_object()) {
    if (v.empty() && !prefix.empty()) lines.emplace_back(prefix, "{}");
    for (const auto& [k, child] : v.items()) {
      flatten(prefix.empty() ? k : prefix + "." + k, child, lines);
    }
  } else if (v.is_array()) {
    const bool scalars =
        std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_primitive(); });
    if (scalars) {
      std::string joined;
      for (const auto& e : v) {
        if (!joined.empty()) joined += ",";
        joined += cell(e);
      }
      lines.emplace_back(prefix, v.empty() ? "-" : joined);
    } else {
      for (std::size_t i = 0; i < v.size(); ++i) {
        flatten(prefix + "[" + std::to_string(i) + "]", v[i], lines);
      }
    }
  } else {
    lines.emplace_back(prefix, cell(v));
  }
}

}  // namespace

bool valid_json(std::string_view text) {
  return Json::accept(text);
}
std::string pretty_json(std::string_view text) {
  return reformat(text, true);
}
std::string compact_json(std::string_view text) {
  return reformat(text, false);
}
std::string json_quote(std::string_view s) {
  return Json(std::string(s)).dump();
}

std::string cell(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

void print_table(std::ostream& out, const std::vector<Column>& columns, const Json& rows,
                 bool header) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width;
  for (const auto& c : columns) width.push_back(c.header.size());
  if (rows.is_array()) {
    for (const auto& row : rows) {
      std::vector<std::string> line;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        std::string s = "-";
        if (row.is_object() && row.contains(columns[i].key)) s = cell(row[columns[i].key]);
        width[i] = std::max(width[i], s.size());
        line.push_back(std::move(s));
      }
      cells.push_back(std::move(line));
    }
  }
  auto emit = [&](auto get) {
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string& s = get(i);
      line += s;
      if (i + 1 < columns.size()) line.append(width[i] - s.size() + 2, ' ');
    }
    out << line << '\n';
  };
  if (header) emit([&](std::size_t i) -> const std::string& { return columns[i].header; });
  for (const auto& line : cells) emit([&](std::size_t i) -> const std::string& { return line[i]; });
}

void print_key_values(std::ostream& out, const Json& object) {
  std::vector<std::pair<std::string, std::string>> lines;
  flatten("", object, lines);
  std::size_t width = 0;
  for (const auto& [k, v] : lines) width = std::max(width, k.size());
  for (const auto& [k, v] : lines) {
    out << k << std::string(width - k.size() + 2, ' ') << v << '\n';
  }
}

const std::vector<Column>& order_columns() {
  static const std::vector<Column> c{{"ID", "id"},
                                     {"CLIENT_ID", "client_order_id"},
                                     {"SYMBOL", "symbol"},
                                     {"SIDE", "side"},
                                     {"QTY", "qty"},
                                     {"FILLED", "filled_qty"},
                                     {"AVG_PRICE", "avg_fill_price"},
                                     {"TYPE", "type"},
                                     {"LIMIT", "limit_price"},
                                     {"STOP", "stop_price"},
                                     {"TIF", "tif"},
                                     {"STATUS", "status"},
                                     {"CREATED", "created_at"}};
  return c;
}
const std::vector<Column>& queue_columns() {
  static const std::vector<Column> c{{"ID", "id"},
                                     {"CLIENT_ID", "client_order_id"},
                                     {"SYMBOL", "symbol"},
                                     {"SIDE", "side"},
                                     {"QTY", "qty"},
                                     {"TYPE", "type"},
                                     {"LIMIT", "limit_price"},
                                     {"STOP", "stop_price"},
                                     {"STATUS", "status"},
                                     {"REASON", "queued_reason"},
                                     {"SUBMIT_AT", "submit_at"}};
  return c;
}
const std::vector<Column>& fill_columns() {
  static const std::vector<Column> c{
      {"ID", "id"},   {"ORDER_ID", "order_id"}, {"SYMBOL", "symbol"},         {"SIDE", "side"},
      {"QTY", "qty"}, {"PRICE", "price"},       {"COMMISSION", "commission"}, {"TIME", "time"}};
  return c;
}
const std::vector<Column>& position_columns() {
  static const std::vector<Column> c{
      {"SYMBOL", "symbol"},          {"QTY", "qty"},
      {"AVG_COST", "avg_cost"},      {"MKT_PRICE", "market_price"},
      {"MKT_VALUE", "market_value"}, {"UNREALIZED", "unrealized_pnl"},
      {"REALIZED", "realized_pnl"},  {"REALIZED_TODAY", "realized_pnl_today"}};
  return c;
}
const std::vector<Column>& strategy_columns() {
  static const std::vector<Column> c{{"NAME", "name"},         {"TYPE", "type"},
                                     {"ENABLED", "enabled"},   {"SYMBOLS", "symbols"},
                                     {"POSITION", "position"}, {"PNL", "pnl"}};
  return c;
}
const std::vector<Column>& event_columns() {
  static const std::vector<Column> c{
      {"SEQ", "seq"}, {"TIME", "time"}, {"TYPE", "type"}, {"ACTOR", "actor"}, {"DATA", "data"}};
  return c;
}

const std::vector<Column>& pnl_point_columns() {
  static const std::vector<Column> c{{"TIME", "time"},
                                     {"EQUITY", "equity"},
                                     {"REALIZED", "realized"},
                                     {"UNREALIZED", "unrealized"}};
  return c;
}

void print_problem(std::ostream& err, int status, std::string_view reason, std::string_view body,
                   std::string_view request_id) {
  Json p;
  if (valid_json(body)) p = Json::parse(body);
  if (p.is_object() && (p.contains("type") || p.contains("title") || p.contains("detail"))) {
    std::string line = "error " + std::to_string(status);
    std::string slug;
    if (p.contains("type") && p["type"].is_string()) {
      slug = p["type"].get<std::string>();
      if (auto pos = slug.rfind('/'); pos != std::string::npos) slug = slug.substr(pos + 1);
      if (slug == "blank") slug.clear();  // "about:blank"
    }
    if (!slug.empty()) line += " " + slug;
    if (p.contains("check") && p["check"].is_string()) {
      line += " (check " + p["check"].get<std::string>() + ")";
    }
    std::string detail;
    if (p.contains("detail") && p["detail"].is_string()) detail = p["detail"].get<std::string>();
    if (detail.empty() && p.contains("title") && p["title"].is_string()) {
      detail = p["title"].get<std::string>();
    }
    if (!detail.empty()) line += ": " + detail;
    err << line << '\n';
    if (p.contains("errors") && p["errors"].is_array()) {
      for (const auto& e : p["errors"]) {
        if (!e.is_object()) continue;
        const std::string field = e.contains("field") ? cell(e["field"]) : "";
        const std::string message = e.contains("message") ? cell(e["message"]) : "";
        err << "  " << (field.empty() ? "(body)" : field) << ": " << message << '\n';
      }
    }
  } else {
    err << "error " << status;
    if (!reason.empty()) err << " " << reason;
    std::string_view first = body.substr(0, std::min<std::size_t>(body.find('\n'), 200));
    if (!first.empty()) err << ": " << first;
    err << '\n';
  }
  if (!request_id.empty()) err << "request id: " << request_id << '\n';
}

}  // namespace td::tradectl
