#include "daemon/runtime.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "api/auth/bootstrap.h"
#include "api/json/mapping.h"
#include "api/json/order_request.h"
#include "api/openapi/openapi.h"
#include "brokers/ib/client/contract_for.h"
#include "core/file_io.h"
#include "daemon/cpu_affinity.h"
#include "daemon/ib_order_ids.h"
#include "daemon/version.h"
#include "persistence/migrations.h"
#include "persistence/pg_conn.h"
#include "persistence/recovery_loader.h"
#include "strategies/spec.h"

namespace td::daemon {

namespace {
constexpr auto kPaceTick = std::chrono::milliseconds(10);
constexpr size_t kEventsPerSlice = 20000;  // at speed 0: yield to signals between slices
constexpr auto kSummaryEvery = std::chrono::hours(1);
constexpr const char* kRiskStateFile = "risk-state";
constexpr const char* kRiskLimitsFile = "risk-limits.json";
constexpr const char* kIbOrderIdsFile = "ib-order-ids";
constexpr int64_t kIbIdReserve = 1000;  // ids reserved per write of kIbOrderIdsFile
constexpr auto kEquityEvery = std::chrono::minutes(1);
constexpr auto kStoreWaitTick = std::chrono::microseconds(200);

int32_t market_data_type_code(const std::string& t) {
  if (t == "frozen") return 2;
  if (t == "delayed") return 3;
  if (t == "delayed_frozen") return 4;
  return 1;
}
}  // namespace

Runtime::Runtime(const Config& config, LoadOptions reload, DataDirLock data_dir)
    : config_(config),
      reload_options_(std::move(reload)),
      data_dir_(std::move(data_dir)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      pacer_(io_) {
  signals_.add(SIGUSR1);
  signals_.add(SIGUSR2);
}

Result<std::unique_ptr<Runtime>> Runtime::create(const Config& config, LoadOptions reload,
                                                 DataDirLock data_dir) {
  std::unique_ptr<Runtime> rt(new Runtime(config, std::move(reload), std::move(data_dir)));
  if (auto st = rt->build(); !st) return tl::unexpected(st.error());
  return rt;
}

Status Runtime::build() {
  ib_mode_ = config_.mode == "ib";
  auto session =
      SessionCalendar::make(config_.portfolio.timezone, config_.portfolio.session_boundary);
  if (!session) return tl::unexpected(session.error());
  EngineOptions eo;
  eo.initial_cash = config_.portfolio.initial_cash;
  eo.session = *session;
  if (auto st = ib_mode_ ? build_ib() : build_paper(*session); !st) return st;
  if (auto st = open_store(); !st) return st;
  if (ib_mode_) eo.first_order_id = ib_ids_.order_id + 1;
  eo.first_order_id = std::max(eo.first_order_id, recovered_->next_order_id);
  engine_ = std::make_unique<Engine>(*scheduler_, *broker_, eo);
  log_ = std::make_unique<LogSink>(*engine_);
  engine_->add_sink(log_.get());
  risk_ = std::make_unique<risk::RiskManager>(config_.risk, *engine_);
  engine_->set_risk_hook(*risk_);
  if (auto st = restore_risk_state(); !st) return st;
  restore_risk_limits();

  api::StaticInfo info;
  info.version = kVersion;
  info.started_at = wall_.now();
  info.mode = config_.mode;
  info.account = ib_mode_ ? config_.ib.account : "paper";
  info.store_configured = true;
  for (const auto& ic : config_.instruments) info.symbols.insert(ic.instrument.symbol);
  api::PublisherOptions po;
  po.broker_name = std::string(broker_->name());
  publisher_ = std::make_unique<api::SnapshotPublisher>(*engine_, *risk_, snapshots_, wall_,
                                                        std::move(info), po);
  metrics_ = std::make_unique<api::metrics::DaemonMetrics>(api::route_table(), kVersion,
                                                           std::chrono::system_clock::now());
  publisher_->set_metrics(metrics_.get());
  metrics_->set_engine_source([this] {
    api::metrics::EngineGauges g;
    auto snap = snapshots_.load();
    std::map<std::string, uint64_t> by_status;
    for (size_t i = 0; i < snap->orders.size(); ++i)
      if (const Order* o = snap->orders.at(i)) ++by_status[std::string(to_string(o->status()))];
    for (const auto& [status, n] : by_status) g.orders.push_back({status, n});
    g.trading_state = std::string(to_string(snap->trading.state));
    g.kill_switch_engaged = snap->kill_switch.engaged;
    g.broker_connected = snap->broker.connected;
    if (snap->portfolio) g.equity = snap->portfolio->equity().to_string();
    return g;
  });
  publisher_->set_engine_post(
      [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); });
  engine_->add_sink(publisher_.get());
  for (const auto& sc : config_.strategies)
    publisher_->set_strategy_params(sc.spec.name, sc.spec.params);
  for (const auto& ic : config_.instruments)
    if (auto st = engine_->add_instrument(ic.instrument); !st) return st;
  for (const auto& sc : config_.strategies) {
    auto made = strategies::make_strategy(sc.spec);
    if (!made) {
      const auto& e = made.error().front();
      return make_error(ErrorCode::kInvalidArgument,
                        "strategy " + sc.spec.name + ": " + e.path + ": " + e.message);
    }
    if (auto st = engine_->add_strategy(sc.spec.name, sc.spec.type, std::move(*made), sc.enabled);
        !st)
      return st;
  }
  if (ib_mode_) {
    ib_market_->add_handler(engine_.get());
    ib_market_->add_handler(publisher_.get());
  } else {
    // The broker sees each quote first (it is the exchange), then the engine.
    market_->add_handler(sim_broker_.get());
    market_->add_handler(engine_.get());
    market_->add_handler(publisher_.get());
  }
  if (auto st = restore_from_store(); !st) return st;
  publisher_->flush();
  return {};
}

Status Runtime::open_store() {
  dsn_ = config_.database_dsn;
  if (dsn_.empty()) {
    // The private cluster. As root it runs as the unprivileged user
    // `tradingd`, which must be able to enter data_dir.
    const std::string dir = data_dir_.path("postgres");
    if (geteuid() == 0) {
      struct stat st {};
      if (::stat(data_dir_.dir().c_str(), &st) == 0 && !(st.st_mode & S_IXOTH))
        ::chmod(data_dir_.dir().c_str(), (st.st_mode & 07777) | S_IXOTH);
    }
    persistence::PgClusterOptions po;
    po.dir = dir;
    po.take_over_orphan = true;  // data_dir is locked: a running server is an orphan
    auto cluster = persistence::PgCluster::start(po);
    if (!cluster)
      return make_error(cluster.error().code, "database: the private PostgreSQL cluster under " +
                                                  dir +
                                                  " did not start: " + cluster.error().message);
    pg_cluster_ = std::move(*cluster);
    dsn_ = pg_cluster_->dsn();
  }
  auto conn = persistence::PgConn::connect(dsn_);
  if (!conn)
    return make_error(ErrorCode::kUnavailable, "database: cannot connect (" +
                                                   persistence::redact_dsn(dsn_) +
                                                   "): " + conn.error().message);
  auto migrated = persistence::migrate(*conn);
  if (!migrated) return make_error(migrated.error().code, "database: " + migrated.error().message);
  if (!migrated->applied.empty())
    spdlog::info("database: schema version {} -> {}", migrated->from_version, migrated->to_version);
  auto session =
      SessionCalendar::make(config_.portfolio.timezone, config_.portfolio.session_boundary);
  persistence::LoadOptions lo;
  lo.now = scheduler_->now();
  lo.session_start = session ? session->session_start(lo.now) : Timestamp{};
  auto loaded = persistence::load_state(*conn, lo);
  if (!loaded) return make_error(loaded.error().code, "database: " + loaded.error().message);
  recovered_ = std::move(*loaded);
  return {};
}

Status Runtime::restore_from_store() {
  RecoveredState& st = *recovered_;
  if (sim_broker_) {
    sim_broker_->restore_positions(st.positions);
    // Fills are unique by execution id across runs over the same store: this
    // run's ids carry its first order id (no earlier run's order had it),
    // and a fresh store still gives one seed one run.
    sim_broker_->set_exec_id_prefix(fmt::format("sim-{}-", st.next_order_id));
  }
  if (auto r = engine_->restore(st); !r) return r;
  publisher_->load_restored();
  persistence::PgStoreOptions so;
  so.dsn = dsn_;
  so.post = [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); };
  so.engine = engine_.get();
  store_ = std::make_unique<persistence::PgStore>(so);
  if (auto r = store_->start(); !r)
    return make_error(r.error().code, "database: " + r.error().message);
  engine_->set_store(store_.get());
  publisher_->set_store_source([this] {
    api::StoreInfo i;
    const auto stats = store_->stats();
    i.connected = engine_->store_writable();
    i.pending_writes = stats.pending;
    if (!i.connected) i.detail = "PostgreSQL unreachable: new orders are refused";
    return i;
  });
  publisher_->set_audit_store(
      [this](const std::string& type, const std::string& actor, const nlohmann::json& data) {
        const auto st = data.find("status");
        store_->record_audit(scheduler_->now(), actor, type, data.dump(),
                             st != data.end() && st->is_number_integer() ? st->get<int>() : 0);
      });
  store_->record_kv("risk.state", risk::serialize_state(risk_->persisted_state()));
  for (const auto& s : engine_->strategies())
    store_->record_kv(std::string(persistence::kStrategyEnabledKeyPrefix) + s.name,
                      s.enabled ? "true" : "false");
  recovered_.reset();
  return {};
}

