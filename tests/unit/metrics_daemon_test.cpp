// api/metrics/daemon_metrics: the tradingd_* catalogue — every family
// present with HELP and TYPE, route templates as labels, unmatched
// requests, engine-owned values read from the snapshot source at scrape.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "api/metrics/daemon_metrics.h"
#include "api/metrics/text_format.h"
#include "api/routes/route_table.h"

namespace td::api::metrics {
namespace {

using namespace std::chrono_literals;

// 2026-11-21T14:30:00.123Z
const std::chrono::system_clock::time_point kStarted{1'795'271'400'123ms};

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

const RouteInfo* find_route(std::string_view method, std::string_view path) {
  for (const auto& r : route_table()) {
    if (r.method == method && r.path == path) return &r;
  }
  throw std::logic_error("no such route");
}

EngineGauges sample_engine() {
  EngineGauges e;
  e.orders = {{"filled", 12}, {"submitted", 2}, {"cancelled", 1}};
  e.trading_state = "reducing";
  e.kill_switch_engaged = false;
  e.broker_connected = true;
  e.equity = "100234.56";
  return e;
}

TEST(MetricsDaemon, FreshCatalogueGolden) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  const std::string buckets =
      "0.00005 0.0001 0.00025 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 +Inf";
  std::string commit;
  {
    std::istringstream in(buckets);
    std::string le;
    while (in >> le)
      commit += "tradingd_store_commit_duration_seconds_bucket{le=\"" + le + "\"} 0\n";
  }
  EXPECT_EQ(m.render(),
            "# HELP tradingd_build_info The daemon's version; the value is always 1.\n"
            "# TYPE tradingd_build_info gauge\n"
            "tradingd_build_info{version=\"0.1.0\"} 1\n"
            "# HELP tradingd_fills_total Fills (executions) received from the broker.\n"
            "# TYPE tradingd_fills_total counter\n"
            "tradingd_fills_total 0\n"
            "# HELP tradingd_orders_submitted_total Orders accepted by the order manager, by "
            "source (api, strategy:<name>, flatten, external).\n"
            "# TYPE tradingd_orders_submitted_total counter\n"
            "tradingd_orders_submitted_total{source=\"api\"} 0\n"
            "tradingd_orders_submitted_total{source=\"external\"} 0\n"
            "tradingd_orders_submitted_total{source=\"flatten\"} 0\n"
            "# HELP tradingd_start_time_seconds When the daemon started, in seconds since the "
            "Unix epoch.\n"
            "# TYPE tradingd_start_time_seconds gauge\n"
            "tradingd_start_time_seconds 1795271400.123\n"
            "# HELP tradingd_store_commit_duration_seconds Time to commit one batch (group "
            "commit) to the state store.\n"
            "# TYPE tradingd_store_commit_duration_seconds histogram\n" +
                commit +
                "tradingd_store_commit_duration_seconds_sum 0\n"
                "tradingd_store_commit_duration_seconds_count 0\n"
                "# HELP tradingd_store_queue_depth Writes waiting for the state store to commit "
                "them.\n"
                "# TYPE tradingd_store_queue_depth gauge\n"
                "tradingd_store_queue_depth 0\n"
                "# HELP tradingd_up 1 while the daemon serves.\n"
                "# TYPE tradingd_up gauge\n"
                "tradingd_up 1\n"
                "# HELP tradingd_ws_clients WebSocket stream clients connected.\n"
                "# TYPE tradingd_ws_clients gauge\n"
                "tradingd_ws_clients 0\n"
                "# HELP tradingd_ws_slow_consumer_disconnects_total WebSocket clients "
                "disconnected (close 1013) for not keeping up with the stream.\n"
                "# TYPE tradingd_ws_slow_consumer_disconnects_total counter\n"
                "tradingd_ws_slow_consumer_disconnects_total 0\n");
}

TEST(MetricsDaemon, EveryCatalogueFamilyAppearsOnceWithHelpAndType) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  m.set_engine_source(sample_engine);
  m.record_request(find_route("GET", "/healthz"), "GET", 200, 1ms);
  m.risk_denials("max_order_notional").inc();
  const std::string out = m.render();
  const std::set<std::string> expected = {
      "tradingd_http_requests_total counter",
      "tradingd_http_request_duration_seconds histogram",
      "tradingd_orders gauge",
      "tradingd_orders_submitted_total counter",
      "tradingd_risk_denials_total counter",
      "tradingd_fills_total counter",
      "tradingd_ws_clients gauge",
      "tradingd_ws_slow_consumer_disconnects_total counter",
      "tradingd_broker_connected gauge",
      "tradingd_trading_state gauge",
      "tradingd_kill_switch_engaged gauge",
      "tradingd_equity gauge",
      "tradingd_store_queue_depth gauge",
      "tradingd_store_commit_duration_seconds histogram",
      "tradingd_build_info gauge",
      "tradingd_start_time_seconds gauge",
      "tradingd_up gauge",
  };
  std::set<std::string> types;
  std::istringstream in(out);
  std::string line;
  std::string last_family;
  while (std::getline(in, line)) {
    if (line.starts_with("# TYPE ")) {
      const std::string t = line.substr(7);
      EXPECT_TRUE(types.insert(t).second) << "twice: " << t;
      const std::string family = t.substr(0, t.find(' '));
      EXPECT_LT(last_family, family) << "families must be sorted";
      last_family = family;
    } else if (line.starts_with("# HELP ")) {
      EXPECT_GT(line.size(), std::string("# HELP tradingd_x ").size());
    }
  }
  EXPECT_EQ(types, expected);
}

