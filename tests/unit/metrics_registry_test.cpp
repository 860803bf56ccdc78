// api/metrics/registry: families, children, callbacks and the exact text of
// the exposition (golden strings), and every misuse that must throw.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>

#include "api/metrics/registry.h"

namespace td::api::metrics {
namespace {

using namespace std::chrono_literals;

TEST(MetricsRegistry, RendersCountersAndGaugesExactly) {
  Registry r;
  auto req = r.counter_family("app_requests_total", "Requests served.", {"route", "code"});
  req.with({"/b", "200"}).inc(3);
  req.with({"/a", "404"}).inc();
  req.with({"/a", "200"}).inc(2);
  Gauge g = r.gauge("app_temperature_celsius", "Current temperature.");
  g.set(21.5);
  Counter up = r.counter("app_restarts_total", "Restarts.");
  (void)up;

  EXPECT_EQ(r.render(),
            "# HELP app_requests_total Requests served.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{route=\"/a\",code=\"200\"} 2\n"
            "app_requests_total{route=\"/a\",code=\"404\"} 1\n"
            "app_requests_total{route=\"/b\",code=\"200\"} 3\n"
            "# HELP app_restarts_total Restarts.\n"
            "# TYPE app_restarts_total counter\n"
            "app_restarts_total 0\n"
            "# HELP app_temperature_celsius Current temperature.\n"
            "# TYPE app_temperature_celsius gauge\n"
            "app_temperature_celsius 21.5\n");
}

TEST(MetricsRegistry, SameLabelValuesGiveTheSameChild) {
  Registry r;
  auto f = r.counter_family("x_total", "X.", {"a"});
  Counter c1 = f.with({"v"});
  Counter c2 = f.with({"v"});
  c1.inc();
  c2.inc(4);
  EXPECT_EQ(c1.value(), 5u);
  EXPECT_EQ(f.with({"w"}).value(), 0u);
}

TEST(MetricsRegistry, GaugeIncDecSet) {
  Registry r;
  Gauge g = r.gauge("clients", "Clients.");
  g.inc();
  g.inc();
  g.dec();
  EXPECT_EQ(g.value(), 1);
  g.set(-2.25);
  g.inc(0.5);
  EXPECT_EQ(g.value(), -1.75);
  g.set(std::numeric_limits<double>::infinity());
  EXPECT_NE(r.render().find("clients +Inf\n"), std::string::npos);
  g.set(std::numeric_limits<double>::quiet_NaN());
  EXPECT_NE(r.render().find("clients NaN\n"), std::string::npos);
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  Registry r;
  auto f = r.gauge_family("weird", "Help with \\ and\nnewline and \"quotes\".", {"v"});
  f.with({"back\\slash \"quoted\"\nnext"}).set(1);
  EXPECT_EQ(r.render(),
            "# HELP weird Help with \\\\ and\\nnewline and \"quotes\".\n"
            "# TYPE weird gauge\n"
            "weird{v=\"back\\\\slash \\\"quoted\\\"\\nnext\"} 1\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto f = r.histogram_family("op_duration_seconds", "Operation time.", {"op"},
                              Buckets::seconds({1ms, 10ms, 100ms}));
  Histogram h = f.with({"read"});
  h.observe(500us);  // <= 1ms
  h.observe(1ms);    // le is inclusive: still the first bucket
  h.observe(1001us);
  h.observe(50ms);
  h.observe(3s);  // +Inf only
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.sum_units(), 500'000 + 1'000'000 + 1'001'000 + 50'000'000 + 3'000'000'000LL);