void Runtime::on_reconciled(const ReconcileReport& report) {
  if (!report.mismatches.empty()) {
    const std::string why = "reconciliation: " + report.summary();
    // Halted is the kill switch (without a flatten: which side is right is
    // for the operator to judge); it holds across restarts until re-armed.
    spdlog::error("{}: trading halted (kill switch) until an admin re-arms it", why);
    risk_->engage(why, "reconcile", false, scheduler_->now());
  }
  publisher_->invalidate();
  if (stopping_) return;
  engine_->start(history_);
}

void Runtime::schedule_equity_snapshot() {
  scheduler_->schedule_after(kEquityEvery, [this] {
    if (stopping_ || !store_) return;
    const Portfolio& p = engine_->portfolio();
    persistence::EquityRecord e;
    e.time = scheduler_->now();
    e.equity = p.equity();
    e.cash = p.cash();
    e.realized = p.realized();
    e.unrealized = p.unrealized();
    e.commissions = p.commissions();
    store_->record_equity(e);
    // The session's row, kept current (its last value is the day's close).
    persistence::DailyPnlRecord d;
    d.session_start = p.session_start();
    d.realized = p.today_realized();
    d.commissions = p.today_commissions();
    d.equity_close = p.equity();
    store_->record_daily_pnl(d);
    schedule_equity_snapshot();
  });
}

