#include "brokers/ib/client/ib_session.h"

#include <spdlog/spdlog.h>

namespace td::ib {

IbSession::IbSession(boost::asio::io_context& io, Scheduler& scheduler, IbSessionOptions options)
    : io_(io),
      scheduler_(scheduler),
      options_(std::move(options)),
      backoff_(options_.backoff_seed, options_.backoff_initial, options_.backoff_max) {}

IbSession::~IbSession() {
  stop();
}

void IbSession::start() {
  if (!stopped_) return;
  stopped_ = false;
  connect();
}

void IbSession::stop() {
  stopped_ = true;
  if (retry_timer_) scheduler_.cancel(*retry_timer_), retry_timer_.reset();
  if (conn_) {
    auto c = std::move(conn_);
    c->close("stopping");
  }
}

void IbSession::connect() {
  retry_timer_.reset();
  if (stopped_) return;
  ++attempts_;
  client_id_in_use_ = false;
  conn_ = std::make_shared<TwsConnection>(io_, scheduler_, options_.connection,
                                          static_cast<TwsConnectionListener*>(this));
  spdlog::info("IB: connecting to {}:{} as client {} (attempt {})", options_.connection.host,
               options_.connection.port, options_.connection.client_id, attempts_);
  conn_->start();
}

bool IbSession::send(OutgoingMessage message) {
  return conn_ && conn_->send(std::move(message));
}

void IbSession::on_ready(const SessionStart& start) {
  start_ = start;
  connectivity_up_ = true;
  backoff_.reset();
  spdlog::info("IB: session ready (server version {}, accounts {}, nextValidId {})",
               start.server_version, start.accounts, start.next_valid_id);
  for (auto* p : participants_) p->on_session_ready(start);
}

void IbSession::on_message(const IncomingMessage& message) {
  if (const auto* e = std::get_if<ErrorMessage>(&message); e && e->id == -1) {
    switch (e->code) {
      case 326:
        client_id_in_use_ = true;
        break;
      case 1100:
      case 2110:
        if (connectivity_up_) {
          spdlog::warn("IB: gateway lost its link to IB ({} {}): orders wait", e->code, e->message);
          connectivity_up_ = false;
          for (auto* p : participants_) p->on_connectivity(false, false);
        }
        return;
      case 1101:
      case 1102: {
        spdlog::warn("IB: gateway link restored ({} {}){}", e->code, e->message,
                     e->code == 1101 ? ": market data is resubscribed" : "");
        connectivity_up_ = true;
        for (auto* p : participants_) p->on_connectivity(true, e->code == 1101);
        return;
      }
      default:
        break;
    }
  } else if (const auto* e2 = std::get_if<ErrorMessage>(&message); e2 && e2->code == 326) {
    client_id_in_use_ = true;
  }
  for (auto* p : participants_) p->on_message(message);
}

void IbSession::on_written(const OutgoingMessage& message) {
  for (auto* p : participants_) p->on_written(message);
}

void IbSession::on_closed(const std::string& why) {
  auto dead = std::move(conn_);  // keeps the connection alive to the end of this call
  if (dead) {
    for (auto& m : dead->take_unsent()) unsent_.push_back(std::move(m));
    max_sent_in_1s_ = std::max(max_sent_in_1s_, dead->max_sent_in_1s());
  }
  last_error_ = client_id_in_use_
                    ? "client id " + std::to_string(options_.connection.client_id) +
                          " is in use at the gateway (error 326); retrying with the same id"
                    : why;
  if (stopped_) return;
  const Duration delay = backoff_.next();
  spdlog::warn("IB: disconnected: {}; next attempt in {} ms", last_error_,
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  for (auto* p : participants_) p->on_session_lost(last_error_);
  retry_timer_ = scheduler_.schedule_after(delay, [this] { connect(); });
}

}  // namespace td::ib
