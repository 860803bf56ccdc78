// The bar CSV reader and its data checks (docs/backtest.md, "Data files"):
// every problem kind with its line, real files in a temp dir.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "backtest/bar_file.h"
#include "backtest/data_commands.h"
#include "core/decimal.h"

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file). Every
// test file that prints Decimals needs it: gtest's printer is a template, and
// when files disagree the linker keeps one of them for all (the sanitizer
// build once printed bytes in DecimalFormat.TestFailuresPrintDecimalsAsText).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}
}  // namespace td

namespace td::backtest {
namespace {

using namespace std::chrono_literals;

class BarFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string t = (std::filesystem::temp_directory_path() / "td-barfile-XXXXXX").string();
    ASSERT_NE(mkdtemp(t.data()), nullptr);
    dir_ = t;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "bars.csv") {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  struct Run {
    std::vector<BarRow> bars;
    std::vector<DataProblem> problems;
    DataQuality quality;
  };
  Run run(const std::string& text, DataCheckOptions opts = {}) {
    auto f = BarFile::open(write(text), opts);
    EXPECT_TRUE(f.has_value());
    Run r;
    BarRow row;
    while ((*f)->next(row)) r.bars.push_back(row);
    r.problems = (*f)->problems();
    r.quality = (*f)->quality();
    return r;
  }

  std::filesystem::path dir_;
};

const std::string kHead = "time,open,high,low,close,volume\n";

std::string problems_text(const std::vector<DataProblem>& ps) {
  std::string out;
  for (const auto& p : ps)
    out += std::to_string(p.line) + (p.error ? " error: " : " warning: ") + p.message + "\n";
  return out;
}

TEST_F(BarFileTest, ReadsGoodRowsExactly) {
  auto r = run(kHead +
               "2024-01-02T14:31:00Z,450.12,450.50,449.80,450.33,12345\n"
               "2024-01-02T14:32:00Z,450.33,450.52345678,450.1,450.2,0.5\n");
  ASSERT_EQ(r.bars.size(), 2u) << problems_text(r.problems);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.bars[0].time, *parse_time("2024-01-02T14:31:00Z"));
  EXPECT_EQ(r.bars[0].open, "450.12"_d);
  EXPECT_EQ(r.bars[0].high, "450.50"_d);
  EXPECT_EQ(r.bars[0].low, "449.80"_d);
  EXPECT_EQ(r.bars[0].close, "450.33"_d);
  EXPECT_EQ(r.bars[0].volume, "12345"_d);
  EXPECT_EQ(r.bars[0].line, 2u);
  EXPECT_EQ(r.bars[1].high, "450.52345678"_d);
  EXPECT_EQ(r.bars[1].line, 3u);
  EXPECT_EQ(r.quality.rows, 2u);
  EXPECT_EQ(r.quality.good_bars, 2u);
  EXPECT_EQ(r.quality.first, r.bars[0].time);
  EXPECT_EQ(r.quality.last, r.bars[1].time);
  EXPECT_EQ(r.quality.interval, Duration(1min));
}

TEST_F(BarFileTest, EpochRfc3339OffsetsAndFractionsAreTheSameTimes) {
  auto r = run(kHead +
               "1704205860,1,1,1,1,1\n"                     // 14:31:00Z
               "2024-01-02T14:32:00Z,1,1,1,1,1\n"           // fast path
               "2024-01-02T16:33:00+02:00,1,1,1,1,1\n"      // 14:33Z
               "2024-01-02T09:34:00.500-05:00,1,1,1,1,1\n"  // 14:34:00.5Z
               "2024-01-02t14:35:00z,1,1,1,1,1\n");
  ASSERT_EQ(r.bars.size(), 5u) << problems_text(r.problems);
  const Timestamp base = *parse_time("2024-01-02T14:31:00Z");
  EXPECT_EQ(r.bars[0].time, base);
  EXPECT_EQ(r.bars[1].time, base + 1min);
  EXPECT_EQ(r.bars[2].time, base + 2min);
  EXPECT_EQ(r.bars[3].time, base + 3min + 500ms);
  EXPECT_EQ(r.bars[4].time, base + 4min);
}

