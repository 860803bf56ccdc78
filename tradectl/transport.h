#pragma once
// Internal to tradectl: the Boost pieces that the HTTP client and the
// WebSocket watcher share (TLS context and checks, connecting under a
// deadline, turning failures into messages). Not included by cli.cpp, so
// only two translation units pay for Beast's templates.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tradectl/client.h"

namespace td::tradectl::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// The client TLS context for `config` (verification per the header of
// client.h). Sets `error` (and returns nullopt) when --cacert cannot be loaded.
std::optional<ssl::context> make_ssl_context(const ClientConfig& config, std::string& error);

// Before a TLS handshake: SNI (for names) and host name or IP verification.
void prepare_tls(beast::ssl_stream<beast::tcp_stream>& stream, const ClientConfig& config);

// A message for a failed step: "connect to 127.0.0.1:1: Connection refused";
// for TLS verification failures the certificate's problem and a hint.
std::string describe_failure(const std::string& stage, const beast::error_code& ec,
                             SSL* ssl_handle);

// Polls the stop flag and a deadline every few milliseconds on the caller's
// io_context; when either trips it runs `fire` once (which closes sockets,
// cancels resolvers...). Cheap and simple; a CLI has nothing better to do.
class Watchdog {
 public:
  Watchdog(net::io_context& ioc, const std::atomic<bool>* stop);
  ~Watchdog() { *alive_ = false; }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  // (Re)arms: fire(interrupted) when the stop flag is set or `deadline` passes.
  // A grace period armed after a stop (watch_stop false) waits for its
  // deadline although the flag is still set.
  void arm(Clock::time_point deadline, std::function<void(bool interrupted)> fire,
           bool watch_stop = true);
  void disarm();
  bool fired() const { return fired_; }
  bool interrupted() const { return interrupted_; }

 private:
  void schedule();
  net::steady_timer timer_;
  const std::atomic<bool>* stop_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::function<void(bool)> fire_;
  bool armed_ = false;
  bool fired_ = false;
  bool interrupted_ = false;
  bool watch_stop_ = true;
  unsigned generation_ = 0;  // a wait from an earlier arm() is ignored
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// X-Request-Id and the fixed headers every request carries.
inline constexpr const char* kUserAgent = "tradectl/0.1";

}  // namespace td::tradectl::detail
