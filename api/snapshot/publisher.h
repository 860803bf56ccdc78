#pragma once
// The engine side of the control API. It listens to the engine's events and
// market data on the engine thread, keeps the audit log, and publishes:
// - Snapshots for the read routes (flush(): only when something changed;
//   the runtime calls it after each batch of engine work, commands before
//   they answer, so a client reads its own writes);
// - stream updates: order and fill changes as they happen, positions and
//   P&L as marks move at most every `mark_interval` of wall time (a
//   dashboard needs no more, and the engine must not serialise every tick).
// It is the stream's StreamSource: snapshot requests run on the engine
// thread, in order with the updates (stream_source.h).
//
// Cost on the engine thread when nobody watches: one set insert per order
// event, one copy per fill, a flag per quote; JSON is only built for topics
// some client has subscribed to.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "api/metrics/daemon_metrics.h"
#include "api/snapshot/snapshot.h"
#include "api/stream/stream_source.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/events.h"
#include "core/market_data.h"
#include "risk/risk_manager.h"

namespace td::api {

struct PublisherOptions {
  Duration mark_interval = std::chrono::milliseconds(250);  // wall time between mark updates
  Duration pnl_point_interval = std::chrono::minutes(1);    // engine time between P&L points
  std::string broker_name = "sim";
};

class SnapshotPublisher final : public EventSink,
                                public MarketDataHandler,
                                public stream::StreamSource {
 public:
  using Post = std::function<void(std::function<void()>)>;

  // `wall` paces stream updates; the engine's own clock stamps everything else.
  SnapshotPublisher(Engine& engine, risk::RiskManager& risk, SnapshotStore& store, Clock& wall,
                    StaticInfo info, PublisherOptions options = {});

  // Where snapshot requests from API threads are run (the engine thread).
  void set_engine_post(Post post) { post_ = std::move(post); }
  // The stream's hub (nullptr: no stream).
  void set_stream(stream::StreamSink* sink) { sink_ = sink; }
  // Counts orders, fills and denials (nullptr: none).
  void set_metrics(metrics::DaemonMetrics* m) { metrics_ = m; }
  // Where the store's state comes from (engine thread), when there is one.
  void set_store_source(std::function<StoreInfo()> source) { store_source_ = std::move(source); }
  // Where explicit audit() entries (API requests, commands) are also kept
  // durably (the store's api_audit table); engine events have their own log.
  using AuditStore = std::function<void(const std::string& type, const std::string& actor,
                                        const nlohmann::json& data)>;
  void set_audit_store(AuditStore store) { audit_store_ = std::move(store); }
  // Start-up recovery put orders and fills into the engine without events:
  // take them all into the next snapshot.
  void load_restored();
  // Strategy parameters as configured (GET /strategies shows them).
  void set_strategy_params(const std::string& name, std::map<std::string, std::string> params);

  // Engine thread.
  void on_event(const Event& e) override;
  void on_quote(const Quote& q) override;
  void on_bar(const Bar& b) override;
  // Publishes a new snapshot when anything changed since the last one.
  void flush();
  // Something changed that no event reports (routing paused, limits): the
  // next flush rebuilds everything.
  void invalidate();
  // Appends to the audit log (and the "events" stream topic).
  void audit(std::string type, std::string actor, nlohmann::json data);
  // The same, with the data built only when the entry is first read.
  void audit_lazy(std::string type, std::string actor, std::function<nlohmann::json()> data);
  // A risk/trading-state change made by a command: audit and the risk/status topics.
  void note_risk_change();

  // StreamSource (API threads).
  bool valid_topic(std::string_view topic) const override;
  void request_snapshots(uint64_t subscriber, std::vector<std::string> topics) override;

  const SnapshotStore& store() const { return store_; }

 private:
  void rebuild();
  void publish_topic(std::string_view topic, const nlohmann::json& data);
  bool wanted(std::string_view topic) const { return wanted_.count(std::string(topic)) > 0; }
  nlohmann::json topic_snapshot(const std::string& topic, const Snapshot& s) const;
  void sample_pnl(Timestamp t);
  void audit_event(const Event& e);

  Engine& engine_;
  risk::RiskManager& risk_;
  SnapshotStore& store_;
  std::function<StoreInfo()> store_source_;
  AuditStore audit_store_;
  Clock& wall_;
  std::shared_ptr<const StaticInfo> info_;
  PublisherOptions options_;
  Post post_;
  stream::StreamSink* sink_ = nullptr;
  metrics::DaemonMetrics* metrics_ = nullptr;
  std::unordered_map<std::string, metrics::Counter> submitted_by_source_, denials_by_check_;

  uint64_t version_ = 0;
  bool dirty_ = true;
  bool account_dirty_ = true;
  bool marks_moved_ = false;
  bool pnl_changed_ = false, status_changed_ = false, risk_changed_ = false;
  Timestamp last_mark_update_{};
  std::set<Symbol> marked_symbols_;
  std::set<OrderId> dirty_orders_;
  CowVector<Order> orders_;
  CowVector<Fill> fills_;
  CowVector<AuditEvent> events_;
  CowVector<PnlPoint> pnl_points_;
  Timestamp next_pnl_point_{};
  std::map<std::string, std::map<std::string, std::string>> params_;
  BrokerInfo broker_;
  std::unordered_map<Symbol, Quote> quotes_;
  std::unordered_set<std::string> wanted_;  // topics some client subscribed to
};

}  // namespace td::api
