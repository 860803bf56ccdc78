// The engine's tick-to-order latency while the control API is under load
// (bench/README.md, "Control API").
//
// The rig is the daemon's engine side, in process: simulated broker, engine,
// sma_cross on SPY, the risk manager with typical limits, the snapshot
// publisher (an event sink and market-data handler, as in the daemon), the
// ApiRouter and the HttpServer on its own API thread(s). This thread is the
// engine thread: it feeds quotes and bars through the hot path one event at
// a time (as bench_hot_path's BM_HotPathLatency/1, plus the publisher) and
// times each one; every 10 ms of wall time it publishes a snapshot, as the
// paper runtime does (timed apart: it is not tick-to-order).
//
// Each round runs two phases, unloaded and loaded (their order alternates
// from round to round), each on a fresh rig:
// - unloaded: the API server is up and idle;
// - loaded: GET /api/v1/positions is hammered over loopback, by `wrk`
//   (--load=wrk, the realistic one: scripts/bench-api) or by in-process
//   keep-alive clients (--load=client: no tools needed, the smoke run);
//   or, as a control, two threads spinning without any API traffic
//   (--load=spin: does the change come from the API or from any two busy
//   threads?).
// Figures: per-event latency percentiles over every event, and over the
// events that sent an order (tick-to-order proper: the quote or bar whose
// processing ended with a new order at the simulated broker); the API's
// requests/s during the loaded phase; the medians over rounds and the ratio
// loaded / unloaded.
//
// CPUs: --engine-cpu=N pins this (engine) thread; --api-cpu=M pins the API
// threads and the load generator (wrk runs under `taskset -c M`). Without
// them everything floats, as in the daemon today.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/auth/failure_limiter.h"
#include "api/auth/token.h"
#include "api/auth/token_store.h"
#include "api/http/server.h"
#include "api/routes/api_router.h"
#include "api/snapshot/publisher.h"
#include "bench/hot_path_events.h"
#include "brokers/sim/sim_broker.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "risk/risk_manager.h"
#include "strategies/spec.h"

extern char** environ;

namespace {

using namespace td;
using Clock = std::chrono::steady_clock;

// A viewer token made for the bench (the shape of a real one).
const std::string kToken = "td_bench_viewer_token_0000000000000000000000000";

struct Options {
  std::string load = "client";  // none | client | wrk | spin
  int rounds = 5;
  size_t quotes = 1'000'000;  // per phase
  int engine_cpu = -1;
  int api_cpu = -1;
  size_t api_threads = 1;
  std::string wrk_args = "-t1 -c32";
  int clients = 4;  // --load=client: keep-alive connections, one thread each
  double warmup_s = 0.5;
  bool publisher = true;  // --no-publisher: the engine without the API's sink (as bench_hot_path)
};

bool pin_this_thread(int cpu) {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

void pin_to_all() {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i) CPU_SET(i, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  size_t n = 0;
};

Percentiles percentiles(std::vector<int64_t>& v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return static_cast<double>(v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))]);
  };
  p.p50 = at(0.50), p.p90 = at(0.90), p.p99 = at(0.99), p.p999 = at(0.999);
  p.max = static_cast<double>(v.back());
  return p;
}

// The daemon's engine side and API, in process.
class Rig {
 public:
  explicit Rig(const Options& o)
      : broker_(sched_, broker_options()),
        engine_(sched_, broker_),
        risk_(bench::typical_limits(), engine_),
        publisher_(engine_, risk_, snapshots_, wall_, info()),
        failures_(wall_) {
    engine_.set_risk_hook(risk_);
    with_publisher_ = o.publisher;
    if (with_publisher_) engine_.add_sink(&publisher_);
    (void)engine_.add_instrument(spy());
    strategies::StrategySpec spec;
    spec.name = "hot";
    spec.type = "sma_cross";
    spec.symbols = {Symbol("SPY")};
    spec.qty = Decimal::from_int(100);
    spec.allow_short = true;
    spec.params = {{"fast", "3"}, {"slow", "8"}};
    (void)engine_.add_strategy("hot", "sma_cross", std::move(*strategies::make_strategy(spec)));
    publisher_.set_engine_post([this](std::function<void()> fn) { post(std::move(fn)); });
    engine_.start();

    api::ApiBackend backend;
    backend.engine = &engine_;
    backend.risk = &risk_;
    backend.publisher = &publisher_;
    backend.post = [this](std::function<void()> fn) { post(std::move(fn)); };
    backend.observe = [this](const api::RouteInfo*, std::string_view, int status,
                             std::chrono::nanoseconds) {
      (status == 200 ? served_ : errors_).fetch_add(1, std::memory_order_relaxed);
    };
    auto store =
        api::auth::TokenStore::create({{"bench", "viewer", api::auth::sha256_hex(kToken)}});
    if (!store) {
      std::fprintf(stderr, "token store: %s\n", store.error().message.c_str());
      std::exit(1);
    }
    api::ApiRouterOptions ro;
    ro.rate_per_second = 0;  // per-token rate limit off, as scripts/bench-api runs the daemon
    router_ = std::make_unique<api::ApiRouter>(std::move(backend), snapshots_, std::move(*store),
                                               failures_, wall_, ro);
    api::http::ServerOptions so;
    so.port = 0;
    so.threads = o.api_threads;
    server_ = std::make_unique<api::http::HttpServer>(so, *router_);
    // The API threads inherit this thread's affinity when they are created.
    pin_this_thread(o.api_cpu);
    auto ep = server_->start();
    pin_to_all();
    if (!ep) {
      std::fprintf(stderr, "server: %s\n", ep.error().message.c_str());
      std::exit(1);
    }
    port_ = ep->port;
    publisher_.flush();
  }
  ~Rig() { server_->stop(); }

