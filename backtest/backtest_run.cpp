#include "backtest/backtest_run.h"

#include <cstdio>
#include <filesystem>
#include <ostream>

#include "backtest/periods.h"
#include "backtest/report_writer.h"

namespace td::backtest {

namespace fs = std::filesystem;

MetricsObserver::MetricsObserver(const BacktestSettings& settings, double periods_per_year)
    : settings_(settings), stats_(settings.initial_cash, periods_per_year) {}

void MetricsObserver::on_fill(const BacktestFill& f) {
  const Instrument& inst = settings_.instruments[f.symbol];
  ledger_.on_fill(inst.symbol, f.time, f.side, f.qty, f.price, f.commission, inst.multiplier);
}

void MetricsObserver::on_bar_close(Timestamp t, Decimal equity, bool exposed) {
  stats_.add(t, equity, exposed);
}

double run_periods_per_year(const RunSpec& spec) {
  return spec.periods_per_year > 0 ? spec.periods_per_year
                                   : periods_per_year(spec.settings.bar_interval);
}

namespace {

// Forwards to both: the metrics and, optionally, the report files.
class Tee final : public BacktestObserver {
 public:
  Tee(BacktestObserver& a, BacktestObserver* b) : a_(a), b_(b) {}
  void on_order(const BacktestOrder& o) override {
    a_.on_order(o);
    if (b_) b_->on_order(o);
  }
  void on_fill(const BacktestFill& f) override {
    a_.on_fill(f);
    if (b_) b_->on_fill(f);
  }
  void on_bar_close(Timestamp t, Decimal e, bool x) override {
    a_.on_bar_close(t, e, x);
    if (b_) b_->on_bar_close(t, e, x);
  }

 private:
  BacktestObserver& a_;
  BacktestObserver* b_;
};

// equity.csv and the chart's samples, fed with the metrics' drawdown.
class EquityFiles final : public BacktestObserver {
 public:
  EquityFiles(const MetricsObserver& metrics, EquityCsvWriter& csv, EquitySampler& sampler)
      : metrics_(metrics), csv_(csv), sampler_(sampler) {}
  void on_bar_close(Timestamp t, Decimal equity, bool) override {
    const double dd = metrics_.stats().drawdown();
    csv_.add(t, equity, dd);
    sampler_.add(t, equity, dd);
  }

