#pragma once
// The WebSocket stream's hub (api-v1.md "WebSocket stream"): the StreamSink
// the engine side publishes to, the WebSocketHandler the HTTP transport hands
// upgrades to, and the owner of every subscription.
//
// Why this shape:
// - The engine must not pay for clients. publish() and snapshot() take one
//   lock to append an event (the data is the engine's shared string, never
//   copied) and at most one post; everything else (fan-out, envelopes) runs
//   on the hub's strand and the connections' strands on API threads.
// - Order. Snapshots come through the same queue as updates, so the hub sees
//   them in the engine's order (stream_source.h). A subscription is pending
//   until its snapshot arrives: updates before it are inside the snapshot and
//   are not sent; updates after it are. Every snapshot that arrives for a
//   subscribed topic is delivered and (re)starts it; a client simply replaces
//   its state of the topic with it. Subscribing again to a subscribed topic
//   asks for a fresh snapshot (updates keep flowing meanwhile; the snapshot,
//   when it comes, contains them).
// - Isolation. Each connection has its own bounded queue; a full one closes
//   that connection (1013), nobody else notices.
//
// Threads: publish/snapshot from the engine thread; upgrade() on a
// connection's strand; the rest on the hub's strand. The hub must outlive
// the HttpServer it is given to.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "api/http/websocket_handler.h"
#include "api/stream/stream_options.h"
#include "api/stream/stream_source.h"

namespace td::api::stream {

class WsConnection;

class StreamHub final : public StreamSink, public http::WebSocketHandler {
 public:
  // `source` must outlive the hub.
  StreamHub(StreamOptions options, StreamSource& source);
  ~StreamHub() override;
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // StreamSink (engine thread).
  void publish(std::string_view topic, std::shared_ptr<const std::string> data) override;
  void snapshot(uint64_t subscriber, std::string_view topic,
                std::shared_ptr<const std::string> data) override;

  // http::WebSocketHandler (the transport).
  bool serves(std::string_view path) const override;
  void attach(boost::asio::any_io_executor executor) override;
  void detach() override;
  std::optional<http::HttpResponse> upgrade(const http::HttpRequest& request,
                                            http::UpgradeRequest& upgrade,
                                            http::PlainStream& stream) override;
  std::optional<http::HttpResponse> upgrade(const http::HttpRequest& request,
                                            http::UpgradeRequest& upgrade,
                                            http::TlsStream& stream) override;

  // Metrics.
  std::size_t clients() const { return clients_.load(); }  // open stream connections
  uint64_t slow_consumer_closes() const { return slow_closes_.load(); }
  uint64_t messages_sent() const { return sent_.load(); }

  // For the connections (ws_session.h).
  const StreamOptions& options() const { return options_; }
  StreamSource& source() { return source_; }
  // Subscribes (the connection's snapshots are requested) / unsubscribes;
  // leave() drops every subscription of the connection.
  void subscribe(std::shared_ptr<WsConnection> connection, std::vector<std::string> topics);
  void unsubscribe(uint64_t id, std::vector<std::string> topics);
  void leave(uint64_t id);
  void count_sent(uint64_t n) { sent_.fetch_add(n, std::memory_order_relaxed); }
  void count_slow_close() { slow_closes_.fetch_add(1, std::memory_order_relaxed); }
  void gone(uint64_t id);  // a connection's destructor

  // One counted client (max_clients); uncounted when destroyed.
  class ClientSlot {
   public:
    explicit ClientSlot(std::atomic<std::size_t>* count) : count_(count) {}
    ClientSlot(ClientSlot&& o) noexcept : count_(std::exchange(o.count_, nullptr)) {}
    ClientSlot& operator=(ClientSlot&&) = delete;
    ~ClientSlot() {
      if (count_ != nullptr) count_->fetch_sub(1, std::memory_order_acq_rel);
    }

   private:
    std::atomic<std::size_t>* count_;
  };

 private:
  struct Event {
    bool snapshot = false;
    uint64_t subscriber = 0;  // snapshots
    std::string topic;
    std::shared_ptr<const std::string> data;
  };
  struct Subscriber {
    std::shared_ptr<WsConnection> connection;
    std::unordered_map<std::string, bool> topics;  // topic -> active (its snapshot was sent)
  };
  // The upgrade checks; a refusal, or the principal of a header auth (none
  // when the client is to authenticate by message).
  struct Admission {
    std::optional<http::HttpResponse> refusal;
    std::optional<auth::Principal> principal;
    std::optional<ClientSlot> slot;  // taken when admitted
  };

  Admission admit(const http::HttpRequest& request);
  template <class Stream>
  std::optional<http::HttpResponse> accept(const http::HttpRequest& request,
                                           http::UpgradeRequest& upgrade, Stream& stream);
  void enqueue(Event event);
  void drain();  // on the strand
  void deliver_update(const Event& event);
  void deliver_snapshot(const Event& event);
  void drop_all(const std::string& reason);  // closes every connection with 1013
  void remove_topic(uint64_t id, const std::string& topic);

  const StreamOptions options_;
  StreamSource& source_;

  // The engine's side of the queue.
  std::mutex queue_mu_;
  std::vector<Event> events_;
  bool drain_posted_ = false;
  bool attached_ = false;
  bool overflowed_ = false;
  std::optional<boost::asio::strand<boost::asio::any_io_executor>> strand_;

  // On the strand (and in detach(), when no thread runs).
  std::unordered_map<uint64_t, Subscriber> subscribers_;
  std::unordered_map<std::string, std::unordered_set<uint64_t>> by_topic_;

  // Every open connection (for detach and drop_all).
  std::mutex registry_mu_;
  std::unordered_map<uint64_t, std::weak_ptr<WsConnection>> registry_;

  std::atomic<uint64_t> next_id_{1};
  std::atomic<std::size_t> clients_{0};
  std::atomic<uint64_t> slow_closes_{0};
  std::atomic<uint64_t> sent_{0};
};

}  // namespace td::api::stream