  uint16_t port() const { return port_; }
  uint64_t served() const { return served_.load(); }
  uint64_t errors() const { return errors_.load(); }
  size_t orders() const { return engine_.orders().size(); }

  void deliver(const bench::MarketEvent& e) {
    if (e.is_bar) {
      broker_.on_bar(e.bar);
      engine_.on_bar(e.bar);
      if (with_publisher_) publisher_.on_bar(e.bar);
    } else {
      sched_.run_until(e.quote.time);  // acknowledgements due by now
      broker_.on_quote(e.quote);
      engine_.on_quote(e.quote);
      if (with_publisher_) publisher_.on_quote(e.quote);
    }
  }
  // The paper runtime's slice end: posted work (none for reads), then a snapshot.
  void end_slice() {
    std::vector<std::function<void()>> work;
    {
      std::lock_guard lock(mu_);
      work.swap(posted_);
    }
    for (auto& fn : work) fn();
    publisher_.flush();
  }

 private:
  static Instrument spy() {
    Instrument i;
    i.symbol = Symbol("SPY");
    return i;
  }
  static sim::SimBrokerOptions broker_options() {
    sim::SimBrokerOptions o;
    o.instruments = {spy()};
    o.ack_latency = std::chrono::milliseconds(5);
    return o;
  }
  api::StaticInfo info() {
    api::StaticInfo i;
    i.version = "bench";
    i.started_at = wall_.now();
    i.mode = "paper";
    i.account = "paper";
    i.symbols = {Symbol("SPY")};
    return i;
  }
  void post(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    posted_.push_back(std::move(fn));
  }

  RealClock wall_;
  SimScheduler sched_{bench::kStart};
  sim::SimBroker broker_;
  Engine engine_;
  risk::RiskManager risk_;
  api::SnapshotStore snapshots_;
  api::SnapshotPublisher publisher_;
  api::auth::FailureLimiter failures_;
  std::unique_ptr<api::ApiRouter> router_;
  std::unique_ptr<api::http::HttpServer> server_;
  uint16_t port_ = 0;
  bool with_publisher_ = true;
  std::atomic<uint64_t> served_{0}, errors_{0};
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
};

// In-process load: keep-alive connections, each on its own thread, sending
// GET /api/v1/positions and reading each response whole.
class ClientLoad {
 public:
  ClientLoad(uint16_t port, int clients, int cpu) {
    for (int i = 0; i < clients; ++i)
      threads_.emplace_back([this, port, cpu] {
        pin_this_thread(cpu);
        run(port);
      });
  }
  ~ClientLoad() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }

 private:
  void run(uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd);
      return;
    }
    const std::string req =
        "GET /api/v1/positions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kToken +
        "\r\n\r\n";
    std::string buf;
    char chunk[16384];
    while (!stop_) {
      if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) break;
      // Read one response: the head, then Content-Length bytes.
      size_t need = std::string::npos;
      for (;;) {
        const size_t head_end = buf.find("\r\n\r\n");
        if (head_end != std::string::npos && need == std::string::npos) {
          const size_t cl = buf.find("Content-Length: ");
          const size_t len = cl < head_end ? std::strtoul(buf.c_str() + cl + 16, nullptr, 10) : 0;
          need = head_end + 4 + len;
        }
        if (need != std::string::npos && buf.size() >= need) {
          buf.erase(0, need);
          break;
        }
        const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
          close(fd);
          return;
        }
        buf.append(chunk, static_cast<size_t>(n));
      }
    }
    close(fd);
  }

  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// The control experiment: as many busy threads as wrk and the API thread
