// api/metrics under concurrent use: several threads recording (totals
// exact), children created from several threads at once, scrapes while
// recording. Run clean under ASan/UBSan; only atomics and mutexes are
// shared, so the same code is TSan-clean by construction.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "api/metrics/daemon_metrics.h"
#include "api/metrics/registry.h"
#include "api/routes/route_table.h"

namespace td::api::metrics {
namespace {

using namespace std::chrono_literals;

constexpr int kThreads = 4;
constexpr int kPerThread = 200'000;

TEST(MetricsConcurrency, CountersAndHistogramsAreExactAcrossThreads) {
  Registry r;
  Counter c = r.counter("hits_total", "Hits.");
  Gauge g = r.gauge("inflight", "In flight.");
  Histogram h = r.histogram("lat_seconds", "Latency.", Buckets::seconds({10us, 1ms}));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        g.inc();
        h.observe(std::chrono::nanoseconds((i % 3) * 5'000 + t));  // 0..10 us buckets
        g.dec();
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(c.value(), uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(g.value(), 0);
  EXPECT_EQ(h.count(), uint64_t{kThreads} * kPerThread);
  int64_t expected_sum = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) expected_sum += (i % 3) * 5'000 + t;
  }
  EXPECT_EQ(h.sum_units(), expected_sum);
}

TEST(MetricsConcurrency, ChildrenCreatedConcurrentlyAreShared) {
  Registry r;
  auto f = r.counter_family("per_key_total", "Per key.", {"key"});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2'000; ++i) f.with({std::to_string(i % 50)}).inc();
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < 50; ++k) {
    EXPECT_EQ(f.with({std::to_string(k)}).value(), uint64_t{kThreads} * 2'000 / 50) << k;
  }
}

TEST(MetricsConcurrency, ScrapesWhileRecordingAndCreating) {
  Registry r;
  auto f = r.histogram_family("work_seconds", "Work.", {"kind"}, Buckets::seconds({1ms}));
  std::atomic<int> running{2};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20'000; ++i) f.with({"k" + std::to_string((i + t) % 20)}).observe(100us);
      running.fetch_sub(1);
    });
  }
  std::size_t last = 0;
  int scrapes = 0;
  do {
    const std::string out = r.render();
    std::size_t series = 0;
    for (std::size_t at = 0; at < out.size(); at = out.find('\n', at) + 1) series += out[at] != '#';
    EXPECT_GE(series, last);  // series only ever appear
    last = series;
    ++scrapes;
  } while (running.load() > 0);
  for (auto& th : threads) th.join();
  EXPECT_GT(scrapes, 0);
  const std::string out = r.render();
  EXPECT_NE(out.find("work_seconds_count{kind=\"k19\"} 2000\n"), std::string::npos);
  EXPECT_NE(out.find("work_seconds_sum{kind=\"k0\"} 0.2\n"), std::string::npos);
}

TEST(MetricsConcurrency, DaemonRequestsFromSeveralThreadsAreExact) {
  const auto routes = route_table();
  DaemonMetrics m(routes, "test", std::chrono::system_clock::time_point{});
  std::atomic<bool> stop{false};
  std::thread scraper([&] {
    while (!stop.load(std::memory_order_relaxed)) (void)m.render();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50'000; ++i) {
        // Every thread races to create the same children first.
        m.record_request(&routes[i % 3], "GET", i % 2 ? 200 : 404, 70us);
        m.record_request(nullptr, "BREW", 404, 1ms);
      }
    });
  }
  for (auto& th : threads) th.join();
  stop = true;
  scraper.join();

  const std::string out = m.render();
  const std::string route0(routes[0].path);
  // i % 3 == 0 and odd i: 50'000 / 6 per thread (rounded: 8333).
  EXPECT_NE(out.find("tradingd_http_requests_total{route=\"" + route0 +
                     "\",method=\"GET\",code=\"200\"} " + std::to_string(8333 * kThreads) + "\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tradingd_http_requests_total{route=\"unmatched\",method=\"other\",code="
                     "\"404\"} " +
                     std::to_string(50'000 * kThreads) + "\n"),
            std::string::npos);
  EXPECT_NE(out.find("tradingd_http_request_duration_seconds_count{route=\"unmatched\",method="
                     "\"other\"} " +
                     std::to_string(50'000 * kThreads) + "\n"),
            std::string::npos);
}

}  // namespace
}  // namespace td::api::metrics
