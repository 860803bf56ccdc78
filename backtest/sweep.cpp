#include "backtest/sweep.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "backtest/csv_bar_source.h"
#include "backtest/report_writer.h"

namespace td::backtest {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::vector<std::string>& sweep_metrics() {
  static const std::vector<std::string> m = {"sharpe",       "sortino",       "total_return",
                                             "cagr",         "profit_factor", "win_rate",
                                             "max_drawdown", "net_profit",    "final_equity"};
  return m;
}

bool lower_is_better(const std::string& metric) {
  return metric == "max_drawdown";
}

std::optional<double> metric_value(const Metrics& m, const std::string& metric) {
  if (metric == "sharpe") return m.sharpe;
  if (metric == "sortino") return m.sortino;
  if (metric == "total_return") return m.total_return;
  if (metric == "cagr") return m.cagr;
  if (metric == "profit_factor") return m.profit_factor;
  if (metric == "win_rate") return m.win_rate;
  if (metric == "max_drawdown") return m.max_drawdown;
  if (metric == "net_profit") return m.net_profit.to_double();
  if (metric == "final_equity") return m.final_equity.to_double();
  return std::nullopt;
}

Result<RunSpec> apply_point(const RunSpec& base, const std::map<std::string, std::string>& point) {
  RunSpec spec = base;
  for (const auto& [key, value] : point) {
    const size_t dot = key.find('.');
    strategies::StrategySpec* target = nullptr;
    if (dot == std::string::npos) {
      if (spec.strategies.size() != 1)
        return make_error(ErrorCode::kInvalidArgument,
                          "--grid: '" + key + "': the configuration has " +
                              std::to_string(spec.strategies.size()) +
                              " strategies; name one as strategy." + key);
      target = &spec.strategies.front();
    } else {
      const std::string name = key.substr(0, dot);
      for (auto& s : spec.strategies)
        if (s.name == name) target = &s;
      if (!target)
        return make_error(ErrorCode::kInvalidArgument,
                          "--grid: '" + key + "': no strategy named " + name);
    }
    target->params[dot == std::string::npos ? key : key.substr(dot + 1)] = value;
  }
  return spec;
}

std::vector<PointResult> run_points(const RunSpec& base, const Grid& grid,
                                    const std::function<std::unique_ptr<BarSource>()>& make_source,
                                    const std::vector<size_t>& points, size_t jobs,
                                    const std::function<void()>& first_job) {
  std::vector<PointResult> results(points.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      const size_t k = next.fetch_add(1);
      if (k >= points.size()) return;
      PointResult& r = results[k];
      r.index = points[k];
      r.params = grid.point(points[k]);
      auto spec = apply_point(base, r.params);
      if (!spec) {
        r.error = spec.error().message;
        continue;
      }
      auto source = make_source();
      auto run = run_once(*spec, *source);
      if (run)
        r.metrics = run->metrics;
      else
        r.error = run.error().message;
    }
  };
  jobs = std::max<size_t>(1, jobs);
  std::vector<std::thread> threads;
  for (size_t j = 1; j < jobs; ++j) threads.emplace_back(work);
  // The calling thread may have a job of its own first (loading the bars).
  if (first_job) first_job();
  work();
  for (auto& t : threads) t.join();
  return results;
}

std::vector<PointResult> run_points(const RunSpec& base, const Grid& grid,
                                    std::span<const SourceBar> bars,
                                    const std::vector<size_t>& points, size_t jobs) {
  return run_points(
      base, grid, [&] { return std::make_unique<MemoryBarSource>(bars); }, points,
      std::min(jobs, std::max<size_t>(1, points.size())));
}

namespace {

// Bars parsed by one thread while others already replay them: stored in
// fixed chunks that never move, published with a release store every few
// thousand bars. A sweep on n threads thus overlaps the CSV parsing with the
// first grid points instead of waiting for it.
class GrowingBars {
 public:
  static constexpr size_t kChunkBits = 16;
  static constexpr size_t kChunk = size_t{1} << kChunkBits;

  explicit GrowingBars(size_t max_bars) : chunks_(max_bars / kChunk + 2) {}

