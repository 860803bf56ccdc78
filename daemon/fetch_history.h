#pragma once
// `tradingd fetch-history`: IB's historical bars into the backtest CSV format
// (backtest-semantics.md: time,open,high,low,close,volume). Why it is built
// the way it is: IB serves a bounded span per request and punishes bursts
// (error 162), so the range is walked forward in chunks through the client's
// historical pacer; each chunk is appended and flushed before the next is
// asked for, so an interrupted fetch resumes after the file's last bar and
// never writes a bar twice.
#include <cstdint>
#include <string>

#include "brokers/ib/contract.h"
#include "core/time.h"

namespace td::daemon {

struct FetchHistoryOptions {
  std::string symbol;
  ib::Contract contract;
  Duration bar{};
  Timestamp from{}, to{};
  std::string out;
  std::string host = "127.0.0.1";
  uint16_t port = 4002;
  int32_t client_id = 99;
  Duration connect_timeout = std::chrono::seconds(30);
};

// "1min", "5mins", "1 min", "1h", "1d", "5s" -> the duration.
std::optional<Duration> parse_bar_size(std::string_view text);
// RFC 3339, epoch seconds, or a date "YYYY-MM-DD" (00:00 UTC).
std::optional<Timestamp> parse_fetch_time(std::string_view text);

// Returns the process exit code (0 done, 1 failed); progress on stderr.
int fetch_history(const FetchHistoryOptions& options);

}  // namespace td::daemon