TEST(MetricsDaemon, RequestsAreLabelledWithTheRouteTemplate) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  const RouteInfo* get_order = find_route("GET", "/api/v1/orders/{id}");
  m.record_request(get_order, "GET", 200, 120us);
  m.record_request(get_order, "GET", 200, 80us);
  m.record_request(get_order, "GET", 404, 30us);
  m.record_request(get_order, "GET", 418, 30us);   // not in the cached codes: slow path
  m.record_request(get_order, "GET", 1234, 30us);  // counts as 500
  const std::string out = m.render();
  EXPECT_TRUE(contains(out,
                       "tradingd_http_requests_total{route=\"/api/v1/orders/{id}\",method=\"GET\","
                       "code=\"200\"} 2\n"));
  EXPECT_TRUE(contains(out,
                       "tradingd_http_requests_total{route=\"/api/v1/orders/{id}\",method=\"GET\","
                       "code=\"404\"} 1\n"));
  EXPECT_TRUE(contains(out, "code=\"418\"} 1\n"));
  EXPECT_TRUE(contains(out, "code=\"500\"} 1\n"));
  EXPECT_TRUE(
      contains(out,
               "tradingd_http_request_duration_seconds_bucket{route=\"/api/v1/orders/{id}\","
               "method=\"GET\",le=\"0.00005\"} 3\n"));
  EXPECT_TRUE(
      contains(out,
               "tradingd_http_request_duration_seconds_bucket{route=\"/api/v1/orders/{id}\","
               "method=\"GET\",le=\"0.0001\"} 4\n"));
  EXPECT_TRUE(contains(
      out,
      "tradingd_http_request_duration_seconds_sum{route=\"/api/v1/orders/{id}\",method=\"GET\"} "
      "0.00029\n"));
  EXPECT_TRUE(contains(out,
                       "tradingd_http_request_duration_seconds_count{route=\"/api/v1/orders/{id}\","
                       "method=\"GET\"} 5\n"));
  // Only the route that served anything has series.
  EXPECT_FALSE(contains(out, "route=\"/healthz\""));
  EXPECT_FALSE(contains(out, "/api/v1/orders/7"));
}

TEST(MetricsDaemon, IndexAndPointerNameTheSameRoute) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  m.record_request(std::size_t{0}, "GET", 200, 1ms);
  m.record_request(&route_table()[0], "GET", 200, 1ms);
  EXPECT_TRUE(contains(m.render(), "tradingd_http_requests_total{route=\"" +
                                       std::string(route_table()[0].path) +
                                       "\",method=\"GET\",code=\"200\"} 2\n"));
}

TEST(MetricsDaemon, UnmatchedRequestsHaveBoundedLabels) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  m.record_request(nullptr, "GET", 404, 1ms);
  m.record_request(nullptr, "get", 404, 1ms);  // methods are case-sensitive: not standard
  m.record_request(nullptr, "X\"EVIL\n", 400, 1ms);
  m.record_request(DaemonMetrics::kUnmatched, "DELETE", 404, 1ms);
  const RouteInfo elsewhere{"GET", "/not/in/the/table", Access::kPublic, false, ""};
  m.record_request(&elsewhere, "GET", 404, 1ms);  // not a pointer into the table
  const std::string out = m.render();
  EXPECT_TRUE(contains(
      out, "tradingd_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 2\n"));
  EXPECT_TRUE(contains(
      out, "tradingd_http_requests_total{route=\"unmatched\",method=\"other\",code=\"404\"} 1\n"));
  EXPECT_TRUE(contains(
      out, "tradingd_http_requests_total{route=\"unmatched\",method=\"other\",code=\"400\"} 1\n"));
  EXPECT_TRUE(contains(
      out, "tradingd_http_requests_total{route=\"unmatched\",method=\"DELETE\",code=\"404\"} 1\n"));
  EXPECT_FALSE(contains(out, "EVIL"));
  EXPECT_FALSE(contains(out, "/not/in/the/table"));
}

