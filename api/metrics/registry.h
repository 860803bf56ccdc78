#pragma once
// A small Prometheus metrics registry for GET /metrics (text format 0.0.4).
//
// Why this shape: requests are counted on the API threads at 50,000+ req/s,
// so recording must cost no more than an uncontended atomic add and never
// take a lock or allocate. Hence the split the Prometheus client libraries
// use:
// - a *family* (name, HELP, type, fixed label names) is registered once;
// - `with(label values)` finds or creates the *child* for one label-value set
//   (a map lookup under the family's mutex: the slow path) and returns a
//   handle, a pointer to the child's atomics, which the caller caches;
// - the handle records with relaxed atomic adds (counters: one; histograms:
//   one on the bucket, one on the sum). Readers (the scrape) tolerate seeing
//   an observation's bucket before its sum: Prometheus rates over minutes.
// Values owned by the engine (equity, orders by status, trading state) are
// not copied into gauges: a *callback* family computes its samples at scrape
// time from the engine's published snapshot.
//
// Exactness: counters are uint64; histogram bounds and sums are integers of
// a fixed unit (nanoseconds for durations) rendered exactly as decimals
// (seconds), so the sum never drifts; callback samples may carry decimal
// text (money) that is written as it stands, never through a double.
//
// Misuse (a bad name, a label count that does not match, a name registered
// twice) is a programming error: std::invalid_argument at registration or at
// `with()`, never on the hot path. Families live as long as the registry;
// handles must not outlive it. Default-constructed handles are valid and
// count into a discarded cell (components can run without metrics).
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace td::api::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };
std::string_view to_string(MetricType t);  // "counter" | "gauge" | "histogram"

// Histogram bucket upper bounds (inclusive, as Prometheus' `le`), strictly
// increasing, in integer units; a value renders as units / 10^scale. The
// +Inf bucket is implicit. Durations: Buckets::seconds (nanosecond units,
// scale 9); a unit never finer than a nanosecond, so observe(duration)
// converts by an integer division.
struct Buckets {
  std::vector<int64_t> upper_bounds;
  int scale = 0;  // 0..9

  static Buckets seconds(std::initializer_list<std::chrono::nanoseconds> bounds);
};

namespace detail {
class Family;
// Where detached (default-constructed) handles count.
extern std::atomic<uint64_t> g_discard[2];
}  // namespace detail

class Counter {
 public:
  Counter();  // detached: counts into a discarded cell
  bool detached() const noexcept { return cell_ == &detail::g_discard[0]; }
  void inc() const noexcept { cell_->fetch_add(1, std::memory_order_relaxed); }
  void inc(uint64_t n) const noexcept { cell_->fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return cell_->load(std::memory_order_relaxed); }

 private:
  friend class Registry;
  friend class CounterFamily;
  explicit Counter(std::atomic<uint64_t>* cell) : cell_(cell) {}
  std::atomic<uint64_t>* cell_;
};

// A double in an atomic's bits. set() is a store; inc()/dec() a CAS loop
// (gauges change at human rates: connections, queue depth).
class Gauge {
 public:
  Gauge();  // detached
  void set(double v) const noexcept {
    cell_->store(std::bit_cast<uint64_t>(v), std::memory_order_relaxed);
  }
  void inc(double d = 1) const noexcept;
  void dec(double d = 1) const noexcept { inc(-d); }
  double value() const noexcept {
    return std::bit_cast<double>(cell_->load(std::memory_order_relaxed));
  }

 private:
  friend class Registry;
  friend class GaugeFamily;
  explicit Gauge(std::atomic<uint64_t>* cell) : cell_(cell) {}
  std::atomic<uint64_t>* cell_;
};

// Cells: one count per bucket (not cumulative: one add per observation;
// the scrape accumulates), the +Inf bucket, then the sum (int64 in two's
// complement, added as uint64 so that it wraps like int64 would).
class Histogram {
 public:
  Histogram();  // detached
  // `units` in the family's unit (nanoseconds for Buckets::seconds).
  void observe(int64_t units) const noexcept {
    std::size_t i = 0;
    while (i < n_ && units > bounds_[i]) ++i;  // le is inclusive; n_ is small
    cells_[i].fetch_add(1, std::memory_order_relaxed);
    cells_[n_ + 1].fetch_add(static_cast<uint64_t>(units), std::memory_order_relaxed);
  }
  // Converted to the family's unit (truncating below it).
  void observe(std::chrono::nanoseconds d) const noexcept { observe(d.count() / ns_per_unit_); }