// would keep busy, without any API traffic (is a change the API's doing, or
// just two more runnable threads?).
class SpinLoad {
 public:
  SpinLoad(int threads, int cpu) {
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this, cpu] {
        pin_this_thread(cpu);
        volatile uint64_t x = 0;
        while (!stop_.load(std::memory_order_relaxed)) x = x + 1;
      });
  }
  ~SpinLoad() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// wrk in a child process (under taskset when the API has a CPU), stopped
// with SIGINT.
class WrkLoad {
 public:
  WrkLoad(uint16_t port, const std::string& args, int cpu) {
    std::vector<std::string> argv;
    if (cpu >= 0) argv = {"taskset", "-c", std::to_string(cpu)};
    argv.push_back("wrk");
    std::istringstream in(args);
    for (std::string a; in >> a;) argv.push_back(a);
    for (const char* a : {"-d", "3600s", "-H"}) argv.push_back(a);
    argv.push_back("Authorization: Bearer " + kToken);
    argv.push_back("http://127.0.0.1:" + std::to_string(port) + "/api/v1/positions");
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ) != 0) {
      std::fprintf(stderr, "cannot start %s (is wrk installed? scripts/bench-api installs it)\n",
                   cargv[0]);
      std::exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
  }
  ~WrkLoad() {
    kill(pid_, SIGINT);
    int st = 0;
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &st, 0);
  }

 private:
  pid_t pid_ = -1;
};

struct Phase {
  bool loaded = false;
  Percentiles all, orders, flush;
  double api_rps = 0;
  uint64_t api_errors = 0;
  double seconds = 0;
};

