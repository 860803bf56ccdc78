// The daemon's exposition through Prometheus's own checker: `promtool check
// metrics` parses the text format and lints names, types, units and HELP.
// promtool comes from Debian's `prometheus` package, which scripts/lib.sh
// does not install (96 MB): the test skips without it. Where it is looked
// for: the PROMTOOL environment variable, else what CMake found (TD_PROMTOOL).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "api/metrics/daemon_metrics.h"
#include "api/routes/route_table.h"

#ifndef TD_PROMTOOL
#define TD_PROMTOOL ""
#endif

namespace td::api::metrics {
namespace {

using namespace std::chrono_literals;

std::string promtool_path() {
  if (const char* env = std::getenv("PROMTOOL"); env != nullptr && *env != '\0') return env;
  return TD_PROMTOOL;
}

// Every family of the catalogue with samples, label values that need
// escaping, and extra families of each type.
std::string sample_exposition() {
  DaemonMetrics m(route_table(), "0.1.0-dev+g5bcf802", std::chrono::system_clock::now());
  for (const auto& r : route_table()) m.record_request(&r, r.method, 200, 180us);
  m.record_request(&route_table()[6], "POST", 422, 2ms);
  m.record_request(nullptr, "GET", 404, 40us);
  m.record_request(nullptr, "PROPFIND", 404, 40us);
  m.orders_submitted_api.inc(5);
  m.orders_submitted("strategy:sma \"fast\"\\slow\nnext").inc();
  m.orders_submitted("strategy:caf\xc3\xa9\xff").inc();  // invalid UTF-8 replaced
  m.risk_denials("max_order_notional").inc(2);
  m.risk_denials("kill_switch_engaged").inc();
  m.fills.inc(7);
  m.ws_clients.set(3);
  m.ws_slow_consumer_disconnects.inc();
  m.store_queue_depth.set(4);
  m.store_commit_duration.observe(1500us);
  m.store_commit_duration.observe(30s);
  m.set_engine_source([] {
    EngineGauges e;
    e.orders = {{"filled", 40}, {"submitted", 2}};
    e.trading_state = "halted";
    e.kill_switch_engaged = true;
    e.broker_connected = true;
    e.equity = "-1234.5";
    return e;
  });
  auto& r = m.registry();
  r.gauge("tradingd_test_infinite", "An infinite gauge.")
      .set(std::numeric_limits<double>::infinity());
  r.gauge("tradingd_test_small", "A tiny gauge.").set(5e-324);
  return m.render();
}

TEST(MetricsPromtool, DaemonCataloguePassesPromtoolCheckMetrics) {
  const std::string tool = promtool_path();
  if (tool.empty() || ::access(tool.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "promtool not found (Debian package prometheus; or set PROMTOOL=/path)";
  }
  const auto dir = std::filesystem::temp_directory_path();
  const auto file = dir / ("td_metrics_" + std::to_string(::getpid()) + ".prom");
  const std::string text = sample_exposition();
  {
    std::ofstream out(file, std::ios::binary);
    out << text;
  }
  const std::string cmd = "'" + tool + "' check metrics < '" + file.string() + "' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  const int status = ::pclose(p);
  std::filesystem::remove(file);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << output << "\n--- exposition ---\n" << text;
  EXPECT_EQ(output, "");  // no lint findings either
}

}  // namespace
}  // namespace td::api::metrics
