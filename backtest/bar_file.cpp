#include "backtest/bar_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ostream>

namespace td::backtest {

enum class BarFile::Kind {
  kFile,
  kFields,
  kNumber,
  kTime,
  kUnsorted,
  kDuplicate,
  kHigh,
  kLow,
  kPrice,
  kVolume,
  kLineTooLong,
};

namespace {

constexpr std::string_view kHeader = "time,open,high,low,close,volume";
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kFields = 6;
constexpr size_t kInferBars = 1000;
constexpr const char* kFieldNames[kFields] = {"time", "open", "high", "low", "close", "volume"};
// Timestamp's range in whole seconds (as core/time.cpp's parse_time).
constexpr int64_t kMinSeconds = -9'223'372'036;
constexpr int64_t kMaxSeconds = 9'223'372'035;
constexpr uint64_t kPow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
constexpr uint64_t kMaxWhole = 92'233'720'368;  // INT64_MAX / 1e8

std::string_view kind_name(int k) {
  static constexpr std::string_view kNames[] = {"file",
                                                "wrong field count",
                                                "bad number",
                                                "bad time",
                                                "unsorted time",
                                                "duplicate time",
                                                "high below open/close",
                                                "low above open/close",
                                                "non-positive price",
                                                "negative volume",
                                                "line too long"};
  return kNames[k];
}

inline bool is_digit(char c) {
  return static_cast<unsigned>(c - '0') <= 9;
}
inline int digit(char c) {
  return c - '0';
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

// [+-]d{1,11}(.d{1,8})? straight into Decimal units; nullptr for every other
// form (exponents, too many digits, syntax errors), which Decimal::parse then
// judges. Returns where the number stopped.
const char* fast_decimal(const char* p, const char* e, int64_t& units) {
  bool neg = false;
  if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
  const char* s = p;
  uint64_t ip = 0;
  while (p < e && is_digit(*p)) ip = ip * 10 + digit(*p++);
  const auto ni = p - s;
  if (ni == 0 || ni > 11 || ip > kMaxWhole) return nullptr;
  uint64_t fp = 0;
  ptrdiff_t nf = 0;
  if (p < e && *p == '.') {
    const char* fs = ++p;
    while (p < e && is_digit(*p)) fp = fp * 10 + digit(*p++);
    nf = p - fs;
    if (nf == 0 || nf > 8) return nullptr;
  }
  const uint64_t u = ip * 100'000'000 + fp * kPow10[8 - nf];
  if (u > static_cast<uint64_t>(INT64_MAX)) return nullptr;
  units = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
  return p;
}

std::string clip(std::string_view s) {
  constexpr size_t kMax = 60;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

std::string time_text(Timestamp t) {
  return format_rfc3339(t);
}

}  // namespace

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0s";
  std::string out;
  int64_t ns = d.count();
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  constexpr int64_t kS = 1'000'000'000;
  const int64_t secs = ns / kS, rest = ns % kS;
  const int64_t days = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
  if (days) out += std::to_string(days) + "d";
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  if (rest)
    out += rest % 1'000'000 == 0 ? std::to_string(rest / 1'000'000) + "ms"
                                 : std::to_string(rest) + "ns";
  return out;
}

BarFile::BarFile(std::string path, int fd, std::string_view memory, DataCheckOptions opts)
    : path_(std::move(path)), fd_(fd), opts_(opts), memory_(memory) {
  if (fd_ >= 0) {
    buffer_.resize(std::max<size_t>(opts_.buffer_bytes, 64));
    begin_ = end_ = buffer_.data();
  } else {
    begin_ = memory_.data();
    end_ = memory_.data() + memory_.size();
    eof_ = true;
  }
  quality_.interval = opts_.interval;
  inferring_ = !opts_.interval;
}

BarFile::~BarFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<BarFile>> BarFile::open(const std::string& path, DataCheckOptions opts) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    return make_error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument,
                      "cannot open: " + std::string(std::strerror(e)));
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<BarFile>(new BarFile(path, fd, {}, opts));
}

std::unique_ptr<BarFile> BarFile::from_memory(std::string_view data, std::string name,
                                              DataCheckOptions opts) {
  return std::unique_ptr<BarFile>(new BarFile(std::move(name), -1, data, opts));
}

void BarFile::problem(uint64_t line, Kind kind, std::string message) {
  ++quality_.errors;
  ++quality_.errors_by_kind[std::string(kind_name(static_cast<int>(kind)))];
  if (problems_.size() < opts_.max_stored_problems)
    problems_.push_back({line, true, std::move(message)});
}

