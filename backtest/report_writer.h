#pragma once
// The files `tradingd backtest` leaves behind (backtest-semantics.md
// "Report", docs/backtest.md "Report files"): report.json for machines,
// trades.csv for checking every round trip by hand, equity.csv with one row
// per bar, and report.html for people. Why these choices:
//  - money leaves as exact decimal strings (never a double), so a checker
//    can compare to the cent;
//  - the equity CSV is written while the run goes (a 10-million-bar run has
//    a budget of 200 ns per bar in all): hand-formatted into one big buffer,
//    the date cached while the day repeats, write(2) in large blocks;
//  - the chart needs ~2000 points, not 10 million: EquitySampler keeps
//    constant-size buckets with min and max so drawdowns stay visible;
//  - report.html is one self-contained file (inline CSS and SVG, no script,
//    nothing fetched) so it opens from disk, offline, and can be mailed.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backtest/equity_stats.h"
#include "backtest/trade_ledger.h"
#include "core/decimal.h"
#include "core/status.h"
#include "core/time.h"

namespace td::backtest {

// Every Metrics field; money as exact decimal strings, ratios as numbers,
// undefined ratios as null.
nlohmann::json metrics_json(const Metrics& m);

// {"metrics": metrics_json(m), ...every key of info} (info: an object, or
// null), pretty-printed; replaced atomically.
Status write_report_json(const std::string& path, const Metrics& m, const nlohmann::json& info);

// entry_time,exit_time,side,qty,entry_price,exit_price,pnl,commission: RFC 3339
// times, side long/short, exact decimals; trades in the order they closed.
Status write_trades_csv(const std::string& path, const std::vector<Trade>& trades);

// time,equity,drawdown: one row per add(). time as format_rfc3339 writes it,
// equity the exact decimal, drawdown rounded to 8 decimals (shortest form).
class EquityCsvWriter {
 public:
  EquityCsvWriter() = default;
  ~EquityCsvWriter();
  EquityCsvWriter(const EquityCsvWriter&) = delete;
  EquityCsvWriter& operator=(const EquityCsvWriter&) = delete;

  Status open(const std::string& path);  // creates or truncates, writes the header
  // No allocation and no system call but one write(2) per ~1 MiB. A write
  // error is kept and returned by close().
  void add(Timestamp t, Decimal equity, double drawdown);
  Status close();  // flushes; the first error of the whole run, if any

 private:
  void flush();

  static constexpr size_t kBufferSize = size_t{1} << 20;
  static constexpr size_t kMaxRow = 96;  // a row never needs more
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  size_t used_ = 0;
  int64_t cached_day_ = INT64_MIN;
  char date_[11] = {};  // "YYYY-MM-DDT" of cached_day_
  std::string path_;
  std::string error_;
};

// The equity curve for the chart in constant memory: at most kMaxBuckets
// buckets of equal size (in bars); when they are all used, neighbours merge
// and the bucket size doubles. Each bucket keeps its first and last time, the
// min, max and last equity and the largest drawdown, so that neither a dip
// nor a drawdown disappears in the downsampling.
class EquitySampler {
 public:
  static constexpr size_t kMaxBuckets = 2000;
  struct Bucket {
    Timestamp first_time, last_time;
    Decimal min, max, last;
    double max_drawdown = 0;
    uint64_t count = 0;  // bars in the bucket
  };

  EquitySampler() { buckets_.reserve(kMaxBuckets); }
  void add(Timestamp t, Decimal equity, double drawdown);
  const std::vector<Bucket>& buckets() const { return buckets_; }
  uint64_t bars_per_bucket() const { return per_bucket_; }
  uint64_t bars() const { return bars_; }

 private:
  std::vector<Bucket> buckets_;
  uint64_t per_bucket_ = 1;
  uint64_t bars_ = 0;
};

// One self-contained HTML page: metrics, equity curve and drawdown (inline
// SVG), the trades (the first kMaxHtmlTrades, then how many were left out),
// and info's "parameters", "data", "warnings" (and any other key) as tables.
inline constexpr size_t kMaxHtmlTrades = 10'000;
Status write_report_html(const std::string& path, const Metrics& m, const nlohmann::json& info,
                         const EquitySampler& equity, const std::vector<Trade>& trades);

// & < > " ' as character references: every text that goes into the page.
std::string html_escape(std::string_view s);

}  // namespace td::backtest
