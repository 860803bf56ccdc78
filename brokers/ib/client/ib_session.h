#pragma once
// The daemon's one session with IB Gateway/TWS across its many connections:
// connects, reconnects with backoff (1 s doubling to 60 s, jittered), keeps
// the same client id through error 326 (a new id would lose control of our
// orders), follows IB's own connectivity notices (1100/2110 lost, 1101
// restored with data lost, 1102 restored) and hands every message to the
// parts that speak through it (orders: ib_broker.h, market data and history:
// ib_market_data.h). Why a separate owner: those parts must survive a
// reconnect with their state, while a TwsConnection dies with its socket.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brokers/ib/client/reconnect_backoff.h"
#include "brokers/ib/client/tws_connection.h"

namespace td::ib {

class SessionParticipant {
 public:
  virtual ~SessionParticipant() = default;
  // A new connection is ready (nextValidId and accounts known).
  virtual void on_session_ready(const SessionStart& start) = 0;
  // The socket is gone; `unsent`: messages that never left (this
  // participant's own kinds are for it to keep or drop).
  virtual void on_session_lost(const std::string& why) = 0;
  virtual void on_message(const IncomingMessage& message) = 0;
  virtual void on_written(const OutgoingMessage&) {}
  // IB's own link to its servers (1100/2110 down; 1101/1102 up again).
  virtual void on_connectivity(bool up, bool data_lost) = 0;
};

struct IbSessionOptions {
  TwsConnectionOptions connection;
  uint64_t backoff_seed = 1;
  Duration backoff_initial = std::chrono::seconds(1);
  Duration backoff_max = std::chrono::seconds(60);
};

class IbSession final : private TwsConnectionListener {
 public:
  IbSession(boost::asio::io_context& io, Scheduler& scheduler, IbSessionOptions options);
  ~IbSession() override;
  IbSession(const IbSession&) = delete;
  IbSession& operator=(const IbSession&) = delete;

  // Participants are told in the order they were added.
  void add(SessionParticipant* p) { participants_.push_back(p); }
  void start();
  void stop();

  // Paced and in order; false when there is no ready connection.
  bool send(OutgoingMessage message);
  // Takes the messages queued and not yet written (when the link dropped).
  std::deque<OutgoingMessage> take_unsent() { return std::exchange(unsent_, {}); }
  // Request ids (market data, history, executions) start at kFirstRequestId:
  // IB's error message carries an order id or a request id in one field, so
  // the two ranges must never meet (order ids grow from 1 by one per order).
  static constexpr int64_t kFirstRequestId = 1'000'000'000;
  int64_t next_request_id() { return next_request_id_++; }

  bool ready() const { return conn_ && conn_->ready(); }
  bool connectivity_up() const { return connectivity_up_; }
  int server_version() const { return conn_ ? conn_->server_version() : 0; }
  Scheduler& scheduler() { return scheduler_; }
  int attempts() const { return attempts_; }
  // The most messages written in any second, over every connection so far.
  size_t max_sent_in_1s() const {
    return std::max(max_sent_in_1s_, conn_ ? conn_->max_sent_in_1s() : size_t{0});
  }
  const std::string& last_error() const { return last_error_; }
  const SessionStart& session_start() const { return start_; }

 private:
  void connect();
  void on_ready(const SessionStart& start) override;
  void on_message(const IncomingMessage& message) override;
  void on_written(const OutgoingMessage& message) override;
  void on_closed(const std::string& why) override;

  boost::asio::io_context& io_;
  Scheduler& scheduler_;
  IbSessionOptions options_;
  ReconnectBackoff backoff_;
  std::vector<SessionParticipant*> participants_;
  std::shared_ptr<TwsConnection> conn_;
  std::deque<OutgoingMessage> unsent_;
  std::optional<TimerId> retry_timer_;
  bool stopped_ = true;
  bool connectivity_up_ = true;
  bool client_id_in_use_ = false;
  int attempts_ = 0;
  size_t max_sent_in_1s_ = 0;
  std::string last_error_;
  SessionStart start_;
  int64_t next_request_id_ = kFirstRequestId;
};

}  // namespace td::ib
