#include "brokers/ib/ibsim/session.h"

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>

#include "brokers/ib/versions.h"
#include "brokers/ib/wire/codec.h"
#include "brokers/ib/wire/handshake.h"

namespace td::ibsim {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

Session::Session(asio::ip::tcp::socket socket, Gateway& gateway, uint64_t id)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), gateway_(gateway), id_(id) {
  boost::system::error_code ec;
  const auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void Session::start() {
  // As IB Gateway: each message leaves at once (no Nagle wait for the ACK).
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  spdlog::info("session {}: connected from {}", id_, peer_);
  read();
}

void Session::read() {
  socket_.async_read_some(
      asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (self->closed_) return;
        if (ec) {
          spdlog::info("session {}: connection closed ({})", self->id_, ec.message());
          self->close();
          return;
        }
        self->on_bytes(std::string_view(self->buf_, n));
        if (!self->closed_) self->read();
      });
}

void Session::on_bytes(std::string_view bytes) {
  if (!hello_done_) {
    hello_.append(bytes);
    auto hello = ib::wire::parse_client_hello(hello_);
    if (!hello) {
      spdlog::warn("session {}: bad handshake: {}", id_, hello.error().message);
      close();
      return;
    }
    if (!*hello) return;
    const auto& h = **hello;
    const int server_min = std::min(gateway_.options().min_version, gateway_.options().max_version);
    auto v = ib::wire::negotiate_version(h.range, server_min, gateway_.options().max_version);
    if (!v) {
      // No common version: close without a reply (docs/ibsim.md).
      spdlog::warn("session {}: client range v{}..{} does not meet v{}..{}", id_,
                   h.range.min_version, h.range.max_version, server_min,
                   gateway_.options().max_version);
      close();
      return;
    }
    version_ = *v;
    speaks_version_ = ib::check_server_version(version_).has_value();
    hello_done_ = true;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto reply =
        ib::wire::encode_server_hello({version_, fmt::format("{:%Y%m%d %H:%M:%S} UTC", now)});
    if (!reply) {
      close();
      return;
    }
    out_.push_back({Clock::now() + gateway_.options().faults.delay, std::move(*reply)});
    pump();
    reader_.feed(std::string_view(hello_).substr(h.consumed));
    hello_.clear();
    spdlog::info("session {}: version {} (client v{}..{})", id_, version_, h.range.min_version,
                 h.range.max_version);
  } else {
    reader_.feed(bytes);
  }
  while (!closed_) {
    auto frame = reader_.next();
    if (!frame) {
      spdlog::warn("session {}: {}", id_, frame.error().message);
      close();
      return;
    }
    if (!*frame) return;
    on_frame(**frame);
  }
}

void Session::on_frame(const std::string& payload) {
  if (!speaks_version_) {
    // An old server would decode this; the simulator cannot, so it hangs up.
    spdlog::warn("session {}: message at unsupported version {}: closing", id_, version_);
    close();
    return;
  }
  gateway_.note_incoming();
  if (!within_rate()) {
    send_error(-1, 100,
               "Max rate of messages per second has been exceeded:max=50 rec=" +
                   std::to_string(recent_.size()) + " (1)");
    return;
  }
  auto msg = ib::wire::decode_outgoing(payload, version_);
  if (!msg) {
    spdlog::warn("session {}: undecodable message: {}", id_, msg.error().message);
    send_error(-1, 320, "Error reading request. " + msg.error().message);
    return;
  }
  if (state_.client_id < 0) {
    if (const auto* start = std::get_if<ib::StartApi>(&*msg)) {
      gateway_.on_start_api(*this, start->client_id);
    } else {
      spdlog::warn("session {}: {} before startApi: ignored", id_, ib::wire::message_name(*msg));
    }
    return;
  }
  gateway_.handle(*this, *msg);
}

bool Session::within_rate() {
  const auto now = Clock::now();
  while (!recent_.empty() && now - recent_.front() >= std::chrono::seconds(1)) recent_.pop_front();
  if (recent_.size() >= kMaxMessagesPerSecond) return false;  // rejected ones do not count
  recent_.push_back(now);
  return true;
}

void Session::send(const ib::IncomingMessage& m) {
  if (closed_ || !speaks_version_) return;
  auto bytes = ib::wire::encode_incoming(m, version_);
  if (!bytes) {
    spdlog::error("session {}: cannot encode {}: {}", id_, ib::wire::message_name(m),
                  bytes.error().message);
    return;
  }
  out_.push_back({Clock::now() + gateway_.options().faults.delay, std::move(*bytes)});
  pump();
}

void Session::send_error(int64_t id, int32_t code, std::string text) {
  gateway_.note_error_sent(code);
  send(ib::ErrorMessage{
      .id = id, .code = code, .message = std::move(text), .advanced_order_reject_json = {}});
}

void Session::pump() {
  if (writing_ || closed_) return;
  if (out_.empty()) {
    if (close_after_flush_) close();
    return;
  }
  const auto due = out_.front().due;
  writing_ = true;
  if (due > Clock::now()) {
    timer_.expires_at(due);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->writing_ = false;
      if (!ec) self->pump();
    });
    return;
  }
  asio::async_write(socket_, asio::buffer(out_.front().bytes),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->writing_ = false;
                      if (self->closed_) return;
                      if (ec) {
                        self->close();
                        return;
                      }
                      self->out_.pop_front();
                      self->pump();
                    });
}

void Session::close_after_flush() {
  close_after_flush_ = true;
  pump();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  out_.clear();
  boost::system::error_code ec;
  timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  gateway_.detach(*this);
}

}  // namespace td::ibsim
