#include "api/http/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <ctime>
#include <exception>

#include "api/http/problem.h"

namespace td::api::http::detail {

namespace websocket = boost::beast::websocket;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxDrain = 1024 * 1024;  // bytes discarded while lingering
constexpr std::chrono::seconds kMaxLinger{2};   // time spent lingering (<= read_timeout)
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool is_tchar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_tchar);
}

bool valid_field_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// IMF-fixdate (RFC 9110 5.6.7), independent of the locale.
std::string http_date() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                     kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// The path of a target for logs and problem `instance`: no query, no
// fragment, at most 256 bytes.
std::string log_path(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target.size() > 256) target = target.substr(0, 256);
  return std::string(target);
}

// The router's handle on one request. Shared by every copy of the Reply; the
// first call wins; destroyed uncalled, it answers 500.
class ReplyState {
 public:
  ReplyState(std::shared_ptr<Shared> shared, std::weak_ptr<SessionBase> session, uint64_t seq)
      : shared_(std::move(shared)), session_(std::move(session)), seq_(seq) {}
  ReplyState(const ReplyState&) = delete;
  ReplyState& operator=(const ReplyState&) = delete;
  ~ReplyState() {
    if (!done_.load()) {
      complete(problem_response(500, "internal-error", "Internal error",
                                "the request was dropped without an answer"));
    }
  }

  void complete(HttpResponse response) {
    if (done_.exchange(true)) return;
    std::lock_guard lock(shared_->mu);
    // Under the lock: stop() closes the gate under it before it stops the
    // io_context, so nothing is posted to a stopped or destroyed one, and the
    // session reference taken here is released before stop() goes on.
    if (!shared_->open) return;
    if (auto session = session_.lock()) {
      net::post(session->executor(), [session, seq = seq_, r = std::move(response)]() mutable {
        session->on_reply(seq, std::move(r));
      });
    }
  }

 private:
  std::shared_ptr<Shared> shared_;
  std::weak_ptr<SessionBase> session_;
  const uint64_t seq_;
  std::atomic<bool> done_{false};
};

}  // namespace

std::shared_ptr<SessionBase> make_session(tcp::socket socket, std::shared_ptr<Shared> shared,
                                          bool refusing) {
  if (shared->tls) {
    TlsStream stream(std::move(socket), *shared->tls);
    return std::make_shared<Session<TlsStream>>(std::move(stream), std::move(shared), refusing);
  }
  return std::make_shared<Session<PlainStream>>(std::move(socket), std::move(shared), refusing);
}

template <class Stream>
Session<Stream>::Session(Stream stream, std::shared_ptr<Shared> shared, bool refusing)
    : stream_(std::move(stream)),
      timer_(stream_.get_executor()),
      shared_(std::move(shared)),
      options_(shared_->options),
      refusing_(refusing) {}

template <class Stream>
Session<Stream>::~Session() = default;

template <class Stream>
void Session<Stream>::start() {
  net::post(stream_.get_executor(), [self = self()] { self->run(); });
}

template <class Stream>
void Session<Stream>::abort() {
  do_close();
}

template <class Stream>
void Session<Stream>::run() {
  if (closed_) return;
  beast::error_code ec;
  const auto remote = socket().remote_endpoint(ec);
  if (!ec) {
    remote_address_ = remote.address().to_string();
    remote_port_ = remote.port();
  }
  socket().set_option(tcp::no_delay(true), ec);
  accepted_ = Clock::now();
  idle_since_ = accepted_;
  request_start_ = idle_since_;
  do_wait();
  if constexpr (kTls) {
    // The handshake counts as the start of the first request: read_timeout.
    handshaking_ = true;
    update_deadline();
    stream_.async_handshake(net::ssl::stream_base::server,
                            beast::bind_front_handler(&Session<Stream>::on_handshake, self()));
  } else {
    serve();
  }
}

template <class Stream>
void Session<Stream>::on_handshake(beast::error_code ec) {
  handshaking_ = false;
  if (closed_) return;
  if (ec) {
    spdlog::debug("http: TLS handshake with {} failed: {}", remote_address_, ec.message());
    do_close();
    return;
  }
  idle_since_ = Clock::now();
  serve();
}

template <class Stream>
void Session<Stream>::serve() {
  if (refusing_) {
    HttpResponse r =
        problem_response(503, "unavailable", "Service unavailable",
                         fmt::format("too many connections (limit {})", options_.max_connections));
    r.headers.set("Retry-After", "1");
    refuse_request(std::move(r));
    return;
  }
  new_parser();
  do_read();
}

