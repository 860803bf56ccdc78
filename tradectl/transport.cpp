#include "tradectl/transport.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <random>

namespace td::tradectl {

std::string new_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string id = "tc-";
  for (int i = 0; i < 20; ++i) id += kHex[rd() & 0xF];
  return id;
}

namespace detail {

std::optional<ssl::context> make_ssl_context(const ClientConfig& config, std::string& error) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (config.insecure) {
    ctx.set_verify_mode(ssl::verify_none);
    return ctx;
  }
  beast::error_code ec;
  if (!config.cacert.empty()) {
    ctx.load_verify_file(config.cacert, ec);
    if (ec) {
      error = "cannot load --cacert " + config.cacert + ": " + ec.message();
      return std::nullopt;
    }
  } else {
    ctx.set_default_verify_paths(ec);
    if (ec) {
      error = "cannot load the system's CA certificates: " + ec.message();
      return std::nullopt;
    }
  }
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

void prepare_tls(beast::ssl_stream<beast::tcp_stream>& stream, const ClientConfig& config) {
  const std::string& host = config.endpoint.host;
  beast::error_code ec;
  net::ip::make_address(host, ec);
  if (ec) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());  // SNI: names only
  if (!config.insecure) stream.set_verify_callback(ssl::host_name_verification(host));
}

std::string describe_failure(const std::string& stage, const beast::error_code& ec,
                             SSL* ssl_handle) {
  std::string msg = stage + ": " + ec.message();
  if (ssl_handle != nullptr && ec.category() == net::error::get_ssl_category()) {
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) {
      msg = stage + ": certificate verification failed: " + X509_verify_cert_error_string(verify) +
            " (a self-signed daemon certificate: --cacert FILE)";
    }
  }
  return msg;
}

Watchdog::Watchdog(net::io_context& ioc, const std::atomic<bool>* stop)
    : timer_(ioc), stop_(stop) {}

void Watchdog::arm(Clock::time_point deadline, std::function<void(bool)> fire, bool watch_stop) {
  deadline_ = deadline;
  watch_stop_ = watch_stop;
  fire_ = std::move(fire);
  fired_ = false;
  interrupted_ = false;
  armed_ = true;
  schedule();
}

void Watchdog::disarm() {
  armed_ = false;
  fire_ = nullptr;
  ++generation_;
  timer_.cancel();
}

void Watchdog::schedule() {
  const unsigned generation = ++generation_;
  timer_.expires_after(std::chrono::milliseconds(10));
  timer_.async_wait([this, alive = alive_, generation](beast::error_code) {
    if (!*alive || generation != generation_ || !armed_) return;
    const bool interrupted = watch_stop_ && stop_ != nullptr && stop_->load();
    if (!fired_ && (interrupted || Clock::now() >= deadline_)) {
      fired_ = true;
      interrupted_ = interrupted;
      if (fire_) {
        auto fire = fire_;  // fire() may re-arm
        fire(interrupted);
      }
    }
    if (armed_ && generation == generation_) schedule();
  });
}

}  // namespace detail
}  // namespace td::tradectl