void BarFile::warning(uint64_t line, std::string message) {
  ++quality_.warnings;
  if (problems_.size() < opts_.max_stored_problems)
    problems_.push_back({line, false, std::move(message)});
}

// Moves the unread rest to the front of the buffer and reads behind it. A
// line that fills the whole buffer is reported and skipped up to its end.
bool BarFile::fill() {
  char* const buf = buffer_.data();
  const size_t cap = buffer_.size();
  auto read_some = [&](char* at, size_t n) -> ssize_t {
    for (;;) {
      const ssize_t r = ::read(fd_, at, n);
      if (r >= 0 || errno != EINTR) return r;
    }
  };
  auto read_failed = [&] {
    fatal_ = true;
    problem(0, Kind::kFile, "read error: " + std::string(std::strerror(errno)));
    return false;
  };
  size_t rest = static_cast<size_t>(end_ - begin_);
  if (rest == cap) {
    ++line_no_;
    const std::string msg = "line longer than " + std::to_string(cap) + " bytes";
    if (!header_seen_) {
      fatal_ = true;
      problem(line_no_, Kind::kFile,
              "wrong header: expected '" + std::string(kHeader) + "', found a " + msg);
      return false;
    }
    ++quality_.rows;
    problem(line_no_, Kind::kLineTooLong, msg);
    for (;;) {
      const ssize_t n = read_some(buf, cap);
      if (n < 0) return read_failed();
      if (n == 0) {
        eof_ = true;
        begin_ = end_ = buf;
        return true;
      }
      const char* nl = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
      if (nl) {
        begin_ = nl + 1;
        end_ = buf + n;
        return true;
      }
    }
  }
  if (rest > 0 && begin_ != buf) std::memmove(buf, begin_, rest);
  begin_ = buf;
  end_ = buf + rest;
  const ssize_t n = read_some(buf + rest, cap - rest);
  if (n < 0) return read_failed();
  if (n == 0) eof_ = true;
  end_ += n;
  return true;
}

bool BarFile::next_line(std::string_view& line) {
  for (;;) {
    if (begin_ < end_) {
      const auto* nl =
          static_cast<const char*>(std::memchr(begin_, '\n', static_cast<size_t>(end_ - begin_)));
      if (nl) {
        line = std::string_view(begin_, static_cast<size_t>(nl - begin_));
        begin_ = nl + 1;
        ++line_no_;
        return true;
      }
    }
    if (eof_) {
      if (begin_ == end_) return false;
      line = std::string_view(begin_, static_cast<size_t>(end_ - begin_));
      begin_ = end_;
      ++line_no_;
      return true;
    }
    if (!fill()) return false;
  }
}

// "YYYY-MM-DDTHH:MM:SSZ" with the day number cached while the date repeats.
bool BarFile::parse_time_fast(std::string_view s, Timestamp& out) {
  const char* p = s.data();
  if (s.size() != 20 || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != 'Z') return false;
  if (!date_cached_ || std::memcmp(p, date_cache_, 10) != 0) {
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
      if (!is_digit(p[i])) return false;
    if (p[4] != '-' || p[7] != '-') return false;
    const int64_t y = digit(p[0]) * 1000 + digit(p[1]) * 100 + digit(p[2]) * 10 + digit(p[3]);
    const unsigned m = static_cast<unsigned>(digit(p[5]) * 10 + digit(p[6]));
    const unsigned d = static_cast<unsigned>(digit(p[8]) * 10 + digit(p[9]));
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
    date_days_ = days_from_civil(y, m, d);
    std::memcpy(date_cache_, p, 10);
    date_cached_ = true;
  }
  for (int i : {11, 12, 14, 15, 17, 18})
    if (!is_digit(p[i])) return false;
  const int h = digit(p[11]) * 10 + digit(p[12]);
  const int mi = digit(p[14]) * 10 + digit(p[15]);
  const int sec = digit(p[17]) * 10 + digit(p[18]);
  if (h > 23 || mi > 59 || sec > 59) return false;
  const int64_t secs = date_days_ * 86400 + h * 3600 + mi * 60 + sec;
  if (secs < kMinSeconds || secs > kMaxSeconds) return false;
  out = from_unix_seconds(secs);
  return true;
}