  // Loader thread only.
  void push(const SourceBar& b) {
    const size_t i = size_;
    if ((i & (kChunk - 1)) == 0) {
      if ((i >> kChunkBits) >= chunks_.size()) {
        overflow_ = true;
        return;
      }
      chunks_[i >> kChunkBits] = std::make_unique<SourceBar[]>(kChunk);
    }
    chunks_[i >> kChunkBits][i & (kChunk - 1)] = b;
    size_ = i + 1;
    if ((size_ & 4095) == 0) published_.store(size_, std::memory_order_release);
  }
  void finish() {
    published_.store(size_, std::memory_order_release);
    done_.store(true, std::memory_order_release);
  }
  bool overflow() const { return overflow_; }

  // Readers: bar i once published; false when the loading ended before it.
  bool get(size_t i, SourceBar& out) const {
    while (i >= published_.load(std::memory_order_acquire)) {
      if (done_.load(std::memory_order_acquire)) {
        if (i >= published_.load(std::memory_order_acquire)) return false;
        break;
      }
      std::this_thread::yield();
    }
    out = chunks_[i >> kChunkBits][i & (kChunk - 1)];
    return true;
  }

 private:
  std::vector<std::unique_ptr<SourceBar[]>> chunks_;
  size_t size_ = 0;  // loader's count
  bool overflow_ = false;
  std::atomic<size_t> published_{0};
  std::atomic<bool> done_{false};
};

class GrowingBarSource final : public BarSource {
 public:
  explicit GrowingBarSource(const GrowingBars& bars) : bars_(bars) {}
  bool next(SourceBar& bar) override { return bars_.get(pos_++, bar); }

 private:
  const GrowingBars& bars_;
  size_t pos_ = 0;
};

}  // namespace

void rank(std::vector<PointResult>& results, const std::string& metric) {
  const bool lower = lower_is_better(metric);
  auto value = [&](const PointResult& r) -> std::optional<double> {
    if (!r.metrics) return std::nullopt;
    auto v = metric_value(*r.metrics, metric);
    if (v && !std::isfinite(*v)) return std::nullopt;
    return v;
  };
  std::stable_sort(results.begin(), results.end(), [&](const PointResult& a, const PointResult& b) {
    const auto va = value(a), vb = value(b);
    if (va.has_value() != vb.has_value()) return va.has_value();
    if (va && *va != *vb) return lower ? *va < *vb : *va > *vb;
    return a.index < b.index;
  });
}

namespace {

Json result_json(const PointResult& r) {
  Json j = {{"index", r.index}, {"params", r.params}};
  j["metrics"] = r.metrics ? metrics_json(*r.metrics) : Json(nullptr);
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

std::string csv_cell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  return v.dump();
}

const std::vector<std::string> kCsvMetrics = {
    "sharpe",      "sortino",      "total_return",
    "cagr",        "max_drawdown", "max_drawdown_duration_bars",
    "trades",      "win_rate",     "profit_factor",
    "exposure",    "net_profit",   "commissions",
    "final_equity"};

Status write_text(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".partial";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) return make_error(ErrorCode::kInternal, "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    return make_error(ErrorCode::kInternal, "cannot write " + path.string() + ": " + ec.message());
  return {};
}

// results.json + results.csv; the same bytes for the same results.
Status write_results(const fs::path& dir, const Json& header,
                     const std::vector<PointResult>& results,
                     const std::vector<std::string>& param_keys) {
  Json doc = header;
  Json rows = Json::array();
  for (const auto& r : results) rows.push_back(result_json(r));
  doc["results"] = std::move(rows);
  if (auto st = write_text(dir / "results.json", doc.dump(2) + "\n"); !st) return st;
  std::ostringstream csv;
  csv << "rank,index";
  for (const auto& k : param_keys) csv << ',' << k;
  for (const auto& m : kCsvMetrics) csv << ',' << m;
  csv << ",error\n";
  size_t rank_no = 0;
  for (const auto& r : results) {
    csv << ++rank_no << ',' << r.index;
    for (const auto& k : param_keys) {
      auto it = r.params.find(k);
      csv << ',' << (it == r.params.end() ? "" : csv_cell(it->second));
    }
    const Json m = r.metrics ? metrics_json(*r.metrics) : Json::object();
    for (const auto& k : kCsvMetrics) csv << ',' << (m.contains(k) ? csv_cell(m[k]) : "");
    csv << ',' << csv_cell(r.error) << '\n';
  }
  return write_text(dir / "results.csv", csv.str());
}

std::vector<std::string> param_keys(const Grid& grid) {
  std::vector<std::string> keys;
  for (const auto& p : grid.params)
    keys.push_back(p.strategy.empty() ? p.name : p.strategy + "." + p.name);
  return keys;
}

bool prepare_dir(const std::string& dir, std::ostream& err, const char* cmd) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) err << "tradingd " << cmd << ": cannot create " << dir << ": " << ec.message() << '\n';
  return !ec;
}

