#pragma once
// Paper mode: the simulated market and broker, the engine and the log sink,
// driven on one io_context thread. Simulated time advances `market.speed`
// times faster than real time (0 = as fast as the CPU allows); every event
// is ordered by the discrete-event SimScheduler, so one seed gives one run.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "api/auth/failure_limiter.h"
#include "api/http/server.h"
#include "api/routes/api_router.h"
#include "api/snapshot/publisher.h"
#include "api/snapshot/snapshot.h"
#include "api/stream/stream_hub.h"
#include "brokers/sim/market_simulator.h"
#include "brokers/sim/sim_broker.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "daemon/config.h"
#include "daemon/data_dir.h"
#include "daemon/log_sink.h"
#include "risk/risk_manager.h"

namespace td::daemon {

class PaperRuntime {
 public:
  // Builds every component; fails on anything the config validation let through.
  static Result<std::unique_ptr<PaperRuntime>> create(const Config& config, LoadOptions reload,
                                                      DataDirLock data_dir);
  // Runs until SIGTERM/SIGINT or the configured simulated duration; returns the exit code.
  int run();

 private:
  PaperRuntime(const Config& config, LoadOptions reload, DataDirLock data_dir);
  Status build();
  void pace();
  void on_signal(int signo);
  void begin_stop(const char* why);
  Status reload(const std::string& actor);
  Status start_api();
  void restore_risk_limits();
  void save_risk_limits(const risk::RiskLimits& limits);
  Status set_strategy_params(const std::string& name,
                             const std::map<std::string, std::string>& params);
  void schedule_summary();
  Status restore_risk_state();
  void engage_from_signal(int signo);

  Config config_;
  LoadOptions reload_options_;
  DataDirLock data_dir_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer pacer_;
  SimScheduler scheduler_;
  std::unique_ptr<sim::MarketSimulator> market_;
  std::unique_ptr<sim::SimBroker> broker_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<risk::RiskManager> risk_;
  std::unique_ptr<LogSink> log_;
  RealClock wall_;
  api::SnapshotStore snapshots_;
  std::unique_ptr<api::metrics::DaemonMetrics> metrics_;
  std::unique_ptr<api::SnapshotPublisher> publisher_;
  std::unique_ptr<api::auth::FailureLimiter> auth_failures_;
  std::unique_ptr<api::ApiRouter> router_;
  std::unique_ptr<api::stream::StreamHub> hub_;  // before http_: the server uses it
  std::atomic<uint64_t> ws_slow_seen_{0};
  std::unique_ptr<api::http::HttpServer> http_;  // its own thread; stopped before the engine
  Timestamp sim_origin_{};
  Timestamp sim_end_{Timestamp::max()};
  std::chrono::steady_clock::time_point real_origin_;
  bool stopping_ = false;
  bool engine_pinned_ = false;  // engine.cpu took effect: pin the API threads away from it
};

}  // namespace td::daemon