TEST_F(BarFileTest, FastDateCacheFollowsDayChangesAndLeapDays) {
  auto r = run(kHead +
                   "2024-02-28T23:59:00Z,1,1,1,1,1\n"
                   "2024-02-29T00:00:00Z,1,1,1,1,1\n"
                   "2024-03-01T00:00:00Z,1,1,1,1,1\n"
                   "2023-02-29T00:00:00Z,1,1,1,1,1\n",
               {.interval = 24h});
  ASSERT_EQ(r.bars.size(), 3u);
  EXPECT_EQ(r.bars[1].time, *parse_time("2024-02-29T00:00:00Z"));
  EXPECT_EQ(r.bars[2].time, *parse_time("2024-03-01T00:00:00Z"));
  ASSERT_EQ(r.problems.size(), 1u) << problems_text(r.problems);
  EXPECT_EQ(r.problems[0].line, 5u);
  EXPECT_EQ(r.problems[0].message, "time: not a time: '2023-02-29T00:00:00Z'");
}

TEST_F(BarFileTest, ExactDecimalsAndTheirErrors) {
  auto r = run(kHead +
                   "1,450.12345678,450.12345678,450.12345678,450.12345678,1\n"
                   "2,1.123456789,2,1,1,1\n"
                   "3,1,2,1,1,99999999999999\n"
                   "4,1e1,1e1,1e1,1e1,1\n"
                   "5,1.123456780,2,1,2,+3\n",
               {.interval = 1h});
  ASSERT_EQ(r.bars.size(), 3u) << problems_text(r.problems);
  EXPECT_EQ(r.bars[0].open, "450.12345678"_d);
  EXPECT_EQ(r.bars[1].open, "10"_d);
  EXPECT_EQ(r.bars[2].open, "1.12345678"_d);
  EXPECT_EQ(r.bars[2].volume, "3"_d);
  EXPECT_EQ(problems_text(r.problems),
            "3 error: open: more than 8 decimal places: '1.123456789'\n"
            "4 error: volume: out of range: '99999999999999'\n");
  EXPECT_EQ(r.quality.errors_by_kind.at("bad number"), 2u);
}

TEST_F(BarFileTest, EveryRowErrorWithItsLine) {
  auto r = run(kHead +
               "2024-01-02T14:30:00Z,10,11,9,10,100\n"       // 2 good
               "2024-01-02T14:31:00Z,10,11,9\n"              // 3 fields
               "2024-01-02T14:32:00Z,10,11,9,abc,100\n"      // 4 close
               "yesterday,10,11,9,10,100\n"                  // 5 time
               "2024-01-02T14:29:00Z,10,11,9,10,100\n"       // 6 unsorted
               "2024-01-02T14:30:00Z,10,11,9,10,100\n"       // 7 duplicate
               "2024-01-02T14:33:00Z,10,9.5,9,10,100\n"      // 8 high
               "2024-01-02T14:34:00Z,10,11,10.5,10.2,100\n"  // 9 low
               "2024-01-02T14:35:00Z,0,11,0,10,100\n"        // 10 open, low
               "2024-01-02T14:36:00Z,10,11,9,10,-1\n"        // 11 volume
               "2024-01-02T14:37:00Z,10,11,9,10,100,7\n"     // 12 7 fields
               "2024-01-02T14:38:00Z,10,11,9,10,\n"          // 13 empty volume
               "2024-01-02T14:39:00Z,10,11,9,10,100\n");     // 14 good
  ASSERT_EQ(r.bars.size(), 2u);
  EXPECT_EQ(r.bars[1].line, 14u);
  EXPECT_EQ(problems_text(r.problems),
            "3 error: expected 6 fields, found 4\n"
            "4 error: close: not a number: 'abc'\n"
            "5 error: time: not a time: 'yesterday'\n"
            "6 error: unsorted time: 2024-01-02T14:29:00.000Z is before "
            "2024-01-02T14:30:00.000Z of line 2 (the previous good bar)\n"
            "7 error: duplicate time: 2024-01-02T14:30:00.000Z (as line 2)\n"
            "8 error: high 9.5 is below max(open, close) 10\n"
            "9 error: low 10.5 is above min(open, close) 10\n"
            "10 error: open is not positive: 0\n"
            "10 error: low is not positive: 0\n"
            "11 error: volume is negative: -1\n"
            "12 error: expected 6 fields, found 7\n"
            "13 error: volume: empty\n");
  EXPECT_EQ(r.quality.rows, 13u);
  EXPECT_EQ(r.quality.good_bars, 2u);
  EXPECT_EQ(r.quality.errors, 12u);
  EXPECT_EQ(r.quality.warnings, 0u);
  EXPECT_EQ(r.quality.interval, Duration(9min));  // inferred from the two good bars
  EXPECT_EQ(r.quality.errors_by_kind.at("wrong field count"), 2u);
  EXPECT_EQ(r.quality.errors_by_kind.at("non-positive price"), 2u);
  EXPECT_EQ(r.quality.errors_by_kind.at("unsorted time"), 1u);
  EXPECT_EQ(r.quality.errors_by_kind.at("duplicate time"), 1u);
  EXPECT_EQ(r.quality.errors_by_kind.at("high below open/close"), 1u);
  EXPECT_EQ(r.quality.errors_by_kind.at("low above open/close"), 1u);
  EXPECT_EQ(r.quality.errors_by_kind.at("negative volume"), 1u);
  EXPECT_EQ(r.quality.errors_by_kind.at("bad time"), 1u);
  EXPECT_EQ(r.quality.errors_by_kind.at("bad number"), 2u);
}

