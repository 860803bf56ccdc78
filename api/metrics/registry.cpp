#include "api/metrics/registry.h"

#include <algorithm>
#include <new>
#include <stdexcept>
#include <utility>

#include "api/metrics/text_format.h"

namespace td::api::metrics {

std::string_view to_string(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Two cells: enough for a histogram without bounds (+Inf bucket and sum).
constinit std::atomic<uint64_t> detail::g_discard[2] = {0, 0};

namespace {

[[noreturn]] void misuse(std::string_view what, std::string_view name) {
  throw std::invalid_argument("metrics: " + std::string(what) + ": \"" + std::string(name) + "\"");
}

int64_t pow10(int e) {
  int64_t r = 1;
  while (e-- > 0) r *= 10;
  return r;
}

}  // namespace

Buckets Buckets::seconds(std::initializer_list<std::chrono::nanoseconds> bounds) {
  Buckets b;
  b.scale = 9;
  for (auto d : bounds) b.upper_bounds.push_back(d.count());
  return b;
}

Counter::Counter() : cell_(&detail::g_discard[0]) {}
Gauge::Gauge() : cell_(&detail::g_discard[0]) {}
Histogram::Histogram() : bounds_(nullptr), n_(0), ns_per_unit_(1), cells_(detail::g_discard) {}

void Gauge::inc(double d) const noexcept {
  uint64_t old = cell_->load(std::memory_order_relaxed);
  while (!cell_->compare_exchange_weak(old, std::bit_cast<uint64_t>(std::bit_cast<double>(old) + d),
                                       std::memory_order_relaxed)) {
  }
}

uint64_t Histogram::count() const noexcept {
  uint64_t c = 0;
  for (std::size_t i = 0; i <= n_; ++i) c += cells_[i].load(std::memory_order_relaxed);
  return c;
}

SampleValue SampleValue::of(double v) {
  std::string t;
  append_double(t, v);
  return SampleValue(std::move(t));
}

SampleValue SampleValue::of(int64_t v) {
  std::string t;
  append_int(t, v);
  return SampleValue(std::move(t));
}

SampleValue SampleValue::of(uint64_t v) {
  std::string t;
  append_uint(t, v);
  return SampleValue(std::move(t));
}

SampleValue SampleValue::decimal(std::string_view text) {
  if (!is_decimal_text(text)) misuse("not a decimal number", text);
  return SampleValue(std::string(text));
}

namespace detail {

// A child's atomics, zeroed, on cache lines of their own (two hot children
// never share a line).
class Cells {
 public:
  explicit Cells(std::size_t n) {
    const std::size_t bytes = (n * sizeof(std::atomic<uint64_t>) + 63) / 64 * 64;
    p_ = static_cast<std::atomic<uint64_t>*>(::operator new (bytes, std::align_val_t{64}));
    for (std::size_t i = 0; i < n; ++i) new (p_ + i) std::atomic<uint64_t>(0);
  }
  ~Cells() { ::operator delete (p_, std::align_val_t{64}); }
  Cells(const Cells&) = delete;
  Cells& operator=(const Cells&) = delete;

  std::atomic<uint64_t>* data() const { return p_; }
  uint64_t load(std::size_t i) const { return p_[i].load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t>* p_;
};

class Family {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> labels,
         Buckets buckets, SampleFn fn)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        labels_(std::move(labels)),
        buckets_(std::move(buckets)),
        fn_(std::move(fn)) {}

  MetricType type() const { return type_; }
  const Buckets& buckets() const { return buckets_; }
  int64_t ns_per_unit() const { return pow10(9 - buckets_.scale); }
  bool is_callback() const { return static_cast<bool>(fn_); }

  std::atomic<uint64_t>* child(std::span<const std::string_view> values) {
    if (values.size() != labels_.size()) misuse("wrong number of label values for", name_);
    std::vector<std::string> key(values.begin(), values.end());
    std::lock_guard lock(mu_);
    auto it = children_.find(key);
    if (it == children_.end()) {
      const std::size_t n = type_ == MetricType::kHistogram ? buckets_.upper_bounds.size() + 2 : 1;
      it = children_.try_emplace(std::move(key), n).first;
    }
    return it->second.data();
  }

  void render(std::string& out) const {
    if (fn_) {
      render_callback(out);
      return;
    }
    std::lock_guard lock(mu_);
    if (children_.empty()) return;
    header(out);
    for (const auto& [values, cells] : children_) {
      if (type_ == MetricType::kHistogram) {
        render_histogram(out, values, cells);
      } else {
        out += name_;
        label_set(out, values);
        out += ' ';
        if (type_ == MetricType::kCounter) {
          append_uint(out, cells.load(0));
        } else {
          append_double(out, std::bit_cast<double>(cells.load(0)));
        }
        out += '\n';
      }
    }
  }

 private:
  void header(std::string& out) const {
    out += "# HELP ";
    out += name_;
    out += ' ';
    append_help_text(out, help_);
    out += "\n# TYPE ";
    out += name_;
    out += ' ';
    out += to_string(type_);
    out += '\n';
  }

  // {a="x",b="y"} plus le="..." for buckets; nothing when there are no labels.
  void label_set(std::string& out, const std::vector<std::string>& values,
                 std::string_view le = {}) const {
    if (labels_.empty() && le.empty()) return;
    out += '{';
    for (std::size_t i = 0; i < labels_.size(); ++i) {
      if (i) out += ',';
      out += labels_[i];
      out += "=\"";
      append_label_value(out, values[i]);
      out += '"';
    }
    if (!le.empty()) {
      if (!labels_.empty()) out += ',';
      out += "le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }

  void render_histogram(std::string& out, const std::vector<std::string>& values,
                        const Cells& cells) const {
    const auto& bounds = buckets_.upper_bounds;
    uint64_t cumulative = 0;
    std::string le;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += cells.load(i);
      le.clear();
      if (i < bounds.size()) {
        append_scaled(le, bounds[i], buckets_.scale);
      } else {
        le = "+Inf";
      }
      out += name_;
      out += "_bucket";
      label_set(out, values, le);
      out += ' ';
      append_uint(out, cumulative);
      out += '\n';
    }
    out += name_;
    out += "_sum";
    label_set(out, values);
    out += ' ';
    append_scaled(out, static_cast<int64_t>(cells.load(bounds.size() + 1)), buckets_.scale);
    out += '\n';
    out += name_;
    out += "_count";
    label_set(out, values);
    out += ' ';
    append_uint(out, cumulative);
    out += '\n';
  }

  void render_callback(std::string& out) const {
    std::vector<Sample> samples;
    try {
      samples = fn_();
    } catch (...) {
      return;  // a failing source leaves its family out; the scrape goes on
    }
    std::erase_if(samples,
                  [&](const Sample& s) { return s.label_values.size() != labels_.size(); });
    std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
      return a.label_values < b.label_values;
    });
    auto dup = std::unique(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
      return a.label_values == b.label_values;
    });
    samples.erase(dup, samples.end());
    if (samples.empty()) return;
    header(out);
    for (const auto& s : samples) {
      out += name_;
      label_set(out, s.label_values);
      out += ' ';
      out += s.value.text();
      out += '\n';
    }
  }

  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> labels_;
  const Buckets buckets_;
  const SampleFn fn_;
  mutable std::mutex mu_;  // children_ (the map, not the atomics in it)
  std::map<std::vector<std::string>, Cells> children_;
};

}  // namespace detail

