#include "backtest/report_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/file_io.h"

namespace td::backtest {
namespace {

using nlohmann::json;

constexpr mode_t kReportMode = 0644;

std::string dump(const json& j, int indent = -1) {
  // Symbols and file names need not be valid UTF-8: replace, never throw.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json ratio(const std::optional<double>& v) {
  if (v && std::isfinite(*v)) return *v;
  return nullptr;
}

// ---- hand formatting for the equity CSV (no allocation) ----

// "00".."99": two digits per division.
constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char* put_uint(char* p, uint64_t v) {
  char tmp[20];
  char* const end = tmp + sizeof tmp;
  char* q = end;
  while (v >= 100) {
    q -= 2;
    std::memcpy(q, kPairs + (v % 100) * 2, 2);
    v /= 100;
  }
  if (v >= 10) {
    q -= 2;
    std::memcpy(q, kPairs + v * 2, 2);
  } else {
    *--q = char('0' + v);
  }
  std::memcpy(p, q, static_cast<size_t>(end - q));
  return p + (end - q);
}

// Decimal units in the shortest exact form, as Decimal::to_string().
// Writes up to 9 bytes past the returned end (the row buffer has room).
char* put_decimal(char* p, int64_t units) {
  uint64_t a = static_cast<uint64_t>(units);
  if (units < 0) {
    *p++ = '-';
    a = uint64_t{0} - a;
  }
  constexpr auto kOne = static_cast<uint64_t>(Decimal::kUnitsPerOne);
  p = put_uint(p, a / kOne);
  const auto fp = static_cast<uint32_t>(a % kOne);
  if (fp != 0) {
    *p++ = '.';
    const uint32_t hi = fp / 10000, lo = fp % 10000;
    std::memcpy(p, kPairs + (hi / 100) * 2, 2);
    std::memcpy(p + 2, kPairs + (hi % 100) * 2, 2);
    std::memcpy(p + 4, kPairs + (lo / 100) * 2, 2);
    std::memcpy(p + 6, kPairs + (lo % 100) * 2, 2);
    int len = Decimal::kScale;
    while (p[len - 1] == '0') --len;
    p += len;
  }
  return p;
}

char* put2(char* p, int64_t v) {
  p[0] = char('0' + v / 10);
  p[1] = char('0' + v % 10);
  return p + 2;
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// "YYYY-MM-DDT" of a day number since 1970-01-01 (H. Hinnant's civil_from_days).
void format_date(int64_t days, char* out) {
  const int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  // Timestamps hold years 1677..2262: always four digits.
  out[0] = char('0' + y / 1000);
  out[1] = char('0' + y / 100 % 10);
  put2(out + 2, y % 100);
  out[4] = '-';
  put2(out + 5, m);
  out[7] = '-';
  put2(out + 8, d);
  out[10] = 'T';
}

// ---- HTML ----

std::string money(const Decimal& d) {
  return html_escape(d.to_string());
}

std::string percent(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? fmt::format("{:.2f}%", *v * 100) : "n/a";
}
std::string number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? fmt::format("{:.4f}", *v) : "n/a";
}

// A JSON value as text: strings as they are, anything else as compact JSON.
std::string json_text(const json& v) {
  return html_escape(v.is_string() ? v.get_ref<const std::string&>() : dump(v));
}

void key_value_table(std::string& out, const json& obj) {
  if (!obj.is_object()) {
    out += "<pre>" + html_escape(dump(obj, 2)) + "</pre>\n";
    return;
  }
  out += "<table class=\"kv\">\n";
  for (const auto& [k, v] : obj.items())
    out += "<tr><th>" + html_escape(k) + "</th><td>" + json_text(v) + "</td></tr>\n";
  out += "</table>\n";
}

struct Plot {
  double width = 960, height = 280, left = 90, right = 10, top = 10, bottom = 24;
  double x(size_t i, size_t n) const {
    const double w = width - left - right;
    return n <= 1 ? left + w / 2 : left + w * static_cast<double>(i) / static_cast<double>(n - 1);
  }
  double y(double v, double lo, double hi) const {
    const double h = height - top - bottom;
    return hi > lo ? top + h * (hi - v) / (hi - lo) : top + h / 2;
  }
};

void svg_open(std::string& out, const Plot& p, const char* label) {
  out += fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      p.width, p.height, label);
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n",
                     p.left, p.top, p.width - p.left - p.right, p.height - p.top - p.bottom);
}

void svg_axis_text(std::string& out, const Plot& p, const std::string& y_hi,
                   const std::string& y_lo, const std::vector<EquitySampler::Bucket>& b) {
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"ylab\">{}</text>\n", p.left - 6, p.top + 10,
                     html_escape(y_hi));
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"ylab\">{}</text>\n", p.left - 6,
                     p.height - p.bottom, html_escape(y_lo));
  if (b.empty()) return;
  out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", p.left, p.height - 6,
                     html_escape(format_rfc3339(b.front().first_time)));
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"end\">{}</text>\n", p.width - p.right,
                     p.height - 6, html_escape(format_rfc3339(b.back().last_time)));
}

