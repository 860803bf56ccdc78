// tradingd-ibsim: an IB Gateway simulator speaking the TWS API socket
// protocol, for tests and for trying tradingd without an IB account
// (docs/ibsim.md).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>

#include "brokers/ib/ibsim/control.h"
#include "brokers/ib/ibsim/gateway.h"
#include "brokers/ib/ibsim/listener.h"
#include "brokers/ib/ibsim/session.h"

using namespace td::ibsim;
namespace asio = boost::asio;

int main(int argc, char** argv) {
  CLI::App app{"tradingd-ibsim: a simulated IB Gateway (TWS API socket protocol)"};
  IbSimOptions o;
  int control_port = -1;
  int delay_ms = 0;
  int quote_ms = static_cast<int>(o.quote_interval.count());
  std::vector<std::string> symbols;
  std::string commission_per_share = o.commission_per_share.to_string();
  std::string commission_min = o.commission_min.to_string();
  std::string log_level = "info";
  app.add_option("--host", o.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "API port (0: ephemeral)")->capture_default_str();
  app.add_option("--control-port", control_port, "Control channel port (0: ephemeral; omit: none)");
  app.add_option("--min-version", o.min_version, "Lowest server version spoken")
      ->capture_default_str();
  app.add_option("--max-version", o.max_version, "Highest server version spoken")
      ->capture_default_str();
  app.add_option("--account", o.account, "Account id")->capture_default_str();
  app.add_option("--symbol", symbols,
                 "NAME[:price[:STK|FUT|CASH]], repeatable (default SPY, QQQ, MES, EUR.USD)");
  app.add_option("--seed", o.seed, "Market seed")->capture_default_str();
  app.add_option("--quote-interval", quote_ms, "Milliseconds between quotes")
      ->capture_default_str();
  app.add_option("--speed", o.speed, "Simulated seconds per real second")->capture_default_str();
  app.add_option("--next-valid-id", o.next_valid_id, "nextValidId for a client id without orders")
      ->capture_default_str();
  app.add_option("--commission-per-share", commission_per_share, "Commission per share")
      ->capture_default_str();
  app.add_option("--commission-min", commission_min, "Minimum commission per order")
      ->capture_default_str();
  app.add_flag("--refuse-connects", o.faults.refuse_connects, "Accept and close every connection");
  app.add_flag("--reject-orders", o.faults.reject_orders, "Reject every order (error 201)");
  app.add_option("--partial-fills", o.faults.partial_fills, "Split each fill into N executions")
      ->capture_default_str();
  app.add_option("--delay-ms", delay_ms, "Delay every outgoing message")->capture_default_str();
  app.add_flag("--hold-orders", o.faults.hold_orders, "Accept orders but fill only on `fill`");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("ibsim"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  if (control_port > 65535 || quote_ms <= 0 || delay_ms < 0) {
    std::cerr << "bad port, --quote-interval or --delay-ms\n";
    return 2;
  }
  if (control_port >= 0) o.control_port = static_cast<uint16_t>(control_port);
  o.quote_interval = std::chrono::milliseconds(quote_ms);
  o.faults.delay = std::chrono::milliseconds(delay_ms);
  for (const std::string& s : symbols) {
    auto spec = parse_symbol_spec(s);
    if (!spec) {
      std::cerr << spec.error().message << "\n";
      return 2;
    }
    o.symbols.push_back(*spec);
  }
  auto per_share = td::Decimal::parse(commission_per_share);
  auto minimum = td::Decimal::parse(commission_min);
  if (!per_share || !minimum || per_share->sign() < 0 || minimum->sign() < 0) {
    std::cerr << "bad commission\n";
    return 2;
  }
  o.commission_per_share = *per_share;
  o.commission_min = *minimum;

  asio::io_context io;
  std::unique_ptr<Gateway> gateway;
  try {
    gateway = std::make_unique<Gateway>(io, o);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  uint64_t next_session = 1;
  auto api = Listener::open(io, o.host, o.port, [&](asio::ip::tcp::socket s) {
    if (gateway->refusing()) {
      spdlog::debug("refusing a connection");
      boost::system::error_code ec;
      s.close(ec);
      return;
    }
    auto session = std::make_shared<Session>(std::move(s), *gateway, next_session++);
    gateway->attach(session);
    session->start();
  });
  if (!api) {
    std::cerr << api.error().message << "\n";
    return 1;
  }
  std::shared_ptr<Listener> control;
  if (o.control_port) {
    auto c = Listener::open(io, o.host, *o.control_port, [&](asio::ip::tcp::socket s) {
      std::make_shared<ControlSession>(std::move(s), *gateway)->start();
    });
    if (!c) {
      std::cerr << c.error().message << "\n";
      return 1;
    }
    control = *c;
  }
  std::printf("ibsim listening on %s:%u\n", o.host.c_str(), static_cast<unsigned>((*api)->port()));
  if (control)
    std::printf("ibsim control on %s:%u\n", o.host.c_str(), static_cast<unsigned>(control->port()));
  std::fflush(stdout);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping", sig);
    (*api)->stop();
    if (control) control->stop();
    gateway->stop();
    io.stop();
  });
  (*api)->start();
  if (control) control->start();
  gateway->start();
  io.run();
  return 0;
}