Counter CounterFamily::with(std::initializer_list<std::string_view> v) const {
  return with(std::span<const std::string_view>(v.begin(), v.size()));
}
Counter CounterFamily::with(std::span<const std::string_view> v) const {
  return Counter(f_->child(v));
}
Gauge GaugeFamily::with(std::initializer_list<std::string_view> v) const {
  return with(std::span<const std::string_view>(v.begin(), v.size()));
}
Gauge GaugeFamily::with(std::span<const std::string_view> v) const {
  return Gauge(f_->child(v));
}
Histogram HistogramFamily::with(std::initializer_list<std::string_view> v) const {
  return with(std::span<const std::string_view>(v.begin(), v.size()));
}
Histogram HistogramFamily::with(std::span<const std::string_view> v) const {
  auto* cells = f_->child(v);
  const auto& bounds = f_->buckets().upper_bounds;
  return Histogram(bounds.data(), bounds.size(), f_->ns_per_unit(), cells);
}

Registry::Registry() = default;
Registry::~Registry() = default;

detail::Family* Registry::add(std::string_view name, std::string_view help, MetricType type,
                              std::vector<std::string> label_names, Buckets buckets, SampleFn fn) {
  if (!is_valid_metric_name(name)) misuse("invalid metric name", name);
  if (help.empty()) misuse("empty HELP for", name);
  const bool total = name.ends_with("_total");
  if (type == MetricType::kCounter && !total) misuse("counter name must end in _total", name);
  if (type != MetricType::kCounter && total) misuse("only counter names end in _total", name);
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& l = label_names[i];
    if (!is_valid_label_name(l)) misuse("invalid label name", l);
    if (type == MetricType::kHistogram && l == "le") misuse("label le is reserved in", name);
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names[j] == l) misuse("repeated label name", l);
    }
  }
  if (type == MetricType::kHistogram) {
    if (buckets.scale < 0 || buckets.scale > 9) misuse("bucket scale must be 0..9 in", name);
    const auto& b = buckets.upper_bounds;
    for (std::size_t i = 1; i < b.size(); ++i) {
      if (b[i] <= b[i - 1]) misuse("bucket bounds must increase in", name);
    }
  }

  std::vector<std::string> samples;
  if (type == MetricType::kHistogram) {
    samples = {std::string(name), std::string(name) + "_bucket", std::string(name) + "_sum",
               std::string(name) + "_count"};
  } else {
    samples = {std::string(name)};
  }
  std::lock_guard lock(mu_);
  for (const auto& s : samples) {
    if (taken_.contains(s)) misuse("name already registered", s);
  }
  for (const auto& s : samples) taken_.emplace(s, name);
  auto family =
      std::make_unique<detail::Family>(std::string(name), std::string(help), type,
                                       std::move(label_names), std::move(buckets), std::move(fn));
  auto* f = family.get();
  families_.emplace(std::string(name), std::move(family));
  return f;
}

