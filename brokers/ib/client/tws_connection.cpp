#include "brokers/ib/client/tws_connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/codec.h"
#include "brokers/ib/wire/handshake.h"

namespace td::ib {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TwsConnection::TwsConnection(asio::io_context& io, Scheduler& scheduler,
                             TwsConnectionOptions options, TwsConnectionListener* listener)
    : scheduler_(scheduler),
      options_(std::move(options)),
      listener_(listener),
      resolver_(io),
      socket_(io),
      reader_(options_.max_frame_length),
      pacer_(options_.pacing_limit, std::chrono::seconds(1)),
      burst_pacer_(options_.pacing_burst,
                   Duration(std::chrono::seconds(1)) * static_cast<int64_t>(options_.pacing_burst) /
                       static_cast<int64_t>(std::max<size_t>(1, options_.pacing_limit))) {}

TwsConnection::~TwsConnection() {
  cancel_timers();
}

void TwsConnection::start() {
  auto self = shared_from_this();
  connect_timer_ = scheduler_.schedule_after(options_.connect_timeout, [self] {
    self->connect_timer_.reset();
    if (!self->ready()) self->close("no API session within the connect timeout");
  });
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [self](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        if (self->closed()) return;
        if (ec) return self->close("cannot resolve " + self->options_.host + ": " + ec.message());
        asio::async_connect(self->socket_, results,
                            [self](const boost::system::error_code& ec2, const tcp::endpoint&) {
                              if (self->closed()) return;
                              if (ec2)
                                return self->close("cannot connect to " + self->options_.host +
                                                   ":" + std::to_string(self->options_.port) +
                                                   ": " + ec2.message());
                              self->on_connected();
                            });
      });
}

void TwsConnection::on_connected() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  state_ = State::kHandshake;
  last_rx_ = scheduler_.now();
  auto hello = wire::encode_client_hello();
  if (!hello) return close("client hello: " + hello.error().message);
  write_raw(std::move(*hello), std::nullopt);
  read();
}

void TwsConnection::read() {
  auto self = shared_from_this();
  socket_.async_read_some(
      asio::buffer(read_buf_), [self](const boost::system::error_code& ec, size_t n) {
        if (self->closed()) return;
        if (ec)
          return self->close(ec == asio::error::eof ? "connection closed by the gateway"
                                                    : "read: " + ec.message());
        self->last_rx_ = self->scheduler_.now();
        self->heartbeat_sent_.reset();
        self->reader_.feed(std::string_view(self->read_buf_.data(), n));
        for (;;) {
          auto frame = self->reader_.next();
          if (!frame) return self->close("malformed frame: " + frame.error().message);
          if (!*frame) break;
          self->on_frame(std::move(**frame));
          if (self->closed()) return;
        }
        self->read();
      });
}

void TwsConnection::on_frame(std::string payload) {
  if (state_ == State::kHandshake) {
    auto hello = wire::parse_server_hello(payload);
    if (!hello) return close("handshake: " + hello.error().message);
    if (!*hello) return;  // not the version reply yet
    if (auto st = check_server_version((*hello)->version); !st)
      return close("gateway refused: " + st.error().message);
    start_.server_version = (*hello)->version;
    start_.connection_time = (*hello)->connection_time;
    state_ = State::kStarting;
    StartApi s;
    s.client_id = options_.client_id;
    auto bytes = wire::encode(OutgoingMessage{s}, start_.server_version);
    if (!bytes) return close("startApi: " + bytes.error().message);
    note_sent(scheduler_.now());
    write_raw(std::move(*bytes), OutgoingMessage{s});
    arm_heartbeat();
    return;
  }
  auto msg = wire::decode(payload, start_.server_version);
  if (!msg) return close("undecodable message: " + msg.error().message);
  if (state_ == State::kStarting) {
    if (auto* n = std::get_if<NextValidId>(&*msg)) {
      start_.next_valid_id = n->order_id;
      got_next_id_ = true;
    } else if (auto* m = std::get_if<ManagedAccounts>(&*msg)) {
      start_.accounts = m->accounts;
      got_accounts_ = true;
    }
  }
  listener_->on_message(*msg);
  if (closed()) return;
  if (state_ == State::kStarting && got_next_id_ && got_accounts_) {
    state_ = State::kReady;
    if (connect_timer_) scheduler_.cancel(*connect_timer_), connect_timer_.reset();
    listener_->on_ready(start_);
    if (!closed()) pump();
  }
}

