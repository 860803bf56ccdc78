#pragma once
// One API client connection: the handshake, framing, IB's 50 messages/s
// limit and the write queue (with the injected delay). Why a session owns
// no trading state: the gateway keeps orders and executions across
// connections, so a session only translates bytes to messages and back and
// remembers its own subscriptions. Beast-style lifetime: each pending
// asynchronous operation holds a shared_ptr to the session; nothing blocks.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "brokers/ib/ibsim/gateway.h"
#include "brokers/ib/incoming_message.h"
#include "brokers/ib/wire/frame_reader.h"

namespace td::ibsim {

// IB's default: more than this many messages in any second draw error 100.
inline constexpr size_t kMaxMessagesPerSecond = 50;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, Gateway& gateway, uint64_t id);

  void start();
  void send(const ib::IncomingMessage& m);
  void send_error(int64_t id, int32_t code, std::string text);
  void close();              // now; queued messages are dropped
  void close_after_flush();  // once the queued messages are written

  ClientState& state() { return state_; }
  const ClientState& state() const { return state_; }
  uint64_t id() const { return id_; }
  bool closed() const { return closed_; }

 private:
  struct Outgoing {
    std::chrono::steady_clock::time_point due;
    std::string bytes;
  };

  void read();
  void on_bytes(std::string_view bytes);
  void on_hello();
  void on_frame(const std::string& payload);
  bool within_rate();
  void pump();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  Gateway& gateway_;
  uint64_t id_;
  std::string peer_;
  char buf_[16384];
  std::string hello_;  // bytes before the handshake completed
  bool hello_done_ = false;
  int version_ = 0;
  bool speaks_version_ = false;  // the codec covers the negotiated version
  ib::wire::FrameReader reader_;
  std::deque<std::chrono::steady_clock::time_point> recent_;  // incoming, last second
  std::deque<Outgoing> out_;
  bool writing_ = false;
  bool close_after_flush_ = false;
  bool closed_ = false;
  ClientState state_;
};

}  // namespace td::ibsim