void equity_svg(std::string& out, const std::vector<EquitySampler::Bucket>& b) {
  const Plot p;
  svg_open(out, p, "Equity curve");
  if (!b.empty()) {
    Decimal lo = b[0].min, hi = b[0].max;
    for (const auto& k : b) lo = std::min(lo, k.min), hi = std::max(hi, k.max);
    const double l = lo.to_double(), h = hi.to_double();
    // The band between each bucket's min and max, then the line of last values.
    std::string band, line;
    for (size_t i = 0; i < b.size(); ++i)
      band += fmt::format("{:.1f},{:.1f} ", p.x(i, b.size()), p.y(b[i].max.to_double(), l, h));
    for (size_t i = b.size(); i-- > 0;)
      band += fmt::format("{:.1f},{:.1f} ", p.x(i, b.size()), p.y(b[i].min.to_double(), l, h));
    for (size_t i = 0; i < b.size(); ++i)
      line += fmt::format("{:.1f},{:.1f} ", p.x(i, b.size()), p.y(b[i].last.to_double(), l, h));
    out += "<polygon class=\"band\" points=\"" + band + "\"/>\n";
    out += "<polyline class=\"equity\" points=\"" + line + "\"/>\n";
    svg_axis_text(out, p, hi.to_string(2), lo.to_string(2), b);
  }
  out += "</svg>\n";
}

void drawdown_svg(std::string& out, const std::vector<EquitySampler::Bucket>& b) {
  Plot p;
  p.height = 160;
  svg_open(out, p, "Drawdown");
  if (!b.empty()) {
    double worst = 0;
    for (const auto& k : b) worst = std::max(worst, k.max_drawdown);
    const double lo = -(worst > 0 ? worst : 1.0);
    std::string area = fmt::format("{:.1f},{:.1f} ", p.x(0, b.size()), p.y(0, lo, 0));
    for (size_t i = 0; i < b.size(); ++i)
      area += fmt::format("{:.1f},{:.1f} ", p.x(i, b.size()), p.y(-b[i].max_drawdown, lo, 0));
    area += fmt::format("{:.1f},{:.1f}", p.x(b.size() - 1, b.size()), p.y(0, lo, 0));
    out += "<polygon class=\"dd\" points=\"" + area + "\"/>\n";
    svg_axis_text(out, p, "0%", fmt::format("-{:.2f}%", -lo * 100), b);
  }
  out += "</svg>\n";
}