Status Runtime::build_paper(const SessionCalendar& session) {
  sim_scheduler_ = std::make_unique<SimScheduler>();
  scheduler_ = sim_scheduler_.get();
  const MarketConfig& m = config_.market;
  Timestamp start =
      m.start ? *m.start : std::chrono::floor<std::chrono::seconds>(RealClock().now());
  if (!m.start) start -= start.time_since_epoch() % m.bar_interval;  // bars on round times
  sim_scheduler_->sim_clock().set(start);
  sim_origin_ = start;
  if (m.duration.count() > 0) sim_end_ = start + m.duration;

  sim::MarketSimOptions mo;
  mo.seed = m.seed;
  mo.bar_interval = m.bar_interval;
  mo.quote_interval = m.quote_interval;
  sim::SimBrokerOptions bo;
  bo.ack_latency = m.ack_latency;
  for (const auto& ic : config_.instruments) {
    sim::SimSymbol s;
    s.instrument = ic.instrument;
    s.start_price = ic.sim.price;
    s.volatility = ic.sim.volatility;
    s.drift = ic.sim.drift;
    s.spread_ticks = ic.sim.spread_ticks;
    s.display_size = ic.sim.display_size;
    mo.symbols.push_back(s);
    bo.instruments.push_back(ic.instrument);
  }
  bo.day_session = session;  // DAY orders expire at the trading day's boundary
  market_ = std::make_unique<sim::MarketSimulator>(*scheduler_, mo);
  sim_broker_ = std::make_unique<sim::SimBroker>(*scheduler_, bo);
  broker_ = sim_broker_.get();
  history_ = market_.get();
  return {};
}

