// gen-data (backtest/gen_data.h): deterministic per seed, and every file it
// writes passes the data checks of the bar reader with no problem at all.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "backtest/bar_file.h"
#include "backtest/gen_data.h"
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

GenDataOptions options(uint64_t seed, uint64_t bars) {
  GenDataOptions o;
  o.seed = seed;
  o.bars = bars;
  o.start = *parse_time("2024-01-02T14:30:00Z");
  return o;
}

std::string generate(const GenDataOptions& o) {
  std::ostringstream out;
  auto s = generate_bars(o, out);
  EXPECT_TRUE(s.has_value()) << s.error().message;
  return out.str();
}

TEST(GenData, SameSeedSameBytesOtherSeedOtherBytes) {
  const std::string a = generate(options(7, 5000));
  EXPECT_EQ(a, generate(options(7, 5000)));
  EXPECT_NE(a, generate(options(8, 5000)));
  // A shorter run is a prefix of a longer one.
  const std::string b = generate(options(7, 100));
  EXPECT_EQ(a.substr(0, b.size()), b);
}

TEST(GenData, KnownFirstRowsForSeedOne) {
  // Pinned: a change of the simulator's math or of the format shows here.
  EXPECT_EQ(generate(options(1, 3)),
            "time,open,high,low,close,volume\n"
            "2024-01-02T14:30:00Z,100.00,100.15,100.00,100.13,17050\n"
            "2024-01-02T14:31:00Z,100.13,100.14,100.11,100.12,17668\n"
            "2024-01-02T14:32:00Z,100.12,100.18,100.12,100.13,9044\n");
}

TEST(GenData, GeneratedBarsPassEveryCheck) {
  for (const auto& [interval, tick, price, vol] :
       {std::tuple{Duration(1min), "0.01"_d, "100"_d, 0.2},
        std::tuple{Duration(24h), "0.25"_d, "4500"_d, 0.3},
        std::tuple{Duration(5s), "0.0001"_d, "1.2345"_d, 2.0},
        std::tuple{Duration(1h), "1"_d, "3"_d, 5.0}}) {
    GenDataOptions o = options(42, 20000);
    o.interval = interval;
    o.tick = tick;
    o.price = price;
    o.volatility = vol;
    const std::string text = generate(o);
    auto f = BarFile::from_memory(text, "gen", {.interval = interval});
    BarRow row, prev;
    uint64_t n = 0;
    while (f->next(row)) {
      EXPECT_EQ(row.open.units() % tick.units(), 0);
      EXPECT_EQ(row.high.units() % tick.units(), 0);
      EXPECT_EQ(row.low.units() % tick.units(), 0);
      EXPECT_EQ(row.close.units() % tick.units(), 0);
      EXPECT_EQ(row.volume.units() % Decimal::kUnitsPerOne, 0);
      if (n > 0) {
        EXPECT_EQ(row.open, prev.close);
      }
      prev = row;
      ++n;
    }
    EXPECT_EQ(n, 20000u);
    EXPECT_TRUE(f->problems().empty()) << f->problems()[0].line << ": " << f->problems()[0].message;
    EXPECT_EQ(f->quality().first, o.start);
    EXPECT_EQ(f->quality().last, o.start + interval * 19999);
  }
}

TEST(GenData, RefusesBadOptions) {
  GenDataOptions o = options(1, 0);
  EXPECT_FALSE(check_gen_options(o).has_value());
  o.bars = 10;
  EXPECT_TRUE(check_gen_options(o).has_value());
  o.interval = 1500ms;
  EXPECT_FALSE(check_gen_options(o).has_value());
  o.interval = 1min;
  o.tick = Decimal();
  EXPECT_FALSE(check_gen_options(o).has_value());
  o.tick = "0.01"_d;
  o.price = "0.001"_d;
  EXPECT_FALSE(check_gen_options(o).has_value());
  o.price = "10"_d;
  o.volatility = -1;
  EXPECT_FALSE(check_gen_options(o).has_value());
  o.volatility = 0.2;
  o.start = *parse_time("2262-04-11T00:00:00Z");
  o.interval = 24h;
  EXPECT_FALSE(check_gen_options(o).has_value());
}

TEST(GenData, FileIsWrittenWholeAndNotOverwritten) {
  std::string t = (std::filesystem::temp_directory_path() / "td-gendata-XXXXXX").string();
  ASSERT_NE(mkdtemp(t.data()), nullptr);
  const std::filesystem::path dir = t;
  const std::string path = (dir / "bars.csv").string();
  const GenDataOptions o = options(3, 1000);
  ASSERT_TRUE(generate_bars(o, path).has_value());
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, generate(o));
  auto again = generate_bars(options(4, 10), path);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, path + ": exists (not overwritten)");
  ASSERT_TRUE(generate_bars(options(4, 10), path, true).has_value());
  EXPECT_LT(std::filesystem::file_size(path), text.size());
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td::backtest
