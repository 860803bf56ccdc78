#pragma once
// One TCP connection to IB Gateway/TWS, from connect to close: handshake,
// startApi, framing, pacing, heartbeat. Why one object per attempt: a
// connection that died is never reused (IB's own client neither), so every
// piece of per-session state (negotiated version, reader, queue) dies with
// it, and the session (ib_session.h) simply makes a new one.
//
// Runs on the engine thread's io_context (Beast-example style: async only,
// shared_from_this keeps it alive while operations are pending). Every
// failure - refused connect, timeout, a server below version 176, an
// oversized or undecodable frame, a silent link - closes the socket and is
// reported exactly once through on_closed; nothing here retries.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "brokers/ib/client/message_pacer.h"
#include "brokers/ib/incoming_message.h"
#include "brokers/ib/outgoing_message.h"
#include "brokers/ib/wire/frame_reader.h"
#include "core/scheduler.h"
#include "core/status.h"

namespace td::ib {

struct TwsConnectionOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4002;
  int32_t client_id = 1;
  Duration connect_timeout = std::chrono::seconds(10);     // TCP connect until "ready"
  Duration heartbeat_interval = std::chrono::seconds(30);  // silence before reqCurrentTime
  Duration heartbeat_timeout = std::chrono::seconds(10);   // the answer's deadline
  size_t max_frame_length = 0xFFFFFF;
  size_t pacing_limit = 45;  // messages per second (IB accepts 50)
  // And at most this many in any window of (burst / pacing_limit) s: a
  // backlog leaves as an even stream, not as 45 back to back each second,
  // which the gateway (counting on arrival, after network and scheduling
  // jitter) could see as two seconds' worth in one.
  size_t pacing_burst = 5;
};

// What the gateway said when the session became usable.
struct SessionStart {
  int server_version = 0;
  std::string connection_time;
  int64_t next_valid_id = 0;
  std::string accounts;  // comma separated
};

class TwsConnectionListener {
 public:
  virtual ~TwsConnectionListener() = default;
  // nextValidId and managedAccounts have both arrived: requests may be sent.
  virtual void on_ready(const SessionStart& start) = 0;
  // Every decoded message, also those before on_ready (errors such as 326).
  virtual void on_message(const IncomingMessage& message) = 0;
  // A message left the queue for the socket (orders: "may be at IB now").
  virtual void on_written(const OutgoingMessage& message) = 0;
  // Once, whatever the cause; the connection is finished.
  virtual void on_closed(const std::string& why) = 0;
};

class TwsConnection : public std::enable_shared_from_this<TwsConnection> {
 public:
  TwsConnection(boost::asio::io_context& io, Scheduler& scheduler, TwsConnectionOptions options,
                TwsConnectionListener* listener);
  ~TwsConnection();
  TwsConnection(const TwsConnection&) = delete;
  TwsConnection& operator=(const TwsConnection&) = delete;

  void start();
  // Queues a message; it leaves in order when its pacing slot comes. False
  // (nothing queued) unless the session is ready.
  bool send(OutgoingMessage message);
  // Closes now; on_closed follows (with `why`) unless already closed.
  void close(const std::string& why);
  // The messages still waiting for their slot (taken out of the connection).
  std::deque<OutgoingMessage> take_unsent();

  bool ready() const { return state_ == State::kReady; }
  bool closed() const { return state_ == State::kClosed; }
  int server_version() const { return start_.server_version; }
  size_t queued() const { return queue_.size(); }
  // The most messages written in any one-second window (tests, metrics).
  size_t max_sent_in_1s() const { return max_sent_in_1s_; }

 private:
  enum class State { kConnecting, kHandshake, kStarting, kReady, kClosed };
  void on_connected();
  void read();
  void on_frame(std::string payload);
  void pump();
  void note_sent(Timestamp now);
  void write_raw(std::string bytes, std::optional<OutgoingMessage> message);
  void arm_heartbeat();
  void on_heartbeat_check();
  void cancel_timers();

  Scheduler& scheduler_;
  TwsConnectionOptions options_;
  TwsConnectionListener* listener_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  State state_ = State::kConnecting;
  SessionStart start_;
  bool got_next_id_ = false, got_accounts_ = false;
  wire::FrameReader reader_;
  std::array<char, 65536> read_buf_{};
  // Outgoing: the paced queue and the one write in progress.
  MessagePacer pacer_, burst_pacer_;
  std::deque<Timestamp> sent_window_;
  size_t max_sent_in_1s_ = 0;
  std::deque<OutgoingMessage> queue_;
  std::deque<std::pair<std::string, std::optional<OutgoingMessage>>> raw_;  // handshake, encoded
  bool writing_ = false;
  std::string writing_bytes_;
  std::optional<TimerId> pace_timer_, connect_timer_, heartbeat_timer_;
  Timestamp last_rx_{};
  std::optional<Timestamp> heartbeat_sent_;
};

}  // namespace td::ib