template <class Stream>
void Session<Stream>::new_parser() {
  parser_.emplace();
  parser_->header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(options_.header_limit, UINT32_MAX)));
  parser_->body_limit(static_cast<std::uint64_t>(options_.body_limit));
  parser_->eager(true);
  header_seen_ = false;
}

// Parses what is buffered, hands complete requests to the router, and reads
// more while the response queue has room.
template <class Stream>
void Session<Stream>::do_read() {
  const std::size_t max_pipelined = std::max<std::size_t>(options_.max_pipelined, 1);
  while (!closed_ && !lingering_ && !read_closed_ && !reading_) {
    if (queue_.size() >= max_pipelined) {
      paused_ = true;  // on_write resumes
      break;
    }
    if (paused_) {
      paused_ = false;
      // The client was not the one waiting: its read time starts now.
      if (request_started_) request_start_ = Clock::now();
    }
    if (buffer_.size() > 0) {
      beast::error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) ec = {};
      if (ec) {
        on_parse_error(ec);
        break;
      }
      if (!header_seen_ && parser_->is_header_done()) {
        header_seen_ = true;
        if (!on_header()) break;
      }
      if (parser_->is_done()) {
        on_request();
        continue;
      }
      if (used > 0) continue;
    }
    // Unconsumed input is at most a partial header or chunk line; a client
    // that sends more without completing either is not speaking HTTP.
    if (buffer_.size() > options_.header_limit + 2 * kReadChunk) {
      on_parse_error(bhttp::error::header_limit);
      break;
    }
    reading_ = true;
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session<Stream>::on_read, self()));
  }
  update_deadline();
}

template <class Stream>
void Session<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (lingering_) {                            // a read issued before the close began: discard
    if constexpr (!kTls) on_drain(ec, bytes);  // TLS: async_shutdown does the waiting
    return;
  }
  if (ec) {
    if (ec == net::error::eof) {
      // The client sent everything it will; answer what it asked, then close.
      read_closed_ = true;
      after_io();
    } else {
      do_close();
    }
    return;
  }
  buffer_.commit(bytes);
  if (!request_started_ && bytes > 0) {
    request_started_ = true;
    request_start_ = Clock::now();
  }
  do_read();
}

template <class Stream>
bool Session<Stream>::on_header() {
  const auto& req = parser_->get();
  if (req.version() == 11 && req.find(bhttp::field::host) == req.end()) {
    on_parse_error(bhttp::error::bad_field);  // RFC 9112 3.2: 400 without Host
    return false;
  }
  const auto expect = req.find(bhttp::field::expect);
  if (req.version() == 11 && expect != req.end() && iequals(expect->value(), "100-continue") &&
      !parser_->is_done()) {
    // Only when nothing is ahead of it: a 100 must not overtake earlier
    // responses. Otherwise the client sends the body after its own timeout.
    if (queue_.empty() && !writing_) write_continue();
  }
  return true;
}

template <class Stream>
std::string Session<Stream>::request_id_from(std::string_view client_id) {
  return is_valid_request_id(client_id) ? std::string(client_id) : shared_->ids.next();
}

template <class Stream>
void Session<Stream>::on_request() {
  auto req = parser_->release();
  new_parser();
  first_request_ = false;
  request_started_ = buffer_.size() > 0;  // the next pipelined request has begun
  if (request_started_) request_start_ = Clock::now();

  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.version = req.version();
  for (const auto& field : req) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.remote_address = remote_address_;
  request.remote_port = remote_port_;
  request.request_id = request_id_from(request.headers.get("X-Request-Id"));

  Slot slot;
  slot.seq = next_seq_++;
  slot.close = !req.keep_alive();
  slot.head = req.method() == bhttp::verb::head;
  slot.version = req.version();
  slot.request_id = request.request_id;
  slot.method = request.method;
  slot.path = log_path(request.target);
  slot.received = Clock::now();
  if (websocket::is_upgrade(req)) {
    // Nothing after an upgrade request is HTTP: read no more. A client must
    // wait for the 101 before it sends frames (RFC 6455 4.1), so bytes
    // already buffered beyond the request are a client error and dropped.
    read_closed_ = true;
    const std::string path = log_path(request.target);
    if (shared_->ws == nullptr || !shared_->ws->serves(path)) {
      slot.close = true;
      slot.msg = make_response(slot, problem_response(404, "not-found", "Not found",
                                                      "no WebSocket service at this path", path));
      slot.ready = true;
    } else {
      slot.upgrade = std::make_unique<UpgradeRequest>(std::move(req));
      request.body.clear();
      slot.upgrade_view = std::make_unique<HttpRequest>(std::move(request));
    }
    queue_.push_back(std::move(slot));
    after_io();
    return;
  }
  request.body = std::move(req.body());
  if (slot.close) read_closed_ = true;
  const uint64_t seq = slot.seq;
  queue_.push_back(std::move(slot));

  auto state = std::make_shared<ReplyState>(shared_, weak_from_this(), seq);
  try {
    shared_->router.handle(std::move(request),
                           [state](HttpResponse r) { state->complete(std::move(r)); });
  } catch (const std::exception& e) {
    spdlog::error("http: router failed on {} {}: {}", queue_.back().method, queue_.back().path,
                  e.what());
    state->complete(problem_response(500, "internal-error", "Internal error",
                                     "the request could not be handled"));
  } catch (...) {
    spdlog::error("http: router failed on {} {}", queue_.back().method, queue_.back().path);
    state->complete(problem_response(500, "internal-error", "Internal error",
                                     "the request could not be handled"));
  }
}