// The hot path: six fields in one pass, no allocation. Anything unusual (an
// offset, an exponent, a wrong field count, a bad value) goes to
// row_field_errors, which splits the row properly and either accepts it
// (forms only the general parsers know) or reports every bad field.
bool BarFile::parse_row(std::string_view line, BarRow& row) {
  const char* p = line.data();
  const char* const e = p + line.size();
  bool ok = false;
  do {
    const char* c = static_cast<const char*>(std::memchr(p, ',', static_cast<size_t>(e - p)));
    if (!c) break;
    const std::string_view t(p, static_cast<size_t>(c - p));
    if (!parse_time_fast(t, row.time)) {
      // Epoch seconds: up to 10 digits.
      if (t.empty() || t.size() > 10) break;
      int64_t v = 0;
      bool digits = true;
      for (char ch : t) {
        if (!is_digit(ch)) {
          digits = false;
          break;
        }
        v = v * 10 + digit(ch);
      }
      if (!digits || v > kMaxSeconds) break;
      row.time = from_unix_seconds(v);
    }
    p = c + 1;
    Decimal* const out[5] = {&row.open, &row.high, &row.low, &row.close, &row.volume};
    int i = 0;
    for (; i < 5; ++i) {
      int64_t units = 0;
      const char* q = fast_decimal(p, e, units);
      if (!q) break;
      *out[i] = Decimal::from_units(units);
      if (i < 4) {
        if (q == e || *q != ',') break;
        p = q + 1;
      } else if (q != e) {
        break;
      }
    }
    ok = i == 5;
  } while (false);
  if (ok) return true;
  row_field_errors(line);
  return false;
}

void BarFile::row_field_errors(std::string_view line) {
  std::string_view f[kFields];
  size_t n = 0;
  size_t start = 0;
  for (;;) {
    const size_t c = line.find(',', start);
    const std::string_view field = line.substr(start, c == std::string_view::npos ? c : c - start);
    if (n < kFields) f[n] = field;
    ++n;
    if (c == std::string_view::npos) break;
    start = c + 1;
  }
  if (n != kFields) {
    problem(line_no_, Kind::kFields, "expected 6 fields, found " + std::to_string(n));
    return;
  }
  BarRow row;
  bool ok = true;
  if (auto t = parse_time(f[0])) {
    row.time = *t;
  } else {
    ok = false;
    problem(line_no_, Kind::kTime, "time: not a time: '" + clip(f[0]) + "'");
  }
  Decimal* const out[5] = {&row.open, &row.high, &row.low, &row.close, &row.volume};
  for (size_t i = 1; i < kFields; ++i) {
    auto d = Decimal::parse(f[i]);
    if (d) {
      *out[i - 1] = *d;
      continue;
    }
    ok = false;
    std::string what;
    switch (d.error()) {
      case DecimalError::kEmpty:
        what = "empty";
        break;
      case DecimalError::kPrecision:
        what = "more than 8 decimal places: '" + clip(f[i]) + "'";
        break;
      case DecimalError::kOverflow:
        what = "out of range: '" + clip(f[i]) + "'";
        break;
      default:
        what = "not a number: '" + clip(f[i]) + "'";
    }
    problem(line_no_, Kind::kNumber, std::string(kFieldNames[i]) + ": " + what);
  }
  if (!ok) return;
  // Every field is fine in a form the fast path does not take: check it as usual.
  row.line = line_no_;
  if (check_bar(row)) {
    accepted_ = row;
    has_accepted_ = true;
  }
}

bool BarFile::check_bar(const BarRow& row) {
  const uint64_t errors = quality_.errors;
  if (row.high < std::max(row.open, row.close))
    problem(row.line, Kind::kHigh,
            "high " + row.high.to_string() + " is below max(open, close) " +
                std::max(row.open, row.close).to_string());
  if (row.low > std::min(row.open, row.close))
    problem(row.line, Kind::kLow,
            "low " + row.low.to_string() + " is above min(open, close) " +
                std::min(row.open, row.close).to_string());
  const std::pair<const char*, Decimal> prices[4] = {
      {"open", row.open}, {"high", row.high}, {"low", row.low}, {"close", row.close}};
  for (const auto& [name, v] : prices)
    if (v.sign() <= 0)
      problem(row.line, Kind::kPrice, std::string(name) + " is not positive: " + v.to_string());
  if (row.volume.sign() < 0)
    problem(row.line, Kind::kVolume, "volume is negative: " + row.volume.to_string());
  if (prev_) {
    if (row.time < prev_->time)
      problem(row.line, Kind::kUnsorted,
              "unsorted time: " + time_text(row.time) + " is before " + time_text(prev_->time) +
                  " of line " + std::to_string(prev_->line) + " (the previous good bar)");
    else if (row.time == prev_->time)
      problem(row.line, Kind::kDuplicate,
              "duplicate time: " + time_text(row.time) + " (as line " +
                  std::to_string(prev_->line) + ")");
  }
  if (quality_.errors != errors) return false;
  if (prev_ && quality_.interval && !inferring_) check_gap(*prev_, row);
  prev_ = row;
  ++quality_.good_bars;
  if (!quality_.first) quality_.first = row.time;
  quality_.last = row.time;
  return true;
}

