// The report files (docs/backtest.md "Report files"): report.json's metrics,
// trades.csv and equity.csv byte for byte, the chart sampler's bounds, and a
// self-contained, escaped report.html.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <ostream>
#include <random>

#include "backtest/report_writer.h"
#include "core/decimal.h"
#include "core/file_io.h"

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

using nlohmann::json;

class ReportFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "td-report-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return dir_ + "/" + name; }
  static std::string read(const std::string& p) {
    auto r = read_small_file(p, size_t{1} << 30);
    EXPECT_TRUE(r && *r) << p;
    return r && *r ? **r : std::string();
  }
  std::string dir_;
};

Timestamp at(const char* rfc3339) {
  return *parse_time(rfc3339);
}

Trade trade(const char* sym, int side, const char* entry, const char* exit, const char* qty,
            const char* ep, const char* xp, const char* pnl, const char* comm) {
  Trade t;
  t.symbol = Symbol(sym);
  t.side = side;
  t.entry_time = at(entry);
  t.exit_time = at(exit);
  t.qty = Decimal::parse(qty).value();
  t.entry_price = Decimal::parse(ep).value();
  t.exit_price = Decimal::parse(xp).value();
  t.pnl = Decimal::parse(pnl).value();
  t.commission = Decimal::parse(comm).value();
  return t;
}

Metrics sample_metrics() {
  Metrics m;
  m.initial_cash = "100000"_d;
  m.final_equity = "100123.45"_d;
  m.net_profit = "123.45"_d;
  m.commissions = "4.02"_d;
  m.gross_profit = "200.5"_d;
  m.gross_loss = "-77.05"_d;
  m.bars = 390;
  m.trades = 3;
  m.wins = 2;
  m.losses = 1;
  m.total_return = 0.0012345;
  m.cagr = 0.5;
  m.sharpe = 1.25;
  m.max_drawdown = 0.01;
  m.max_drawdown_duration_bars = 42;
  m.win_rate = 2.0 / 3.0;
  m.profit_factor = 2.5;
  m.exposure = 0.25;
  m.periods_per_year = 98280;
  return m;  // sortino left undefined
}