TEST(MetricsDaemon, EngineValuesComeFromTheSourceOncePerScrape) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  EXPECT_FALSE(contains(m.render(), "tradingd_equity"));  // no source yet: left out
  int calls = 0;
  m.set_engine_source([&] {
    ++calls;
    return sample_engine();
  });
  const std::string out = m.render();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(contains(out,
                       "# TYPE tradingd_orders gauge\n"
                       "tradingd_orders{status=\"cancelled\"} 1\n"
                       "tradingd_orders{status=\"expired\"} 0\n"
                       "tradingd_orders{status=\"filled\"} 12\n"
                       "tradingd_orders{status=\"partially_filled\"} 0\n"
                       "tradingd_orders{status=\"pending_cancel\"} 0\n"
                       "tradingd_orders{status=\"pending_submit\"} 0\n"
                       "tradingd_orders{status=\"queued\"} 0\n"
                       "tradingd_orders{status=\"rejected\"} 0\n"
                       "tradingd_orders{status=\"submitted\"} 2\n"));
  EXPECT_TRUE(contains(out,
                       "tradingd_trading_state{state=\"active\"} 0\n"
                       "tradingd_trading_state{state=\"halted\"} 0\n"
                       "tradingd_trading_state{state=\"reducing\"} 1\n"));
  EXPECT_TRUE(contains(out, "\ntradingd_kill_switch_engaged 0\n"));
  EXPECT_TRUE(contains(out, "\ntradingd_broker_connected 1\n"));
  EXPECT_TRUE(contains(out,
                       "# HELP tradingd_equity Account equity (cash plus market value of "
                       "positions), in the account currency.\n"
                       "# TYPE tradingd_equity gauge\n"
                       "tradingd_equity 100234.56\n"));
}

TEST(MetricsDaemon, EquityIsWrittenDigitForDigit) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  m.set_engine_source([] {
    EngineGauges e = sample_engine();
    e.equity = "92233720368.54775807";  // Decimal's largest: not representable as a double
    return e;
  });
  EXPECT_TRUE(contains(m.render(), "\ntradingd_equity 92233720368.54775807\n"));
}

TEST(MetricsDaemon, BadOrFailingSourceNeverBreaksTheScrape) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  m.set_engine_source([] {
    EngineGauges e = sample_engine();
    e.equity = "1e5";  // not decimal text: the equity family alone is left out
    return e;
  });
  std::string out = m.render();
  EXPECT_FALSE(contains(out, "tradingd_equity"));
  EXPECT_TRUE(contains(out, "tradingd_broker_connected 1\n"));
  m.set_engine_source([]() -> EngineGauges { throw std::runtime_error("no snapshot"); });
  out = m.render();
  EXPECT_FALSE(contains(out, "tradingd_broker_connected"));
  EXPECT_TRUE(contains(out, "tradingd_up 1\n"));
}

TEST(MetricsDaemon, CachedHandlesRecord) {
  DaemonMetrics m(route_table(), "0.1.0", kStarted);
  m.orders_submitted_api.inc();
  m.orders_submitted("strategy:sma_cross").inc(2);
  m.risk_denials("price_collar").inc();
  m.fills.inc(3);
  m.ws_clients.inc();
  m.ws_slow_consumer_disconnects.inc();
  m.store_queue_depth.set(17);
  m.store_commit_duration.observe(2ms);
  const std::string out = m.render();
  EXPECT_TRUE(contains(out, "tradingd_orders_submitted_total{source=\"api\"} 1\n"));
  EXPECT_TRUE(contains(out, "tradingd_orders_submitted_total{source=\"strategy:sma_cross\"} 2\n"));
  EXPECT_TRUE(contains(out, "tradingd_risk_denials_total{check=\"price_collar\"} 1\n"));
  EXPECT_TRUE(contains(out, "tradingd_fills_total 3\n"));
  EXPECT_TRUE(contains(out, "tradingd_ws_clients 1\n"));
  EXPECT_TRUE(contains(out, "tradingd_ws_slow_consumer_disconnects_total 1\n"));
  EXPECT_TRUE(contains(out, "tradingd_store_queue_depth 17\n"));
  EXPECT_TRUE(contains(out, "tradingd_store_commit_duration_seconds_bucket{le=\"0.0025\"} 1\n"));
  EXPECT_TRUE(contains(out, "tradingd_store_commit_duration_seconds_sum 0.002\n"));
}

TEST(MetricsDaemon, ContentType) {
  EXPECT_EQ(kContentType, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace td::api::metrics