  uint64_t count() const noexcept;
  int64_t sum_units() const noexcept {
    return static_cast<int64_t>(cells_[n_ + 1].load(std::memory_order_relaxed));
  }

 private:
  friend class Registry;
  friend class HistogramFamily;
  Histogram(const int64_t* bounds, std::size_t n, int64_t ns_per_unit, std::atomic<uint64_t>* cells)
      : bounds_(bounds), n_(n), ns_per_unit_(ns_per_unit), cells_(cells) {}
  const int64_t* bounds_;
  std::size_t n_;
  int64_t ns_per_unit_;
  std::atomic<uint64_t>* cells_;
};

// A sample value as the exposition will write it, fixed when the sample is
// made (callback samples live only for one scrape).
class SampleValue {
 public:
  static SampleValue of(double v);
  static SampleValue of(int64_t v);
  static SampleValue of(uint64_t v);
  static SampleValue of(int v) { return of(static_cast<int64_t>(v)); }
  static SampleValue of(bool v) { return of(static_cast<int64_t>(v ? 1 : 0)); }
  // Decimal text as Decimal::to_string writes it ("12345.67", "-0.5"):
  // money stays exact end to end. Throws std::invalid_argument otherwise.
  static SampleValue decimal(std::string_view text);

  const std::string& text() const { return text_; }

 private:
  explicit SampleValue(std::string t) : text_(std::move(t)) {}
  std::string text_;
};

// One sample of a callback family: values for the family's label names, in
// their order.
struct Sample {
  std::vector<std::string> label_values;
  SampleValue value;
};
using SampleFn = std::function<std::vector<Sample>()>;

class CounterFamily {
 public:
  // Finds or creates the child (slow path: cache the handle).
  Counter with(std::initializer_list<std::string_view> label_values) const;
  Counter with(std::span<const std::string_view> label_values) const;

 private:
  friend class Registry;
  explicit CounterFamily(detail::Family* f) : f_(f) {}
  detail::Family* f_;
};

class GaugeFamily {
 public:
  Gauge with(std::initializer_list<std::string_view> label_values) const;
  Gauge with(std::span<const std::string_view> label_values) const;

 private:
  friend class Registry;
  explicit GaugeFamily(detail::Family* f) : f_(f) {}
  detail::Family* f_;
};

class HistogramFamily {
 public:
  Histogram with(std::initializer_list<std::string_view> label_values) const;
  Histogram with(std::span<const std::string_view> label_values) const;

 private:
  friend class Registry;
  explicit HistogramFamily(detail::Family* f) : f_(f) {}
  detail::Family* f_;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Counter names end in "_total"; other types' names must not. HELP must
  // not be empty. Throws std::invalid_argument on any misuse.
  CounterFamily counter_family(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names);
  GaugeFamily gauge_family(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names);
  HistogramFamily histogram_family(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names, Buckets buckets);
  // Unlabelled: the family and its one child (rendered from the start, as 0).
  Counter counter(std::string_view name, std::string_view help);
  Gauge gauge(std::string_view name, std::string_view help);
  Histogram histogram(std::string_view name, std::string_view help, Buckets buckets);

  // Samples computed at scrape time (kCounter or kGauge). The function runs
  // on the scraping thread, without the registry's locks held; it must be
  // thread-safe against the owner of the values (read a published snapshot).
  // Samples are sorted by label values; a repeated label set keeps the first;
  // a sample with the wrong number of label values is dropped; if the
  // function throws, the family is left out of that scrape.
  void callback(std::string_view name, std::string_view help, MetricType type,
                std::vector<std::string> label_names, SampleFn fn);

  // Runs at the start of every render, before any callback, serialised with
  // other renders: for a source that several callback families share (one
  // snapshot per scrape). Exceptions are swallowed.
  void on_scrape(std::function<void()> hook);

  // The exposition: families sorted by name, each with HELP and TYPE once,
  // children sorted by label values; families without samples are left out.
  // Safe to call from any thread, concurrently with recording.
  std::string render() const;
  void render(std::string& out) const;  // appends

 private:
  detail::Family* add(std::string_view name, std::string_view help, MetricType type,
                      std::vector<std::string> label_names, Buckets buckets, SampleFn fn);

  mutable std::mutex mu_;         // families_, taken_, hooks_
  mutable std::mutex render_mu_;  // one render at a time (hooks' state)
  std::map<std::string, std::unique_ptr<detail::Family>, std::less<>> families_;
  std::map<std::string, std::string, std::less<>> taken_;  // sample name -> family
  std::vector<std::function<void()>> hooks_;
};

}  // namespace td::api::metrics