void print_top(const std::vector<PointResult>& results, const std::string& metric,
               std::ostream& out, size_t n = 10) {
  size_t shown = 0;
  for (const auto& r : results) {
    if (shown++ == n) break;
    out << "#" << shown << " point " << r.index << ":";
    for (const auto& [k, v] : r.params) out << ' ' << k << '=' << v;
    if (r.metrics) {
      const auto v = metric_value(*r.metrics, metric);
      out << "  " << metric << ' ' << (v ? Json(*v).dump() : std::string("n/a")) << ", trades "
          << r.metrics->trades << ", final equity " << r.metrics->final_equity.to_string();
    } else {
      out << "  error: " << r.error;
    }
    out << '\n';
  }
}

}  // namespace

int optimize_command(const RunSpec& spec, const Grid& grid, const SweepOptions& options,
                     const std::string& out_dir, std::ostream& out, std::ostream& err) {
  // Every point's keys must name a parameter of a strategy that exists.
  if (auto probe = apply_point(spec, grid.point(0)); !probe) {
    err << "tradingd optimize: " << probe.error().message << '\n';
    return 1;
  }
  if (!prepare_dir(out_dir, err, "optimize")) return 1;
  std::vector<size_t> points;
  for (size_t i = 0; i < grid.size(); ++i)
    if (options.shard.contains(i)) points.push_back(i);
  // One thread parses the files while the others run the first points over
  // the bars parsed so far (one job: parse, then run).
  auto source = CsvBarSource::open(spec.data, data_checks(spec), spec.from, spec.to);
  if (!source) {
    err << "tradingd optimize: " << source.error().message << '\n';
    return 1;
  }
  uintmax_t bytes = 0;
  for (const DataFile& f : spec.data) {
    std::error_code ec;
    const auto n = fs::file_size(f.path, ec);
    if (!ec) bytes += n;
  }
  GrowingBars bars(static_cast<size_t>(bytes / 12 + 1));  // a row has at least 12 bytes
  size_t loaded = 0;
  auto load = [&] {
    SourceBar b;
    while ((*source)->next(b) && !bars.overflow()) {
      bars.push(b);
      ++loaded;
    }
    bars.finish();
  };
  const size_t jobs = std::max<size_t>(1, std::min(options.jobs, points.size()));
  if (jobs == 1) load();
  auto results = run_points(
      spec, grid, [&] { return std::make_unique<GrowingBarSource>(bars); }, points, jobs,
      jobs == 1 ? std::function<void()>() : std::function<void()>(load));
  if (!data_ok(spec, **source, err)) return 1;
  if (bars.overflow() || loaded == 0) {
    err << "tradingd optimize: " << (loaded == 0 ? "no bars in the range" : "too many bars")
        << '\n';
    return 1;
  }
  rank(results, options.metric);
  const bool all_failed =
      std::all_of(results.begin(), results.end(), [](const PointResult& r) { return !r.metrics; });
  if (!results.empty() && all_failed) {
    err << "tradingd optimize: every grid point failed, e.g. point " << results.front().index
        << ": " << results.front().error << '\n';
    return 1;
  }
  const Json header = {
      {"grid", grid.text},
      {"metric", options.metric},
      {"points", grid.size()},
      {"shard", std::to_string(options.shard.index) + "/" + std::to_string(options.shard.count)},
      {"fingerprint", options.fingerprint}};
  if (auto st = write_results(out_dir, header, results, param_keys(grid)); !st) {
    err << "tradingd optimize: " << st.error().message << '\n';
    return 1;
  }
  out << results.size() << " of " << grid.size() << " grid points run over " << loaded
      << " bars, ranked by " << options.metric << ":\n";
  print_top(results, options.metric, out);
  out << "wrote " << (fs::path(out_dir) / "results.json").string() << " and results.csv\n";
  return 0;
}