TEST_F(BarFileTest, ASkippedBarDoesNotBecomeThePreviousOne) {
  // Line 3 is bad (high below open) and later in time than line 4: line 4 is
  // compared with line 2, so it is fine.
  auto r = run(kHead +
                   "2024-01-02T14:30:00Z,10,11,9,10,1\n"
                   "2024-01-02T14:35:00Z,10,9,9,10,1\n"
                   "2024-01-02T14:31:00Z,10,11,9,10,1\n",
               {.interval = 1min});
  ASSERT_EQ(r.bars.size(), 2u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 3u);
}

TEST_F(BarFileTest, EmptyFile) {
  auto r = run("");
  EXPECT_TRUE(r.bars.empty());
  EXPECT_EQ(problems_text(r.problems),
            "0 error: empty file: expected the header 'time,open,high,low,close,volume'\n");
  EXPECT_EQ(r.quality.errors_by_kind.at("file"), 1u);
}

TEST_F(BarFileTest, HeaderOnly) {
  auto r = run(kHead);
  EXPECT_EQ(problems_text(r.problems), "0 error: no bars: the file has a header only\n");
  EXPECT_EQ(r.quality.rows, 0u);
}

TEST_F(BarFileTest, WrongHeaderStopsTheFile) {
  auto r = run("date,open,high,low,close,volume\n2024-01-02T14:30:00Z,10,11,9,10,1\n");
  EXPECT_TRUE(r.bars.empty());
  EXPECT_EQ(problems_text(r.problems),
            "1 error: wrong header: expected 'time,open,high,low,close,volume', found "
            "'date,open,high,low,close,volume'\n");
  // A data row where the header should be.
  auto r2 = run("2024-01-02T14:30:00Z,10,11,9,10,1\n");
  ASSERT_EQ(r2.problems.size(), 1u);
  EXPECT_EQ(r2.problems[0].line, 1u);
}

TEST_F(BarFileTest, CrlfBomEmptyLinesAndNoFinalNewline) {
  auto r =
      run("\xEF\xBB\xBFtime,open,high,low,close,volume\r\n"
          "2024-01-02T14:30:00Z,10,11,9,10.5,1\r\n"
          "\r\n"
          "\n"
          "2024-01-02T14:31:00Z,10,11,9,10.25,1");
  ASSERT_EQ(r.bars.size(), 2u) << problems_text(r.problems);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.bars[0].close, "10.5"_d);
  EXPECT_EQ(r.bars[1].close, "10.25"_d);
  EXPECT_EQ(r.bars[1].line, 5u);
  EXPECT_EQ(r.quality.rows, 2u);
}

TEST_F(BarFileTest, GapsAreWarningsWithAnExplicitInterval) {
  auto r = run(kHead +
                   "2024-01-02T10:00:00Z,10,11,9,10,1\n"
                   "2024-01-02T10:01:00Z,10,11,9,10,1\n"
                   "2024-01-02T12:01:00Z,10,11,9,10,1\n"
                   "2024-01-02T12:02:00Z,10,11,9,10,1\n"
                   "2024-01-03T12:02:00Z,10,11,9,10,1\n",
               {.interval = 1min});
  EXPECT_EQ(r.bars.size(), 5u);
  EXPECT_EQ(problems_text(r.problems),
            "4 warning: gap of 2h between line 3 and line 4\n"
            "6 warning: gap of 1d between line 5 and line 6\n");
  EXPECT_EQ(r.quality.gaps, 2u);
  EXPECT_EQ(r.quality.errors, 0u);
  EXPECT_EQ(r.quality.largest_gap, Duration(24h));
  EXPECT_EQ(r.quality.interval, Duration(1min));
  // The same file with a 1h interval: one gap.
  auto r2 = run(kHead +
                    "2024-01-02T10:00:00Z,10,11,9,10,1\n"
                    "2024-01-02T12:00:00Z,10,11,9,10,1\n",
                {.interval = 1h});
  EXPECT_EQ(r2.quality.gaps, 1u);
}

