// tradingd: the daemon and its command-line tools.
// Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.
#include <spdlog/async.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "api/auth/token.h"
#include "backtest/data_commands.h"
#include "brokers/ib/client/contract_for.h"
#include "core/clock.h"
#include "daemon/backtest_cli.h"
#include "daemon/config.h"
#include "daemon/data_dir.h"
#include "daemon/fetch_history.h"
#include "daemon/log_output.h"
#include "daemon/runtime.h"
#include "daemon/version.h"
#include "risk/risk_manager.h"

namespace {

// Asynchronous: the engine thread logs every order transition and fill, and
// a write to stdout (a pipe to journald under systemd) can block for as long
// as journald is busy; here one logging thread writes and the engine only
// queues. The queue blocks when full rather than drop a line: losing the
// record of an order would be worse than a rare stall. The output flushes
// whenever the queue is empty (log_output.h); spdlog::shutdown() (LogShutdown
// in main) drains the queue on every way out of main.
void setup_logging() {
  spdlog::init_thread_pool(65536, 1);
  auto pool = spdlog::thread_pool();
  auto logger = std::make_shared<spdlog::async_logger>(
      "tradingd", std::make_shared<td::daemon::LogOutput>(stdout, pool.get()), pool,
      spdlog::async_overflow_policy::block);
  // No wall-clock timestamp: journald adds one, and event lines carry engine time.
  logger->set_pattern("[%l] %v");
  spdlog::set_default_logger(logger);
}

struct LogShutdown {
  LogShutdown() = default;
  LogShutdown(const LogShutdown&) = delete;
  LogShutdown& operator=(const LogShutdown&) = delete;
  ~LogShutdown() { spdlog::shutdown(); }
};

int run(const td::daemon::LoadOptions& opts) {
  auto config = td::daemon::load_config(opts);
  if (!config) {
    std::fprintf(stderr, "%s", td::daemon::format_errors(config.error()).c_str());
    std::fprintf(stderr, "tradingd: refusing to start: %zu configuration error(s)\n",
                 config.error().size());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config->log.level));
  for (const auto& w : td::daemon::config_warnings(*config)) spdlog::warn("config: {}", w);
  spdlog::info("tradingd {} starting in {} mode", td::daemon::kVersion, config->mode);
  auto lock = td::daemon::DataDirLock::acquire(config->data_dir);
  if (!lock) {
    spdlog::error("{}", lock.error().message);
    return 1;
  }
  auto rt = td::daemon::Runtime::create(*config, opts, std::move(*lock));
  if (!rt) {
    spdlog::error("start-up failed: {}", rt.error().message);
    return 1;
  }
  return (*rt)->run();
}

// Offline re-arm: takes the data_dir lock, so it refuses while a daemon runs.
int rearm(const td::daemon::LoadOptions& opts, const std::string& reason) {
  auto config = td::daemon::load_config(opts);
  if (!config) {
    std::fprintf(stderr, "%s", td::daemon::format_errors(config.error()).c_str());
    return 2;
  }
  auto lock = td::daemon::DataDirLock::acquire(config->data_dir);
  if (!lock) {
    std::fprintf(stderr, "tradingd rearm: %s; re-arm through the API instead\n",
                 lock.error().message.c_str());
    return 1;
  }
  const std::string path = lock->path("risk-state");
  auto state = td::risk::load_state_file(path);
  td::risk::PersistedRiskState st = state ? *state : td::risk::PersistedRiskState{};
  if (!state)
    std::fprintf(stderr, "tradingd rearm: %s was unreadable (%s); replacing it\n", path.c_str(),
                 state.error().message.c_str());
  const auto now = td::RealClock().now();
  const char* user = std::getenv("USER");
  const std::string actor = std::string("cli:") + (user ? user : "unknown");
  st.kill_switch.engaged = false;
  st.kill_switch.rearmed_at = now;
  st.kill_switch.rearmed_by = actor;
  st.trading.state = td::TradingState::kActive;
  st.trading.reason = reason;
  st.trading.by = actor;
  st.trading.since = now;
  if (auto saved = td::risk::save_state_file(path, st); !saved) {
    std::fprintf(stderr, "tradingd rearm: %s\n", saved.error().message.c_str());
    return 1;
  }
  std::printf("kill switch re-armed, trading state active (%s)\n", path.c_str());
  return 0;
}

