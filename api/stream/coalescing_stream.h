#pragma once
// The layer under each stream connection's Beast WebSocket stream that turns
// many small writes into one. Why: the stream sends every update as its own
// small message to every subscriber, and one write (one sendmsg) per message
// spent ~70 % of an API thread in the kernel, capping fan-out near 150,000
// messages/s. Here every byte written goes into one buffer, and the buffer
// leaves in one write as soon as the previous write has completed: whatever
// accumulates while a write is in flight goes out together.
//
// Two writers share the byte stream, both on the connection's strand:
//  - Beast, for the frames it writes itself (pong, keep-alive ping, close):
//    async_write_some() copies the whole buffer sequence at once, so no frame
//    is ever split by another's bytes, and completes once those bytes have
//    been written to the next layer (so Beast's close handshake and teardown
//    see the order they expect).
//  - The owner (WsSession) for its data messages, framed by frame.h into
//    pending(), then async_flush().
// Not thread-safe: every member is called on the connection's strand.
// keep_alive_with() names the owner that a write in flight keeps alive (the
// next layer must outlive its operations, TLS especially).
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace td::api::stream {

template <class Next>
class CoalescingStream {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;
  using WriteHandler =
      boost::asio::any_completion_handler<void(boost::beast::error_code, std::size_t)>;

  template <class... Args>
  explicit CoalescingStream(Args&&... args) : next_(std::forward<Args>(args)...) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  void keep_alive_with(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  // Beast's writes: all of `buffers` is taken at once; the handler runs when
  // it has been written to the next layer (or the connection failed).
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          std::size_t n = 0;
          for (auto it = boost::asio::buffer_sequence_begin(b);
               it != boost::asio::buffer_sequence_end(b); ++it) {
            const boost::asio::const_buffer cb = *it;
            pending_.append(static_cast<const char*>(cb.data()), cb.size());
            n += cb.size();
          }
          wait(WriteHandler(std::move(handler)), n);
        },
        token, buffers);
  }

  // Drops every waiting handler without running it, and whatever was not
  // written. Only while no thread runs the executor (the server's stop):
  // the handlers hold their connection, which holds this layer, so without
  // this a write that never completes would keep them all alive.
  void abandon() {
    pending_waiters_.clear();
    inflight_waiters_.clear();
    pending_.clear();
  }

  // The owner's frames go here; they leave with the next write.
  std::string& pending() noexcept { return pending_; }
  // Completes (with 0 bytes) when everything appended so far has been written.
  template <class Token>
  auto async_flush(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler) { wait(WriteHandler(std::move(handler)), 0); }, token);
  }

 private:
  struct Waiter {
    WriteHandler handler;
    std::size_t bytes;
  };

  void wait(WriteHandler handler, std::size_t bytes) {
    if (failed_) {
      complete(Waiter{std::move(handler), bytes}, failed_);
    } else if (!pending_.empty()) {
      pending_waiters_.push_back(Waiter{std::move(handler), bytes});
      start_write();
    } else if (writing_) {
      inflight_waiters_.push_back(Waiter{std::move(handler), bytes});  // its bytes are in flight
    } else {
      complete(Waiter{std::move(handler), bytes}, {});  // nothing to write
    }
  }

  void start_write() {
    if (writing_ || pending_.empty()) return;
    writing_ = true;
    inflight_.swap(pending_);
    pending_.clear();
    for (auto& w : pending_waiters_) inflight_waiters_.push_back(std::move(w));
    pending_waiters_.clear();
    boost::asio::async_write(
        next_, boost::asio::buffer(inflight_),
        [this, keep = owner_.lock()](boost::beast::error_code ec, std::size_t) { on_written(ec); });
  }

  void on_written(boost::beast::error_code ec) {
    writing_ = false;
    inflight_.clear();
    std::vector<Waiter> done;
    done.swap(inflight_waiters_);
    if (ec) {
      // The connection is broken: everything waiting fails the same way.
      failed_ = ec;
      pending_.clear();
      for (auto& w : pending_waiters_) done.push_back(std::move(w));
      pending_waiters_.clear();
    }
    for (auto& w : done) complete(std::move(w), ec);
    if (!ec) start_write();
  }

  // Never inline: the handler may start another write on this layer. On the
  // stream's executor (the strand), where every operation on it runs.
  void complete(Waiter w, boost::beast::error_code ec) {
    boost::asio::post(get_executor(), [h = std::move(w.handler), ec,
                                       n = ec ? 0 : w.bytes]() mutable { std::move(h)(ec, n); });
  }

  Next next_;
  std::weak_ptr<void> owner_;
  std::string pending_;   // not yet written
  std::string inflight_;  // being written
  std::vector<Waiter> pending_waiters_;
  std::vector<Waiter> inflight_waiters_;
  bool writing_ = false;
  boost::beast::error_code failed_;
};

// Beast's close handshake ends by tearing the next layer down (TCP shutdown,
// or the TLS close_notify first): that is the wrapped stream's business.
template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, CoalescingStream<Next>& stream,
                    Handler&& handler) {
  using boost::beast::async_teardown;
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace td::api::stream
