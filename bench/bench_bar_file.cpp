// The bar CSV reader (backtest/bar_file.h) over one million typical one-minute
// rows from a file in the page cache, checks included, on one core. Target:
// >= 10 million rows/s, so that reading never bounds a backtest that must run
// above 5 million bars/s end to end. Rows/s is items_per_second.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "backtest/bar_file.h"

namespace {

using namespace td;

constexpr int kRows = 1'000'000;

// A temp file of kRows rows like "2024-01-02T14:31:00Z,450.12,450.50,449.80,450.33,12345",
// removed at exit.
class RowsFile {
 public:
  RowsFile() {
    std::string t = (std::filesystem::temp_directory_path() / "td-bench-bars-XXXXXX").string();
    const int fd = mkstemp(t.data());
    if (fd >= 0) ::close(fd);
    path_ = t;
    std::ofstream out(path_, std::ios::binary);
    out << "time,open,high,low,close,volume\n";
    const int64_t t0 = to_unix_seconds(*parse_time("2024-01-02T14:31:00Z"));
    std::string day;
    int64_t day_number = -1;
    char buf[128];
    for (int64_t i = 0; i < kRows; ++i) {
      const int64_t t = t0 + 60 * i;
      if (t / 86400 != day_number) {
        day_number = t / 86400;
        day = format_rfc3339(from_unix_seconds(t)).substr(0, 11);  // "2024-01-02T"
      }
      const int64_t c = 45000 + (i * 7919) % 200;  // cents, varying
      const int n = std::snprintf(
          buf, sizeof buf, "%s%02d:%02d:00Z,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld.%02lld,%lld\n",
          day.c_str(), int(t % 86400 / 3600), int(t % 3600 / 60), (long long)(c / 100),
          (long long)(c % 100), (long long)((c + 40) / 100), (long long)((c + 40) % 100),
          (long long)((c - 30) / 100), (long long)((c - 30) % 100), (long long)((c + 5) / 100),
          (long long)((c + 5) % 100), (long long)(10000 + i % 5000));
      out.write(buf, n);
    }
  }
  ~RowsFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void BM_BarFileRead(benchmark::State& state) {
  static const RowsFile file;
  int64_t rows = 0;
  for (auto _ : state) {
    auto f = backtest::BarFile::open(file.path(), {.interval = std::chrono::minutes(1)});
    if (!f) {
      state.SkipWithError(f.error().message.c_str());
      return;
    }
    backtest::BarRow row;
    int64_t n = 0;
    while ((*f)->next(row)) ++n;
    if (n != kRows || (*f)->has_errors()) {
      state.SkipWithError("the generated rows did not all pass");
      return;
    }
    benchmark::DoNotOptimize(row);
    rows += n;
  }
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_BarFileRead)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