// Makes a new API token: prints it once, and the api.tokens entry (hash only).
int token_new(const std::string& name, const std::string& role) {
  namespace auth = td::api::auth;
  if (!auth::is_valid_token_name(name)) {
    std::fprintf(stderr,
                 "tradingd token new: --name must be 1-64 characters of A-Z a-z 0-9 _ . -\n");
    return 2;
  }
  if (!auth::parse_role(role)) {
    std::fprintf(stderr, "tradingd token new: --role must be viewer, trader or admin (got '%s')\n",
                 role.c_str());
    return 2;
  }
  const std::string token = auth::new_token();
  // The name is quoted: names such as "1.5", "null" or "yes" stay strings in YAML.
  std::printf(
      "token (shown once; it is not stored anywhere, keep it now):\n"
      "  %s\n"
      "add under api.tokens in the configuration:\n"
      "  - {name: \"%s\", role: %s, sha256: \"%s\"}\n",
      token.c_str(), name.c_str(), role.c_str(), auth::sha256_hex(token).c_str());
  return 0;
}

int fetch_history_cmd(const td::daemon::LoadOptions& cfg, const std::string& symbol,
                      const std::string& bar, const std::string& from, const std::string& to,
                      const std::string& out, const std::string& host, int port, int client_id) {
  td::daemon::FetchHistoryOptions o;
  o.symbol = symbol;
  o.out = out;
  auto b = td::daemon::parse_bar_size(bar);
  auto f = td::daemon::parse_fetch_time(from);
  auto t = td::daemon::parse_fetch_time(to);
  if (!b || !f || !t || *f >= *t) {
    std::fprintf(
        stderr, "tradingd fetch-history: %s\n",
        !b ? ("--bar '" + bar + "' is not a bar size IB serves (5s, 1min, 5min, 1h, 1d, ...)")
                 .c_str()
        : !f ? ("--from '" + from + "' is not a time").c_str()
        : !t ? ("--to '" + to + "' is not a time").c_str()
             : "--from must be before --to");
    return 2;
  }
  o.bar = *b;
  o.from = *f;
  o.to = *t;
  td::Instrument stock;
  stock.symbol = td::Symbol(symbol);
  o.contract = td::ib::contract_for(stock);
  if (!cfg.path.empty()) {
    auto config = td::daemon::load_config(cfg);
    if (!config) {
      std::fprintf(stderr, "%s", td::daemon::format_errors(config.error()).c_str());
      return 2;
    }
    o.host = config->ib.host;
    o.port = config->ib.port;
    o.client_id = config->ib.client_id + 1;
    for (const auto& ic : config->instruments)
      if (ic.instrument.symbol.str() == symbol)
        o.contract = td::ib::contract_for(ic.instrument, ic.ib);
  }
  if (!host.empty()) o.host = host;
  if (port > 0) o.port = static_cast<uint16_t>(port);
  if (client_id >= 0) o.client_id = client_id;
  return td::daemon::fetch_history(o);
}

int usage_error(const char* cmd, const std::string& what) {
  std::fprintf(stderr, "tradingd %s: %s\n", cmd, what.c_str());
  return 2;
}

int check_data_cmd(const std::vector<std::string>& files, const std::string& interval) {
  std::optional<td::Duration> iv;
  if (!interval.empty()) {
    iv = td::parse_duration(interval);
    if (!iv || iv->count() <= 0)
      return usage_error("check-data", "--interval '" + interval +
                                           "' is not a positive duration (1m, 5m, 1h, 1d, ...)");
  }
  return td::backtest::check_data_command(files, iv, std::cout, std::cerr);
}