TEST_F(BarFileTest, InferredIntervalIsTheSmallestStepAndGapsKeepLineOrder) {
  auto r = run(kHead +
               "2024-01-02T10:00:00Z,10,11,9,10,1\n"
               "2024-01-02T10:05:00Z,10,11,9,10,1\n"
               "2024-01-02T10:06:00Z,10,11,9,10,-1\n"  // 4: error, skipped
               "2024-01-02T10:10:00Z,10,11,9,10,1\n"
               "2024-01-02T10:15:00Z,10,11,9,10,1\n"
               "2024-01-02T10:20:00Z,10,11,9,10,1\n");
  EXPECT_EQ(r.bars.size(), 5u);
  EXPECT_EQ(r.quality.interval, Duration(5min));
  EXPECT_EQ(r.quality.gaps, 0u);
  auto r2 = run(kHead +
                "2024-01-02T10:00:00Z,10,11,9,10,1\n"
                "2024-01-02T10:01:00Z,10,11,9,10,1\n"
                "2024-01-02T10:03:00Z,10,11,9,10,1\n"
                "2024-01-02T10:04:00Z,10,11,9,10,-1\n"
                "2024-01-02T10:05:00Z,10,11,9,10,1\n");
  EXPECT_EQ(r2.quality.interval, Duration(1min));
  EXPECT_EQ(problems_text(r2.problems),
            "4 warning: gap of 2m between line 3 and line 4\n"
            "5 error: volume is negative: -1\n"
            "6 warning: gap of 2m between line 4 and line 6\n");
}

TEST_F(BarFileTest, InferenceLooksAtTheFirst1000GoodBarsOnly) {
  std::string text = kHead;
  Timestamp t = *parse_time("2024-01-02T00:00:00Z");
  for (int i = 0; i < 1100; ++i) {
    text += std::to_string(to_unix_seconds(t)) + ",10,11,9,10,1\n";
    t += i < 1000 ? 2min : 1min;  // the 1-minute steps start after bar 1000
  }
  auto r = run(text);
  EXPECT_EQ(r.bars.size(), 1100u);
  EXPECT_EQ(r.quality.interval, Duration(2min));
  EXPECT_EQ(r.quality.gaps, 0u);
}

TEST_F(BarFileTest, CannotOpenSaysWhy) {
  auto f = BarFile::open((dir_ / "missing.csv").string());
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().message, "cannot open: No such file or directory");
}

TEST_F(BarFileTest, StoredProblemsAreCappedButCountsStayExact) {
  std::string text = kHead;
  for (int i = 0; i < 50; ++i) text += "x\n";
  auto r = run(text, {.interval = 1min, .max_stored_problems = 10});
  EXPECT_EQ(r.problems.size(), 10u);
  EXPECT_EQ(r.problems[9].line, 11u);
  EXPECT_EQ(r.quality.errors, 50u);
}

TEST_F(BarFileTest, ASmallBufferGivesTheSameBarsAndReportsOverlongLines) {
  std::string text = kHead;
  Timestamp t = *parse_time("2024-01-02T00:00:00Z");
  for (int i = 0; i < 2000; ++i) {
    text += format_rfc3339(t).substr(0, 19) + "Z,100.25,101,99.5,100.75,1234\n";
    if (i == 700) text += std::string(300, '9') + "\n";  // longer than the buffer
    t += 1min;
  }
  DataCheckOptions small{.interval = 1min, .buffer_bytes = 256};
  auto r = run(text, small);
  EXPECT_EQ(r.bars.size(), 2000u);
  EXPECT_EQ(problems_text(r.problems), "703 error: line longer than 256 bytes\n");
  EXPECT_EQ(r.bars.back().line, 2002u);
  EXPECT_EQ(r.bars.back().time, t - 1min);
}