Status Runtime::build_ib() {
  live_scheduler_ = std::make_unique<AsioScheduler>(io_);
  scheduler_ = live_scheduler_.get();
  auto ids = load_ib_ids(data_dir_.path(kIbOrderIdsFile));
  if (!ids) return tl::unexpected(ids.error());
  ib_ids_ = *ids;
  const IbConfig& c = config_.ib;
  ib::IbSessionOptions so;
  so.connection.host = c.host;
  so.connection.port = c.port;
  so.connection.client_id = c.client_id;
  so.connection.connect_timeout = c.connect_timeout;
  so.connection.heartbeat_interval = c.heartbeat_interval;
  so.connection.heartbeat_timeout = c.heartbeat_timeout;
  so.backoff_seed = static_cast<uint64_t>(RealClock().now().time_since_epoch().count());
  ib_session_ = std::make_unique<ib::IbSession>(io_, *scheduler_, so);

  std::map<Symbol, ib::Contract> contracts;
  for (const auto& ic : config_.instruments)
    contracts[ic.instrument.symbol] = ib::contract_for(ic.instrument, ic.ib);
  ib::IbBrokerOptions bo;
  bo.client_id = c.client_id;
  bo.account = c.account;
  bo.order_ref_prefix = c.order_ref_prefix;
  bo.contracts = contracts;
  bo.persisted_high_water = ib_ids_.ib_order_id;
  // The file holds a reservation, not the last id: it is written (and
  // fsync'ed, on the engine thread) once per kIbIdReserve orders, and a
  // restart continues above it (skipped ids cost nothing at IB).
  bo.persist_order_id = [this](int64_t ib_id, OrderId id) {
    if (ib_id <= ib_ids_.ib_order_id && id.value() <= ib_ids_.order_id) return Status{};
    IbIds next = ib_ids_;
    next.ib_order_id = std::max(next.ib_order_id, ib_id + kIbIdReserve);
    next.order_id = std::max(next.order_id, id.value() + kIbIdReserve);
    if (auto st = save_ib_ids(data_dir_.path(kIbOrderIdsFile), next); !st) return st;
    ib_ids_ = next;
    if (store_)
      store_->record_kv("broker.ib.order_ids",
                        fmt::format("ib_order_id={} order_id={}", next.ib_order_id, next.order_id));
    return Status{};
  };
  auto window =
      ib::RestartWindow::make(c.restart.tz, c.restart.at, c.restart.before, c.restart.after);
  if (!window) return tl::unexpected(window.error());
  bo.restart_window = *window;
  ib_broker_ = std::make_unique<ib::IbBroker>(*ib_session_, bo);
  ib::IbMarketDataOptions mo;
  mo.contracts = contracts;
  mo.bar_interval = config_.market.bar_interval;
  mo.market_data_type = market_data_type_code(c.market_data_type);
  ib_market_ = std::make_unique<ib::IbMarketData>(*ib_session_, mo);
  broker_ = ib_broker_.get();
  history_ = ib_market_.get();
  return {};
}

Status Runtime::restore_risk_state() {
  const std::string path = data_dir_.path(kRiskStateFile);
  auto loaded = risk::load_state_file(path);
  if (loaded) {
    risk_->restore(*loaded);
  } else {
    // Fail safe: a state we cannot read may have been a latched kill switch.
    spdlog::error("risk state {}: {}; starting with the kill switch engaged", path,
                  loaded.error().message);
  }
  risk_->set_state_listener([this, path](const risk::PersistedRiskState& st) {
    if (auto saved = risk::save_state_file(path, st); !saved)
      spdlog::error("risk state {} not saved: {}", path, saved.error().message);
    if (store_) store_->record_kv("risk.state", risk::serialize_state(st));
  });
  if (!loaded) {
    risk_->engage("risk state file unreadable: " + loaded.error().message, "startup", false,
                  scheduler_->now());
  }
  const auto& ks = risk_->kill_switch();
  if (ks.engaged) {
    spdlog::warn("kill switch ENGAGED since {} by {}: {} (re-arm: tradingd rearm, daemon stopped)",
                 ks.engaged_at ? format_rfc3339(*ks.engaged_at) : "?", ks.engaged_by, ks.reason);
  }
  spdlog::info("trading state {}", to_string(risk_->trading_state().state));
  return {};
}