namespace {

std::optional<PointResult> result_from_json(const Json& j) {
  PointResult r;
  if (!j.is_object() || !j.contains("index") || !j["index"].is_number_unsigned()) return {};
  r.index = j["index"].get<size_t>();
  if (!j.contains("params") || !j["params"].is_object()) return {};
  for (const auto& [k, v] : j["params"].items()) {
    if (!v.is_string()) return {};
    r.params[k] = v.get<std::string>();
  }
  if (j.contains("error")) r.error = j["error"].get<std::string>();
  return r;
}

}  // namespace

int merge_command(const std::vector<std::string>& inputs, const std::string& out_dir,
                  std::ostream& out, std::ostream& err) {
  if (inputs.empty()) {
    err << "tradingd optimize --merge: give the shards' result directories or results.json files\n";
    return 2;
  }
  Json header;
  std::map<size_t, Json> rows;
  std::set<std::string> shards;
  size_t shard_count = 0;
  for (const std::string& in : inputs) {
    const fs::path path = fs::is_directory(in) ? fs::path(in) / "results.json" : fs::path(in);
    std::ifstream f(path);
    if (!f) {
      err << "tradingd optimize --merge: cannot read " << path.string() << '\n';
      return 1;
    }
    Json doc = Json::parse(f, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("results") ||
        !doc["results"].is_array() || !doc.contains("shard") || !doc["shard"].is_string()) {
      err << "tradingd optimize --merge: " << path.string()
          << ": not a results.json written by tradingd optimize\n";
      return 1;
    }
    auto shard = parse_shard(doc["shard"].get<std::string>());
    if (!shard) {
      err << "tradingd optimize --merge: " << path.string() << ": " << shard.error().message
          << '\n';
      return 1;
    }
    Json h = {{"grid", doc.value("grid", "")},
              {"metric", doc.value("metric", "")},
              {"points", doc.value("points", 0)},
              {"fingerprint", doc.value("fingerprint", "")}};
    if (header.is_null()) {
      header = h;
      shard_count = shard->count;
    } else if (h != header || shard->count != shard_count) {
      err << "tradingd optimize --merge: " << path.string()
          << " is from another sweep (grid, metric, configuration, data or shard count differ)\n";
      return 1;
    }
    if (!shards.insert(doc["shard"].get<std::string>()).second) {
      err << "tradingd optimize --merge: shard " << doc["shard"].get<std::string>()
          << " given twice\n";
      return 1;
    }
    for (const Json& r : doc["results"]) {
      auto pr = result_from_json(r);
      if (!pr) {
        err << "tradingd optimize --merge: " << path.string() << ": a malformed result\n";
        return 1;
      }
      if (!shard->contains(pr->index) || !rows.emplace(pr->index, r).second) {
        err << "tradingd optimize --merge: " << path.string() << ": point " << pr->index
            << " does not belong to shard " << doc["shard"].get<std::string>() << '\n';
        return 1;
      }
    }
  }
  const size_t points = header["points"].get<size_t>();
  if (shards.size() != shard_count || rows.size() != points) {
    err << "tradingd optimize --merge: incomplete: " << shards.size() << " of " << shard_count
        << " shards, " << rows.size() << " of " << points << " points\n";
    return 1;
  }
  // Re-rank: the metric values are in each row; rank as optimize does.
  auto grid = parse_grid(header["grid"].get<std::string>());
  if (!grid) {
    err << "tradingd optimize --merge: " << grid.error().message << '\n';
    return 1;
  }
  const std::string metric = header["metric"].get<std::string>();
  std::vector<std::pair<size_t, Json>> ordered(rows.begin(), rows.end());
  const bool lower = lower_is_better(metric);
  auto value = [&](const Json& r) -> std::optional<double> {
    if (!r.contains("metrics") || !r["metrics"].is_object()) return std::nullopt;
    const Json& m = r["metrics"];
    if (!m.contains(metric)) return std::nullopt;
    if (m[metric].is_number()) return m[metric].get<double>();
    if (m[metric].is_string()) {
      auto d = Decimal::parse(m[metric].get<std::string>());
      if (d) return d->to_double();
    }
    return std::nullopt;
  };
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    const auto va = value(a.second), vb = value(b.second);
    if (va.has_value() != vb.has_value()) return va.has_value();
    if (va && *va != *vb) return lower ? *va < *vb : *va > *vb;
    return a.first < b.first;
  });
  if (!prepare_dir(out_dir, err, "optimize --merge")) return 1;
  Json doc = header;
  doc["shard"] = "0/1";
  // The same key order as optimize writes.
  Json full = {{"grid", header["grid"]},
               {"metric", header["metric"]},
               {"points", header["points"]},
               {"shard", "0/1"},
               {"fingerprint", header["fingerprint"]}};
  Json results = Json::array();
  for (auto& [i, r] : ordered) results.push_back(r);
  full["results"] = results;
  if (auto st = write_text(fs::path(out_dir) / "results.json", full.dump(2) + "\n"); !st) {
    err << "tradingd optimize --merge: " << st.error().message << '\n';
    return 1;
  }
  // results.csv from the merged rows.
  std::ostringstream csv;
  const auto keys = param_keys(*grid);
  csv << "rank,index";
  for (const auto& k : keys) csv << ',' << k;
  for (const auto& m : kCsvMetrics) csv << ',' << m;
  csv << ",error\n";
  size_t rank_no = 0;
  for (auto& [i, r] : ordered) {
    csv << ++rank_no << ',' << i;
    for (const auto& k : keys)
      csv << ',' << (r["params"].contains(k) ? csv_cell(r["params"][k]) : "");
    const Json m = r["metrics"].is_object() ? r["metrics"] : Json::object();
    for (const auto& k : kCsvMetrics) csv << ',' << (m.contains(k) ? csv_cell(m[k]) : "");
    csv << ',' << (r.contains("error") ? csv_cell(r["error"]) : "") << '\n';
  }
  if (auto st = write_text(fs::path(out_dir) / "results.csv", csv.str()); !st) {
    err << "tradingd optimize --merge: " << st.error().message << '\n';
    return 1;
  }
  out << "merged " << shards.size() << " shards, " << rows.size() << " points into "
      << (fs::path(out_dir) / "results.json").string() << " and results.csv\n";
  return 0;
}