template <class Stream>
void Session<Stream>::on_parse_error(beast::error_code ec) {
  // A body over the limit is found once the whole header is parsed (its
  // Content-Length) or while chunks arrive: the request line and fields are known.
  header_known_ = parser_ && (parser_->is_header_done() || ec == bhttp::error::body_limit);
  std::string instance;
  if (header_known_) instance = log_path(parser_->get().target());
  HttpResponse r;
  if (ec == bhttp::error::body_limit) {
    r = problem_response(413, "payload-too-large", "Payload too large",
                         fmt::format("the body is larger than {} bytes", options_.body_limit),
                         instance);
  } else if (ec == bhttp::error::header_limit) {
    r = problem_response(
        431, "header-too-large", "Request header too large",
        fmt::format("the request header is larger than {} bytes", options_.header_limit), instance);
  } else if (ec == bhttp::error::bad_field && header_known_) {
    r = problem_response(400, "bad-request", "Bad request", "HTTP/1.1 request without Host",
                         instance);
  } else {
    r = problem_response(400, "bad-request", "Bad request",
                         fmt::format("malformed HTTP request: {}", ec.message()), instance);
  }
  spdlog::debug("http: {} from {}: {}", r.status, remote_address_, ec.message());
  refuse_request(std::move(r));
}

// Queues `response` after whatever is in flight, reads no more and closes
// the connection once it is written.
template <class Stream>
void Session<Stream>::refuse_request(HttpResponse response) {
  Slot slot;
  slot.seq = next_seq_++;
  slot.close = true;
  slot.version = 11;
  if (header_known_) {
    const auto& req = parser_->get();
    slot.version = req.version() == 10 ? 10 : 11;
    slot.head = req.method() == bhttp::verb::head;
    slot.method = std::string(req.method_string());
    slot.path = log_path(req.target());
    const auto id = req.find("X-Request-Id");
    slot.request_id =
        request_id_from(id == req.end() ? std::string_view() : std::string_view(id->value()));
  } else {
    slot.request_id = shared_->ids.next();
    slot.method = "-";
    slot.path = "-";
  }
  slot.received = Clock::now();
  slot.msg = make_response(slot, std::move(response));
  slot.ready = true;
  read_closed_ = true;
  queue_.push_back(std::move(slot));
  maybe_write();
  update_deadline();
}

