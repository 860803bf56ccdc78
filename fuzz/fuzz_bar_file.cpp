// libFuzzer target: the bar CSV reader (backtest/bar_file.h, docs/backtest.md
// "Data files") on arbitrary bytes. The input is read three ways: from memory,
// from a file descriptor with a buffer larger than any input, and from one
// with a small buffer (its size from byte 0), so refills, lines split across
// reads and overlong lines are all exercised.
//
// Checked beyond "no crash, no ASan/UBSan report, no leak":
// - every bar returned passes the checks (high >= max(open, close), low <=
//   min(open, close), prices > 0, volume >= 0, times strictly increasing);
// - good_bars counts the bars returned; errors and warnings count the
//   problems kept (the input is too small to reach the cap); problems are in
//   line order;
// - memory and the large buffer give identical bars and problems, and so does
//   the small buffer when no line is as long as it.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/bar_file.h"

namespace {

using namespace td::backtest;

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "fuzz_bar_file: property violated: %s\n", what);
    abort();
  }
}

struct Outcome {
  std::vector<BarRow> bars;
  std::vector<DataProblem> problems;
};

Outcome read_all(BarFile& f) {
  Outcome o;
  BarRow row;
  while (f.next(row)) {
    check(row.high >= std::max(row.open, row.close), "high >= max(open, close)");
    check(row.low <= std::min(row.open, row.close), "low <= min(open, close)");
    check(row.open.sign() > 0 && row.high.sign() > 0 && row.low.sign() > 0 && row.close.sign() > 0,
          "prices > 0");
    check(row.volume.sign() >= 0, "volume >= 0");
    check(o.bars.empty() || row.time > o.bars.back().time, "times strictly increasing");
    check(o.bars.empty() || row.line > o.bars.back().line, "lines increasing");
    o.bars.push_back(row);
  }
  check(!f.next(row), "false stays false");
  const DataQuality& q = f.quality();
  check(q.good_bars == o.bars.size(), "good_bars counts the bars returned");
  uint64_t errors = 0, warnings = 0;
  for (size_t i = 0; i < f.problems().size(); ++i) {
    const DataProblem& p = f.problems()[i];
    (p.error ? errors : warnings)++;
    check(!p.message.empty(), "a problem has a message");
    check(i == 0 || p.line >= f.problems()[i - 1].line || p.line == 0, "problems in line order");
  }
  check(errors == q.errors && warnings == q.warnings, "counts match the problems");
  check(q.gaps == q.warnings, "every warning is a gap");
  check(q.good_bars <= q.rows, "good bars are rows");
  o.problems = f.problems();
  return o;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.bars.size() != b.bars.size() || a.problems.size() != b.problems.size()) return false;
  for (size_t i = 0; i < a.bars.size(); ++i) {
    const BarRow &x = a.bars[i], &y = b.bars[i];
    if (x.time != y.time || x.open != y.open || x.high != y.high || x.low != y.low ||
        x.close != y.close || x.volume != y.volume || x.line != y.line)
      return false;
  }
  for (size_t i = 0; i < a.problems.size(); ++i)
    if (a.problems[i].line != b.problems[i].line || a.problems[i].error != b.problems[i].error ||
        a.problems[i].message != b.problems[i].message)
      return false;
  return true;
}

Outcome read_fd(std::string_view data, size_t buffer) {
  const int fd = memfd_create("bars", 0);
  check(fd >= 0, "memfd_create");
  for (size_t off = 0; off < data.size();) {
    const ssize_t w = write(fd, data.data() + off, data.size() - off);
    check(w > 0, "write to memfd");
    off += static_cast<size_t>(w);
  }
  auto f = BarFile::open("/proc/self/fd/" + std::to_string(fd),
                         {.interval = std::nullopt, .buffer_bytes = buffer});
  close(fd);
  check(f.has_value(), "open the memfd");
  return read_all(**f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const size_t small = 64 + bytes[0] % 64;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  auto mem = BarFile::from_memory(data, "fuzz");
  const Outcome m = read_all(*mem);
  const Outcome large = read_fd(data, 1 << 18);
  check(same(m, large), "memory and a large buffer agree");
  const Outcome s = read_fd(data, small);
  size_t longest = 0;
  for (size_t start = 0; start <= data.size();) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) nl = data.size();
    longest = std::max(longest, nl - start);
    start = nl + 1;
  }
  if (longest < small) check(same(m, s), "a small buffer agrees when every line fits");
  return 0;
}