Phase run_phase(const Options& o, bool loaded) {
  Phase ph;
  ph.loaded = loaded;
  Rig rig(o);
  pin_this_thread(o.engine_cpu);
  std::unique_ptr<ClientLoad> clients;
  std::unique_ptr<WrkLoad> wrk;
  std::unique_ptr<SpinLoad> spin;
  if (loaded && o.load == "spin") spin = std::make_unique<SpinLoad>(2, o.api_cpu);
  if (loaded && o.load == "client")
    clients = std::make_unique<ClientLoad>(rig.port(), o.clients, o.api_cpu);
  if (loaded && o.load == "wrk") wrk = std::make_unique<WrkLoad>(rig.port(), o.wrk_args, o.api_cpu);
  // Both phases wait the same: connections up, caches and allocators warm.
  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup_s));

  std::vector<int64_t> all, orders, flush;
  all.reserve(o.quotes + o.quotes / 60 + 1);
  bench::EventGenerator gen;
  const uint64_t served0 = rig.served(), errors0 = rig.errors();
  const auto start = Clock::now();
  auto last_flush = start;
  size_t n_orders = rig.orders();
  while (gen.quotes() < o.quotes || gen.bar_pending()) {
    const bench::MarketEvent e = gen.next();
    const auto t0 = Clock::now();
    rig.deliver(e);
    const auto t1 = Clock::now();
    const int64_t ns = (t1 - t0).count();
    all.push_back(ns);
    const size_t now_orders = rig.orders();
    if (now_orders != n_orders) orders.push_back(ns), n_orders = now_orders;
    if (t1 - last_flush >= std::chrono::milliseconds(10)) {
      rig.end_slice();
      last_flush = Clock::now();
      flush.push_back((last_flush - t1).count());
    }
  }
  const auto end = Clock::now();
  ph.seconds = std::chrono::duration<double>(end - start).count();
  ph.api_rps = static_cast<double>(rig.served() - served0) / ph.seconds;
  ph.api_errors = rig.errors() - errors0;
  wrk.reset();
  clients.reset();
  spin.reset();
  pin_to_all();
  ph.all = percentiles(all);
  ph.orders = percentiles(orders);
  ph.flush = percentiles(flush);
  return ph;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool starts(const char* arg, const char* prefix, const char** value) {
  const size_t n = std::strlen(prefix);
  if (std::strncmp(arg, prefix, n) != 0) return false;
  *value = arg + n;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* v = nullptr;
    if (starts(argv[i], "--load=", &v)) {
      o.load = v;
    } else if (starts(argv[i], "--rounds=", &v)) {
      o.rounds = std::atoi(v);
    } else if (starts(argv[i], "--quotes=", &v)) {
      o.quotes = std::strtoul(v, nullptr, 10);
    } else if (starts(argv[i], "--engine-cpu=", &v)) {
      o.engine_cpu = std::atoi(v);
    } else if (starts(argv[i], "--api-cpu=", &v)) {
      o.api_cpu = std::atoi(v);
    } else if (starts(argv[i], "--api-threads=", &v)) {
      o.api_threads = std::strtoul(v, nullptr, 10);
    } else if (starts(argv[i], "--wrk-args=", &v)) {
      o.wrk_args = v;
    } else if (starts(argv[i], "--clients=", &v)) {
      o.clients = std::atoi(v);
    } else if (std::strcmp(argv[i], "--no-publisher") == 0) {
      o.publisher = false;
    } else if (starts(argv[i], "--warmup=", &v)) {
      o.warmup_s = std::atof(v);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--load=none|client|wrk|spin] [--rounds=5] [--quotes=1000000]\n"
                   "  [--engine-cpu=N] [--api-cpu=M] [--api-threads=1] [--wrk-args='-t1 -c32']\n"
                   "  [--clients=4] [--warmup=0.5] [--no-publisher]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.load != "none" && o.load != "client" && o.load != "wrk" && o.load != "spin") {
    std::fprintf(stderr, "--load: none, client, wrk or spin\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  spdlog::set_level(spdlog::level::warn);  // no "listening on" line per phase
  std::printf(
      "engine tick-to-order under API load: %s, %d rounds, %zu quotes per phase, "
      "engine cpu %s, api cpu %s, %zu API thread(s)%s\n",
      o.load.c_str(), o.rounds, o.quotes,
      o.engine_cpu < 0 ? "any" : std::to_string(o.engine_cpu).c_str(),
      o.api_cpu < 0 ? "any" : std::to_string(o.api_cpu).c_str(), o.api_threads,
      o.load == "wrk" ? (", wrk " + o.wrk_args).c_str() : "");
  std::printf("%-5s %-8s %9s %9s %9s %9s %10s | %8s %9s %9s %10s | %9s %9s\n", "round", "phase",
              "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "orders", "ord_p50", "ord_p99",
              "ord_max", "flush_p50", "api_req/s");
  std::vector<double> u50, u99, l50, l99, uo50, uo99, lo50, lo99, rps;
  uint64_t api_errors = 0;
  for (int r = 1; r <= o.rounds; ++r) {
    for (int k = 0; k < 2; ++k) {
      const bool loaded = (k == 1) == (r % 2 == 1);  // U L, L U, U L, ...
      Phase ph = run_phase(o, loaded && o.load != "none");
      std::printf(
          "%-5d %-8s %9.0f %9.0f %9.0f %9.0f %10.0f | %8zu %9.0f %9.0f %10.0f | %9.0f %9.0f\n", r,
          loaded ? "loaded" : "unloaded", ph.all.p50, ph.all.p90, ph.all.p99, ph.all.p999,
          ph.all.max, ph.orders.n, ph.orders.p50, ph.orders.p99, ph.orders.max, ph.flush.p50,
          ph.api_rps);
      std::fflush(stdout);
      api_errors += ph.api_errors;
      (loaded ? l50 : u50).push_back(ph.all.p50);
      (loaded ? l99 : u99).push_back(ph.all.p99);
      (loaded ? lo50 : uo50).push_back(ph.orders.p50);
      (loaded ? lo99 : uo99).push_back(ph.orders.p99);
      if (loaded) rps.push_back(ph.api_rps);
    }
  }
  const double r50 = median(l50) / median(u50), r99 = median(l99) / median(u99);
  const double ro50 = median(lo50) / median(uo50), ro99 = median(lo99) / median(uo99);
  std::printf(
      "every event:    unloaded p50 %.0f ns p99 %.0f ns; loaded p50 %.0f ns p99 %.0f ns; "
      "ratio p50 %.3f p99 %.3f\n",
      median(u50), median(u99), median(l50), median(l99), r50, r99);
  std::printf(
      "tick-to-order:  unloaded p50 %.0f ns p99 %.0f ns; loaded p50 %.0f ns p99 %.0f ns; "
      "ratio p50 %.3f p99 %.3f\n",
      median(uo50), median(uo99), median(lo50), median(lo99), ro50, ro99);
  std::printf("API during loaded phases: median %.0f req/s (GET /api/v1/positions), %llu non-200\n",
              median(rps), static_cast<unsigned long long>(api_errors));
  const bool within = ro50 <= 1.10 && ro99 <= 1.10;
  std::printf("within 10%%: %s (tick-to-order p50 and p99, medians over rounds)\n",
              within ? "yes" : "no");
  return 0;
}