template <class Stream>
auto Session<Stream>::make_response(Slot& slot, HttpResponse r) -> std::unique_ptr<Response> {
  if (r.status < 200 || r.status > 599) {
    spdlog::error("http: router answered {} {} with status {}", slot.method, slot.path, r.status);
    r = problem_response(500, "internal-error", "Internal error", "invalid response");
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      auto msg = std::make_unique<Response>();
      msg->version(slot.version);
      msg->result(static_cast<unsigned>(r.status));
      bool has_server = false, has_date = false;
      for (const auto& [name, value] : r.headers) {
        if (!valid_field_name(name) || !valid_field_value(value)) {
          spdlog::warn("http: dropped an invalid response header on {} {}", slot.method, slot.path);
          continue;
        }
        if (iequals(name, "Connection")) {
          if (value.find("close") != std::string::npos) slot.close = true;
          continue;
        }
        if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
            iequals(name, "Keep-Alive") || iequals(name, "X-Request-Id")) {
          continue;
        }
        has_server = has_server || iequals(name, "Server");
        has_date = has_date || iequals(name, "Date");
        msg->insert(name, value);
      }
      if (!has_server) msg->set(bhttp::field::server, "tradingd");
      if (!has_date) msg->set(bhttp::field::date, http_date());
      msg->set("X-Request-Id", slot.request_id);
      const bool no_body = r.status == 204 || r.status == 304;
      if (!no_body) msg->body() = std::move(r.body);
      msg->keep_alive(!slot.close);
      msg->prepare_payload();
      if (slot.head) msg->body().clear();  // Content-Length stays: the size a GET would get
      return msg;
    } catch (const std::exception& e) {
      spdlog::error("http: cannot serialize the response to {} {}: {}", slot.method, slot.path,
                    e.what());
      r = problem_response(500, "internal-error", "Internal error", "invalid response");
    }
  }
  // A problem response always serializes; unreachable in practice.
  auto msg = std::make_unique<Response>(bhttp::status::internal_server_error, slot.version);
  slot.close = true;
  msg->keep_alive(false);
  msg->prepare_payload();
  return msg;
}

template <class Stream>
void Session<Stream>::on_reply(uint64_t seq, HttpResponse response) {
  if (closed_ || queue_.empty() || seq < queue_.front().seq) return;
  const uint64_t index = seq - queue_.front().seq;
  if (index >= queue_.size()) return;
  Slot& slot = queue_[index];
  if (slot.ready) return;
  slot.msg = make_response(slot, std::move(response));
  slot.ready = true;
  if (slot.close) read_closed_ = true;  // the router asked to close
  after_io();
}

template <class Stream>
void Session<Stream>::maybe_write() {
  if (closed_ || lingering_ || writing_ || queue_.empty()) return;
  if (queue_.front().upgrade) {
    do_upgrade();
    return;
  }
  if (!queue_.front().ready) return;
  writing_ = true;
  write_deadline_ = Clock::now() + options_.write_timeout;
  bhttp::async_write(stream_, *queue_.front().msg,
                     beast::bind_front_handler(&Session<Stream>::on_write, self()));
}

template <class Stream>
void Session<Stream>::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    spdlog::debug("http: write to {} failed: {}", remote_address_, ec.message());
    do_close();
    return;
  }
  const Slot& slot = queue_.front();
  if (spdlog::should_log(spdlog::level::debug)) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - slot.received);
    spdlog::debug("http {} {} {} {:.3f}ms id={} from={}", slot.method, slot.path,
                  slot.msg->result_int(), static_cast<double>(us.count()) / 1000.0, slot.request_id,
                  remote_address_);
  }
  const bool close = slot.close;
  queue_.pop_front();
  if (close) {
    begin_linger();
    return;
  }
  if (queue_.empty()) idle_since_ = Clock::now();
  after_io();
}

template <class Stream>
void Session<Stream>::write_continue() {
  writing_ = true;
  write_deadline_ = Clock::now() + options_.write_timeout;
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   beast::bind_front_handler(&Session<Stream>::on_write_continue, self()));
}

template <class Stream>
void Session<Stream>::on_write_continue(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    do_close();
    return;
  }
  after_io();
}

// The upgrade request is at the front: every earlier response is written
// and nothing is being read. The handler refuses (the refusal is written,
// then the connection closes) or takes the stream.
template <class Stream>
void Session<Stream>::do_upgrade() {
  if (reading_) return;  // on_read comes back here through after_io
  Slot& slot = queue_.front();
  std::optional<HttpResponse> refusal;
  try {
    refusal = shared_->ws->upgrade(*slot.upgrade_view, *slot.upgrade, stream_);
  } catch (const std::exception& e) {
    spdlog::error("http: WebSocket upgrade of {} failed: {}", slot.path, e.what());
    refusal = problem_response(500, "internal-error", "Internal error",
                               "the upgrade could not be handled", slot.path);
  }
  if (refusal) {
    slot.upgrade.reset();
    slot.upgrade_view.reset();
    slot.close = true;
    slot.msg = make_response(slot, std::move(*refusal));
    slot.ready = true;
    maybe_write();
    return;
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("http {} {} 101 id={} from={}", slot.method, slot.path, slot.request_id,
                  remote_address_);
  }
  // The stream is the handler's now; this session only leaves the server.
  handed_over_ = true;
  do_close();
}