void BarFile::check_gap(const BarRow& prev, const BarRow& row) {
  const Duration step = row.time - prev.time;
  if (step <= *quality_.interval) return;
  ++quality_.gaps;
  quality_.largest_gap = std::max(quality_.largest_gap, step);
  warning(row.line, "gap of " + format_duration(step) + " between line " +
                        std::to_string(prev.line) + " and line " + std::to_string(row.line));
}

bool BarFile::read_bar(BarRow& row) {
  std::string_view line;
  while (!fatal_ && next_line(line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!header_seen_) {
      if (line_no_ == 1 && line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
      if (line.empty()) continue;
      if (line != kHeader) {
        fatal_ = true;
        problem(
            line_no_, Kind::kFile,
            "wrong header: expected '" + std::string(kHeader) + "', found '" + clip(line) + "'");
        return false;
      }
      header_seen_ = true;
      continue;
    }
    if (line.empty()) continue;
    ++quality_.rows;
    if (parse_row(line, row)) {
      row.line = line_no_;
      if (check_bar(row)) return true;
    } else if (has_accepted_) {
      has_accepted_ = false;
      row = accepted_;
      return true;
    }
  }
  return false;
}

// Holds back the first good bars until the interval is known, then checks
// their gaps; the problems found meanwhile are put back in line order.
bool BarFile::fill_pending() {
  pending_.reserve(kInferBars);
  BarRow row;
  while (pending_.size() < kInferBars && read_bar(row)) pending_.push_back(row);
  inferring_ = false;
  std::optional<Duration> smallest;
  for (size_t i = 1; i < pending_.size(); ++i) {
    const Duration step = pending_[i].time - pending_[i - 1].time;
    if (step.count() > 0 && (!smallest || step < *smallest)) smallest = step;
  }
  quality_.interval = smallest;
  if (!smallest) return !pending_.empty();
  const uint64_t warnings = quality_.warnings;
  for (size_t i = 1; i < pending_.size(); ++i) check_gap(pending_[i - 1], pending_[i]);
  if (quality_.warnings != warnings)
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const DataProblem& a, const DataProblem& b) { return a.line < b.line; });
  return !pending_.empty();
}

void BarFile::finish() {
  if (finished_) return;
  finished_ = true;
  if (fatal_) return;
  if (!header_seen_)
    problem(0, Kind::kFile, "empty file: expected the header '" + std::string(kHeader) + "'");
  else if (quality_.rows == 0)
    problem(0, Kind::kFile, "no bars: the file has a header only");
}

bool BarFile::next(BarRow& row) {
  if (inferring_) fill_pending();
  if (pending_pos_ < pending_.size()) {
    row = pending_[pending_pos_++];
    return true;
  }
  if (read_bar(row)) return true;
  finish();
  return false;
}

void BarFile::drain() {
  BarRow row;
  while (next(row)) {
  }
}

void print_problems(const BarFile& f, std::ostream& err) {
  const std::string& name = f.path();
  uint64_t gaps_printed = 0, errors_printed = 0;
  for (const DataProblem& p : f.problems()) {
    if (p.error) {
      ++errors_printed;
    } else if (gaps_printed++ >= kPrintedGaps) {
      continue;
    }
    err << name;
    if (p.line > 0) err << ':' << p.line;
    err << (p.error ? ": error: " : ": warning: ") << p.message << '\n';
  }
  const DataQuality& q = f.quality();
  if (q.errors > errors_printed)
    err << name << ": ... and " << q.errors - errors_printed << " more errors (not kept)\n";
  if (q.gaps > kPrintedGaps) err << name << ": ... and " << q.gaps - kPrintedGaps << " more gaps\n";
}

}  // namespace td::backtest