CounterFamily Registry::counter_family(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names) {
  return CounterFamily(add(name, help, MetricType::kCounter, std::move(label_names), {}, {}));
}

GaugeFamily Registry::gauge_family(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names) {
  return GaugeFamily(add(name, help, MetricType::kGauge, std::move(label_names), {}, {}));
}

HistogramFamily Registry::histogram_family(std::string_view name, std::string_view help,
                                           std::vector<std::string> label_names, Buckets buckets) {
  return HistogramFamily(
      add(name, help, MetricType::kHistogram, std::move(label_names), std::move(buckets), {}));
}

Counter Registry::counter(std::string_view name, std::string_view help) {
  return counter_family(name, help, {}).with({});
}

Gauge Registry::gauge(std::string_view name, std::string_view help) {
  return gauge_family(name, help, {}).with({});
}

Histogram Registry::histogram(std::string_view name, std::string_view help, Buckets buckets) {
  return histogram_family(name, help, {}, std::move(buckets)).with({});
}

void Registry::callback(std::string_view name, std::string_view help, MetricType type,
                        std::vector<std::string> label_names, SampleFn fn) {
  if (type == MetricType::kHistogram) misuse("callback families are counters or gauges", name);
  if (!fn) misuse("callback without a function", name);
  add(name, help, type, std::move(label_names), {}, std::move(fn));
}

void Registry::on_scrape(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string Registry::render() const {
  std::string out;
  render(out);
  return out;
}

void Registry::render(std::string& out) const {
  std::lock_guard render_lock(render_mu_);
  std::vector<const detail::Family*> families;
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mu_);
    families.reserve(families_.size());
    for (const auto& [name, f] : families_) families.push_back(f.get());  // sorted by name
    hooks = hooks_;
  }
  for (const auto& h : hooks) {
    try {
      h();
    } catch (...) {
      // The hook's families render what their state says (typically nothing).
    }
  }
  for (const auto* f : families) f->render(out);
}

}  // namespace td::api::metrics