struct GenDataArgs {
  td::backtest::GenDataOptions o;
  std::string interval = "1m", start, out, price, tick;
  bool force = false;
};

int gen_data_cmd(GenDataArgs& a) {
  auto iv = td::parse_duration(a.interval);
  if (!iv || iv->count() <= 0)
    return usage_error("gen-data", "--interval '" + a.interval + "' is not a positive duration");
  a.o.interval = *iv;
  auto start = td::parse_time(a.start);
  if (!start) return usage_error("gen-data", "--start '" + a.start + "' is not a time");
  a.o.start = *start;
  for (auto [flag, text, value] :
       {std::tuple{"--price", &a.price, &a.o.price}, std::tuple{"--tick", &a.tick, &a.o.tick}}) {
    if (text->empty()) continue;
    auto d = td::Decimal::parse(*text);
    if (!d) return usage_error("gen-data", std::string(flag) + " '" + *text + "' is not a decimal");
    *value = *d;
  }
  return td::backtest::gen_data_command(a.o, a.out, std::cerr, a.force);
}

}  // namespace

int main(int argc, char** argv) {
  setup_logging();
  const LogShutdown log_shutdown;
  CLI::App app{"tradingd: trading daemon (paper, IB) and backtests"};
  app.require_subcommand(1);

  td::daemon::LoadOptions opts;
  auto* run_cmd = app.add_subcommand("run", "run the daemon");
  run_cmd->add_option("--config,-c", opts.path, "configuration file (YAML)")->required();
  run_cmd->add_option("--set", opts.sets, "override a key: dotted.key=yaml-value (repeatable)");

  std::string validate_path;
  std::vector<std::string> validate_sets;
  auto* validate_cmd = app.add_subcommand("validate-config", "check a configuration file");
  validate_cmd->add_option("file", validate_path, "configuration file (YAML)")->required();
  validate_cmd->add_option("--set", validate_sets, "override a key: dotted.key=yaml-value");

  auto* version_cmd = app.add_subcommand("version", "print the version");

  std::string rearm_reason;
  auto* rearm_cmd = app.add_subcommand(
      "rearm", "re-arm the kill switch while the daemon is stopped (running: use the API)");
  rearm_cmd->add_option("--config,-c", opts.path, "configuration file (YAML)")->required();
  rearm_cmd->add_option("--set", opts.sets, "override a key: dotted.key=yaml-value");
  rearm_cmd->add_option("--reason", rearm_reason, "why trading may resume")->required();

  std::string token_name, token_role;
  auto* token_cmd = app.add_subcommand("token", "manage API tokens");
  token_cmd->require_subcommand(1);
  auto* token_new_cmd = token_cmd->add_subcommand(
      "new", "make an API token: prints it once and the api.tokens entry (its SHA-256)");
  token_new_cmd->add_option("--name", token_name, "token name: 1-64 of [A-Za-z0-9_.-]")->required();
  token_new_cmd->add_option("--role", token_role, "viewer | trader | admin")->required();

  td::daemon::LoadOptions fetch_cfg;
  std::string fetch_symbol, fetch_bar, fetch_from, fetch_to, fetch_out, fetch_host;
  int fetch_port = 0, fetch_client_id = -1;
  auto* fetch_cmd = app.add_subcommand(
      "fetch-history", "historical bars from IB into a backtest CSV (paced, resumable)");
  fetch_cmd
      ->add_option("--symbol", fetch_symbol,
                   "the symbol (an instrument of --config, or a US stock)")
      ->required();
  fetch_cmd->add_option("--bar", fetch_bar, "bar size: 5s, 1min, 5min, 1h, 1d, ...")->required();
  fetch_cmd->add_option("--from", fetch_from, "start (RFC 3339, YYYY-MM-DD or epoch seconds)")
      ->required();
  fetch_cmd->add_option("--to", fetch_to, "end, exclusive (same forms)")->required();
  fetch_cmd->add_option("--out", fetch_out, "the CSV file (appended to when it exists)")
      ->required();
  fetch_cmd->add_option("--config,-c", fetch_cfg.path,
                        "configuration: the gateway (broker.ib) and the instrument's contract");
  fetch_cmd->add_option("--set", fetch_cfg.sets, "override a key: dotted.key=yaml-value");
  fetch_cmd->add_option("--host", fetch_host, "gateway host (default: config, else 127.0.0.1)");
  fetch_cmd->add_option("--port", fetch_port, "gateway port (default: config, else 4002)")
      ->check(CLI::Range(1, 65535));
  fetch_cmd
      ->add_option("--client-id", fetch_client_id,
                   "client id (default: the config's + 1, so it runs beside the daemon)")
      ->check(CLI::Range(0, 2147483647));

  std::vector<std::string> check_files;
  std::string check_interval;
  auto* check_cmd = app.add_subcommand(
      "check-data", "check bar CSV files: every problem with its line, then a summary");
  check_cmd->add_option("files", check_files, "bar CSV files")->required();
  check_cmd->add_option("--interval", check_interval,
                        "bar interval: larger steps are gaps (default: inferred)");

  GenDataArgs gen;
  auto* gen_cmd = app.add_subcommand(
      "gen-data", "write synthetic bars (deterministic per seed) to a bar CSV file");
  gen_cmd->add_option("--seed", gen.o.seed, "random seed")->required();
  gen_cmd->add_option("--bars", gen.o.bars, "number of bars")
      ->required()
      ->check(CLI::PositiveNumber);
  gen_cmd->add_option("--interval", gen.interval, "bar interval (default 1m)");
  gen_cmd->add_option("--start", gen.start, "first bar's time (RFC 3339 or epoch seconds)")
      ->required();
  gen_cmd->add_option("--out", gen.out, "the CSV file (not overwritten unless --force)")
      ->required();
  gen_cmd->add_option("--price", gen.price, "first open (default 100)");
  gen_cmd->add_option("--volatility", gen.o.volatility, "annualised volatility (default 0.2)");
  gen_cmd->add_option("--drift", gen.o.drift, "annualised drift (default 0.05)");
  gen_cmd->add_option("--tick", gen.tick, "price tick (default 0.01)");
  gen_cmd->add_flag("--force", gen.force, "replace an existing --out file");

  td::daemon::BacktestCli backtest_cli(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (*version_cmd) {
    std::printf("tradingd %s\n", td::daemon::kVersion);
    return 0;
  }
  if (*token_new_cmd) {
    try {
      return token_new(token_name, token_role);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tradingd token new: %s\n", e.what());
      return 1;
    }
  }
  if (*validate_cmd) {
    td::daemon::LoadOptions v{validate_path, validate_sets, td::daemon::tradingd_environment()};
    auto config = td::daemon::load_config(v);
    if (!config) {
      std::fprintf(stderr, "%s", td::daemon::format_errors(config.error()).c_str());
      std::fprintf(stderr, "%s: %zu error(s)\n", validate_path.c_str(), config.error().size());
      return 2;
    }
    for (const auto& w : td::daemon::config_warnings(*config))
      std::fprintf(stderr, "%s: warning: %s\n", validate_path.c_str(), w.c_str());
    std::printf("%s: ok\n", validate_path.c_str());
    return 0;
  }
  if (*check_cmd) return check_data_cmd(check_files, check_interval);
  if (*gen_cmd) return gen_data_cmd(gen);
  if (auto rc = backtest_cli.dispatch()) return *rc;
  if (*fetch_cmd) {
    fetch_cfg.env = td::daemon::tradingd_environment();
    return fetch_history_cmd(fetch_cfg, fetch_symbol, fetch_bar, fetch_from, fetch_to, fetch_out,
                             fetch_host, fetch_port, fetch_client_id);
  }
  opts.env = td::daemon::tradingd_environment();
  if (*rearm_cmd) return rearm(opts, rearm_reason);
  try {
    return run(opts);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