Status Runtime::start_api() {
  namespace auth = api::auth;
  std::vector<auth::ApiTokenLike> tokens;
  for (const auto& t : config_.api.tokens) tokens.push_back({t.name, t.role, t.sha256});
  auto fresh = auth::ensure_admin_token(data_dir_.dir(), tokens);
  if (!fresh) return tl::unexpected(fresh.error());
  auto store = auth::TokenStore::create(tokens);
  if (!store) return tl::unexpected(store.error());
  auto stream_tokens = std::make_shared<auth::TokenStore>(*store);
  auth_failures_ = std::make_unique<auth::FailureLimiter>(wall_);

  api::stream::StreamOptions so;
  so.authenticate = [stream_tokens](std::string_view authorization) {
    return stream_tokens->authenticate(authorization);
  };
  so.limiter = auth_failures_.get();
  so.allowed_origins = config_.api.allowed_origins;
  so.max_message_bytes = static_cast<size_t>(config_.api.max_body_bytes);
  hub_ = std::make_unique<api::stream::StreamHub>(so, *publisher_);
  publisher_->set_stream(hub_.get());

  api::ApiBackend backend;
  backend.engine = engine_.get();
  backend.risk = risk_.get();
  backend.publisher = publisher_.get();
  backend.post = [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); };
  backend.reload_config = [this](const std::string& actor) { return reload(actor); };
  backend.limits_changed = [this](const risk::RiskLimits& l) { save_risk_limits(l); };
  backend.set_strategy_params = [this](const std::string& name,
                                       const std::map<std::string, std::string>& params) {
    return set_strategy_params(name, params);
  };
  backend.openapi_json = [] { return api::openapi_json(); };
  backend.metrics_text = [this] {
    metrics_->ws_clients.set(static_cast<double>(hub_->clients()));
    const uint64_t slow = hub_->slow_consumer_closes();
    const uint64_t seen = ws_slow_seen_.exchange(slow);
    if (slow > seen) metrics_->ws_slow_consumer_disconnects.inc(slow - seen);
    return metrics_->render();
  };
  backend.observe = [this](const api::RouteInfo* route, std::string_view method, int status,
                           std::chrono::nanoseconds elapsed) {
    metrics_->record_request(route, method, status, elapsed);
  };
  api::ApiRouterOptions ro;
  ro.metrics_public = config_.api.metrics_public;
  ro.rate_per_second = config_.api.requests_per_second;
  ro.rate_burst = config_.api.request_burst;
  ro.body_limit = static_cast<size_t>(config_.api.max_body_bytes);
  router_ = std::make_unique<api::ApiRouter>(std::move(backend), snapshots_, std::move(*store),
                                             *auth_failures_, wall_, ro);

  api::http::ServerOptions ho;
  ho.host = config_.api.host;
  ho.port = config_.api.port;
  ho.threads = static_cast<size_t>(config_.api.threads);
  ho.body_limit = static_cast<size_t>(config_.api.max_body_bytes);
  ho.max_connections = static_cast<size_t>(config_.api.max_connections);
  ho.read_timeout = std::chrono::duration_cast<std::chrono::seconds>(config_.api.read_timeout);
  ho.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(config_.api.idle_timeout);
  ho.tls_cert_file = config_.api.tls_cert;
  ho.tls_key_file = config_.api.tls_key;
  if (engine_pinned_) {
    ho.on_thread_start = [cpu = config_.engine.cpu] {
      if (auto st = pin_this_thread_away_from(cpu); !st) spdlog::warn("{}", st.error().message);
    };
  }
  http_ = std::make_unique<api::http::HttpServer>(ho, *router_, hub_.get());
  auto ep = http_->start();
  if (!ep) return tl::unexpected(ep.error());
  if (config_.api.allow_insecure_listen && config_.api.tls_cert.empty())
    spdlog::warn(
        "API listens on {} without TLS (api.allow_insecure_listen): tokens cross the "
        "network in clear",
        config_.api.host);
  if (*fresh) {
    // Printed once, outside the log (a token is never logged); only its hash is kept.
    std::fprintf(stderr,
                 "\n  No API token was configured: an admin token was created (only its SHA-256 "
                 "is kept, in %s).\n  It is shown this once:\n\n      %s\n\n  Use it as "
                 "'Authorization: Bearer <token>', e.g.\n      curl -H 'Authorization: Bearer "
                 "%s' %s/api/v1/status\n\n",
                 data_dir_.path(auth::kAdminTokenFile).c_str(), fresh->value().c_str(),
                 fresh->value().c_str(), ep->url().c_str());
    std::fflush(stderr);
  }
  return {};
}

