#pragma once
// The daemon's configuration (../shared/config.md is the contract for the
// keys it names; the rest is ours and documented in config/*.yaml and
// docs/configuration.md). Loading never stops at the first problem: every
// error is collected with its dotted key and the line it came from, so
// `validate-config` can list them all and `run` can refuse to start.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "brokers/ib/client/contract_for.h"
#include "core/decimal.h"
#include "core/instrument.h"
#include "core/time.h"
#include "risk/risk_limits.h"
#include "strategies/spec.h"

namespace td::daemon {

struct ConfigError {
  std::string source;  // the file path, "--set", or the environment variable's name
  int line = 0;        // 1-based line in `source` (0 when it has none)
  std::string key;     // dotted path: "risk.max_order_qty", "strategies[1].params.fast"
  std::string message;
};

struct ApiToken {
  std::string name, role, sha256;  // role: viewer | trader | admin; sha256: 64 lower-case hex
};
struct ApiConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  std::vector<ApiToken> tokens;
  std::string tls_cert, tls_key;
  // Listening beyond loopback without TLS sends tokens in clear: refused
  // unless explicitly allowed (and then logged as a warning).
  bool allow_insecure_listen = false;
  bool metrics_public = false;       // GET /metrics without a token
  double requests_per_second = 200;  // per token; 0 = no limit
  double request_burst = 400;
  int64_t max_body_bytes = 64 * 1024;
  int64_t max_connections = 256;
  int64_t threads = 1;
  Duration read_timeout = std::chrono::seconds(15);
  Duration idle_timeout = std::chrono::seconds(60);
  // Browser origins allowed to open the WebSocket stream ("https://host:port");
  // the API's own origin is always allowed.
  std::vector<std::string> allowed_origins;
};
// broker.ib (docs/configuration.md, docs/ib-client.md).
struct IbRestartWindowConfig {
  std::string at = "23:45";  // the gateway's daily auto-restart, local time
  std::string tz = "America/New_York";
  Duration before = std::chrono::minutes(3);
  Duration after = std::chrono::minutes(10);
};
struct IbConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 4002;  // IB Gateway paper; 4001 live; TWS 7497 paper, 7496 live
  int client_id = 1;
  std::string account;
  std::string order_ref_prefix = "td";  // orderRef = PREFIX-<order id>
  Duration connect_timeout = std::chrono::seconds(10);
  Duration heartbeat_interval = std::chrono::seconds(30);  // silence before reqCurrentTime
  Duration heartbeat_timeout = std::chrono::seconds(10);   // its answer's deadline
  std::string market_data_type = "live";  // live | frozen | delayed | delayed_frozen
  IbRestartWindowConfig restart;
};

// The simulated market's view of one instrument (instruments[].sim).
struct SimParams {
  Decimal price = Decimal::from_int(100);  // starting price
  double volatility = 0.20;                // annualised
  double drift = 0.05;                     // annualised
  int spread_ticks = 1;
  Decimal display_size = Decimal::from_int(500);  // shares shown at bid/ask
};
struct InstrumentConfig {
  Instrument instrument;
  SimParams sim;
  ib::ContractOverrides ib;  // instruments[].ib: how IB names it (mode ib)
};
struct MarketConfig {
  uint64_t seed = 42;
  double speed = 1;  // simulated seconds per real second; 0 = as fast as possible
  Duration bar_interval = std::chrono::minutes(1);
  Duration quote_interval = std::chrono::seconds(1);
  Duration ack_latency = std::chrono::milliseconds(50);
  std::optional<Timestamp> start;  // simulated start time; none = now
  Duration duration{0};            // stop after this much simulated time; 0 = run until stopped
};
struct PortfolioConfig {
  Decimal initial_cash = Decimal::from_int(100000);
  std::string timezone = "America/New_York";
  std::string session_boundary = "00:00";  // HH:MM local: where the daily P&L resets
};
struct StrategyConfig {
  strategies::StrategySpec spec;
  bool enabled = true;
};
// engine.cpu: the CPU the engine thread runs on; the API threads then run
// on the other CPUs (-1: no pinning, the kernel places every thread).
// tradingd backtest / optimize / walkforward (docs/backtest.md).
struct BacktestConfig {
  Decimal slippage_bps;  // [0, 10000): fills at the next open moved by this
  Duration bar_interval = std::chrono::minutes(1);  // the data's bar length
  double periods_per_year = 0;                      // 0: from bar_interval (252 daily, 252x390 1m)
};
struct EngineConfig {
  int cpu = -1;
};
struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error
};

struct Config {
  std::string mode = "paper";  // paper | ib
  std::string data_dir = "var";
  ApiConfig api;
  std::string database_dsn;
  // Start-up reconciliation: a position that still differs from the
  // broker's is adopted (recorded as an external fill) instead of halting.
  bool recovery_adopt_broker_positions = false;
  IbConfig ib;
  MarketConfig market;
  std::vector<InstrumentConfig> instruments;
  PortfolioConfig portfolio;
  // risk.* keys, plus instruments[].trading_hours by symbol (an instrument
  // without them has no entry: it trades around the clock).
  td::risk::RiskLimits risk;
  std::vector<StrategyConfig> strategies;
  BacktestConfig backtest;
  EngineConfig engine;
  LogConfig log;
};

struct LoadOptions {
  std::string path;                        // the YAML file
  std::vector<std::string> sets;           // "--set" values: "dotted.key=yaml value"
  std::map<std::string, std::string> env;  // environment (only TRADINGD__* entries are read)
};

// Defaults, then the file, then TRADINGD__ variables, then --set (config.md).
tl::expected<Config, std::vector<ConfigError>> load_config(const LoadOptions& options);
// What is valid but probably not meant: mode ib on a live port with a risk
// limit off (0) or large. One sentence each; validate-config prints them,
// `run` logs them as warnings.
std::vector<std::string> config_warnings(const Config& config);
// One line per error: "FILE:LINE: KEY: MESSAGE".
std::string format_errors(const std::vector<ConfigError>& errors);
// The process environment's TRADINGD__* variables.
std::map<std::string, std::string> tradingd_environment();

}  // namespace td::daemon
