#include "daemon/backtest_cli.h"

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "api/auth/token.h"
#include "backtest/backtest_run.h"
#include "backtest/sweep.h"
#include "daemon/fetch_history.h"

namespace td::daemon {

namespace {

// The run described by the configuration and the command line; a message
// for the first problem found.
Result<backtest::RunSpec> make_spec(const Config& cfg, const std::vector<std::string>& data,
                                    const std::string& from, const std::string& to,
                                    bool allow_bad_data) {
  backtest::RunSpec spec;
  auto bad = [](const std::string& m) { return make_error(ErrorCode::kInvalidArgument, m); };
  std::set<std::string> seen;
  for (const std::string& d : data) {
    const size_t eq = d.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == d.size())
      return bad("--data '" + d + "': expected SYMBOL=FILE.csv");
    const std::string sym = d.substr(0, eq);
    if (!seen.insert(sym).second) return bad("--data: " + sym + " given twice");
    spec.data.push_back({Symbol(sym), d.substr(eq + 1)});
    Instrument inst;
    inst.symbol = Symbol(sym);
    for (const auto& ic : cfg.instruments)
      if (ic.instrument.symbol.str() == sym) inst = ic.instrument;
    spec.settings.instruments.push_back(inst);
  }
  for (const auto& sc : cfg.strategies) {
    if (!sc.enabled) continue;
    for (const Symbol& s : sc.spec.symbols)
      if (!seen.count(s.str()))
        return bad("strategy " + sc.spec.name + " trades " + s.str() + ": give --data " + s.str() +
                   "=FILE.csv (or disable the strategy)");
    spec.strategies.push_back(sc.spec);
  }
  if (spec.strategies.empty())
    return bad("the configuration has no enabled strategy to test (strategies: [...])");
  if (!from.empty()) {
    spec.from = parse_fetch_time(from);
    if (!spec.from) return bad("--from '" + from + "' is not a time (RFC 3339, YYYY-MM-DD, epoch)");
  }
  if (!to.empty()) {
    spec.to = parse_fetch_time(to);
    if (!spec.to) return bad("--to '" + to + "' is not a time (RFC 3339, YYYY-MM-DD, epoch)");
  }
  if (spec.from && spec.to && *spec.from >= *spec.to) return bad("--from must be before --to");
  spec.allow_bad_data = allow_bad_data;
  spec.settings.initial_cash = cfg.portfolio.initial_cash;
  spec.settings.slippage_bps = cfg.backtest.slippage_bps;
  spec.settings.bar_interval = cfg.backtest.bar_interval;
  spec.settings.risk = cfg.risk;
  if (auto cal = SessionCalendar::make(cfg.portfolio.timezone, cfg.portfolio.session_boundary))
    spec.settings.session = *cal;
  spec.periods_per_year = cfg.backtest.periods_per_year;
  return spec;
}

nlohmann::json parameters_json(const backtest::RunSpec& spec, const std::string& config_path) {
  nlohmann::json strategies = nlohmann::json::array();
  for (const auto& s : spec.strategies) {
    nlohmann::json symbols = nlohmann::json::array();
    for (const auto& sym : s.symbols) symbols.push_back(sym.str());
    nlohmann::json j = {{"name", s.name},
                        {"type", s.type},
                        {"symbols", symbols},
                        {"qty", s.qty.to_string()},
                        {"allow_short", s.allow_short},
                        {"params", s.params}};
    if (s.notional) j["notional"] = s.notional->to_string();
    if (!s.members.empty()) {
      nlohmann::json members = nlohmann::json::array();
      for (const auto& m : s.members) members.push_back({{"type", m.type}, {"params", m.params}});
      j["members"] = members;
    }
    strategies.push_back(j);
  }
  nlohmann::json instruments = nlohmann::json::array();
  for (const auto& i : spec.settings.instruments)
    instruments.push_back({{"symbol", i.symbol.str()},
                           {"tick", i.tick.to_string()},
                           {"multiplier", i.multiplier.to_string()},
                           {"commission_per_unit", i.commission.per_unit.to_string()},
                           {"commission_min", i.commission.min_per_order.to_string()},
                           {"commission_max_pct", i.commission.max_pct.to_string()}});
  return {{"config", config_path},
          {"strategies", strategies},
          {"instruments", instruments},
          {"initial_cash", spec.settings.initial_cash.to_string()},
          {"slippage_bps", spec.settings.slippage_bps.to_string()},
          {"bar_interval_seconds",
           std::chrono::duration_cast<std::chrono::seconds>(spec.settings.bar_interval).count()},
          {"periods_per_year", backtest::run_periods_per_year(spec)}};
}

// What a sweep's results depend on besides the grid: the configuration as
// read and the data asked for (shards to merge must agree on it).
std::string fingerprint(const LoadOptions& cfg, const std::vector<std::string>& data,
                        const std::string& from, const std::string& to, bool allow_bad) {
  std::ostringstream s;
  std::ifstream f(cfg.path, std::ios::binary);
  s << f.rdbuf() << '\n';
  for (const auto& x : cfg.sets) s << "set " << x << '\n';
  for (const auto& [k, v] : cfg.env) s << "env " << k << '=' << v << '\n';
  for (const auto& d : data) s << "data " << d << '\n';
  s << "from " << from << "\nto " << to << "\nallow_bad " << allow_bad << '\n';
  return api::auth::sha256_hex(s.str());
}

size_t default_jobs(size_t jobs) {
  if (jobs > 0) return jobs;
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace

BacktestCli::BacktestCli(CLI::App& app) {
  backtest_ = app.add_subcommand(
      "backtest",
      "run the configured strategies over CSV bars; writes report.json, trades.csv, "
      "equity.csv and report.html");
  add_common(backtest_, bt_, true);
  backtest_->add_option("--out", bt_.out, "output directory")->required();

  optimize_ = app.add_subcommand(
      "optimize", "every point of a parameter grid, ranked by a metric (results.csv/.json)");
  add_common(optimize_, opt_, false);
  optimize_->add_option("--out", opt_.out, "output directory")->required();
  optimize_->add_option("--grid", opt_grid_, "e.g. 'fast=5:20:5,slow=20:60:10' or 'k=1.5|2'");
  optimize_->add_option("--metric", opt_metric_, "ranking metric (default sharpe)")
      ->check(CLI::IsMember(backtest::sweep_metrics()));
  optimize_->add_option("--jobs,-j", opt_jobs_, "threads (default: every core)")
      ->check(CLI::Range(1, 1024));
  optimize_->add_option("--shard", opt_shard_, "i/n: run only the points p with p % n == i");
  optimize_->add_option("--merge", opt_merge_, "join shards' results (directories or files)")
      ->expected(1, -1);

  walkforward_ = app.add_subcommand(
      "walkforward", "best grid point per training window, measured on the window after");
  add_common(walkforward_, wf_, true);
  walkforward_->add_option("--out", wf_.out, "output directory")->required();
  walkforward_->add_option("--grid", wf_grid_, "parameter grid, as for optimize")->required();
  walkforward_->add_option("--metric", wf_metric_, "ranking metric (default sharpe)")
      ->check(CLI::IsMember(backtest::sweep_metrics()));
  walkforward_->add_option("--folds", wf_folds_, "number of test windows (default 5)")
      ->check(CLI::Range(1, 1000));
  walkforward_->add_option("--train", wf_train_, "training share of a window, e.g. 70% (default)");
  walkforward_->add_flag("--anchored", wf_anchored_, "training windows all start at the first bar");
  walkforward_->add_option("--jobs,-j", wf_jobs_, "threads (default: every core)")
      ->check(CLI::Range(1, 1024));
}

void BacktestCli::add_common(CLI::App* cmd, Common& c, bool data_required) {
  cmd->add_option("--config,-c", c.cfg.path, "configuration file (strategies, instruments, risk)")
      ->check(CLI::ExistingFile);
  auto* data = cmd->add_option("--data", c.data, "SYMBOL=FILE.csv, once per symbol");
  if (data_required) data->required();
  cmd->add_option("--from", c.from, "first bar time (RFC 3339, YYYY-MM-DD or epoch seconds)");
  cmd->add_option("--to", c.to, "end, exclusive (same forms)");
  cmd->add_flag("--allow-bad-data", c.allow_bad_data, "skip bad rows instead of refusing the run");
  cmd->add_option("--set", c.cfg.sets, "override a key: dotted.key=yaml-value");
}

std::optional<int> BacktestCli::dispatch() {
  if (*backtest_) return backtest();
  if (*optimize_) return optimize();
  if (*walkforward_) return walkforward();
  return std::nullopt;
}

namespace {

std::optional<backtest::RunSpec> load(const LoadOptions& opts, const std::vector<std::string>& data,
                                      const std::string& from, const std::string& to,
                                      bool allow_bad, const char* cmd, Config* out_cfg = nullptr) {
  if (opts.path.empty()) {
    std::cerr << "tradingd " << cmd << ": --config FILE is required\n";
    return std::nullopt;
  }
  auto cfg = load_config(opts);
  if (!cfg) {
    std::cerr << format_errors(cfg.error());
    return std::nullopt;
  }
  auto spec = make_spec(*cfg, data, from, to, allow_bad);
  if (!spec) {
    std::cerr << "tradingd " << cmd << ": " << spec.error().message << '\n';
    return std::nullopt;
  }
  if (out_cfg) *out_cfg = *cfg;
  return std::move(*spec);
}

}  // namespace

int BacktestCli::backtest() {
  bt_.cfg.env = tradingd_environment();
  auto spec = load(bt_.cfg, bt_.data, bt_.from, bt_.to, bt_.allow_bad_data, "backtest");
  if (!spec) return 2;
  nlohmann::json info = {{"parameters", parameters_json(*spec, bt_.cfg.path)}};
  return backtest::backtest_command(*spec, bt_.out, std::move(info), std::cout, std::cerr);
}

int BacktestCli::optimize() {
  if (!opt_merge_.empty()) {
    if (!opt_grid_.empty() || !opt_shard_.empty() || !opt_.data.empty()) {
      std::cerr << "tradingd optimize --merge: takes only the shards' results and --out\n";
      return 2;
    }
    return backtest::merge_command(opt_merge_, opt_.out, std::cout, std::cerr);
  }
  if (opt_grid_.empty() || opt_.data.empty()) {
    std::cerr << "tradingd optimize: --grid and --data are required (or --merge)\n";
    return 2;
  }
  auto grid = backtest::parse_grid(opt_grid_);
  if (!grid) {
    std::cerr << "tradingd optimize: " << grid.error().message << '\n';
    return 2;
  }
  backtest::SweepOptions o;
  if (!opt_shard_.empty()) {
    auto shard = backtest::parse_shard(opt_shard_);
    if (!shard) {
      std::cerr << "tradingd optimize: " << shard.error().message << '\n';
      return 2;
    }
    o.shard = *shard;
  }
  opt_.cfg.env = tradingd_environment();
  auto spec = load(opt_.cfg, opt_.data, opt_.from, opt_.to, opt_.allow_bad_data, "optimize");
  if (!spec) return 2;
  o.metric = opt_metric_;
  o.jobs = default_jobs(opt_jobs_);
  o.fingerprint = fingerprint(opt_.cfg, opt_.data, opt_.from, opt_.to, opt_.allow_bad_data);
  return backtest::optimize_command(*spec, *grid, o, opt_.out, std::cout, std::cerr);
}

int BacktestCli::walkforward() {
  auto grid = backtest::parse_grid(wf_grid_);
  if (!grid) {
    std::cerr << "tradingd walkforward: " << grid.error().message << '\n';
    return 2;
  }
  backtest::WalkForwardOptions o;
  std::string train = wf_train_;
  if (!train.empty() && train.back() == '%') train.pop_back();
  auto pct = Decimal::parse(train);
  if (!pct || pct->sign() <= 0 || *pct >= Decimal::from_int(100)) {
    std::cerr << "tradingd walkforward: --train '" << wf_train_
              << "': expected a percentage between 0 and 100, e.g. 70%\n";
    return 2;
  }
  o.train_fraction = pct->to_double() / 100.0;
  o.folds = wf_folds_;
  o.anchored = wf_anchored_;
  o.metric = wf_metric_;
  o.jobs = default_jobs(wf_jobs_);
  wf_.cfg.env = tradingd_environment();
  auto spec = load(wf_.cfg, wf_.data, wf_.from, wf_.to, wf_.allow_bad_data, "walkforward");
  if (!spec) return 2;
  return backtest::walkforward_command(*spec, *grid, o, wf_.out, std::cout, std::cerr);
}

}  // namespace td::daemon