int Runtime::run() {
  // This thread is the engine thread; the API threads it starts are pinned
  // to the other CPUs.
  if (config_.engine.cpu >= 0) {
    if (auto st = pin_this_thread_to(config_.engine.cpu); !st) {
      spdlog::warn("{}; the engine thread is not pinned", st.error().message);
    } else {
      engine_pinned_ = true;
      spdlog::info("engine thread pinned to CPU {}, API threads to the others", config_.engine.cpu);
    }
  }
  if (auto st = start_api(); !st) {
    spdlog::error("API: {}", st.error().message);
    return 1;
  }
  if (ib_mode_) {
    spdlog::info("ib mode: {} instruments, {} strategies, gateway {}:{} client id {}",
                 config_.instruments.size(), config_.strategies.size(), config_.ib.host,
                 config_.ib.port, config_.ib.client_id);
    // Strategies start (warming up from IB's history) once the engine has
    // reconciled with the broker; orders wait until then.
    engine_->reconcile({config_.recovery_adopt_broker_positions},
                       [this](const ReconcileReport& r) { on_reconciled(r); });
    ib_market_->start();
    ib_session_->start();
  } else {
    spdlog::info("paper mode: {} instruments, {} strategies, seed {}, speed {}, simulated start {}",
                 config_.instruments.size(), config_.strategies.size(), config_.market.seed,
                 config_.market.speed, format_rfc3339(scheduler_->now()));
    engine_->reconcile({config_.recovery_adopt_broker_positions},
                       [this](const ReconcileReport& r) { on_reconciled(r); });
    market_->start();
  }
  schedule_summary();
  schedule_equity_snapshot();
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (!ec) on_signal(signo);
  });
  real_origin_ = std::chrono::steady_clock::now();
  if (ib_mode_)
    boost::asio::post(io_, [this] { flush_tick(); });
  else
    boost::asio::post(io_, [this] { pace(); });
  io_.run();
  return 0;
}

// ib mode: events arrive from the socket at any time; what they changed is
// published to the API every pace tick.
void Runtime::flush_tick() {
  if (stopping_) return;
  publisher_->flush();
  pacer_.expires_after(kPaceTick);
  pacer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) flush_tick();
  });
}

void Runtime::pace() {
  if (stopping_) return;
  if (engine_->awaiting_store()) {
    // Simulated time stands still until the order's row is committed (its
    // commit is posted to this thread): the order leaves at the same
    // simulated time whatever the database's latency.
    pacer_.expires_after(kStoreWaitTick);
    pacer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pace();
    });
    return;
  }
  if (config_.market.speed <= 0) {
    for (size_t i = 0; i < kEventsPerSlice; ++i) {
      auto next = sim_scheduler_->next_time();
      if (!next || *next > sim_end_) {
        sim_scheduler_->run_until(sim_end_ == Timestamp::max() ? sim_scheduler_->now() : sim_end_);
        begin_stop("simulated duration reached");
        return;
      }
      sim_scheduler_->run_one();
    }
    publisher_->flush();
    boost::asio::post(io_, [this] { pace(); });
    return;
  }
  const auto real = std::chrono::steady_clock::now() - real_origin_;
  const auto sim = std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::nano>(
      static_cast<double>(real.count()) * config_.market.speed));
  Timestamp target = sim_origin_ + sim;
  if (target >= sim_end_) {
    sim_scheduler_->run_until(sim_end_);
    begin_stop("simulated duration reached");
    return;
  }
  sim_scheduler_->run_until(target);
  publisher_->flush();
  pacer_.expires_after(kPaceTick);
  pacer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) pace();
  });
}

void Runtime::schedule_summary() {
  scheduler_->schedule_after(kSummaryEvery, [this] {
    if (stopping_) return;
    log_->log_pnl();
    schedule_summary();
  });
}

