// The metrics hot path and the scrape (api/metrics):
// - recording through a cached handle, one thread and two threads on the
//   same child (the contended case: two API threads counting one route) and
//   on separate children (no shared cache line);
// - DaemonMetrics::record_request, what the router calls per response
//   (histogram observe + cached counter by status);
// - rendering the daemon catalogue with ~200 series (GET /metrics).
// Targets: record < 50 ns uncontended; render of ~200 series < 100 µs.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "api/metrics/daemon_metrics.h"
#include "api/metrics/registry.h"
#include "api/routes/route_table.h"

namespace {

using namespace td::api;
using namespace td::api::metrics;
using namespace std::chrono_literals;

Registry& shared_registry() {
  static Registry r;
  return r;
}

Counter shared_counter() {
  static Counter c = shared_registry().counter("bench_shared_total", "Shared.");
  return c;
}

Histogram shared_histogram() {
  static Histogram h =
      shared_registry().histogram("bench_shared_seconds", "Shared.", duration_buckets());
  return h;
}

CounterFamily per_thread_family() {
  static CounterFamily f =
      shared_registry().counter_family("bench_per_thread_total", "Per thread.", {"thread"});
  return f;
}

DaemonMetrics& shared_daemon() {
  static DaemonMetrics m(route_table(), "bench", std::chrono::system_clock::now());
  return m;
}

void BM_CounterInc(benchmark::State& state) {
  const Counter c = shared_counter();
  for (auto _ : state) c.inc();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2)->UseRealTime();

void BM_CounterIncOwnChild(benchmark::State& state) {
  const Counter c = per_thread_family().with({std::to_string(state.thread_index())});
  for (auto _ : state) c.inc();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterIncOwnChild)->Threads(1)->Threads(2)->UseRealTime();

void BM_HistogramObserve(benchmark::State& state) {
  const Histogram h = shared_histogram();
  // Request-like latencies spread over the buckets (50 µs ... 2 ms).
  const std::chrono::nanoseconds values[8] = {60us, 90us, 180us, 240us, 400us, 700us, 1200us, 2ms};
  std::size_t i = 0;
  for (auto _ : state) h.observe(values[i++ & 7]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2)->UseRealTime();

void BM_RecordRequest(benchmark::State& state) {
  DaemonMetrics& m = shared_daemon();
  const auto routes = route_table();
  const RouteInfo* route = &routes[5 + state.thread_index() % 2];  // GET/POST /api/v1/orders
  for (auto _ : state) m.record_request(route, route->method, 200, 180us);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordRequest)->Threads(1)->Threads(2)->UseRealTime();

void BM_RenderCatalogue(benchmark::State& state) {
  DaemonMetrics m(route_table(), "bench", std::chrono::system_clock::now());
  const auto routes = route_table();
  for (std::size_t i = 0; i < 8; ++i) {  // 8 routes served, two status codes each
    m.record_request(&routes[i], routes[i].method, 200, 150us);
    m.record_request(&routes[i], routes[i].method, 404, 40us);
  }
  m.set_engine_source([] {
    EngineGauges e;
    e.orders = {{"filled", 40}, {"submitted", 2}};
    e.trading_state = "active";
    e.broker_connected = true;
    e.equity = "100234.56";
    return e;
  });
  std::string out;
  std::size_t series = 0;
  for (auto _ : state) {
    out.clear();
    m.registry().render(out);
    benchmark::DoNotOptimize(out.data());
  }
  for (std::size_t at = 0; at < out.size(); at = out.find('\n', at) + 1) {
    series += out[at] != '#';  // sample lines, not HELP/TYPE
  }
  state.counters["series"] = static_cast<double>(series);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_RenderCatalogue);

}  // namespace

BENCHMARK_MAIN();
