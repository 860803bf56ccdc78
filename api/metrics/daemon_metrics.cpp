#include "api/metrics/daemon_metrics.h"

#include <algorithm>

namespace td::api::metrics {
namespace {

using namespace std::chrono_literals;

// api-v1.md's order statuses and trading states: always rendered, so a
// status at 0 is a series at 0 rather than a missing one.
constexpr std::array<std::string_view, 9> kOrderStatuses = {
    "queued",         "pending_submit", "submitted", "partially_filled", "filled",
    "pending_cancel", "cancelled",      "rejected",  "expired"};
constexpr std::array<std::string_view, 3> kTradingStates = {"active", "reducing", "halted"};

// Methods an unmatched request is labelled with; anything else is "other"
// (the raw method is client input: it must not make new series).
constexpr std::array<std::string_view, 8> kMethods = {"GET",   "HEAD",   "POST",    "PUT",
                                                      "PATCH", "DELETE", "OPTIONS", "other"};

std::size_t method_index(std::string_view m) {
  for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == m) return i;
  }
  return kMethods.size() - 1;
}

}  // namespace

Buckets duration_buckets() {
  return Buckets::seconds({50us, 100us, 250us, 500us, 1ms, 2500us, 5ms, 10ms, 25ms, 50ms, 100ms,
                           250ms, 500ms, 1s, 2500ms, 5s});
}

DaemonMetrics::DaemonMetrics(std::span<const RouteInfo> routes, std::string_view version,
                             std::chrono::system_clock::time_point started)
    : routes_(routes),
      requests_(registry_.counter_family(
          "tradingd_http_requests_total",
          "HTTP requests answered, by route template, method and status code.",
          {"route", "method", "code"})),
      durations_(registry_.histogram_family(
          "tradingd_http_request_duration_seconds",
          "Time from a request's arrival to its response, by route template and method.",
          {"route", "method"}, duration_buckets())),
      submitted_(registry_.counter_family(
          "tradingd_orders_submitted_total",
          "Orders accepted by the order manager, by source (api, strategy:<name>, flatten, "
          "external).",
          {"source"})),
      denials_(registry_.counter_family("tradingd_risk_denials_total",
                                        "Orders refused by a pre-trade risk check, by check.",
                                        {"check"})) {
  orders_submitted_api = submitted_.with({"api"});
  orders_submitted_flatten = submitted_.with({"flatten"});
  orders_submitted_external = submitted_.with({"external"});
  fills = registry_.counter("tradingd_fills_total", "Fills (executions) received from the broker.");
  ws_clients = registry_.gauge("tradingd_ws_clients", "WebSocket stream clients connected.");
  ws_slow_consumer_disconnects = registry_.counter(
      "tradingd_ws_slow_consumer_disconnects_total",
      "WebSocket clients disconnected (close 1013) for not keeping up with the stream.");
  store_queue_depth = registry_.gauge("tradingd_store_queue_depth",
                                      "Writes waiting for the state store to commit them.");
  store_commit_duration = registry_.histogram(
      "tradingd_store_commit_duration_seconds",
      "Time to commit one batch (group commit) to the state store.", duration_buckets());
  registry_
      .gauge_family("tradingd_build_info", "The daemon's version; the value is always 1.",
                    {"version"})
      .with({version})
      .set(1);
  registry_
      .gauge("tradingd_start_time_seconds",
             "When the daemon started, in seconds since the Unix "
             "epoch.")
      .set(static_cast<double>(
               std::chrono::duration_cast<std::chrono::milliseconds>(started.time_since_epoch())
                   .count()) /
           1000.0);
  registry_.gauge("tradingd_up", "1 while the daemon serves.").set(1);

  // Engine-owned values: one snapshot per scrape for all of them.
  registry_.on_scrape([this] {
    scraped_.reset();
    EngineSource source;
    {
      std::lock_guard lock(source_mu_);
      source = source_;
    }
    if (source) scraped_ = source();
  });
  registry_.callback(
      "tradingd_orders", "Orders the engine holds, by status.", MetricType::kGauge, {"status"},
      [this] {
        std::vector<Sample> out;
        if (!scraped_) return out;
        for (auto s : kOrderStatuses) {
          uint64_t n = 0;
          for (const auto& c : scraped_->orders) {
            if (c.status == s) n += c.count;
          }
          out.push_back({{std::string(s)}, SampleValue::of(n)});
        }
        for (const auto& c : scraped_->orders) {  // statuses beyond the contract's, if any
          if (std::find(kOrderStatuses.begin(), kOrderStatuses.end(), c.status) ==
              kOrderStatuses.end()) {
            out.push_back({{c.status}, SampleValue::of(c.count)});
          }
        }
        return out;
      });
  registry_.callback("tradingd_trading_state",
                     "The trading state: 1 for the current one (active, reducing, halted), 0 for "
                     "the others.",
                     MetricType::kGauge, {"state"}, [this] {
                       std::vector<Sample> out;
                       if (!scraped_) return out;
                       const auto& cur = scraped_->trading_state;
                       bool known = false;
                       for (auto s : kTradingStates) {
                         known = known || s == cur;
                         out.push_back({{std::string(s)}, SampleValue::of(s == cur)});
                       }
                       if (!known && !cur.empty()) out.push_back({{cur}, SampleValue::of(1)});
                       return out;
                     });
  registry_.callback("tradingd_kill_switch_engaged", "1 while the kill switch is engaged.",
                     MetricType::kGauge, {}, [this] {
                       std::vector<Sample> out;
                       if (scraped_) {
                         out.push_back({{}, SampleValue::of(scraped_->kill_switch_engaged)});
                       }
                       return out;
                     });
  registry_.callback("tradingd_broker_connected", "1 while the broker connection is up.",
                     MetricType::kGauge, {}, [this] {
                       std::vector<Sample> out;
                       if (scraped_) {
                         out.push_back({{}, SampleValue::of(scraped_->broker_connected)});
                       }
                       return out;
                     });
  registry_.callback("tradingd_equity",
                     "Account equity (cash plus market value of positions), in the account "
                     "currency.",
                     MetricType::kGauge, {}, [this] {
                       std::vector<Sample> out;
                       if (scraped_ && !scraped_->equity.empty()) {
                         out.push_back({{}, SampleValue::decimal(scraped_->equity)});
                       }
                       return out;
                     });

  slots_.reserve(routes_.size() + kMethods.size());
  for (const auto& r : routes_) {
    auto s = std::make_unique<Slot>();
    s->route = r.path;
    s->method = r.method;
    slots_.push_back(std::move(s));
  }
  for (auto m : kMethods) {
    auto s = std::make_unique<Slot>();
    s->route = "unmatched";
    s->method = m;
    slots_.push_back(std::move(s));
  }
}