void Runtime::on_signal(int signo) {
  switch (signo) {
    case SIGTERM:
    case SIGINT:
      begin_stop(signo == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    case SIGHUP:
      (void)reload("config:SIGHUP");
      break;
    case SIGUSR1:
    case SIGUSR2:
      engage_from_signal(signo);
      break;
  }
  signals_.async_wait([this](const boost::system::error_code& ec, int s) {
    if (!ec) on_signal(s);
  });
}

void Runtime::engage_from_signal(int signo) {
  const bool flatten = signo == SIGUSR2;
  const char* name = flatten ? "SIGUSR2" : "SIGUSR1";
  auto r = risk_->engage(flatten ? "SIGUSR2: engage and flatten" : "SIGUSR1: engage",
                         std::string("signal:") + name, flatten, scheduler_->now());
  spdlog::warn("kill switch engaged by {}: {} orders cancelled, {} positions closing", name,
               r.cancelled.size(), r.positions.size());
}

Status Runtime::reload(const std::string& actor) {
  auto loaded = load_config(reload_options_);
  if (!loaded) {
    const std::string errors = format_errors(loaded.error());
    spdlog::error("reload refused, nothing changed:\n{}", errors);
    return make_error(ErrorCode::kInvalidArgument, "config: " + errors);
  }
  if (auto st = risk_->set_limits(loaded->risk, actor); !st) {
    spdlog::error("reload refused, nothing changed: {}", st.error().message);
    return st;
  }
  config_.risk = loaded->risk;
  // The file's limits win again over limits changed through the API.
  std::error_code ec;
  std::filesystem::remove(data_dir_.path(kRiskLimitsFile), ec);
  spdlog::set_level(spdlog::level::from_str(loaded->log.level));
  spdlog::info("reload ({}): risk limits and log level applied; other changes apply at restart",
               actor);
  if (publisher_) publisher_->note_risk_change();
  return {};
}

// Limits changed through the API survive a restart: they are kept in
// data_dir/risk-limits.json and applied over the configuration's at start,
// until a reload makes the file's limits current again.
void Runtime::save_risk_limits(const risk::RiskLimits& limits) {
  nlohmann::json j = api::to_json(limits);
  j.erase("trading_hours");  // configured per instrument, not by the API
  if (auto st = write_file_atomically(data_dir_.path(kRiskLimitsFile), j.dump(2) + "\n"); !st)
    spdlog::error("risk limits not saved: {}", st.error().message);
  if (store_) store_->record_kv("risk.limits", j.dump());
}

void Runtime::restore_risk_limits() {
  const std::string path = data_dir_.path(kRiskLimitsFile);
  if (!std::filesystem::exists(path)) return;
  auto text = read_small_file(path, 1 << 20);
  if (!text || !*text) {
    spdlog::error("{}: {}; keeping the configured limits", path,
                  text ? "cannot be read" : text.error().message);
    return;
  }
  auto limits = api::parse_risk_limits_patch(**text, config_.risk);
  if (!limits) {
    spdlog::error("{}: {}: {}; keeping the configured limits", path, limits.error().front().field,
                  limits.error().front().message);
    return;
  }
  if (auto st = risk_->set_limits(*limits, "restart:" + std::string(kRiskLimitsFile)); !st) {
    spdlog::error("{}: {}; keeping the configured limits", path, st.error().message);
    return;
  }
  spdlog::warn(
      "risk limits changed through the API are in force ({}); a reload returns to the "
      "configuration's",
      path);
}

Status Runtime::set_strategy_params(const std::string& name,
                                    const std::map<std::string, std::string>& params) {
  for (auto& sc : config_.strategies) {
    if (sc.spec.name != name) continue;
    strategies::StrategySpec spec = sc.spec;
    for (const auto& [k, v] : params) spec.params[k] = v;
    auto made = strategies::make_strategy(spec);
    if (!made) {
      const auto& e = made.error().front();
      return make_error(ErrorCode::kInvalidArgument, e.path + ": " + e.message);
    }
    if (auto st = engine_->replace_strategy(name, std::move(*made)); !st) return st;
    sc.spec = spec;
    publisher_->set_strategy_params(name, spec.params);
    return {};
  }
  return make_error(ErrorCode::kNotFound, "no strategy '" + name + "'");
}

void Runtime::begin_stop(const char* why) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("stopping ({}): strategies stopped, finishing in-flight broker work", why);
  engine_->stop();
  pacer_.cancel();
  if (http_) http_->stop();
  if (ib_mode_) {
    // Orders at IB keep working (a disconnect never cancels them); what the
    // next run finds is reconciled then.
    ib_market_->stop();
    ib_session_->stop();
    live_scheduler_->cancel_all();
  } else {
    market_->stop();
    // No more market data: let acknowledgements and cancels already in flight land.
    sim_scheduler_->run_until(sim_scheduler_->now() + 2 * config_.market.ack_latency);
  }
  log_->log_pnl();
  if (store_)
    if (auto st = store_->flush_and_stop(); !st) spdlog::error("store: {}", st.error().message);
  signals_.cancel();
  io_.stop();
  spdlog::info("stopped");
}

}  // namespace td::daemon