TEST(ReportJson, MetricsMoneyAsExactStringsRatiosAsNumbersUndefinedAsNull) {
  const json j = metrics_json(sample_metrics());
  for (const char* k :
       {"initial_cash", "final_equity", "total_return",  "cagr",
        "sharpe",       "sortino",      "max_drawdown",  "max_drawdown_duration_bars",
        "trades",       "win_rate",     "profit_factor", "exposure",
        "commissions",  "bars",         "net_profit",    "gross_profit",
        "gross_loss",   "wins",         "losses",        "periods_per_year"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["initial_cash"], "100000");
  EXPECT_EQ(j["final_equity"], "100123.45");
  EXPECT_EQ(j["net_profit"], "123.45");
  EXPECT_EQ(j["commissions"], "4.02");
  EXPECT_EQ(j["gross_loss"], "-77.05");
  EXPECT_EQ(j["sharpe"], 1.25);
  EXPECT_TRUE(j["sortino"].is_null());
  EXPECT_EQ(j["max_drawdown_duration_bars"], 42);
  EXPECT_EQ(j["trades"], 3);
  EXPECT_EQ(j["periods_per_year"], 98280.0);
}

TEST_F(ReportFiles, ReportJsonHasMetricsAndEveryInfoKey) {
  const json info = {{"parameters", {{"fast", 10}}},
                     {"data", {{"file", "spy.csv"}}},
                     {"warnings", json::array({"gap"})},
                     {"config", {{"initial_cash", "100000"}}}};
  ASSERT_TRUE(write_report_json(path("report.json"), sample_metrics(), info));
  const json back = json::parse(read(path("report.json")));
  EXPECT_EQ(back["metrics"], metrics_json(sample_metrics()));
  EXPECT_EQ(back["parameters"]["fast"], 10);
  EXPECT_EQ(back["data"]["file"], "spy.csv");
  EXPECT_EQ(back["warnings"][0], "gap");
  EXPECT_EQ(back["config"]["initial_cash"], "100000");
  EXPECT_FALSE(write_report_json(path("bad.json"), sample_metrics(), json::array()));
  // Invalid UTF-8 in a file name is replaced, not thrown.
  ASSERT_TRUE(write_report_json(path("utf.json"), sample_metrics(),
                                {{"data", {{"file", std::string("a\xff.csv")}}}}));
}

TEST_F(ReportFiles, TradesCsvExactBytes) {
  const std::vector<Trade> trades = {
      trade("SPY", 1, "2024-01-02T14:31:00Z", "2024-01-02T15:00:00Z", "100", "470.5", "471.25",
            "73", "2"),
      trade("SPY", -1, "2024-01-03T14:31:00.250Z", "2024-01-04T21:00:00Z", "20", "110", "112.125",
            "-44.17", "1.67"),
  };
  ASSERT_TRUE(write_trades_csv(path("trades.csv"), trades));
  EXPECT_EQ(read(path("trades.csv")),
            "entry_time,exit_time,side,qty,entry_price,exit_price,pnl,commission\n"
            "2024-01-02T14:31:00.000Z,2024-01-02T15:00:00.000Z,long,100,470.5,471.25,73,2\n"
            "2024-01-03T14:31:00.250Z,2024-01-04T21:00:00.000Z,short,20,110,112.125,-44.17,"
            "1.67\n");
  ASSERT_TRUE(write_trades_csv(path("none.csv"), {}));
  EXPECT_EQ(read(path("none.csv")),
            "entry_time,exit_time,side,qty,entry_price,exit_price,pnl,commission\n");
}

TEST_F(ReportFiles, EquityCsvExactBytes) {
  EquityCsvWriter w;
  ASSERT_TRUE(w.open(path("equity.csv")));
  w.add(at("2024-02-29T23:59:59.999Z"), "100000"_d, 0);
  w.add(at("2024-03-01T00:00:00Z"), "99876.54321"_d, 0.0012345649);  // 8 decimals: ..65
  w.add(at("1969-12-31T23:59:58.5Z"), "-0.01"_d, 1.25);
  w.add(at("2262-04-11T23:47:15Z"), "0.00000001"_d, std::nan(""));
  ASSERT_TRUE(w.close());
  EXPECT_EQ(read(path("equity.csv")),
            "time,equity,drawdown\n"
            "2024-02-29T23:59:59.999Z,100000,0\n"
            "2024-03-01T00:00:00.000Z,99876.54321,0.00123456\n"
            "1969-12-31T23:59:58.500Z,-0.01,1.25\n"
            "2262-04-11T23:47:15.000Z,0.00000001,\n");
  EXPECT_FALSE(w.open(dir_ + "/missing/equity.csv"));
}

// Many rows (several 1 MiB flushes), random times and amounts: the same text
// as format_rfc3339 and Decimal::to_string.
TEST_F(ReportFiles, EquityCsvMatchesTheGeneralFormatters) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> ns(-9'000'000'000'000'000'000, 9'200'000'000'000'000'000);
  std::uniform_int_distribution<int64_t> units(-1'000'000'000'000'000, 1'000'000'000'000'000);
  EquityCsvWriter w;
  ASSERT_TRUE(w.open(path("equity.csv")));
  std::string expect = "time,equity,drawdown\n";
  Timestamp t = at("2020-01-01T09:30:00Z");
  for (int i = 0; i < 40'000; ++i) {
    // Mostly consecutive minutes (the cached date), sometimes a random jump.
    t = i % 100 == 0 ? Timestamp(Duration(ns(rng))) : t + std::chrono::minutes(1);
    const Decimal e = Decimal::from_units(units(rng));
    w.add(t, e, 0.5);
    expect += format_rfc3339(t) + "," + e.to_string() + ",0.5\n";
  }
  ASSERT_TRUE(w.close());
  EXPECT_EQ(read(path("equity.csv")), expect);
}

