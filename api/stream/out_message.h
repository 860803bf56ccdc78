#pragma once
// One server -> client message of the stream before it gets its `seq`, and
// its wire form. Why separate: `seq` counts every message on a connection
// (snapshot, update, pong, error), so it can only be assigned where messages
// leave in order - the connection's writer - while the same update is
// queued to many connections. An update's data and quoted topic are shared
// (serialised once by the hub); each connection's writer only frames them
// in its short envelope:
//
//   {"type":"update","topic":"orders","seq":7,"data":<data>}
//   {"type":"snapshot","topic":"orders","seq":1,"data":<data>}
//   {"type":"pong","seq":8}
//   {"type":"error","seq":9,"detail":"unknown topic \"x\""}
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace td::api::stream {

struct OutMessage {
  enum class Kind { kSnapshot, kUpdate, kPong, kError };
  Kind kind = Kind::kPong;
  std::shared_ptr<const std::string> topic;  // snapshot/update: the topic as a JSON string
  std::shared_ptr<const std::string> data;   // snapshot/update: JSON text; error: the detail

  static OutMessage pong() { return OutMessage{Kind::kPong, nullptr, nullptr}; }
  static OutMessage error(std::string detail);
  // What the message costs in a send queue (close to its size on the wire).
  std::size_t cost() const;
};

// Appends the message as one WebSocket text frame (frame.h): the header,
// then the envelope above with `seq`, around the shared `data`.
void append_frame(std::string& out, const OutMessage& m, uint64_t seq);

}  // namespace td::api::stream
