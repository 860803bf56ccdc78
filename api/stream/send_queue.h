#pragma once
// A stream connection's bounded send queue. Why: the hub must never wait for
// a client; it only appends here (one short lock) and moves on. A client
// that lets the queue fill (messages or bytes) is a slow consumer: the queue
// refuses, and the connection is closed with 1013 (api-v1.md) instead of
// the daemon buffering without bound or slowing down for it.
//
// Single writer: push() says when the writer must be started (the queue was
// idle); the writer pops until pop() finds it empty, which makes it idle
// again. So there is never more than one writer and never a message left
// behind without one.
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "api/stream/out_message.h"

namespace td::api::stream {

class SendQueue {
 public:
  SendQueue(std::size_t max_messages, std::size_t max_bytes);

  enum class Push {
    kQueued,       // a writer is running: it will get to it
    kStartWriter,  // queued; the caller must start the writer
    kFull,         // refused: over a limit (nothing queued; the queue is unchanged)
    kClosed,       // refused: close() was called
  };
  Push push(OutMessage m);  // any thread
  // The writer's next messages, appended to `out`: up to `max_messages`, and
  // no more once `max_bytes` is reached (but always one); false when empty
  // (the writer stops).
  bool pop_some(std::vector<OutMessage>& out, std::size_t max_messages, std::size_t max_bytes);
  // Drops every queued message; later pushes are kClosed.
  void close();

  std::size_t size() const;
  std::size_t bytes() const;

 private:
  const std::size_t max_messages_;
  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::deque<OutMessage> queue_;
  std::size_t bytes_ = 0;
  bool writer_ = false;
  bool closed_ = false;
};

}  // namespace td::api::stream