TEST(EquitySampler, AMillionPointsInAtMost2000BucketsKeepingMinAndMax) {
  EquitySampler s;
  const Timestamp t0 = from_unix_seconds(1'700'000'000);
  for (int64_t i = 0; i < 1'000'000; ++i) {
    Decimal e = Decimal::from_int(100'000 + i % 1000);
    double dd = 0.01;
    if (i == 123'457) e = "50000"_d, dd = 0.5;  // one bar's dip
    if (i == 765'431) e = "250000"_d;           // one bar's spike
    s.add(t0 + std::chrono::minutes(i), e, dd);
  }
  const auto& b = s.buckets();
  EXPECT_LE(b.size(), EquitySampler::kMaxBuckets);
  EXPECT_GE(b.size(), EquitySampler::kMaxBuckets / 2);
  EXPECT_EQ(s.bars(), 1'000'000u);
  uint64_t n = 0;
  Decimal lo = b[0].min, hi = b[0].max;
  double worst = 0;
  for (const auto& k : b) {
    n += k.count;
    lo = std::min(lo, k.min);
    hi = std::max(hi, k.max);
    worst = std::max(worst, k.max_drawdown);
    EXPECT_LE(k.count, s.bars_per_bucket());
  }
  EXPECT_EQ(n, 1'000'000u);
  EXPECT_EQ(lo, "50000"_d);
  EXPECT_EQ(hi, "250000"_d);
  EXPECT_EQ(worst, 0.5);
  EXPECT_EQ(b.front().first_time, t0);
  EXPECT_EQ(b.back().last_time, t0 + std::chrono::minutes(999'999));
  EXPECT_EQ(b.back().last, Decimal::from_int(100'000 + 999'999 % 1000));
}

TEST(EquitySampler, FewPointsOnePerBucket) {
  EquitySampler s;
  s.add(from_unix_seconds(0), "1"_d, 0);
  s.add(from_unix_seconds(60), "2"_d, 0);
  ASSERT_EQ(s.buckets().size(), 2u);
  EXPECT_EQ(s.bars_per_bucket(), 1u);
  EXPECT_EQ(s.buckets()[1].last, "2"_d);
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom's & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;");
}

TEST_F(ReportFiles, HtmlIsSelfContainedWithMetricsChartsAndEscapedText) {
  EquitySampler s;
  const Timestamp t0 = at("2024-01-02T14:31:00Z");
  for (int i = 0; i < 5000; ++i)
    s.add(t0 + std::chrono::minutes(i), Decimal::from_int(100'000 + (i % 300) - (i % 700)),
          (i % 700) / 100000.0);
  std::vector<Trade> trades;
  trades.push_back(trade("<script>alert(1)</script>", -1, "2024-01-02T14:31:00Z",
                         "2024-01-02T15:00:00Z", "5", "10", "11", "-6.5", "1.5"));
  for (int i = 0; i < 10'010; ++i)
    trades.push_back(trade("SPY", 1, "2024-01-02T14:31:00Z", "2024-01-02T15:00:00Z", "1", "10",
                           "11", "0.5", "0.5"));
  const json info = {{"parameters", {{"strategy", "sma_cross"}, {"fast", 10}}},
                     {"data", {{"file", "/data/\"spy\" <&>.csv"}, {"from", "2024-01-02"}}},
                     {"warnings", json::array({"gap at <noon>"})},
                     {"config", {{"note", "</pre><img onerror=alert(1)>"}}}};
  ASSERT_TRUE(write_report_html(path("report.html"), sample_metrics(), info, s, trades));
  const std::string html = read(path("report.html"));
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<polyline class=\"equity\""), std::string::npos);
  EXPECT_NE(html.find("<polygon class=\"dd\""), std::string::npos);
  EXPECT_NE(html.find("100123.45"), std::string::npos);  // final equity
  EXPECT_NE(html.find("<th>sharpe</th><td>1.2500</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>sortino</th><td>n/a</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>max_drawdown</th><td>1.00%</td>"), std::string::npos);
  EXPECT_NE(html.find("sma_cross"), std::string::npos);
  EXPECT_NE(html.find("/data/&quot;spy&quot; &lt;&amp;&gt;.csv"), std::string::npos);
  EXPECT_NE(html.find("gap at &lt;noon&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;/pre&gt;&lt;img onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("1 more trades not shown"), std::string::npos);  // 10,011 trades
  // Nothing external, nothing injected.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // Exactly kMaxHtmlTrades trade rows.
  size_t rows = 0;
  for (size_t p = html.find("<tr><td>"); p != std::string::npos; p = html.find("<tr><td>", p + 1))
    ++rows;
  EXPECT_EQ(rows, kMaxHtmlTrades);
}

TEST_F(ReportFiles, HtmlWithoutBarsOrTrades) {
  ASSERT_TRUE(write_report_html(path("empty.html"), Metrics{}, json(), EquitySampler(), {}));
  const std::string html = read(path("empty.html"));
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Trades (0)"), std::string::npos);
}

}  // namespace
}  // namespace td::backtest
