#include "api/stream/ws_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "api/stream/client_message.h"

namespace td::api::stream {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using websocket::close_code;

namespace {
constexpr std::size_t kMaxCloseReason = 123;  // RFC 6455 5.5: 125 bytes of payload
}

// ---- WsConnection ----

WsConnection::WsConnection(uint64_t id, StreamHub& hub, StreamHub::ClientSlot slot)
    : id_(id),
      hub_(hub),
      slot_(std::move(slot)),
      queue_(hub.options().send_queue_messages, hub.options().send_queue_bytes) {}

WsConnection::~WsConnection() {
  hub_.gone(id_);
}

void WsConnection::send(OutMessage m) {
  switch (queue_.push(std::move(m))) {
    case SendQueue::Push::kQueued:
    case SendQueue::Push::kClosed:
      return;
    case SendQueue::Push::kStartWriter:
      wake_writer();
      return;
    case SendQueue::Push::kFull:
      // At once, from here: later messages are refused (kClosed) and the
      // queued ones are freed; the close itself runs on the strand.
      queue_.close();
      hub_.count_slow_close();
      close(close_code::try_again_later, "slow consumer: too many messages waiting");
      return;
  }
}

// ---- WsSession ----

template <class Stream>
WsSession<Stream>::WsSession(Stream stream, http::UpgradeRequest upgrade, uint64_t id,
                             StreamHub& hub, StreamHub::ClientSlot slot,
                             std::optional<auth::Principal> principal, std::string remote_address)
    : WsConnection(id, hub, std::move(slot)),
      ws_(std::move(stream)),
      upgrade_(std::move(upgrade)),
      auth_timer_(ws_.get_executor()),
      close_timer_(ws_.get_executor()),
      principal_(std::move(principal)),
      remote_address_(std::move(remote_address)) {}

template <class Stream>
WsSession<Stream>::~WsSession() = default;

template <class Stream>
void WsSession<Stream>::start() {
  net::post(ws_.get_executor(), [self = self()] { self->run(); });
}

template <class Stream>
void WsSession<Stream>::run() {
  if (finished_) return;
  ws_.next_layer().keep_alive_with(weak_from_this());
  const auto& o = hub_.options();
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout = o.handshake_timeout;
  // Beast pings after half the idle time without input and drops the
  // connection after the whole of it: a ping every ping_interval of
  // silence, and as long again for the answer.
  timeout.idle_timeout = 2 * o.ping_interval;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "tradingd"); }));
  ws_.read_message_max(o.max_message_bytes);
  ws_.text(true);
  ws_.async_accept(upgrade_, beast::bind_front_handler(&WsSession::on_accept, self()));
}

template <class Stream>
void WsSession<Stream>::on_accept(beast::error_code ec) {
  upgrade_ = {};  // not needed any more
  if (finished_) return;
  if (ec) {
    spdlog::debug("stream: WebSocket handshake with {} failed: {}", remote_address_, ec.message());
    finish();
    return;
  }
  accepted_ = true;
  spdlog::debug("stream: client {} connected from {}{}", id_, remote_address_,
                principal_ ? fmt::format(" as {}", principal_->name) : std::string());
  if (!principal_) {
    auth_timer_.expires_after(hub_.options().auth_timeout);
    auth_timer_.async_wait(beast::bind_front_handler(&WsSession::on_auth_timeout, self()));
  }
  do_read();
  do_write();  // in case anything was queued before the handshake ended
}

template <class Stream>
void WsSession<Stream>::on_auth_timeout(beast::error_code ec) {
  if (ec || principal_ || finished_) return;
  do_close(close_code::policy_error, "authentication timeout");
}

template <class Stream>
void WsSession<Stream>::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, self()));
}

template <class Stream>
void WsSession<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (finished_) return;
  if (ec) {
    // The client closed (websocket::error::closed), the connection broke, a
    // limit was hit (Beast has then sent 1009 message too big or 1002), or
    // pings went unanswered (timeout).
    if (ec != websocket::error::closed) {
      spdlog::debug("stream: client {} ({}): read ended: {}", id_, remote_address_, ec.message());
    }
    finish();
    return;
  }
  if (!closing_) {
    if (ws_.got_text()) {
      const std::string text = beast::buffers_to_string(buffer_.data());
      on_message(text);
    } else if (!principal_) {
      do_close(close_code::policy_error, "authentication required");
    } else {
      send(OutMessage::error("binary messages are not supported"));
    }
  }
  buffer_.consume(buffer_.size());
  do_read();  // also while closing: the client's close frame ends the read
}

template <class Stream>
void WsSession<Stream>::on_message(std::string_view text) {
  auto msg = parse_client_message(text, hub_.options().max_topics);
  if (!principal_) {
    // Only {"op":"auth"} is understood before authentication.
    if (!msg || msg->op != ClientOp::kAuth) {
      do_close(close_code::policy_error, "authentication required");
      return;
    }
    authenticate(msg->token);
    return;
  }
  if (!msg) {
    send(OutMessage::error(msg.error().message));
    return;
  }
  auto& source = hub_.source();
  switch (msg->op) {
    case ClientOp::kAuth:
      send(OutMessage::error("already authenticated"));
      return;
    case ClientOp::kPing:
      send(OutMessage::pong());
      return;
    case ClientOp::kSubscribe:
    case ClientOp::kUnsubscribe: {
      // All or nothing: an unknown topic changes no subscription.
      for (const auto& topic : msg->topics) {
        if (!source.valid_topic(topic)) {
          send(OutMessage::error(fmt::format("unknown topic \"{}\"", topic)));
          return;
        }
      }
      if (msg->op == ClientOp::kUnsubscribe) {
        for (const auto& topic : msg->topics) topics_.erase(topic);
        hub_.unsubscribe(id_, std::move(msg->topics));
        return;
      }
      std::size_t added = 0;
      for (const auto& topic : msg->topics) added += topics_.count(topic) == 0 ? 1 : 0;
      if (topics_.size() + added > hub_.options().max_topics) {
        send(OutMessage::error(
            fmt::format("at most {} topics per connection", hub_.options().max_topics)));
        return;
      }
      topics_.insert(msg->topics.begin(), msg->topics.end());
      hub_.subscribe(shared_from_this(), std::move(msg->topics));
      return;
    }
  }
}