constexpr const char* kCss = R"(body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
th{background:#f3f3f3}table.kv th{text-align:left}table.kv td{text-align:left}
.chart{width:100%;max-width:960px;height:auto;display:block}
.chart text{font-size:11px;fill:#555}.chart .ylab,.chart .end{text-anchor:end}
.frame{fill:none;stroke:#ccc}.band{fill:#9ecae1;stroke:none;opacity:.6}
.equity{fill:none;stroke:#08519c;stroke-width:1.2}.dd{fill:#de2d26;opacity:.7}
.neg{color:#b00}.note{color:#666}pre{background:#f6f6f6;padding:8px;overflow:auto}
)";

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

json metrics_json(const Metrics& m) {
  json j;
  j["initial_cash"] = m.initial_cash.to_string();
  j["final_equity"] = m.final_equity.to_string();
  j["net_profit"] = m.net_profit.to_string();
  j["commissions"] = m.commissions.to_string();
  j["gross_profit"] = m.gross_profit.to_string();
  j["gross_loss"] = m.gross_loss.to_string();
  j["bars"] = m.bars;
  j["trades"] = m.trades;
  j["wins"] = m.wins;
  j["losses"] = m.losses;
  j["total_return"] = ratio(m.total_return);
  j["cagr"] = ratio(m.cagr);
  j["sharpe"] = ratio(m.sharpe);
  j["sortino"] = ratio(m.sortino);
  j["max_drawdown"] = ratio(m.max_drawdown);
  j["max_drawdown_duration_bars"] = m.max_drawdown_duration_bars;
  j["win_rate"] = ratio(m.win_rate);
  j["profit_factor"] = ratio(m.profit_factor);
  j["exposure"] = ratio(m.exposure);
  j["periods_per_year"] = m.periods_per_year;
  return j;
}

Status write_report_json(const std::string& path, const Metrics& m, const json& info) {
  if (!info.is_null() && !info.is_object())
    return make_error(ErrorCode::kInvalidArgument, "report info must be a JSON object");
  json out = info.is_null() ? json::object() : info;
  out["metrics"] = metrics_json(m);
  return write_file_atomically(path, dump(out, 2) + "\n", kReportMode);
}

Status write_trades_csv(const std::string& path, const std::vector<Trade>& trades) {
  std::string out = "entry_time,exit_time,side,qty,entry_price,exit_price,pnl,commission\n";
  out.reserve(out.size() + trades.size() * 120);
  for (const Trade& t : trades) {
    out += format_rfc3339(t.entry_time);
    out += ',';
    out += format_rfc3339(t.exit_time);
    out += t.side < 0 ? ",short," : ",long,";
    out += t.qty.to_string();
    out += ',';
    out += t.entry_price.to_string();
    out += ',';
    out += t.exit_price.to_string();
    out += ',';
    out += t.pnl.to_string();
    out += ',';
    out += t.commission.to_string();
    out += '\n';
  }
  return write_file_atomically(path, out, kReportMode);
}

// ---- EquityCsvWriter ----

EquityCsvWriter::~EquityCsvWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status EquityCsvWriter::open(const std::string& path) {
  if (fd_ >= 0) return make_error(ErrorCode::kInternal, "equity CSV already open");
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kReportMode);
  if (fd_ < 0)
    return make_error(ErrorCode::kUnavailable,
                      "cannot create " + path + ": " + std::strerror(errno));
  path_ = path;
  error_.clear();
  cached_day_ = INT64_MIN;
  if (!buf_) buf_ = std::make_unique<char[]>(kBufferSize);
  static constexpr std::string_view kHeader = "time,equity,drawdown\n";
  std::memcpy(buf_.get(), kHeader.data(), kHeader.size());
  used_ = kHeader.size();
  return {};
}

void EquityCsvWriter::flush() {
  const char* p = buf_.get();
  size_t left = used_;
  used_ = 0;
  while (left > 0 && error_.empty()) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = "cannot write " + path_ + ": " + std::strerror(errno);
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void EquityCsvWriter::add(Timestamp t, Decimal equity, double drawdown) {
  if (fd_ < 0) return;
  if (kBufferSize - used_ < kMaxRow) flush();
  char* p = buf_.get() + used_;
  const int64_t ns = to_unix_nanos(t);
  const int64_t secs = floor_div(ns, 1'000'000'000);
  const int64_t ms = (ns - secs * 1'000'000'000) / 1'000'000;
  const int64_t day = floor_div(secs, 86'400);
  const int64_t sod = secs - day * 86'400;
  if (day != cached_day_) {
    format_date(day, date_);
    cached_day_ = day;
  }
  std::memcpy(p, date_, sizeof date_);  // "YYYY-MM-DDT"
  p += sizeof date_;
  p = put2(p, sod / 3600);
  *p++ = ':';
  p = put2(p, sod / 60 % 60);
  *p++ = ':';
  p = put2(p, sod % 60);
  *p++ = '.';
  *p++ = char('0' + ms / 100);
  p = put2(p, ms % 100);
  *p++ = 'Z';
  *p++ = ',';
  p = put_decimal(p, equity.units());
  *p++ = ',';
  // Drawdown to 8 decimals; a value no Decimal holds (NaN, huge) is left empty.
  if (std::isfinite(drawdown) && std::fabs(drawdown) < 9e10)
    p = put_decimal(p, std::llround(drawdown * static_cast<double>(Decimal::kUnitsPerOne)));
  *p++ = '\n';
  used_ = static_cast<size_t>(p - buf_.get());
}

Status EquityCsvWriter::close() {
  if (fd_ < 0) return {};
  flush();
  if (::close(fd_) != 0 && error_.empty())
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
  fd_ = -1;
  if (!error_.empty()) return make_error(ErrorCode::kUnavailable, error_);
  return {};
}

// ---- EquitySampler ----

void EquitySampler::add(Timestamp t, Decimal equity, double drawdown) {
  ++bars_;
  if (buckets_.empty() || buckets_.back().count == per_bucket_) {
    if (buckets_.size() == kMaxBuckets) {
      // All full (kMaxBuckets is even): merge neighbours, double the size.
      for (size_t i = 0; i < kMaxBuckets / 2; ++i) {
        const Bucket& a = buckets_[2 * i];
        const Bucket& b = buckets_[2 * i + 1];
        Bucket m = a;
        m.last_time = b.last_time;
        m.min = std::min(a.min, b.min);
        m.max = std::max(a.max, b.max);
        m.last = b.last;
        m.max_drawdown = std::max(a.max_drawdown, b.max_drawdown);
        m.count = a.count + b.count;
        buckets_[i] = m;
      }
      buckets_.resize(kMaxBuckets / 2);
      per_bucket_ *= 2;
    }
    buckets_.push_back(Bucket{t, t, equity, equity, equity, drawdown, 1});
    return;
  }
  Bucket& k = buckets_.back();
  k.last_time = t;
  k.min = std::min(k.min, equity);
  k.max = std::max(k.max, equity);
  k.last = equity;
  k.max_drawdown = std::max(k.max_drawdown, drawdown);
  ++k.count;
}

// ---- HTML ----

Status write_report_html(const std::string& path, const Metrics& m, const json& info,
                         const EquitySampler& equity, const std::vector<Trade>& trades) {
  std::string out;
  out.reserve(64 * 1024 + std::min(trades.size(), kMaxHtmlTrades) * 260);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Backtest report</title>\n<style>\n";
  out += kCss;
  out += "</style>\n</head>\n<body>\n<h1>Backtest report</h1>\n";

  const json empty = json::object();
  const json& data = info.is_object() && info.contains("data") ? info["data"] : empty;
  if (!data.empty()) {
    out += "<h2>Data</h2>\n";
    key_value_table(out, data);
  }

  out += "<h2>Metrics</h2>\n<table class=\"kv\" id=\"metrics\">\n";
  auto row = [&out](const char* name, const std::string& value) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", name, value);
  };
  row("initial_cash", money(m.initial_cash));
  row("final_equity", money(m.final_equity));
  row("net_profit", money(m.net_profit));
  row("total_return", percent(m.total_return));
  row("cagr", percent(m.cagr));
  row("sharpe", number(m.sharpe));
  row("sortino", number(m.sortino));
  row("max_drawdown", percent(m.max_drawdown));
  row("max_drawdown_duration_bars", std::to_string(m.max_drawdown_duration_bars));
  row("bars", std::to_string(m.bars));
  row("exposure", percent(m.exposure));
  row("trades", std::to_string(m.trades));
  row("wins", std::to_string(m.wins));
  row("losses", std::to_string(m.losses));
  row("win_rate", percent(m.win_rate));
  row("profit_factor", number(m.profit_factor));
  row("gross_profit", money(m.gross_profit));
  row("gross_loss", money(m.gross_loss));
  row("commissions", money(m.commissions));
  row("periods_per_year", fmt::format("{}", m.periods_per_year));
  out += "</table>\n";

  out += "<h2>Equity</h2>\n";
  equity_svg(out, equity.buckets());
  out += "<h2>Drawdown</h2>\n";
  drawdown_svg(out, equity.buckets());
  if (equity.bars_per_bucket() > 1)
    out += fmt::format("<p class=\"note\">{} bars, {} per point (band: min to max).</p>\n",
                       equity.bars(), equity.bars_per_bucket());

  if (info.is_object()) {
    for (const char* key : {"parameters", "warnings"}) {
      if (!info.contains(key)) continue;
      out += fmt::format("<h2>{}</h2>\n", key[0] == 'p' ? "Parameters" : "Warnings");
      const json& v = info[key];
      if (v.is_array()) {
        out += "<ul>\n";
        for (const auto& e : v) out += "<li>" + json_text(e) + "</li>\n";
        out += "</ul>\n";
      } else {
        key_value_table(out, v);
      }
    }
    for (const auto& [k, v] : info.items()) {
      if (k == "data" || k == "parameters" || k == "warnings") continue;
      out += "<details><summary>" + html_escape(k) + "</summary>\n<pre>" + html_escape(dump(v, 2)) +
             "</pre></details>\n";
    }
  }

  out += fmt::format("<h2>Trades ({})</h2>\n", trades.size());
  out +=
      "<table id=\"trades\">\n<tr><th>#</th><th>symbol</th><th>side</th><th>entry_time</th>"
      "<th>exit_time</th><th>qty</th><th>entry_price</th><th>exit_price</th><th>pnl</th>"
      "<th>commission</th></tr>\n";
  const size_t shown = std::min(trades.size(), kMaxHtmlTrades);
  for (size_t i = 0; i < shown; ++i) {
    const Trade& t = trades[i];
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td{}>{}</td><td>{}</td></tr>\n",
        i + 1, html_escape(t.symbol.str()), t.side < 0 ? "short" : "long",
        format_rfc3339(t.entry_time), format_rfc3339(t.exit_time), money(t.qty),
        money(t.entry_price), money(t.exit_price), t.pnl.sign() < 0 ? " class=\"neg\"" : "",
        money(t.pnl), money(t.commission));
  }
  out += "</table>\n";
  if (trades.size() > shown)
    out += fmt::format(
        "<p class=\"note\">{} more trades not shown (the first {} are listed; see the trades "
        "CSV).</p>\n",
        trades.size() - shown, shown);
  out += "</body>\n</html>\n";
  return write_file_atomically(path, out, kReportMode);
}

}  // namespace td::backtest