DaemonMetrics::~DaemonMetrics() = default;

Counter DaemonMetrics::orders_submitted(std::string_view source) {
  return submitted_.with({source});
}

Counter DaemonMetrics::risk_denials(std::string_view check) {
  return denials_.with({check});
}

void DaemonMetrics::set_engine_source(EngineSource source) {
  std::lock_guard lock(source_mu_);
  source_ = std::move(source);
}

DaemonMetrics::Slot& DaemonMetrics::unmatched_slot(std::string_view method) noexcept {
  return *slots_[routes_.size() + method_index(method)];
}

void DaemonMetrics::record_request(const RouteInfo* route, std::string_view method, int status,
                                   std::chrono::nanoseconds elapsed) noexcept {
  std::size_t index = kUnmatched;
  if (route != nullptr && !routes_.empty() &&
      !std::less<const RouteInfo*>()(route, routes_.data()) &&
      std::less<const RouteInfo*>()(route, routes_.data() + routes_.size())) {
    index = static_cast<std::size_t>(route - routes_.data());
  }
  record_request(index, method, status, elapsed);
}

void DaemonMetrics::record_request(std::size_t route_index, std::string_view method, int status,
                                   std::chrono::nanoseconds elapsed) noexcept {
  Slot& slot = route_index < routes_.size() ? *slots_[route_index] : unmatched_slot(method);
  record_slot(slot, status, elapsed);
}

void DaemonMetrics::record_slot(Slot& slot, int status, std::chrono::nanoseconds elapsed) noexcept {
  if (status < 100 || status > 599) status = 500;
  // The code's cache slot: a short scan of a sorted constant table.
  const auto it = std::lower_bound(kCodes.begin(), kCodes.end(), status);
  const bool cached = it != kCodes.end() && *it == status;
  try {
    if (!slot.duration_ready.load(std::memory_order_acquire)) {
      std::lock_guard lock(slow_mu_);
      if (!slot.duration_ready.load(std::memory_order_relaxed)) {
        slot.duration = durations_.with({slot.route, slot.method});
        slot.duration_ready.store(true, std::memory_order_release);
      }
    }
    slot.duration.observe(elapsed);

    char code_buf[4];
    const std::string_view code(code_buf, 3);
    code_buf[0] = static_cast<char>('0' + status / 100);
    code_buf[1] = static_cast<char>('0' + status / 10 % 10);
    code_buf[2] = static_cast<char>('0' + status % 10);
    code_buf[3] = '\0';
    if (!cached) {
      requests_.with({slot.route, slot.method, code}).inc();
      return;
    }
    auto& cell = slot.by_code[static_cast<std::size_t>(it - kCodes.begin())];
    Counter c = cell.load(std::memory_order_acquire);
    if (c.detached()) {
      c = requests_.with({slot.route, slot.method, code});
      cell.store(c, std::memory_order_release);  // racing stores store the same handle
    }
    c.inc();
  } catch (...) {
    // Out of memory while creating a series: this response goes uncounted.
  }
}

}  // namespace td::api::metrics