template <class Stream>
void WsSession<Stream>::authenticate(const std::string& token) {
  const auto& o = hub_.options();
  if (o.limiter != nullptr && o.limiter->blocked(remote_address_)) {
    do_close(close_code::policy_error, "too many authentication failures; try again later");
    return;
  }
  std::optional<auth::Principal> principal;
  if (o.authenticate) principal = o.authenticate("Bearer " + token);
  if (!principal) {
    if (o.limiter != nullptr) o.limiter->record_failure(remote_address_);
    spdlog::info("stream: authentication failed from {}", remote_address_);
    do_close(close_code::policy_error, "authentication failed");
    return;
  }
  if (o.limiter != nullptr) o.limiter->record_success(remote_address_);
  if (!auth::allows(principal->role, auth::Role::kViewer)) {
    do_close(close_code::policy_error, "this token's role may not use the stream");
    return;
  }
  principal_ = std::move(principal);
  auth_timer_.cancel();
  spdlog::debug("stream: client {} authenticated as {}", id_, principal_->name);
}

// ---- Writing: in queue order, seq assigned here; what queued up while the
// previous write was in flight leaves in one write (coalescing_stream.h). ----

namespace {
// One write carries at most this much: a connection's latency stays bounded
// when a burst (or a large snapshot) is queued, and so does its memory.
constexpr std::size_t kBatchMessages = 1024;
constexpr std::size_t kBatchBytes = 256 * 1024;
}  // namespace

template <class Stream>
void WsSession<Stream>::wake_writer() {
  net::post(ws_.get_executor(), [self = self()] { self->do_write(); });
}

template <class Stream>
void WsSession<Stream>::do_write() {
  if (!accepted_ || writing_ || closing_ || finished_) return;
  if (!queue_.pop_some(batch_, kBatchMessages, kBatchBytes)) return;  // idle: a push wakes us
  auto& out = ws_.next_layer().pending();
  for (const auto& m : batch_) append_frame(out, m, ++seq_);
  in_flight_ = batch_.size();
  batch_.clear();
  writing_ = true;
  ws_.next_layer().async_flush(beast::bind_front_handler(&WsSession::on_write, self()));
}

template <class Stream>
void WsSession<Stream>::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (finished_) return;
  if (ec) {
    spdlog::debug("stream: client {} ({}): write failed: {}", id_, remote_address_, ec.message());
    finish();
    return;
  }
  hub_.count_sent(in_flight_);
  in_flight_ = 0;
  if (closing_) {
    send_close_frame();
    return;
  }
  do_write();
}

// ---- Closing ----

template <class Stream>
void WsSession<Stream>::close(close_code code, std::string reason) {
  net::post(ws_.get_executor(), [self = self(), code, reason = std::move(reason)]() mutable {
    self->do_close(code, std::move(reason));
  });
}

template <class Stream>
void WsSession<Stream>::do_close(close_code code, std::string reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  queue_.close();
  auth_timer_.cancel();
  hub_.leave(id_);
  if (reason.size() > kMaxCloseReason) reason.resize(kMaxCloseReason);
  spdlog::debug("stream: closing client {} ({}): {} {}", id_, remote_address_,
                static_cast<int>(code), reason);
  close_reason_ = websocket::close_reason(code, reason);
  if (!accepted_) {
    finish();
    return;
  }
  // A client that does not read cannot take the close frame either: the
  // TCP connection is closed when it has not gone by then.
  close_timer_.expires_after(hub_.options().close_timeout);
  close_timer_.async_wait(beast::bind_front_handler(&WsSession::on_close_timeout, self()));
  if (!writing_) send_close_frame();  // else after the write in progress
}

template <class Stream>
void WsSession<Stream>::send_close_frame() {
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  ws_.async_close(close_reason_, beast::bind_front_handler(&WsSession::on_close, self()));
}

template <class Stream>
void WsSession<Stream>::on_close(beast::error_code) {
  // The closing handshake is over (or failed): nothing more to say.
  finish();
}

template <class Stream>
void WsSession<Stream>::on_close_timeout(beast::error_code ec) {
  if (ec || finished_) return;
  spdlog::debug("stream: client {} ({}): close not taken in time", id_, remote_address_);
  finish();
}

template <class Stream>
void WsSession<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  queue_.close();
  auth_timer_.cancel();
  close_timer_.cancel();
  hub_.leave(id_);
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(ws_);
  socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

template <class Stream>
void WsSession<Stream>::abort() {
  finished_ = true;
  closing_ = true;
  queue_.close();
  beast::error_code ec;
  auth_timer_.cancel();
  close_timer_.cancel();
  beast::get_lowest_layer(ws_).close(ec);
  ws_.next_layer().abandon();
}

template class WsSession<http::PlainStream>;
template class WsSession<http::TlsStream>;

}  // namespace td::api::stream