bool TwsConnection::send(OutgoingMessage message) {
  if (state_ != State::kReady) return false;
  queue_.push_back(std::move(message));
  pump();
  return true;
}

void TwsConnection::pump() {
  if (writing_ || closed()) return;
  if (!raw_.empty()) {
    auto [bytes, msg] = std::move(raw_.front());
    raw_.pop_front();
    write_raw(std::move(bytes), std::move(msg));
    return;
  }
  if (state_ != State::kReady || queue_.empty() || pace_timer_) return;
  const Timestamp now = scheduler_.now();
  const Timestamp slot = std::max(pacer_.next_slot(now), burst_pacer_.next_slot(now));
  if (slot > now) {
    auto self = shared_from_this();
    pace_timer_ = scheduler_.schedule_at(slot, [self] {
      self->pace_timer_.reset();
      self->pump();
    });
    return;
  }
  OutgoingMessage msg = std::move(queue_.front());
  queue_.pop_front();
  auto bytes = wire::encode(msg, start_.server_version);
  if (!bytes) {
    spdlog::error("IB: {} not sent (cannot be encoded): {}", wire::message_name(msg),
                  bytes.error().message);
    return pump();
  }
  note_sent(now);
  write_raw(std::move(*bytes), std::move(msg));
}

void TwsConnection::note_sent(Timestamp now) {
  pacer_.sent(now);
  burst_pacer_.sent(now);
  while (!sent_window_.empty() && now - sent_window_.front() >= std::chrono::seconds(1))
    sent_window_.pop_front();
  sent_window_.push_back(now);
  max_sent_in_1s_ = std::max(max_sent_in_1s_, sent_window_.size());
}

void TwsConnection::write_raw(std::string bytes, std::optional<OutgoingMessage> message) {
  if (writing_) {
    raw_.emplace_back(std::move(bytes), std::move(message));
    return;
  }
  writing_ = true;
  writing_bytes_ = std::move(bytes);
  if (message) listener_->on_written(*message);
  if (closed()) return;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(writing_bytes_),
                    [self](const boost::system::error_code& ec, size_t) {
                      self->writing_ = false;
                      if (self->closed()) return;
                      if (ec) return self->close("write: " + ec.message());
                      self->pump();
                    });
}

void TwsConnection::arm_heartbeat() {
  if (heartbeat_timer_) scheduler_.cancel(*heartbeat_timer_);
  auto self = shared_from_this();
  const Duration wait = heartbeat_sent_ ? options_.heartbeat_timeout : options_.heartbeat_interval;
  const Timestamp from = heartbeat_sent_ ? *heartbeat_sent_ : last_rx_;
  heartbeat_timer_ = scheduler_.schedule_at(from + wait, [self] {
    self->heartbeat_timer_.reset();
    self->on_heartbeat_check();
  });
}

void TwsConnection::on_heartbeat_check() {
  if (closed()) return;
  const Timestamp now = scheduler_.now();
  if (heartbeat_sent_) {
    // Anything received since the request clears heartbeat_sent_ (read()).
    return close("no answer to the heartbeat within " +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    options_.heartbeat_timeout)
                                    .count()) +
                 " ms: link presumed dead");
  }
  if (now - last_rx_ >= options_.heartbeat_interval && state_ == State::kReady) {
    heartbeat_sent_ = now;
    queue_.push_front(ReqCurrentTime{});  // ahead of a long order queue: it tests the link
    pump();
  }
  arm_heartbeat();
}

std::deque<OutgoingMessage> TwsConnection::take_unsent() {
  return std::exchange(queue_, {});
}

void TwsConnection::cancel_timers() {
  for (auto* t : {&pace_timer_, &connect_timer_, &heartbeat_timer_})
    if (*t) scheduler_.cancel(**t), t->reset();
}

void TwsConnection::close(const std::string& why) {
  if (closed()) return;
  state_ = State::kClosed;
  cancel_timers();
  boost::system::error_code ignored;
  resolver_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  auto self = shared_from_this();  // the listener may drop its reference
  listener_->on_closed(why);
}

}  // namespace td::ib
