#include "persistence/pg_store.h"

#include <spdlog/spdlog.h>

#include "persistence/pg_pipeline.h"
#include "persistence/store_statements.h"

namespace td::persistence {

PgStore::PgStore(PgStoreOptions options) : opts_(std::move(options)) {}

PgStore::~PgStore() {
  if (thread_.joinable()) (void)flush_and_stop(opts_.timeout);
}

Status PgStore::start() {
  if (thread_.joinable()) return make_error(ErrorCode::kInternal, "store already started");
  if (!opts_.post)
    return make_error(ErrorCode::kInvalidArgument, "store: no post function for the engine thread");
  if (auto s = open_connection(); !s) return s;
  up_ = true;
  side_->writable = true;
  {
    std::lock_guard lk(mu_);
    stats_.connected = true;
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

void PgStore::set_listener(StoreListener* listener) {
  side_->listener = listener;
}

bool PgStore::writable() const {
  return side_->writable;
}

void PgStore::on_event(const Event& e) {
  push(make_record(e, opts_.engine), false);
}

void PgStore::record_kv(std::string key, std::string value) {
  StoreRecord r;
  r.body = KvRecord{std::move(key), std::move(value)};
  push(std::move(r), false);
}

void PgStore::record_audit(Timestamp time, std::string actor, std::string action,
                           std::string detail, int status) {
  StoreRecord r;
  r.body = AuditRecord{0, time, std::move(actor), std::move(action), std::move(detail), status};
  push(std::move(r), false);
}

void PgStore::record_equity(const EquityRecord& e) {
  StoreRecord r;
  r.body = e;
  push(std::move(r), true);
}

void PgStore::record_daily_pnl(const DailyPnlRecord& d) {
  StoreRecord r;
  r.body = d;
  push(std::move(r), true);
}

void PgStore::push(StoreRecord r, bool telemetry) {
  bool wake;
  uint64_t dropped = 0;
  size_t over = 0;
  {
    std::lock_guard lk(mu_);
    wake = queue_.empty() && telemetry_.empty();
    (telemetry ? telemetry_ : queue_).push_back(std::move(r));
    while (queue_.size() + telemetry_.size() + in_flight_ > opts_.buffer_limit &&
           !telemetry_.empty()) {
      telemetry_.pop_front();
      dropped = ++stats_.dropped_telemetry;
    }
    if (queue_.size() + in_flight_ > opts_.buffer_limit && !warned_overflow_) {
      warned_overflow_ = true;
      over = queue_.size() + in_flight_;
    }
  }
  if (wake) cv_.notify_one();
  // Logged at 1, 2, 4, 8, ... drops: visible without flooding the log.
  if (dropped && (dropped & (dropped - 1)) == 0)
    spdlog::warn("store: database away, buffer full: {} telemetry record(s) dropped so far",
                 dropped);
  if (over)
    spdlog::error("store: database away and {} records queued (limit {}): keeping them all", over,
                  opts_.buffer_limit);
}

PgStoreStats PgStore::stats() const {
  std::lock_guard lk(mu_);
  PgStoreStats s = stats_;
  s.pending = queue_.size() + telemetry_.size() + in_flight_;
  return s;
}

Status PgStore::flush_and_stop(Duration timeout) {
  if (!thread_.joinable()) return {};
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    stop_deadline_ = Clock::now() + timeout;
  }
  cv_.notify_all();
  thread_.join();
  conn_.reset();
  const size_t left = stats().pending;
  if (left == 0) return {};
  return make_error(ErrorCode::kUnavailable,
                    fmt::format("store stopped with {} record(s) not written", left));
}

bool PgStore::giving_up() const {
  std::lock_guard lk(mu_);
  return stop_ && Clock::now() >= stop_deadline_;
}

void PgStore::wait_backoff(Duration d) {
  std::unique_lock lk(mu_);
  auto until = Clock::now() + d;
  if (stop_) until = std::min(until, stop_deadline_);
  const bool stopping = stop_;
  // A stop request ends the wait early once (then the deadline bounds it).
  cv_.wait_until(lk, until, [&] { return stop_ && !stopping; });
}

Status PgStore::open_connection() {
  auto c = PgConn::connect(opts_.dsn, opts_.timeout);
  if (!c) return tl::unexpected(c.error());
  c->set_timeout(opts_.timeout);
  if (auto s = prepare_store_statements(*c); !s) return s;
  auto r = c->query("SELECT coalesce(max(id), 0) + 1 FROM api_audit");
  if (!r) return tl::unexpected(r.error());
  next_audit_id_ = std::max<uint64_t>(next_audit_id_, std::stoull(std::string(r->get(0, 0))));
  conn_ = std::move(*c);
  return {};
}

void PgStore::set_state(bool up, const std::string& detail) {
  {
    std::lock_guard lk(mu_);
    stats_.connected = up && conn_.has_value();
  }
  if (up == up_) return;
  up_ = up;
  if (up)
    spdlog::info("store: database writable again");
  else
    spdlog::error("store: database not writable: {}", detail);
  opts_.post([side = side_, up, detail] {
    side->writable = up;
    if (side->listener) side->listener->on_store_state(up, detail);
  });
}

void PgStore::post_committed(std::vector<std::pair<OrderId, OrderId>> dups, uint64_t seq) {
  if (seq <= committed_seq_) seq = 0;  // the watermark only moves forward
  if (seq) committed_seq_ = seq;
  if (dups.empty() && !seq) return;
  opts_.post([side = side_, dups = std::move(dups), seq] {
    if (!side->listener) return;
    for (const auto& [id, existing] : dups) side->listener->on_store_duplicate(id, existing);
    if (seq) side->listener->on_store_committed(seq);
  });
}

void PgStore::take_batch() {
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, opts_.health_interval,
               [&] { return !queue_.empty() || !telemetry_.empty() || stop_; });
  while (batch_.size() < opts_.max_batch && !queue_.empty()) {
    batch_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  while (batch_.size() < opts_.max_batch && !telemetry_.empty()) {
    batch_.push_back(std::move(telemetry_.front()));
    telemetry_.pop_front();
  }
  in_flight_ = batch_.size();
}

Status PgStore::write_records(size_t from, size_t to) {
  uint64_t seq = 0;
  for (size_t i = from; i < to; ++i) {
    StoreRecord& r = batch_[i];
    if (auto* a = std::get_if<AuditRecord>(&r.body); a && a->id == 0) a->id = next_audit_id_++;
    seq = std::max(seq, r.seq);
  }
  const BatchStatements b =
      build_statements(std::span<const StoreRecord>(batch_.data() + from, to - from));
  const auto t0 = Clock::now();
  auto results = run_pipeline(*conn_, b.statements);
  if (!results) return tl::unexpected(results.error());
  const auto latency = Clock::now() - t0;
  std::vector<std::pair<OrderId, OrderId>> dups;
  for (size_t index : b.order_inserts)
    for (const auto& [id, existing] : duplicates_in((*results)[index])) {
      if (existing == id)
        spdlog::error(
            "store: order {} refused: the database has this id with another client_order_id", id);
      else
        spdlog::warn("store: order {} refused: its client_order_id belongs to order {}", id,
                     existing);
      dups.emplace_back(id, existing);
    }
  {
    std::lock_guard lk(mu_);
    ++stats_.batches;
    stats_.records += to - from;
    in_flight_ -= to - from;
    stats_.last_commit_latency = latency;
    stats_.committed_seq = std::max(stats_.committed_seq, seq);
    warned_overflow_ = false;  // warn again at the next outage
  }
  post_committed(std::move(dups), seq);
  return {};
}

Status PgStore::write_batch() {
  if (opts_.mode == StoreWriteMode::kBatched) {
    if (auto s = write_records(0, batch_.size()); !s) return s;
    batch_.clear();
    return {};
  }
  // One transaction per record; what is committed leaves the batch at once,
  // so a failure keeps exactly the rest.
  size_t done = 0;
  Status st;
  for (; done < batch_.size(); ++done)
    if (st = write_records(done, done + 1); !st) break;
  batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(done));
  return st;
}

void PgStore::run() {
  Duration backoff = opts_.reconnect_initial;
  auto last_io = Clock::now();
  auto fail = [&](const Error& e) {
    conn_.reset();
    set_state(false, e.message);
    wait_backoff(backoff);
    backoff = std::min(backoff * 2, opts_.reconnect_max);
  };
  for (;;) {
    if (giving_up()) break;
    if (!conn_) {
      if (auto s = open_connection(); !s) {
        fail(s.error());
        continue;
      }
      // With nothing to write, the connection itself is the proof; with a
      // batch waiting, its commit is.
      if (batch_.empty()) set_state(true, "connected");
      last_io = Clock::now();
    }
    if (batch_.empty()) {
      take_batch();
      if (batch_.empty()) {
        {
          std::lock_guard lk(mu_);
          if (stop_ && queue_.empty() && telemetry_.empty()) break;
        }
        if (Clock::now() - last_io >= opts_.health_interval) {
          last_io = Clock::now();
          // A server that stopped answering is noticed within a second too.
          conn_->set_timeout(std::min<Duration>(opts_.timeout, std::chrono::seconds(1)));
          if (auto r = conn_->query("SELECT 1"); !r) {
            fail(r.error());
            continue;
          }
          conn_->set_timeout(opts_.timeout);
          backoff = opts_.reconnect_initial;
        }
        continue;
      }
    }
    if (auto s = write_batch(); !s) {
      spdlog::warn("store: batch of {} record(s) not committed, kept for retry: {}", batch_.size(),
                   s.error().message);
      fail(s.error());
      continue;
    }
    last_io = Clock::now();
    backoff = opts_.reconnect_initial;
    set_state(true, "batch committed");
  }
}

}  // namespace td::persistence