TEST_F(BarFileTest, MemoryStaysConstantOverALargeFile) {
  // 200k rows (about 11 MB) through a 1 MiB buffer: the buffer never grows and
  // the held-back bars of interval inference stay bounded.
  const std::string path = (dir_ / "large.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << kHead;
    for (int i = 0; i < 200'000; ++i)
      out << 1704205860 + i * 60 << ",450.12,450.50,449.80,450.33,12345\n";
  }
  auto f = BarFile::open(path, {.interval = std::nullopt, .buffer_bytes = 1 << 20});
  ASSERT_TRUE(f.has_value());
  const size_t cap = (*f)->buffer_capacity();
  EXPECT_EQ(cap, size_t{1} << 20);
  BarRow row;
  uint64_t n = 0;
  while ((*f)->next(row)) {
    ++n;
    if (n % 50'000 == 0) {
      EXPECT_EQ((*f)->buffer_capacity(), cap);
    }
  }
  EXPECT_EQ(n, 200'000u);
  EXPECT_EQ((*f)->buffer_capacity(), cap);
  EXPECT_FALSE((*f)->has_errors());
}

TEST_F(BarFileTest, FromMemoryMatchesTheFile) {
  const std::string text = kHead + "2024-01-02T14:30:00Z,10,11,9,10,1\nbad\n";
  auto m = BarFile::from_memory(text, "mem");
  m->drain();
  EXPECT_EQ(m->quality().good_bars, 1u);
  EXPECT_EQ(problems_text(m->problems()), "3 error: expected 6 fields, found 1\n");
  EXPECT_EQ(m->path(), "mem");
}

TEST(FormatDuration, Forms) {
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(26h), "1d2h");
  EXPECT_EQ(format_duration(250ms), "250ms");
}

}  // namespace
}  // namespace td::backtest

namespace td::backtest {
namespace {

TEST_F(BarFileTest, CheckDataCommandPrintsProblemsAndASummary) {
  std::string text = kHead;
  Timestamp t = *parse_time("2024-01-02T00:00:00Z");
  for (int i = 0; i < 30; ++i, t += 2min) text += format_rfc3339(t) + ",10,11,9,10,1\n";
  text += "2024-01-01T00:00:00Z,10,11,9,10,1\n";  // line 32: unsorted
  const std::string path = write(text);
  std::ostringstream out, err;
  EXPECT_EQ(check_data_command({path}, std::chrono::minutes(1), out, err), 1);
  const std::string e = err.str();
  EXPECT_NE(e.find(path + ":3: warning: gap of 2m between line 2 and line 3\n"), std::string::npos)
      << e;
  EXPECT_NE(e.find(path + ":22: warning: gap of 2m between line 21 and line 22\n"),
            std::string::npos);
  EXPECT_EQ(e.find(path + ":23: warning:"), std::string::npos);  // only 20 gaps printed
  EXPECT_NE(e.find(path + ":32: error: unsorted time: "), std::string::npos);
  EXPECT_NE(e.find(path + ": ... and 9 more gaps\n"), std::string::npos);
  EXPECT_EQ(out.str(), path +
                           ": 31 rows, 30 good bars, 1 error, 29 warnings\n"
                           "  first 2024-01-02T00:00:00.000Z, last 2024-01-02T00:58:00.000Z\n"
                           "  interval 1m, gaps 29, largest gap 2m\n"
                           "  errors by kind: unsorted time 1\n");
  // Inferred, the same file has no gaps; a missing file is an error too.
  std::ostringstream out2, err2;
  EXPECT_EQ(check_data_command({path, (dir_ / "missing.csv").string()}, std::nullopt, out2, err2),
            1);
  EXPECT_NE(out2.str().find("interval 2m (inferred), gaps 0"), std::string::npos) << out2.str();
  EXPECT_NE(err2.str().find("missing.csv: error: cannot open: No such file or directory\n"),
            std::string::npos);
  // A clean file: 0.
  std::ostringstream out3, err3;
  const std::string clean = write(kHead + "2024-01-02T00:00:00Z,10,11,9,10,1\n", "clean.csv");
  EXPECT_EQ(check_data_command({clean}, std::nullopt, out3, err3), 0);
  EXPECT_EQ(err3.str(), "");
  EXPECT_EQ(out3.str().substr(0, clean.size() + 6), clean + ": ok, ");
}

}  // namespace
}  // namespace td::backtest