  EXPECT_EQ(r.render(),
            "# HELP op_duration_seconds Operation time.\n"
            "# TYPE op_duration_seconds histogram\n"
            "op_duration_seconds_bucket{op=\"read\",le=\"0.001\"} 2\n"
            "op_duration_seconds_bucket{op=\"read\",le=\"0.01\"} 3\n"
            "op_duration_seconds_bucket{op=\"read\",le=\"0.1\"} 4\n"
            "op_duration_seconds_bucket{op=\"read\",le=\"+Inf\"} 5\n"
            "op_duration_seconds_sum{op=\"read\"} 3.052501\n"
            "op_duration_seconds_count{op=\"read\"} 5\n");
}

TEST(MetricsRegistry, HistogramWithoutLabelsAndIntegerUnits) {
  Registry r;
  Histogram h = r.histogram("payload_bytes", "Payload sizes.", Buckets{{100, 1000}, 0});
  h.observe(int64_t{100});
  h.observe(int64_t{5000});
  EXPECT_EQ(r.render(),
            "# HELP payload_bytes Payload sizes.\n"
            "# TYPE payload_bytes histogram\n"
            "payload_bytes_bucket{le=\"100\"} 1\n"
            "payload_bytes_bucket{le=\"1000\"} 1\n"
            "payload_bytes_bucket{le=\"+Inf\"} 2\n"
            "payload_bytes_sum 5100\n"
            "payload_bytes_count 2\n");
}

TEST(MetricsRegistry, HistogramSumIsExactOverManyObservations) {
  // A double sum of 0.1 s, ten million times, is off in the 8th digit; the
  // integer nanosecond sum is exact.
  Registry r;
  Histogram h = r.histogram("t_seconds", "T.", Buckets::seconds({1s}));
  for (int i = 0; i < 10'000'000; ++i) h.observe(100ms);
  EXPECT_NE(r.render().find("t_seconds_sum 1000000\n"), std::string::npos);
}

TEST(MetricsRegistry, FamiliesWithoutChildrenAreLeftOut) {
  Registry r;
  r.counter_family("denials_total", "Denials.", {"check"});
  EXPECT_EQ(r.render(), "");
}

TEST(MetricsRegistry, CallbackSamplesAreSortedDedupedAndExact) {
  Registry r;
  r.callback("orders", "Orders by status.", MetricType::kGauge, {"status"}, [] {
    return std::vector<Sample>{
        {{"submitted"}, SampleValue::of(uint64_t{3})},
        {{"filled"}, SampleValue::of(int64_t{7})},
        {{"filled"}, SampleValue::of(int64_t{99})},  // repeated: the first wins
        {{"a", "b"}, SampleValue::of(1)},            // wrong label count: dropped
        {{"cancelled"}, SampleValue::of(0.5)},
    };
  });
  r.callback("equity", "Equity.", MetricType::kGauge, {}, [] {
    return std::vector<Sample>{{{}, SampleValue::decimal("-92233720368.54775807")}};
  });
  EXPECT_EQ(r.render(),
            "# HELP equity Equity.\n"
            "# TYPE equity gauge\n"
            "equity -92233720368.54775807\n"
            "# HELP orders Orders by status.\n"
            "# TYPE orders gauge\n"
            "orders{status=\"cancelled\"} 0.5\n"
            "orders{status=\"filled\"} 7\n"
            "orders{status=\"submitted\"} 3\n");
}

TEST(MetricsRegistry, ThrowingOrEmptyCallbackLeavesItsFamilyOut) {
  Registry r;
  r.callback("broken", "Broken.", MetricType::kGauge, {},
             []() -> std::vector<Sample> { throw std::runtime_error("snapshot gone"); });
  r.callback("empty", "Empty.", MetricType::kGauge, {}, [] { return std::vector<Sample>{}; });
  r.gauge("ok", "Ok.").set(1);
  EXPECT_EQ(r.render(), "# HELP ok Ok.\n# TYPE ok gauge\nok 1\n");
}

TEST(MetricsRegistry, ScrapeHooksRunBeforeCallbacksOncePerRender) {
  Registry r;
  int hooks = 0;
  int seen = -1;
  r.on_scrape([&] { ++hooks; });
  r.on_scrape([] { throw std::runtime_error("ignored"); });
  r.callback("seen", "Seen.", MetricType::kGauge, {}, [&] {
    seen = hooks;
    return std::vector<Sample>{{{}, SampleValue::of(hooks)}};
  });
  r.render();
  EXPECT_EQ(r.render(), "# HELP seen Seen.\n# TYPE seen gauge\nseen 2\n");
  EXPECT_EQ(seen, 2);
}

TEST(MetricsRegistry, DecimalSampleValueRefusesNonDecimals) {
  EXPECT_EQ(SampleValue::decimal("12345.67").text(), "12345.67");
  EXPECT_THROW(SampleValue::decimal("1e3"), std::invalid_argument);
  EXPECT_THROW(SampleValue::decimal("12,345.67"), std::invalid_argument);
  EXPECT_THROW(SampleValue::decimal(""), std::invalid_argument);
}

TEST(MetricsRegistry, DetachedHandlesAreHarmless) {
  Counter c;
  Gauge g;
  Histogram h;
  EXPECT_TRUE(c.detached());
  c.inc();
  g.set(3);
  h.observe(5ms);
  Registry r;
  EXPECT_FALSE(r.counter("a_total", "A.").detached());
}

TEST(MetricsRegistry, InvalidNamesThrowAtRegistration) {
  Registry r;
  EXPECT_THROW(r.counter("9bad_total", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("bad-name_total", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter_family("a_total", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("b_total", "x", {"has:colon"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("c_total", "x", {"9"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("d_total", "x", {"x", "x"}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("e_seconds", "x", {"le"}, Buckets::seconds({1s})),
               std::invalid_argument);
  // Naming conventions that promtool lints.
  EXPECT_THROW(r.counter("requests", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("clients_total", "x"), std::invalid_argument);
  EXPECT_THROW(r.histogram("h_total", "x", Buckets::seconds({1s})), std::invalid_argument);
  EXPECT_THROW(r.gauge("no_help", ""), std::invalid_argument);
  // Buckets.
  EXPECT_THROW(r.histogram("f_seconds", "x", Buckets::seconds({2s, 1s})), std::invalid_argument);
  EXPECT_THROW(r.histogram("g_seconds", "x", Buckets::seconds({1s, 1s})), std::invalid_argument);
  EXPECT_THROW(r.histogram("i_seconds", "x", Buckets{{1}, 10}), std::invalid_argument);
  // Callbacks.
  EXPECT_THROW(
      r.callback("cb", "x", MetricType::kHistogram, {}, [] { return std::vector<Sample>{}; }),
      std::invalid_argument);
  EXPECT_THROW(r.callback("cb", "x", MetricType::kGauge, {}, nullptr), std::invalid_argument);
  EXPECT_THROW(
      r.callback("cb", "x", MetricType::kCounter, {}, [] { return std::vector<Sample>{}; }),
      std::invalid_argument);  // counter without _total
  // Nothing half-registered.
  EXPECT_EQ(r.render(), "");
}

TEST(MetricsRegistry, NamesAreRegisteredOnceIncludingHistogramSeries) {
  Registry r;
  r.gauge("dup", "x");
  EXPECT_THROW(r.gauge("dup", "x"), std::invalid_argument);
  EXPECT_THROW(r.callback("dup", "x", MetricType::kGauge, {}, [] { return std::vector<Sample>{}; }),
               std::invalid_argument);
  r.histogram("lat_seconds", "x", Buckets::seconds({1s}));
  EXPECT_THROW(r.gauge("lat_seconds_count", "x"), std::invalid_argument);
  EXPECT_THROW(r.gauge("lat_seconds_bucket", "x"), std::invalid_argument);
  r.gauge("q_sum", "x");
  EXPECT_THROW(r.histogram("q", "x", Buckets::seconds({1s})), std::invalid_argument);
}

TEST(MetricsRegistry, WrongNumberOfLabelValuesThrows) {
  Registry r;
  auto f = r.counter_family("l_total", "x", {"a", "b"});
  EXPECT_THROW(f.with({"1"}), std::invalid_argument);
  EXPECT_THROW(f.with({"1", "2", "3"}), std::invalid_argument);
  EXPECT_NO_THROW(f.with({"1", "2"}));
}

}  // namespace
}  // namespace td::api::metrics
