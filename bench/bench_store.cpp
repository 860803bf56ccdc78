// The PostgreSQL store's write path and restart load (bench/README.md,
// "PostgreSQL store"), against a private cluster this program starts in a
// temporary directory with the server's defaults: fsync on, and the store's
// own synchronous_commit = on, so every acknowledgement is a durable commit.
//
// This thread is the engine thread: it makes order-created events (the
// event that must be committed before an order may go to the broker) and
// hands them to PgStore::on_event; the store's posted closures come back to
// it, and on_store_committed(seq) acknowledges every order up to seq.
// For each round and each mode (batched: one transaction per batch; per-row:
// one per record, the comparison):
// (a) throughput: events are offered as fast as they are acknowledged (a
//     window of outstanding orders), for --seconds; acknowledged orders/s.
// (b) latency: events offered at a fixed --rate for --seconds; the time from
//     on_event to the on_store_committed that covers it, p50/p99/max.
// Then (c): load_state over 1,000,000 orders and 1,000,000 fills (most
// orders closed and old, ~100 open, ~1,000 closed in the last day), timed
// as a restart does it: connect, migrate (a no-op), load_state.
// Then (d): the same database, restarted as a user runs the daemon: each
// round populates it afresh and execs `tradingd run` in paper mode against
// it; the time from exec to its "listening on" line and to the first
// GET /readyz answering 200, then SIGTERM and the time to its exit.
// Medians over --rounds.
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "persistence/migrations.h"
#include "persistence/pg_cluster.h"
#include "persistence/pg_store.h"
#include "persistence/recovery_loader.h"
#include "tests/integration/process.h"

namespace {

using namespace td;
using namespace td::persistence;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  int rounds = 3;
  double seconds = 3;
  int rate = 2000;
  int orders = 1'000'000;               // (c), (d): orders and fills in the database
  std::string tradingd = TRADINGD_BIN;  // (d)
  bool daemon_output = false;           // (d): print the daemon's whole output
  // (a): outstanding orders at most. Per-row commits one at a time: a
  // small window keeps it busy without minutes of backlog to drain after.
  size_t window_batched = 20'000, window_per_row = 200;
};

// The engine thread's inbox.
class Inbox {
 public:
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> fn) {
      {
        std::lock_guard lk(mu_);
        q_.push_back(std::move(fn));
      }
      cv_.notify_one();
    };
  }
  // Runs what is posted; waits for something until `until` when empty.
  void run(SteadyClock::time_point until) {
    std::deque<std::function<void()>> q;
    {
      std::unique_lock lk(mu_);
      cv_.wait_until(lk, until, [&] { return !q_.empty(); });
      q.swap(q_);
    }
    for (auto& fn : q) fn();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
};

class Acks final : public StoreListener {
 public:
  void on_store_committed(uint64_t seq) override {
    committed = seq;
    if (on_commit) on_commit(seq);
  }
  void on_store_state(bool writable, const std::string& detail) override {
    if (!writable) std::fprintf(stderr, "store not writable: %s\n", detail.c_str());
  }
  void on_store_duplicate(OrderId, OrderId) override { ++duplicates; }
  uint64_t committed = 0;
  int duplicates = 0;
  std::function<void(uint64_t)> on_commit;
};

