#pragma once
// Shared by the store_*_test files: a stand-in for the engine thread (the
// store posts closures; the test thread runs them while it waits for a
// condition with a deadline), a listener that records what it hears, a
// scripted broker for a real Engine, and one throwaway cluster per suite.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/broker.h"
#include "core/events.h"
#include "core/store.h"
#include "persistence/migrations.h"
#include "persistence/pg_conn.h"
#include "tests/support/pg_test_cluster.h"

namespace td::test {

// Closures posted by the store wait here until the test thread runs them,
// so listener calls happen on one thread, as on the engine's.
class PostedQueue {
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
  // Runs what is posted until pred() holds or the timeout passes.
  bool pump_until(const std::function<bool()>& pred, Duration timeout = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      run_posted();
      if (pred()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::unique_lock lk(mu_);
      // Not a synchronising sleep: a bounded wait between polls of pred().
      cv_.wait_for(lk, std::chrono::milliseconds(1), [&] { return !q_.empty(); });
    }
  }
  void run_posted() {
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lk(mu_);
        if (q_.empty()) return;
        fn = std::move(q_.front());
        q_.pop_front();
      }
      fn();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
};

class RecordingListener final : public StoreListener {
 public:
  void on_store_committed(uint64_t seq) override {
    committed.push_back(seq);
    if (on_commit) on_commit(seq);
  }
  void on_store_state(bool writable, const std::string& detail) override {
    states.emplace_back(writable, detail);
  }
  void on_store_duplicate(OrderId id, OrderId existing) override {
    duplicates.emplace_back(id, existing);
  }
  uint64_t last_committed() const { return committed.empty() ? 0 : committed.back(); }
  bool last_state_is(bool writable) const {
    return !states.empty() && states.back().first == writable;
  }

  std::vector<uint64_t> committed;
  std::vector<std::pair<bool, std::string>> states;
  std::vector<std::pair<OrderId, OrderId>> duplicates;
  std::function<void(uint64_t)> on_commit;
};

// A broker the test drives by hand: accepts everything, reports what the
// test tells it to.
class HandBroker final : public Broker {
 public:
  std::string_view name() const override { return "hand"; }
  void set_events(BrokerEvents* e) override { events = e; }
  bool connected() const override { return true; }
  Status submit(const Order& o) override {
    if (on_submit) on_submit(o);
    return {};
  }
  Status modify(const Order&, const OrderModification&) override { return {}; }
  Status cancel(const Order&) override { return {}; }
  void request_open_orders(std::function<void(std::vector<BrokerOrderUpdate>)> done) override {
    done({});
  }
  void request_positions(std::function<void(std::vector<BrokerPosition>)> done) override {
    done({});
  }
  void request_executions(Timestamp, std::function<void(std::vector<Execution>)> done) override {
    done({});
  }
  BrokerEvents* events = nullptr;
  std::function<void(const Order&)> on_submit;
};

// Events made by hand (no engine): order-created and order-changed events
// with increasing seqs, over orders it keeps alive.
class HandEvents {
 public:
  explicit HandEvents(uint64_t first_seq = 1) : seq_(first_seq) {}
  Event created(uint64_t id, std::string client_order_id,
                Timestamp t = from_unix_seconds(1'800'000'000)) {
    OrderRequest r;
    r.symbol = Symbol("SPY");
    r.qty = Decimal::from_int(1);
    r.client_order_id = std::move(client_order_id);
    orders_.push_back(std::make_unique<Order>(OrderId(id), std::move(r), t));
    return Event{seq_++, t, OrderEvent{orders_.back().get(), OrderStatus::kQueued, true}};
  }
  // The last created order moved on to `to`.
  Event changed(OrderStatus to, Timestamp t = from_unix_seconds(1'800'000'000)) {
    Order& o = *orders_.back();
    const OrderStatus prev = o.status();
    EXPECT_TRUE(o.transition(to, t));
    return Event{seq_++, t, OrderEvent{&o, prev, false}};
  }
  Event strategy(std::string name, std::string what) {
    return Event{seq_++, from_unix_seconds(1'800'000'000),
                 StrategyEvent{std::move(name), std::move(what)}};
  }
  uint64_t last_seq() const { return seq_ - 1; }

 private:
  uint64_t seq_;
  std::vector<std::unique_ptr<Order>> orders_;
};

// One cluster per test suite (initdb is the slow part), a fresh database
// per test.
class StoreClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = PgTestCluster::start().release(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  std::string fresh_database() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("t_") + info->name();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return cluster_->create_database(name);
  }
  // A fresh database at the latest schema version.
  std::string migrated_database() {
    const std::string dsn = fresh_database();
    persistence::PgConn c = connect(dsn);
    auto m = persistence::migrate(c);
    EXPECT_TRUE(m) << (m ? "" : m.error().message);
    return dsn;
  }
  static persistence::PgConn connect(const std::string& dsn) {
    auto c = persistence::PgConn::connect(dsn);
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }
  static std::string scalar(persistence::PgConn& c, const std::string& sql) {
    auto r = c.query(sql);
    if (!r) throw std::runtime_error(r.error().message);
    return r->rows() ? std::string(r->get(0, 0)) : std::string();
  }
  static inline PgTestCluster* cluster_ = nullptr;
};

}  // namespace td::test
