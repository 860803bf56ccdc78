#pragma once
// One bar CSV file (backtest-semantics.md, "Bars"; docs/backtest.md, "Data
// files"), read and checked in one streaming pass. Why streaming and by hand:
// a backtest over years of one-minute bars must not hold the file in memory,
// and parsing must not be the bottleneck of a loop that runs millions of bars
// per second — so a fixed read buffer (read(2) in big blocks), fields parsed in
// place into Decimal units, no allocation per row. Why the checks live here:
// `tradingd check-data` and the backtest see exactly the same problems with the
// same line numbers, and the backtest only ever receives bars that passed them.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/status.h"
#include "core/time.h"

namespace td::backtest {

struct BarRow {
  Timestamp time;  // the bar's open time
  Decimal open, high, low, close, volume;
  uint64_t line = 0;  // 1-based line in the file
};

struct DataProblem {
  uint64_t line = 0;  // 0 = the file as a whole
  bool error = true;  // false = warning (gaps)
  std::string message;
};

struct DataCheckOptions {
  // Steps between consecutive good bars larger than this are gap warnings.
  // Unset: inferred as the smallest positive step among the first 1000 good bars.
  std::optional<Duration> interval;
  size_t max_stored_problems = 10000;  // problems() keeps this many; counts stay exact
  size_t buffer_bytes = 4 << 20;       // the read buffer (the longest line it can hold)
};

struct DataQuality {
  uint64_t rows = 0;       // data lines (not the header, not empty lines)
  uint64_t good_bars = 0;  // rows that passed every check
  uint64_t errors = 0;     // error problems (a row can have several)
  uint64_t warnings = 0;
  uint64_t gaps = 0;
  std::optional<Timestamp> first, last;  // of the good bars
  Duration largest_gap{};                // the largest step counted as a gap; 0 without gaps
  std::optional<Duration> interval;      // used (given) or inferred
  std::map<std::string, uint64_t> errors_by_kind;
};

class BarFile {
 public:
  // The file at `path`; an error (with strerror) when it cannot be opened.
  static Result<std::unique_ptr<BarFile>> open(const std::string& path, DataCheckOptions opts = {});
  // The bytes of `data` (not copied: they must outlive the BarFile), named
  // `name` in messages. For tests and the fuzz target.
  static std::unique_ptr<BarFile> from_memory(std::string_view data, std::string name,
                                              DataCheckOptions opts = {});

  ~BarFile();
  BarFile(const BarFile&) = delete;
  BarFile& operator=(const BarFile&) = delete;

  // The next bar that passed every check; false at the end of the file (or
  // after a fatal file-level problem). Problems and quality are complete once
  // it has returned false.
  bool next(BarRow& row);
  // Reads the rest of the file (the bars are dropped): for check-only runs.
  void drain();

  const std::vector<DataProblem>& problems() const { return problems_; }
  const DataQuality& quality() const { return quality_; }
  bool has_errors() const { return quality_.errors > 0; }
  const std::string& path() const { return path_; }
  // The read buffer's size: fixed for the life of the reader.
  size_t buffer_capacity() const { return buffer_.capacity(); }

 private:
  enum class Kind;
  BarFile(std::string path, int fd, std::string_view memory, DataCheckOptions opts);

  bool next_line(std::string_view& line);
  bool fill();
  bool read_bar(BarRow& row);  // parses and checks lines until a good bar or the end
  bool parse_row(std::string_view line, BarRow& row);
  void row_field_errors(std::string_view line);
  bool check_bar(const BarRow& row);
  void check_gap(const BarRow& prev, const BarRow& row);
  bool fill_pending();
  void finish();
  void problem(uint64_t line, Kind kind, std::string message);
  void warning(uint64_t line, std::string message);
  bool parse_time_fast(std::string_view s, Timestamp& out);

  std::string path_;
  int fd_ = -1;
  DataCheckOptions opts_;
  std::vector<char> buffer_;
  std::string_view memory_;  // from_memory: the whole input
  const char* begin_ = nullptr;
  const char* end_ = nullptr;
  bool eof_ = false;
  bool fatal_ = false;
  bool finished_ = false;
  bool header_seen_ = false;
  uint64_t line_no_ = 0;

  std::optional<BarRow> prev_;  // the previous good bar
  BarRow accepted_;             // a good bar that took the slow parsing path
  bool has_accepted_ = false;
  // Interval inference: the first good bars are held back until it is known.
  std::vector<BarRow> pending_;
  size_t pending_pos_ = 0;
  bool inferring_ = false;

  // The date part of the last RFC 3339 time ("2024-01-02") and its day number.
  char date_cache_[10] = {};
  int64_t date_days_ = 0;
  bool date_cached_ = false;

  std::vector<DataProblem> problems_;
  DataQuality quality_;
};

// "2h", "90s", "1d2h30m", "250ms": for messages and summaries.
std::string format_duration(Duration d);

// Gap warnings printed per file; the rest are counted ("... and N more gaps").
inline constexpr size_t kPrintedGaps = 20;

// A file's problems as check-data and the backtest commands print them:
// FILE:LINE: error|warning: message, every error, the first kPrintedGaps
// gap warnings, then counts of what was not printed.
void print_problems(const BarFile& f, std::ostream& err);

}  // namespace td::backtest