namespace {

// Equity points of one run (the walk-forward test windows).
class EquityRecorder final : public BacktestObserver {
 public:
  std::vector<std::pair<Timestamp, Decimal>> points;
  void on_bar_close(Timestamp t, Decimal e, bool) override { points.emplace_back(t, e); }
};

struct Window {
  size_t train_begin, train_end, test_begin, test_end;  // in distinct bar times
};

}  // namespace

int walkforward_command(const RunSpec& spec, const Grid& grid, const WalkForwardOptions& options,
                        const std::string& out_dir, std::ostream& out, std::ostream& err) {
  if (auto probe = apply_point(spec, grid.point(0)); !probe) {
    err << "tradingd walkforward: " << probe.error().message << '\n';
    return 1;
  }
  if (!prepare_dir(out_dir, err, "walkforward")) return 1;
  auto loaded = load_bars(spec, err);
  if (!loaded) {
    err << "tradingd walkforward: " << loaded.error().message << '\n';
    return 1;
  }
  const std::vector<SourceBar>& bars = *loaded;
  // Offsets of each distinct bar time (several symbols share one).
  std::vector<size_t> starts;
  for (size_t i = 0; i < bars.size(); ++i)
    if (i == 0 || bars[i].time != bars[i - 1].time) starts.push_back(i);
  const size_t n = starts.size();
  const double f = options.train_fraction;
  // n = train + folds x test, train = test x f / (1 - f).
  const size_t test = static_cast<size_t>(std::floor(n / (options.folds + f / (1 - f))));
  const size_t train = static_cast<size_t>(std::llround(test * f / (1 - f)));
  if (test < 2 || train < 2) {
    err << "tradingd walkforward: " << n << " bar times are too few for " << options.folds
        << " folds with " << f * 100 << "% training\n";
    return 1;
  }
  auto offset = [&](size_t t) { return t < n ? starts[t] : bars.size(); };
  std::vector<size_t> all(grid.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;

  Json folds = Json::array();
  std::ostringstream folds_csv;
  const auto keys = param_keys(grid);
  folds_csv << "fold,train_start,train_end,test_start,test_end";
  for (const auto& k : keys) folds_csv << ',' << k;
  folds_csv << ",in_sample_" << options.metric << ",out_of_sample_" << options.metric
            << ",out_of_sample_trades,out_of_sample_return\n";
  std::vector<std::pair<Timestamp, Decimal>> stitched;
  std::vector<Trade> oos_trades;
  Decimal oos_commissions;
  Decimal carry = spec.settings.initial_cash;  // the stitched equity so far
  std::vector<std::string> warnings;
  std::map<std::string, std::vector<std::string>> chosen;
  double is_sum = 0, oos_sum = 0;
  size_t compared = 0;
  for (size_t k = 0; k < options.folds; ++k) {
    Window w;
    w.train_begin = options.anchored ? 0 : k * test;
    w.train_end = train + k * test;
    w.test_begin = w.train_end;
    w.test_end = k + 1 == options.folds ? n : w.test_begin + test;
    const std::span<const SourceBar> train_bars(bars.data() + offset(w.train_begin),
                                                offset(w.train_end) - offset(w.train_begin));
    auto results = run_points(spec, grid, train_bars, all, options.jobs);
    rank(results, options.metric);
    const PointResult& best = results.front();
    if (!best.metrics) {
      err << "tradingd walkforward: fold " << k + 1 << ": no grid point ran: " << best.error
          << '\n';
      return 1;
    }
    // Out of sample: the training bars warm the strategy up, it trades from
    // the test window's first bar.
    auto test_spec = apply_point(spec, best.params);
    test_spec->settings.trade_from = bars[offset(w.test_begin)].time;
    const std::span<const SourceBar> test_bars(bars.data() + offset(w.train_begin),
                                               offset(w.test_end) - offset(w.train_begin));
    MemoryBarSource source(test_bars);
    EquityRecorder equity;
    auto oos = run_once(*test_spec, source, &equity);
    if (!oos) {
      err << "tradingd walkforward: fold " << k + 1 << ": " << oos.error().message << '\n';
      return 1;
    }
    // Chain the windows: each starts with initial cash; scale it to where
    // the stitched curve stands.
    for (const auto& [t, e] : equity.points)
      stitched.emplace_back(t, e.mul_div(carry, spec.settings.initial_cash, Rounding::kHalfEven));
    if (!stitched.empty()) carry = stitched.back().second;
    oos_trades.insert(oos_trades.end(), oos->trades.begin(), oos->trades.end());
    oos_commissions += oos->summary.commissions;
    const auto is_v = metric_value(*best.metrics, options.metric);
    const auto oos_v = metric_value(oos->metrics, options.metric);
    for (const auto& [key, v] : best.params) chosen[key].push_back(v);
    auto t = [&](size_t i) { return format_rfc3339(bars[offset(i)].time); };
    const std::string test_end_time =
        format_rfc3339(bars[offset(w.test_end) - 1].time + spec.settings.bar_interval);
    Json fold = {{"fold", k + 1},
                 {"train", {{"start", t(w.train_begin)}, {"end", t(w.train_end)}}},
                 {"test", {{"start", t(w.test_begin)}, {"end", test_end_time}}},
                 {"best_index", best.index},
                 {"params", best.params},
                 {"in_sample", metrics_json(*best.metrics)},
                 {"out_of_sample", metrics_json(oos->metrics)}};
    folds.push_back(fold);
    folds_csv << k + 1 << ',' << t(w.train_begin) << ',' << t(w.train_end) << ',' << t(w.test_begin)
              << ',' << test_end_time;
    for (const auto& key : keys) folds_csv << ',' << best.params.at(key);
    auto num = [](const std::optional<double>& v) { return v ? Json(*v).dump() : std::string(); };
    folds_csv << ',' << num(is_v) << ',' << num(oos_v) << ',' << oos->metrics.trades << ','
              << num(oos->metrics.total_return) << '\n';
    // Overfitting: out of sample far below in sample.
    if (is_v && oos_v) {
      is_sum += *is_v;
      oos_sum += *oos_v;
      ++compared;
    }
    const bool lower = lower_is_better(options.metric);
    if (is_v && (!oos_v || (lower ? *oos_v > 2 * *is_v : (*is_v > 0 && *oos_v < 0.5 * *is_v)))) {
      warnings.push_back("fold " + std::to_string(k + 1) + ": out-of-sample " + options.metric +
                         " " + num(oos_v) + " is far " + (lower ? "above" : "below") +
                         " in-sample " + num(is_v) + " (possible overfitting)");
    }
  }
  if (compared > 0) {
    const double is_mean = is_sum / compared, oos_mean = oos_sum / compared;
    const bool lower = lower_is_better(options.metric);
    if (lower ? oos_mean > 2 * is_mean : (is_mean > 0 && oos_mean < 0.5 * is_mean))
      warnings.push_back("overall: mean out-of-sample " + options.metric + " " +
                         Json(oos_mean).dump() + " vs in-sample " + Json(is_mean).dump() +
                         ": the chosen parameters do not carry over (overfitting)");
  }
  // Stitched out-of-sample metrics.
  const double ppy = run_periods_per_year(spec);
  EquityStats stats(spec.settings.initial_cash, ppy);
  std::ostringstream eq_csv;
  eq_csv << "time,equity\n";
  for (const auto& [t, e] : stitched) {
    stats.add(t, e, false);
    eq_csv << format_rfc3339(t) << ',' << e.to_string() << '\n';
  }
  Metrics m = stats.finish(oos_trades, oos_commissions);
  m.exposure.reset();  // not tracked across the stitched windows
  Json drift = Json::object();
  for (const auto& [key, values] : chosen) {
    size_t changes = 0;
    for (size_t i = 1; i < values.size(); ++i) changes += values[i] != values[i - 1];
    drift[key] = {{"per_fold", values},
                  {"changes", changes},
                  {"distinct", std::set<std::string>(values.begin(), values.end()).size()}};
  }
  Json doc = {{"grid", grid.text},
              {"metric", options.metric},
              {"folds", options.folds},
              {"train_fraction", options.train_fraction},
              {"anchored", options.anchored},
              {"bar_times", n},
              {"fold_results", folds},
              {"out_of_sample", metrics_json(m)},
              {"parameter_drift", drift},
              {"warnings", warnings}};
  const fs::path dir(out_dir);
  for (const Status& st : {write_text(dir / "walkforward.json", doc.dump(2) + "\n"),
                           write_text(dir / "folds.csv", folds_csv.str()),
                           write_text(dir / "oos_equity.csv", eq_csv.str())}) {
    if (!st) {
      err << "tradingd walkforward: " << st.error().message << '\n';
      return 1;
    }
  }
  out << options.folds << " folds (" << (options.anchored ? "anchored" : "rolling") << ", " << train
      << " training and " << test << " test bar times each), by " << options.metric << ":\n"
      << folds_csv.str();
  out << "stitched out-of-sample: final equity " << m.final_equity.to_string() << ", "
      << options.metric << ' '
      << (metric_value(m, options.metric) ? Json(*metric_value(m, options.metric)).dump() : "n/a")
      << ", trades " << m.trades << '\n';
  for (const auto& [key, d] : drift.items())
    out << "parameter " << key << ": " << d["per_fold"].dump() << " (" << d["changes"].get<size_t>()
        << " changes)\n";
  for (const auto& w : warnings) err << "tradingd walkforward: warning: " << w << '\n';
  out << "wrote " << (dir / "walkforward.json").string() << ", folds.csv, oos_equity.csv\n";
  return 0;
}

}  // namespace td::backtest
