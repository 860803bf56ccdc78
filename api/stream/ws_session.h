#pragma once
// One WebSocket stream connection (api-v1.md "WebSocket stream"), after the
// HTTP transport handed it over. Why its own object on its own strand: each
// client reads, authenticates and is written to at its own pace; nothing a
// client does (or fails to do) reaches the hub or another client.
//
// WsConnection is what the hub sees: an id, send() (a bounded queue; a full
// queue closes the connection with 1013, see send_queue.h), close(), and
// abort() for the server's stop. WsSession<Stream> is the mechanism, written
// once for plain TCP and TLS streams (as the HTTP session is); every member
// function except send(), close() and abort() runs on its strand.
//
// The life of a connection:
//  1. WebSocket handshake (handshake_timeout).
//  2. Unless the upgrade carried a valid Authorization header, the first
//     message must be {"op":"auth","token":"..."} within auth_timeout;
//     anything else, a wrong token, a blocked address or the timeout closes
//     with 1008 (policy violation) and a reason.
//  3. Ops: subscribe, unsubscribe, ping (client_message.h). Bad messages get
//     {"type":"error",...}; the connection stays.
//  4. Close: by the client, on an error, on a limit (1009 message too big,
//     1013 slow consumer), or when pings go unanswered.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/auth/token_store.h"
#include "api/http/websocket_handler.h"
#include "api/stream/coalescing_stream.h"
#include "api/stream/out_message.h"
#include "api/stream/send_queue.h"
#include "api/stream/stream_hub.h"

namespace td::api::stream {

class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(uint64_t id, StreamHub& hub, StreamHub::ClientSlot slot);
  virtual ~WsConnection();  // tells the hub the connection is gone
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  uint64_t id() const { return id_; }
  // Any thread. Queues `m`; when the queue is full the connection is a slow
  // consumer: its queue is dropped and it is closed with 1013.
  void send(OutMessage m);
  // Any thread: closes with `code` and `reason` (at most 123 bytes).
  virtual void close(boost::beast::websocket::close_code code, std::string reason) = 0;
  // Closes the socket now; only while no thread runs the io_context.
  virtual void abort() = 0;

 protected:
  virtual void wake_writer() = 0;  // posts the writer onto the strand

  const uint64_t id_;
  StreamHub& hub_;
  StreamHub::ClientSlot slot_;
  SendQueue queue_;
};

template <class Stream>
class WsSession final : public WsConnection {
 public:
  // `principal`: set when the upgrade was authenticated by its header.
  WsSession(Stream stream, http::UpgradeRequest upgrade, uint64_t id, StreamHub& hub,
            StreamHub::ClientSlot slot, std::optional<auth::Principal> principal,
            std::string remote_address);
  ~WsSession() override;

  void start();
  void close(boost::beast::websocket::close_code code, std::string reason) override;
  void abort() override;

 private:
  std::shared_ptr<WsSession> self() {
    return std::static_pointer_cast<WsSession>(shared_from_this());
  }
  void wake_writer() override;

  void run();
  void on_accept(boost::beast::error_code ec);
  void on_auth_timeout(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_message(std::string_view text);
  void authenticate(const std::string& token);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_close(boost::beast::websocket::close_code code, std::string reason);
  void send_close_frame();
  void on_close(boost::beast::error_code ec);
  void on_close_timeout(boost::beast::error_code ec);
  void finish();  // the end: socket closed, the hub forgets the connection

  // Beast reads and writes its control frames; data messages are framed
  // here and leave in batches through the coalescing layer.
  boost::beast::websocket::stream<CoalescingStream<Stream>> ws_;
  http::UpgradeRequest upgrade_;
  boost::asio::steady_timer auth_timer_;
  boost::asio::steady_timer close_timer_;
  std::optional<auth::Principal> principal_;
  const std::string remote_address_;
  boost::beast::flat_buffer buffer_;
  std::set<std::string> topics_;  // subscribed (the hub holds the same set)

  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;  // a close was decided; nothing more is queued or read as ops
  bool close_sent_ = false;
  bool finished_ = false;
  boost::beast::websocket::close_reason close_reason_;
  uint64_t seq_ = 0;
  std::vector<OutMessage> batch_;  // popped, being framed
  std::size_t in_flight_ = 0;      // messages in the write in progress
};

}  // namespace td::api::stream
