#pragma once
// The daemon's world on one io_context thread (the engine thread): the
// engine, risk, the API and a broker with its market data - in paper mode
// the simulated market and broker, in ib mode the TWS client. Why one class
// for both: everything but the world (API, risk state, reloads, signals,
// shutdown) must behave the same in both, and a test of paper mode then
// covers it for ib mode too.
// Paper: simulated time advances `market.speed` times faster than real time
// (0 = as fast as the CPU allows); every event is ordered by the
// discrete-event SimScheduler, so one seed gives one run.
// IB: wall-clock time (AsioScheduler); the IB order id high-water mark and
// the largest order id sent are kept in data_dir/ib-order-ids before any
// order leaves (docs/ib-client.md).
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
#include "brokers/ib/client/ib_broker.h"
#include "brokers/ib/client/ib_market_data.h"
#include "brokers/ib/client/ib_session.h"
#include "brokers/sim/market_simulator.h"
#include "brokers/sim/sim_broker.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "daemon/asio_scheduler.h"
#include "daemon/config.h"
#include "daemon/data_dir.h"
#include "daemon/ib_order_ids.h"
#include "daemon/log_sink.h"
#include "persistence/pg_cluster.h"
#include "persistence/pg_store.h"
#include "risk/risk_manager.h"

namespace td::daemon {

class Runtime {
 public:
  // Builds every component; fails on anything the config validation let through.
  static Result<std::unique_ptr<Runtime>> create(const Config& config, LoadOptions reload,
                                                 DataDirLock data_dir);
  // Runs until SIGTERM/SIGINT or the configured simulated duration; returns the exit code.
  int run();

 private:
  Runtime(const Config& config, LoadOptions reload, DataDirLock data_dir);
  Status build();
  Status build_paper(const SessionCalendar& session);
  Status build_ib();
  // The store: the private cluster when no DSN is set, migrations, and the
  // state the last run left (before the engine exists).
  Status open_store();
  // After the engine, risk and strategies exist: the restored book, then
  // the writer (everything from here on is persisted before it is sent).
  Status restore_from_store();
  void on_reconciled(const ReconcileReport& report);
  void schedule_equity_snapshot();
  void pace();
  void flush_tick();
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
  // Declared first: the private cluster outlives everything that writes to it.
  std::unique_ptr<persistence::PgCluster> pg_cluster_;
  std::string dsn_;
  std::optional<RecoveredState> recovered_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer pacer_;
  bool ib_mode_ = false;
  std::unique_ptr<SimScheduler> sim_scheduler_;    // paper
  std::unique_ptr<AsioScheduler> live_scheduler_;  // ib
  Scheduler* scheduler_ = nullptr;
  std::unique_ptr<sim::MarketSimulator> market_;
  std::unique_ptr<sim::SimBroker> sim_broker_;
  std::unique_ptr<ib::IbSession> ib_session_;
  std::unique_ptr<ib::IbBroker> ib_broker_;
  std::unique_ptr<ib::IbMarketData> ib_market_;
  Broker* broker_ = nullptr;
  IbIds ib_ids_;
  HistorySource* history_ = nullptr;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<risk::RiskManager> risk_;
  // After the engine: destroyed (flushed) before it.
  std::unique_ptr<persistence::PgStore> store_;
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