// After any progress: write what is ready, close when everything asked for
// is answered and nothing more will come, read when there is room.
template <class Stream>
void Session<Stream>::after_io() {
  if (closed_ || lingering_) return;
  maybe_write();
  if (read_closed_ && queue_.empty() && !writing_) {
    begin_linger();
    return;
  }
  do_read();  // updates the deadline
}

// Graceful close: FIN after the last response, then discard input until the
// client closes too (or the linger time or byte budget runs out), so that
// the client reads the response instead of a reset.
template <class Stream>
void Session<Stream>::begin_linger() {
  if (closed_ || lingering_) return;
  lingering_ = true;
  linger_deadline_ = Clock::now() + std::min<Clock::duration>(kMaxLinger, options_.read_timeout);
  if constexpr (kTls) {
    // close_notify, then wait (under the linger deadline) for the client's
    // close_notify or its FIN; what it still sends is discarded. A read still
    // outstanding ends in on_read, which leaves the rest to this.
    if (reading_) {
      // One TLS operation at a time: the outstanding read gives way.
      beast::error_code ec;
      socket().cancel(ec);
    }
    update_deadline();
    stream_.async_shutdown(beast::bind_front_handler(&Session<Stream>::on_tls_shutdown, self()));
    return;
  } else {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      do_close();
      return;
    }
    update_deadline();
    if (!reading_) do_drain();
  }
}

template <class Stream>
void Session<Stream>::on_tls_shutdown(beast::error_code) {
  do_close();
}

template <class Stream>
void Session<Stream>::do_drain() {
  reading_ = true;
  stream_.async_read_some(net::buffer(drain_buffer_),
                          beast::bind_front_handler(&Session<Stream>::on_drain, self()));
}

template <class Stream>
void Session<Stream>::on_drain(beast::error_code ec, std::size_t bytes) {
  reading_ = false;
  if (closed_) return;
  drained_ += bytes;
  if (ec || drained_ > kMaxDrain) {
    do_close();
    return;
  }
  do_drain();
}

template <class Stream>
void Session<Stream>::do_close() {
  if (closed_) return;
  closed_ = true;
  if (!handed_over_) {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }
  timer_.cancel();
  queue_.clear();
  forget();
}

template <class Stream>
void Session<Stream>::forget() {
  std::shared_ptr<SessionBase> self;  // released after the lock
  std::lock_guard lock(shared_->mu);
  auto it = shared_->sessions.find(this);
  if (it != shared_->sessions.end()) {
    self = std::move(it->second);
    shared_->sessions.erase(it);
    --(refusing_ ? shared_->refusing : shared_->active);
  }
}

// The one deadline that applies now (see server.h for the rules).
template <class Stream>
Session<Stream>::Clock::time_point Session<Stream>::deadline() const {
  if (closed_) return Clock::time_point::max();
  if (lingering_) return linger_deadline_;
  if (handshaking_) return accepted_ + options_.read_timeout;
  auto d = Clock::time_point::max();
  if (writing_) d = std::min(d, write_deadline_);
  if (reading_) {
    if (request_started_) {
      d = std::min(d, request_start_ + options_.read_timeout);
    } else if (queue_.empty() && !writing_) {
      // Nothing in flight: a fresh connection must send its first request
      // within read_timeout; a kept-alive one may idle for idle_timeout.
      d = std::min(d, first_request_ ? idle_since_ + options_.read_timeout
                                     : idle_since_ + options_.idle_timeout);
    }
  }
  return d;
}

template <class Stream>
void Session<Stream>::update_deadline() {
  const auto d = deadline();
  if (d != timer_.expiry()) timer_.expires_at(d);  // wakes the waiting on_deadline
}

template <class Stream>
void Session<Stream>::do_wait() {
  timer_.async_wait([self = self()](beast::error_code) { self->on_deadline(); });
}

// Runs whenever the timer fires or is re-armed; the deadline is recomputed,
// so a stale expiry never closes a connection.
template <class Stream>
void Session<Stream>::on_deadline() {
  if (closed_) return;
  const auto d = deadline();
  if (d <= Clock::now()) {
    if (!lingering_) {
      spdlog::debug("http: closing connection from {}: {} timeout", remote_address_,
                    writing_           ? "write"
                    : request_started_ ? "read"
                                       : "idle");
    }
    do_close();
    return;
  }
  if (d != timer_.expiry()) timer_.expires_at(d);
  do_wait();
}

template class Session<PlainStream>;
template class Session<TlsStream>;

}  // namespace td::api::http::detail
