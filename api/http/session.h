#pragma once
// Internal to the transport (server.cpp): one HTTP/1.1 connection. See
// server.h for the behaviour; this is the mechanism.
//
// Session<Stream> is written once for both kinds of connection, as in
// Beast's advanced_server_flex: Stream is PlainStream (a TCP socket) or
// TlsStream (TLS over it; the TLS handshake runs first, under the read
// timeout, and the graceful close sends close_notify). The server keeps
// them through SessionBase.
//
// Every member function except the constructor and abort() runs on the
// session's strand (the socket's executor). Router replies arrive from any
// thread through ReplyState, which posts them onto that strand.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "api/http/request_id.h"
#include "api/http/router.h"
#include "api/http/server.h"
#include "api/http/websocket_handler.h"

namespace td::api::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class SessionBase;

// What the server, its sessions and the replies a router still holds share.
// Replies keep it alive (a shared_ptr), so a reply called after the server is
// gone finds `open == false` and does nothing.
struct Shared {
  Shared(ServerOptions o, Router& r, WebSocketHandler* w)
      : options(std::move(o)), router(r), ws(w) {}

  const ServerOptions options;
  Router& router;
  WebSocketHandler* const ws;  // may be null: upgrades are then answered 404
  RequestIdGenerator ids;
  // Set by start() before any session exists when TLS is configured.
  std::shared_ptr<net::ssl::context> tls;

  std::mutex mu;  // guards everything below
  // False once stop() began: nothing is posted to the io_context any more.
  bool open = true;
  // Every live connection (served or being refused); the server owns them
  // while they wait for the router, stop() closes them.
  std::unordered_map<const SessionBase*, std::shared_ptr<SessionBase>> sessions;
  std::size_t active = 0;    // served connections (counted against max_connections)
  std::size_t refusing = 0;  // connections being answered 503
};

// What the server and the replies see of a session, whatever its stream.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  virtual bool refusing() const = 0;
  // Starts the session on its strand.
  virtual void start() = 0;
  // Closes the socket now; only while no thread runs the io_context (stop()).
  virtual void abort() = 0;
  // A router's answer to request `seq` (on the strand).
  virtual void on_reply(uint64_t seq, HttpResponse response) = 0;
  virtual net::any_io_executor executor() = 0;
};

// A new connection's session: TLS when shared->tls is set.
std::shared_ptr<SessionBase> make_session(tcp::socket socket, std::shared_ptr<Shared> shared,
                                          bool refusing);

template <class Stream>
class Session final : public SessionBase {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `refusing`: answer 503 and close instead of reading requests.
  Session(Stream stream, std::shared_ptr<Shared> shared, bool refusing);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool refusing() const override { return refusing_; }
  void start() override;
  void abort() override;
  void on_reply(uint64_t seq, HttpResponse response) override;
  net::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  using Clock = std::chrono::steady_clock;
  using Response = bhttp::response<bhttp::string_body>;

  // One request's place in the response queue, in request order.
  struct Slot {
    uint64_t seq = 0;
    bool ready = false;  // `msg` holds the response
    bool close = false;  // close the connection after writing it
    bool head = false;   // a HEAD request: the body is not sent
    unsigned version = 11;
    std::string request_id;
    std::string method, path;  // for the access log
    Clock::time_point received;
    std::unique_ptr<Response> msg;
    // A WebSocket upgrade: handed to Shared::ws when it reaches the front.
    std::unique_ptr<UpgradeRequest> upgrade;
    std::unique_ptr<HttpRequest> upgrade_view;
  };

  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  tcp::socket& socket() { return beast::get_lowest_layer(stream_); }

  void run();
  void on_handshake(beast::error_code ec);
  void serve();
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  bool on_header();  // false when the request was refused (400)
  void on_request();
  void on_parse_error(beast::error_code ec);
  void refuse_request(HttpResponse response);
  void new_parser();
  std::string request_id_from(std::string_view client_id);
  std::unique_ptr<Response> make_response(Slot& slot, HttpResponse response);

  void maybe_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void write_continue();
  void on_write_continue(beast::error_code ec, std::size_t bytes);
  void after_io();
  void do_upgrade();
  void forget();  // leaves Shared::sessions (and its count)

  void begin_linger();
  void do_drain();
  void on_drain(beast::error_code ec, std::size_t bytes);
  void on_tls_shutdown(beast::error_code ec);
  void do_close();

  Clock::time_point deadline() const;
  void update_deadline();
  void do_wait();
  void on_deadline();

  Stream stream_;
  net::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  const ServerOptions& options_;
  const bool refusing_;
  std::string remote_address_;
  uint16_t remote_port_ = 0;

  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool header_seen_ = false;         // on_header() ran for the current request
  bool header_known_ = false;        // refuse_request(): the parser holds the request's header
  bool request_started_ = false;     // bytes of the next request have arrived
  Clock::time_point request_start_;  // ... since then (read_timeout)
  Clock::time_point idle_since_;     // nothing in flight since then (idle_timeout)
  bool first_request_ = true;
  bool handshaking_ = false;  // the TLS handshake runs (read_timeout from accept)
  Clock::time_point accepted_;

  std::deque<Slot> queue_;
  uint64_t next_seq_ = 0;

  bool reading_ = false;      // a read is outstanding
  bool paused_ = false;       // not reading: the response queue is full
  bool read_closed_ = false;  // no more requests will be read
  bool writing_ = false;      // a write is outstanding
  bool lingering_ = false;    // FIN sent, discarding input until the client closes
  bool closed_ = false;
  bool handed_over_ = false;  // the stream belongs to the WebSocket handler now
  Clock::time_point write_deadline_;
  Clock::time_point linger_deadline_;
  std::size_t drained_ = 0;
  std::array<char, 4096> drain_buffer_{};
};

}  // namespace td::api::http::detail
