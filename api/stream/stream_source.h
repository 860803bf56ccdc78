#pragma once
// The seam between the WebSocket stream (api/stream: sessions, subscriptions,
// fan-out) and the engine side that knows what a topic holds.
//
// Ordering is the whole point: a subscriber must get a topic's snapshot and
// then every later update exactly once, in order. The engine side is the
// only producer of both, on one thread: it answers a snapshot request by
// calling StreamSink::snapshot() from the same thread (and in the same order)
// as its StreamSink::publish() calls, so an update published before the
// snapshot is inside it, and one published after comes after it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace td::api::stream {

// What the engine side calls (thread-safe; called from one producer thread).
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // An update of `topic` for every subscriber of it. `data` is the JSON text
  // of the message's "data" member, serialised once for all subscribers.
  virtual void publish(std::string_view topic, std::shared_ptr<const std::string> data) = 0;
  // The answer to StreamSource::request_snapshot: the subscription of
  // `subscriber` to `topic` starts with this snapshot, then every update
  // published after this call.
  virtual void snapshot(uint64_t subscriber, std::string_view topic,
                        std::shared_ptr<const std::string> data) = 0;
};

// What the stream calls (from API threads; must not block).
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // orders, fills, positions, pnl, status, risk, quotes:<SYMBOL> (a configured
  // symbol). Called on an API thread: must answer at once.
  virtual bool valid_topic(std::string_view topic) const = 0;
  // Asks for snapshots of `topics` (all valid) for `subscriber`; answered
  // later through StreamSink::snapshot, once per topic, in the given order.
  virtual void request_snapshots(uint64_t subscriber, std::vector<std::string> topics) = 0;
};

}  // namespace td::api::stream