 private:
  const MetricsObserver& metrics_;
  EquityCsvWriter& csv_;
  EquitySampler& sampler_;
};

nlohmann::json data_json(const RunSpec& spec, const CsvBarSource* source,
                         const BacktestSummary& summary) {
  nlohmann::json files = nlohmann::json::array();
  for (size_t i = 0; i < spec.data.size(); ++i) {
    nlohmann::json f = {{"symbol", spec.data[i].symbol.str()}, {"path", spec.data[i].path}};
    if (source) {
      const DataQuality& q = source->files()[i]->quality();
      f["rows"] = q.rows;
      f["bars"] = q.good_bars;
      f["errors"] = q.errors;
      f["gaps"] = q.gaps;
    }
    files.push_back(std::move(f));
  }
  auto t = [](const std::optional<Timestamp>& ts) -> nlohmann::json {
    return ts ? nlohmann::json(format_rfc3339(*ts)) : nlohmann::json(nullptr);
  };
  return {{"files", files},
          {"from", t(spec.from)},
          {"to", t(spec.to)},
          {"first_bar", t(summary.first_bar)},
          {"last_bar", t(summary.last_bar)},
          {"bars", summary.bars},
          {"bar_interval_seconds",
           std::chrono::duration_cast<std::chrono::seconds>(spec.settings.bar_interval).count()}};
}

}  // namespace

Result<RunResult> run_once(const RunSpec& spec, BarSource& source, BacktestObserver* extra,
                           MetricsObserver* caller_metrics) {
  BacktestEngine engine(spec.settings);
  for (const auto& s : spec.strategies) {
    auto built = strategies::make_strategy(s);
    if (!built) {
      std::string msg = "strategy " + s.name + ":";
      for (const auto& e : built.error()) msg += " " + e.path + " " + e.message + ";";
      return make_error(ErrorCode::kInvalidArgument, msg);
    }
    if (auto st = engine.add_strategy(s.name, std::move(*built)); !st)
      return tl::unexpected(st.error());
  }
  std::optional<MetricsObserver> own;
  if (!caller_metrics) own.emplace(spec.settings, run_periods_per_year(spec));
  MetricsObserver& metrics = caller_metrics ? *caller_metrics : *own;
  Tee tee(metrics, extra);
  auto summary = engine.run(source, tee);
  if (!summary) return tl::unexpected(summary.error());
  RunResult r;
  r.summary = std::move(*summary);
  r.metrics = metrics.stats().finish(metrics.ledger().trades(), r.summary.commissions);
  r.trades = metrics.ledger().take_trades();
  return r;
}

DataCheckOptions data_checks(const RunSpec& spec) {
  DataCheckOptions o;
  o.interval = spec.settings.bar_interval;
  return o;
}

bool data_ok(const RunSpec& spec, const CsvBarSource& source, std::ostream& err) {
  for (const auto& f : source.files()) print_problems(*f, err);
  if (!source.has_errors()) return true;
  if (spec.allow_bad_data) {
    err << "tradingd: bad rows skipped (--allow-bad-data)\n";
    return true;
  }
  err << "tradingd: the data has errors (above); nothing was written. Fix them, or run with "
         "--allow-bad-data to skip the bad rows\n";
  return false;
}

Result<std::vector<SourceBar>> load_bars(const RunSpec& spec, std::ostream& err) {
  auto source = CsvBarSource::open(spec.data, data_checks(spec), spec.from, spec.to);
  if (!source) return tl::unexpected(source.error());
  std::vector<SourceBar> bars;
  // A bar row is at least ~30 bytes: reserving from the file sizes avoids
  // growing (copying and faulting in) a vector of tens of megabytes; pages
  // reserved and never written cost nothing.
  uintmax_t bytes = 0;
  for (const DataFile& f : spec.data) {
    std::error_code ec;
    const auto n = fs::file_size(f.path, ec);
    if (!ec) bytes += n;
  }
  bars.reserve(static_cast<size_t>(std::min<uintmax_t>(bytes / 30 + 16, uintmax_t{1} << 28)));
  SourceBar b;
  while ((*source)->next(b)) bars.push_back(b);
  if (!data_ok(spec, **source, err))
    return make_error(ErrorCode::kInvalidArgument, "the data has errors");
  if (bars.empty()) return make_error(ErrorCode::kInvalidArgument, "no bars in the range");
  return bars;
}

int backtest_command(const RunSpec& spec, const std::string& out_dir, nlohmann::json info,
                     std::ostream& out, std::ostream& err) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    err << "tradingd backtest: cannot create " << out_dir << ": " << ec.message() << '\n';
    return 1;
  }
  auto source = CsvBarSource::open(spec.data, data_checks(spec), spec.from, spec.to);
  if (!source) {
    err << "tradingd backtest: " << source.error().message << '\n';
    return 1;
  }
  const std::string equity_path = (fs::path(out_dir) / "equity.csv").string();
  const std::string partial = equity_path + ".partial";
  EquityCsvWriter csv;
  if (auto st = csv.open(partial); !st) {
    err << "tradingd backtest: " << st.error().message << '\n';
    return 1;
  }
  EquitySampler sampler;
  MetricsObserver metrics(spec.settings, run_periods_per_year(spec));
  EquityFiles files(metrics, csv, sampler);
  auto result = run_once(spec, **source, &files, &metrics);
  const Status closed = csv.close();
  auto fail = [&](const std::string& why) {
    std::remove(partial.c_str());
    if (!why.empty()) err << "tradingd backtest: " << why << '\n';
    return 1;
  };
  if (!data_ok(spec, **source, err)) return fail("");
  if (!result) return fail(result.error().message);
  if (!closed) return fail(closed.error().message);
  if (result->summary.bars == 0) return fail("no bars in the range");

  if (!info.is_object()) info = nlohmann::json::object();
  info["data"] = data_json(spec, source->get(), result->summary);
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& f : (*source)->files()) {
    const DataQuality& q = f->quality();
    if (q.errors > 0)
      warnings.push_back(f->path() + ": " + std::to_string(q.errors) + " bad rows skipped");
    if (q.gaps > 0)
      warnings.push_back(f->path() + ": " + std::to_string(q.gaps) +
                         " gaps larger than the bar interval");
  }
  if (result->summary.unfilled_at_end > 0)
    warnings.push_back(std::to_string(result->summary.unfilled_at_end) +
                       " order(s) decided on a last bar never filled");
  for (const auto& [check, n] : result->summary.denials)
    warnings.push_back("risk check " + check + " refused " + std::to_string(n) + " order(s)");
  for (const auto& e : result->summary.risk_events) warnings.push_back("risk: " + e);
  info["warnings"] = warnings;

  const fs::path dir(out_dir);
  for (const Status& st : {write_report_json((dir / "report.json").string(), result->metrics, info),
                           write_trades_csv((dir / "trades.csv").string(), result->trades),
                           write_report_html((dir / "report.html").string(), result->metrics, info,
                                             sampler, result->trades)}) {
    if (!st) return fail(st.error().message);
  }
  fs::rename(partial, equity_path, ec);
  if (ec) return fail("cannot rename " + partial + ": " + ec.message());

  const Metrics& m = result->metrics;
  auto num = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v).dump() : std::string("n/a");
  };
  out << "bars " << result->summary.bars << ", trades " << m.trades << ", final equity "
      << m.final_equity.to_string() << ", total return " << num(m.total_return) << ", sharpe "
      << num(m.sharpe) << ", max drawdown " << num(m.max_drawdown) << "\n"
      << "wrote " << (dir / "report.json").string() << ", trades.csv, equity.csv, report.html\n";
  return 0;
}

}  // namespace td::backtest
