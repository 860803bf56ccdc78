#pragma once
// The daemon's metrics: every tradingd_* family with its HELP text in one
// place (docs/api.md "Metrics" lists the same), and handles cached so that
// each recording site is an atomic add.
//
// Who records what:
// - API threads: record_request() once per response (route *template*, never
//   the raw path: bounded cardinality; no route -> "unmatched"), WebSocket
//   clients and slow-consumer disconnects.
// - Engine side (through the daemon's wiring): orders submitted by source,
//   risk denials by check, fills.
// - Store writer: queue depth and commit duration (persistence/ must not
//   depend on api/: the daemon hands it these handles inside a callback).
// - Values the engine owns (orders by status, trading state, kill switch,
//   broker connection, equity) are read at scrape time from the published
//   snapshot through set_engine_source(), once per scrape for all of them.
//
// DaemonMetrics owns its Registry (the callbacks point into this object, so
// the two live and die together); more families can be added to registry().
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/metrics/registry.h"
#include "api/routes/route_table.h"

namespace td::api::metrics {

// What the engine's published snapshot says, read once per scrape.
struct EngineGauges {
  struct OrderCount {
    std::string status;  // api-v1.md order status: "queued", "filled", ...
    uint64_t count = 0;
  };
  std::vector<OrderCount> orders;  // statuses left out count 0
  std::string trading_state;       // "active" | "reducing" | "halted"
  bool kill_switch_engaged = false;
  bool broker_connected = false;
  std::string equity;  // Decimal::to_string(), account currency; "" = not known yet
};
using EngineSource = std::function<EngineGauges()>;

// Histogram buckets of request and commit durations: 50 µs ... 5 s.
Buckets duration_buckets();

class DaemonMetrics {
 public:
  static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);

  // `routes`: the router's table (route_table()); must outlive this object.
  DaemonMetrics(std::span<const RouteInfo> routes, std::string_view version,
                std::chrono::system_clock::time_point started);
  ~DaemonMetrics();
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  Registry& registry() { return registry_; }
  std::string render() const { return registry_.render(); }

  // One per response, from any thread. `route` points into the `routes`
  // span (nullptr: no route matched, e.g. a 404 or 405). Labels: the
  // route's template and method (a HEAD answered by a GET route counts as
  // GET); unmatched requests are labelled
  // route="unmatched" and their method if it is a standard one, else
  // "other". A status outside 100..599 counts as 500 (what the transport
  // sends). Lock-free after the first response of a (route, status).
  void record_request(const RouteInfo* route, std::string_view method, int status,
                      std::chrono::nanoseconds elapsed) noexcept;
  void record_request(std::size_t route_index, std::string_view method, int status,
                      std::chrono::nanoseconds elapsed) noexcept;

  // Slow path (a map lookup under a lock): call at start-up for the known
  // values and keep the handle ("strategy:<name>" per strategy, each risk
  // check name so that its series exists from the start at 0).
  Counter orders_submitted(std::string_view source);
  Counter risk_denials(std::string_view check);

  // Cached handles.
  Counter orders_submitted_api;       // source="api"
  Counter orders_submitted_flatten;   // source="flatten"
  Counter orders_submitted_external;  // source="external"
  Counter fills;
  Gauge ws_clients;
  Counter ws_slow_consumer_disconnects;
  Gauge store_queue_depth;
  Histogram store_commit_duration;

  // The snapshot reader for the engine-owned gauges; until it is set (or
  // when it throws) those families are left out of the scrape.
  void set_engine_source(EngineSource source);

 private:
  // Status codes with a lock-free cached counter; others take the slow path.
  static constexpr std::array<int, 35> kCodes = {
      200, 201, 202, 204, 206, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 406, 408, 409,
      410, 411, 412, 413, 414, 415, 416, 422, 426, 429, 431, 500, 501, 502, 503, 504, 505};
  struct Slot {
    std::string route;
    std::string method;
    std::atomic<bool> duration_ready{false};
    Histogram duration;  // written once under slow_mu_ before duration_ready
    std::array<std::atomic<Counter>, kCodes.size()> by_code{};  // detached until first use
  };

  void record_slot(Slot& slot, int status, std::chrono::nanoseconds elapsed) noexcept;
  Slot& unmatched_slot(std::string_view method) noexcept;

  Registry registry_;
  std::span<const RouteInfo> routes_;
  CounterFamily requests_;
  HistogramFamily durations_;
  CounterFamily submitted_;
  CounterFamily denials_;
  std::vector<std::unique_ptr<Slot>> slots_;  // routes_, then one per unmatched method
  std::mutex slow_mu_;                        // creation of a Slot's children

  std::mutex source_mu_;
  EngineSource source_;
  std::optional<EngineGauges> scraped_;  // written and read within a render only
};

}  // namespace td::api::metrics
