#pragma once
// The PostgreSQL Store (core/store.h): events and state records leave the
// engine thread through a queue and a single writer thread commits them in
// batches, one transaction per batch sent as one libpq pipeline (group
// commit: while one batch commits, the next accumulates, so the commit rate
// follows the load without a timer). Only after COMMIT does the engine hear
// on_store_committed(seq): that is what lets an order go to the broker and
// its submitter be answered (persist before send).
//
// Outages: a failed batch, or a failed health check while idle, posts
// on_store_state(false) at once; the batch and everything queued behind it
// are kept and written after a reconnect (backoff 100 ms doubling to 5 s),
// then on_store_state(true). Every statement is idempotent, so a batch whose
// COMMIT was lost with the connection is simply sent again. While the
// database is away the queue is bounded: telemetry (equity points, daily
// P&L) is dropped first, oldest first, and logged; event and state records
// are never dropped.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/engine.h"
#include "core/store.h"
#include "persistence/pg_conn.h"
#include "persistence/store_record.h"

namespace td::persistence {

enum class StoreWriteMode {
  kBatched,  // one transaction per batch (production)
  kPerRow,   // one transaction per record (the bench's comparison)
};

struct PgStoreOptions {
  std::string dsn;
  // Runs a closure on the engine thread (listener calls, writable()).
  std::function<void(std::function<void()>)> post;
  // Read on the engine thread at each fill for the position snapshots; may
  // be null (no position rows are written then).
  const Engine* engine = nullptr;
  StoreWriteMode mode = StoreWriteMode::kBatched;
  size_t max_batch = 2000;        // records per transaction
  size_t buffer_limit = 200'000;  // records held before telemetry is dropped
  Duration health_interval = std::chrono::milliseconds(200);
  Duration reconnect_initial = std::chrono::milliseconds(100);
  Duration reconnect_max = std::chrono::seconds(5);
  Duration timeout = std::chrono::seconds(5);  // connect, one batch, one health check
};

struct PgStoreStats {
  size_t pending = 0;  // queued or in flight, not yet committed
  uint64_t batches = 0;
  uint64_t records = 0;  // committed
  uint64_t dropped_telemetry = 0;
  uint64_t committed_seq = 0;
  Duration last_commit_latency{};  // the last batch's send-to-COMMIT time
  bool connected = false;
};

class PgStore final : public Store {
 public:
  explicit PgStore(PgStoreOptions options);
  ~PgStore() override;  // flush_and_stop(options.timeout) when still running
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Connects and starts the writer thread; an error when the database cannot
  // be reached now. writable() is true from a successful start.
  Status start();

  // Store (engine thread).
  void set_listener(StoreListener* listener) override;
  bool writable() const override;
  void on_event(const Event& e) override;

  // State records (engine thread). kv and audit are never dropped; equity
  // and daily P&L are telemetry.
  void record_kv(std::string key, std::string value);
  void record_audit(Timestamp time, std::string actor, std::string action, std::string detail,
                    int status);
  void record_equity(const EquityRecord& e);
  void record_daily_pnl(const DailyPnlRecord& d);

  // Any thread.
  PgStoreStats stats() const;

  // Writes what is queued (waiting at most `timeout`, also for a database
  // that is away), then joins the writer. An error says how many records
  // were left unwritten. Call before the engine's io_context stops running
  // posted closures if the last commits should still reach the listener.
  Status flush_and_stop(Duration timeout = std::chrono::seconds(5));

 private:
  // What the engine thread owns; shared with the posted closures so a
  // closure that runs after the store is gone touches nothing freed.
  struct EngineSide {
    StoreListener* listener = nullptr;
    std::atomic<bool> writable{false};
  };
  using Clock = std::chrono::steady_clock;

  void push(StoreRecord r, bool telemetry);
  void run();
  Status open_connection();
  // Waits for records (or the health interval); moves them into batch_.
  void take_batch();
  Status write_batch();
  Status write_records(size_t from, size_t to);
  void set_state(bool up, const std::string& detail);
  void post_committed(std::vector<std::pair<OrderId, OrderId>> dups, uint64_t seq);
  bool giving_up() const;  // stop requested and its deadline passed
  void wait_backoff(Duration d);

  const PgStoreOptions opts_;
  std::shared_ptr<EngineSide> side_ = std::make_shared<EngineSide>();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<StoreRecord> queue_;      // events and state, in order
  std::deque<StoreRecord> telemetry_;  // droppable
  bool stop_ = false;
  Clock::time_point stop_deadline_{};
  PgStoreStats stats_;  // guarded by mu_ (pending computed in stats())
  size_t in_flight_ = 0;
  bool warned_overflow_ = false;  // logged once per outage

  // Writer thread only.
  std::optional<PgConn> conn_;
  std::vector<StoreRecord> batch_;  // taken, not yet committed; kept across failures
  bool up_ = false;                 // the state last posted
  uint64_t next_audit_id_ = 1;
  uint64_t committed_seq_ = 0;
  std::thread thread_;
};

}  // namespace td::persistence