// Order-created events with ids and seqs from 1.
class OrderSource {
 public:
  void emit(Store& store, Timestamp now) {
    const uint64_t id = ++seq_;
    OrderRequest r;
    r.symbol = Symbol("SPY");
    r.side = id % 2 ? Side::kBuy : Side::kSell;
    r.qty = Decimal::from_int(static_cast<int64_t>(id % 100 + 1));
    r.type = OrderType::kLimit;
    r.limit_price =
        Decimal::from_units(45'000'000'000 + static_cast<int64_t>(id % 1000) * 1'000'000);
    r.client_order_id = "b-" + std::to_string(id);
    Order o(OrderId(id), std::move(r), now);
    store.on_event(Event{id, now, OrderEvent{&o, OrderStatus::kQueued, true}});
  }
  uint64_t seq() const { return seq_; }

 private:
  uint64_t seq_ = 0;
};

[[noreturn]] void die(const Error& e) {
  std::fprintf(stderr, "bench_store: %s\n", e.message.c_str());
  std::exit(1);
}

Status exec(const std::string& dsn, const std::string& sql) {
  auto c = PgConn::connect(dsn);
  if (!c) return tl::unexpected(c.error());
  c->set_timeout(std::chrono::minutes(10));
  return c->exec(sql);
}

// Empty tables and a checkpoint: each phase starts with no dirty pages of the
// one before it being flushed under its commits.
Status reset_database(const std::string& dsn) {
  if (auto s = exec(dsn,
                    "TRUNCATE events, orders, fills, positions, strategy_positions, kv, "
                    "api_audit");
      !s)
    return s;
  return exec(dsn, "CHECKPOINT");
}

std::unique_ptr<PgStore> make_store(const std::string& dsn, StoreWriteMode mode, Inbox& inbox,
                                    Acks& acks) {
  PgStoreOptions o;
  o.dsn = dsn;
  o.post = inbox.poster();
  o.mode = mode;
  o.buffer_limit = 10'000'000;
  auto s = std::make_unique<PgStore>(o);
  s->set_listener(&acks);
  if (auto st = s->start(); !st) die(st.error());
  return s;
}

double throughput(const std::string& dsn, StoreWriteMode mode, const Args& a) {
  if (auto s = reset_database(dsn); !s) die(s.error());
  Inbox inbox;
  Acks acks;
  auto store = make_store(dsn, mode, inbox, acks);
  OrderSource src;
  const size_t window = mode == StoreWriteMode::kBatched ? a.window_batched : a.window_per_row;
  const auto t0 = SteadyClock::now();
  const auto end = t0 + std::chrono::duration_cast<SteadyClock::duration>(
                            std::chrono::duration<double>(a.seconds));
  while (SteadyClock::now() < end) {
    while (src.seq() - acks.committed < window)
      src.emit(*store, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
    inbox.run(end);
  }
  const uint64_t acked = acks.committed;
  const double secs = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  (void)store->flush_and_stop(std::chrono::seconds(60));
  if (acks.duplicates) std::fprintf(stderr, "unexpected duplicates: %d\n", acks.duplicates);
  return static_cast<double>(acked) / secs;
}

struct Latency {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  uint64_t orders = 0;
};

Latency latency(const std::string& dsn, StoreWriteMode mode, const Args& a) {
  if (auto s = reset_database(dsn); !s) die(s.error());
  Inbox inbox;
  Acks acks;
  auto store = make_store(dsn, mode, inbox, acks);
  OrderSource src;
  std::vector<SteadyClock::time_point> sent;  // by seq - 1
  std::vector<double> lat_ms;
  uint64_t acked = 0;
  acks.on_commit = [&](uint64_t seq) {
    const auto now = SteadyClock::now();
    for (; acked < seq; ++acked)
      lat_ms.push_back(std::chrono::duration<double, std::milli>(now - sent[acked]).count());
  };
  const uint64_t total = static_cast<uint64_t>(a.seconds * a.rate);
  sent.reserve(total);
  const auto t0 = SteadyClock::now();
  const auto period = std::chrono::duration<double>(1.0 / a.rate);
  for (uint64_t i = 0; i < total; ++i) {
    const auto due =
        t0 + std::chrono::duration_cast<SteadyClock::duration>(period * static_cast<double>(i));
    // The engine thread handles acknowledgements until the next order is due.
    while (SteadyClock::now() < due) inbox.run(due);
    sent.push_back(SteadyClock::now());
    src.emit(*store, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
  }
  const auto drain_until = SteadyClock::now() + std::chrono::seconds(60);
  while (acked < total && SteadyClock::now() < drain_until) inbox.run(drain_until);
  (void)store->flush_and_stop(std::chrono::seconds(60));
  Latency out;
  out.orders = acked;
  if (lat_ms.empty()) return out;
  std::sort(lat_ms.begin(), lat_ms.end());
  auto pct = [&](double p) { return lat_ms[static_cast<size_t>(p * (lat_ms.size() - 1))]; };
  out.p50_ms = pct(0.5);
  out.p99_ms = pct(0.99);
  out.max_ms = lat_ms.back();
  return out;
}

// 1,000,000 orders: ~100 open, ~1,000 closed within the last day, the rest
// closed a year ago; one fill per order, `n` fills: the filled orders are
// for 100 and filled by it; the open ones (partially filled) and the
// cancelled ones (after a partial fill) are for 200.
Status populate(const std::string& dsn, int n, Timestamp now) {
  const int64_t t = to_unix_nanos(now);
  const int64_t year = int64_t{365} * 24 * 3600 * 1'000'000'000;
  const int64_t hour = int64_t{3600} * 1'000'000'000;
  const std::string sql = fmt::format(R"sql(
TRUNCATE events, orders, fills, positions, strategy_positions, kv, api_audit;
INSERT INTO orders (id, client_order_id, symbol, side, type, tif, qty, limit_price, source,
                    status, filled_qty, avg_fill_price, commission, broker_order_id,
                    created_at_ns, updated_at_ns)
SELECT g, 'c-' || g, 'SYM' || (g % 50), CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END, 'limit',
       'day', CASE WHEN g % 10000 = 7 OR g % 13 = 0 THEN 200 ELSE 100 END, 123.45, 'api',
       CASE WHEN g % 10000 = 7 THEN 'partially_filled' WHEN g % 13 = 0 THEN 'cancelled'
            ELSE 'filled' END,
       100, 123.45, 0.35, 'B' || g,
       {0} - {1} + g, CASE WHEN g % 1000 = 3 THEN {0} - {2} ELSE {0} - {1} + g END
FROM generate_series(1, {3}) g;
INSERT INTO fills (id, order_id, symbol, side, qty, price, commission, realized, time_ns,
                   broker_exec_id, source)
SELECT g, g, 'SYM' || (g % 50), CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END, 100, 123.45,
       0.35, CASE WHEN g % 2 = 0 THEN 0 ELSE 1.25 END, {0} - {1} + g, 'x-' || g, 'api'
FROM generate_series(1, {3}) g;
INSERT INTO events (seq, time_ns, kind, order_id, detail)
SELECT g, {0} - {1} + g, 'order', g, 'new' FROM generate_series(1, 100000) g;
INSERT INTO positions SELECT 'SYM' || g, 100, 12345, 10, 1, {0} FROM generate_series(0, 49) g;
)sql",
                                      t, year, hour, n);
  if (auto s = exec(dsn, sql); !s) return s;
  return exec(dsn, "VACUUM ANALYZE");  // outside the inserts' transaction
}

struct LoadTime {
  double ms = 0;
  size_t orders = 0, fills = 0;
};

LoadTime restart_load(const std::string& dsn, Timestamp now) {
  const auto t0 = SteadyClock::now();
  auto c = PgConn::connect(dsn);
  if (!c) die(c.error());
  if (auto m = migrate(*c); !m) die(m.error());
  LoadOptions lo;
  lo.now = now;
  lo.session_start = now - std::chrono::hours(8);
  auto st = load_state(*c, lo);
  if (!st) die(st.error());
  LoadTime out;
  out.ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
  out.orders = st->orders.size();
  out.fills = st->fills.size();
  return out;
}

struct DaemonTimes {
  double listening_ms = -1, ready_ms = -1, stop_ms = -1;
  int exit_code = -1;
  std::string readyz;                 // the body of the first 200
  std::vector<std::string> warnings;  // its [warning] and [error] lines
};

// (d): `tradingd run` in paper mode on `data_dir` against the database at
// `dsn`, as a user starts it; the times are from just before the fork+exec.
DaemonTimes daemon_restart(const Args& a, const std::string& dsn, const std::string& data_dir) {
  using namespace td::testing;
  DaemonTimes out;
  std::vector<std::string> args = {
      a.tradingd, "run",
      "--config", std::string(TRADINGD_SOURCE_DIR) + "/config/paper.yaml",
      "--set",    "data_dir=" + data_dir,
      "--set",    "api.listen=127.0.0.1:0",
      "--set",    "database.dsn=" + dsn};
  auto ms_since = [](SteadyClock::time_point t0) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
  };
  const auto t0 = SteadyClock::now();
  Process p(std::move(args));
  const int port = wait_for_listening(p, std::chrono::seconds(60));
  if (port > 0) {
    out.listening_ms = ms_since(t0);
    // A short poll interval: the output is drained between polls (the
    // daemon must not block on a full pipe).
    const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (SteadyClock::now() < deadline) {
      const std::string r = http_get(port, "/readyz");
      if (status_of(r) == 200) {
        out.ready_ms = ms_since(t0);
        out.readyz = body_of(r);
        break;
      }
      p.wait_for([](const std::string&) { return false; }, std::chrono::milliseconds(2));
    }
  }
  const auto s0 = SteadyClock::now();
  p.signal(SIGTERM);
  if (auto code = p.wait_exit(std::chrono::seconds(60))) {
    out.exit_code = *code;
    out.stop_ms = ms_since(s0);
  }
  if (a.daemon_output) std::fputs(p.output().c_str(), stdout);
  for (const char* level : {"[warning]", "[error]", "[critical]"})
    for (auto& line : lines_containing(p.output(), level)) out.warnings.push_back(std::move(line));
  if (out.ready_ms < 0)
    std::fprintf(stderr, "%s did not become ready (exit code %d); its output:\n%s\n",
                 a.tradingd.c_str(), out.exit_code, p.output().c_str());
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

bool starts(const char* arg, const char* prefix, const char** value) {
  const size_t n = std::strlen(prefix);
  if (std::strncmp(arg, prefix, n) != 0) return false;
  *value = arg + n;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const char* v;
    if (starts(argv[i], "--rounds=", &v)) {
      a.rounds = std::atoi(v);
    } else if (starts(argv[i], "--seconds=", &v)) {
      a.seconds = std::atof(v);
    } else if (starts(argv[i], "--rate=", &v)) {
      a.rate = std::atoi(v);
    } else if (starts(argv[i], "--orders=", &v)) {
      a.orders = std::atoi(v);
    } else if (starts(argv[i], "--tradingd=", &v)) {
      a.tradingd = v;
    } else if (std::strcmp(argv[i], "--daemon-output") == 0) {
      a.daemon_output = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--rounds=3] [--seconds=3] [--rate=2000] [--orders=1000000] "
                   "[--tradingd=PATH] [--daemon-output]\n",
                   argv[0]);
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::string dir = "/tmp/td-bench-pg-XXXXXX";
  if (!::mkdtemp(dir.data())) return (std::perror("mkdtemp"), 1);
  PgClusterOptions co;
  co.dir = dir;  // server defaults: fsync on
  auto cluster = PgCluster::start(co);
  if (!cluster) return (std::fprintf(stderr, "cluster: %s\n", cluster.error().message.c_str()), 1);
  const std::string dsn = (*cluster)->dsn();
  {
    auto c = PgConn::connect(dsn);
    if (!c || !migrate(*c)) return (std::fprintf(stderr, "cannot migrate\n"), 1);
    auto fsync = c->query("SHOW fsync");
    auto sc = c->query("SHOW synchronous_commit");
    std::printf("cluster %s: fsync=%s synchronous_commit=%s (store sessions: on)\n", dir.c_str(),
                fsync ? std::string(fsync->get(0, 0)).c_str() : "?",
                sc ? std::string(sc->get(0, 0)).c_str() : "?");
  }

  std::vector<double> tput[2], p50[2], p99[2], pmax[2];
  const StoreWriteMode modes[] = {StoreWriteMode::kBatched, StoreWriteMode::kPerRow};
  const char* names[] = {"batched", "per-row"};
  for (int r = 0; r < a.rounds; ++r) {
    for (int m = 0; m < 2; ++m) {
      const double t = throughput(dsn, modes[m], a);
      const Latency l = latency(dsn, modes[m], a);
      tput[m].push_back(t);
      p50[m].push_back(l.p50_ms);
      p99[m].push_back(l.p99_ms);
      pmax[m].push_back(l.max_ms);
      std::printf(
          "round %d %-8s throughput %9.0f orders/s | at %d/s: %llu orders, ack p50 %.2f ms p99 "
          "%.2f ms max %.2f ms\n",
          r + 1, names[m], t, a.rate, static_cast<unsigned long long>(l.orders), l.p50_ms, l.p99_ms,
          l.max_ms);
      std::fflush(stdout);
    }
  }
  for (int m = 0; m < 2; ++m)
    std::printf(
        "median %-8s throughput %9.0f orders/s | at %d/s: ack p50 %.2f ms p99 %.2f ms "
        "max %.2f ms\n",
        names[m], median(tput[m]), a.rate, median(p50[m]), median(p99[m]), median(pmax[m]));
  std::printf("batched / per-row throughput: %.1fx\n", median(tput[0]) / median(tput[1]));

  const Timestamp now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const auto p0 = SteadyClock::now();
  if (auto s = populate(dsn, a.orders, now); !s)
    return (std::fprintf(stderr, "populate: %s\n", s.error().message.c_str()), 1);
  std::printf("populated %d orders and %d fills in %.1f s\n", a.orders, a.orders,
              std::chrono::duration<double>(SteadyClock::now() - p0).count());
  std::vector<double> loads;
  for (int r = 0; r < std::max(a.rounds, 3); ++r) {
    const LoadTime l = restart_load(dsn, now);
    loads.push_back(l.ms);
    std::printf("restart load %d: %.1f ms (%zu orders, %zu fills loaded)\n", r + 1, l.ms, l.orders,
                l.fills);
  }
  std::printf("median restart load (connect + migrate + load_state): %.1f ms\n", median(loads));

  // (d): one data_dir across the rounds, as one installation restarted.
  td::testing::TempDir data_dir;
  std::vector<double> listening, ready, stop;
  bool failed = false;
  for (int r = 0; r < a.rounds; ++r) {
    if (r > 0) {  // the first round's database is the one (c) read
      const auto q0 = SteadyClock::now();
      if (auto s = populate(dsn, a.orders, now); !s) die(s.error());
      std::printf("populated again in %.1f s\n",
                  std::chrono::duration<double>(SteadyClock::now() - q0).count());
    }
    if (auto s = exec(dsn, "CHECKPOINT"); !s) die(s.error());
    const DaemonTimes d = daemon_restart(a, dsn, data_dir.path().string());
    std::printf(
        "tradingd restart %d: listening %.0f ms, ready (GET /readyz 200) %.0f ms; SIGTERM to exit "
        "%.0f ms, exit code %d\n",
        r + 1, d.listening_ms, d.ready_ms, d.stop_ms, d.exit_code);
    if (r == 0) std::printf("  readyz: %s\n", d.readyz.c_str());
    for (const auto& w : d.warnings) std::printf("  %s\n", w.c_str());
    std::fflush(stdout);
    if (d.ready_ms < 0 || d.exit_code != 0) {
      failed = true;
      break;
    }
    listening.push_back(d.listening_ms);
    ready.push_back(d.ready_ms);
    stop.push_back(d.stop_ms);
  }
  auto range = [](const std::vector<double>& v) {
    return fmt::format("{:.0f} ms (min {:.0f}, max {:.0f})", median(v),
                       *std::min_element(v.begin(), v.end()),
                       *std::max_element(v.begin(), v.end()));
  };
  if (!failed && !ready.empty()) {
    std::printf("median tradingd restart to listening: %s\n", range(listening).c_str());
    std::printf("median tradingd restart to ready: %s\n", range(ready).c_str());
    std::printf("median tradingd SIGTERM to exit: %s\n", range(stop).c_str());
  }
  cluster->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return failed ? 1 : 0;
}
