// tradingd in mode ib against tradingd-ibsim, as a user runs it: the binary,
// its config file, its API over HTTP, the simulator as the gateway. What is
// shown: strategies warm up from IB's history and then trade on IB's market
// data; a restarted daemon sends no order id or orderRef a previous run used
// (no error 103) and reconciles with what IB has.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/integration/ibsim_process.h"
#include "tests/integration/process.h"
#include "tests/integration/raw_tws_client.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string token_in(const std::string& output) {
  std::smatch m;
  static const std::regex re("td_[A-Za-z0-9_-]{43}");
  return std::regex_search(output, m, re) ? m.str() : "";
}

std::string ib_config(int gateway_port) {
  return "mode: ib\n"
         "api: {listen: \"127.0.0.1:0\"}\n"
         "broker:\n  ib: {host: 127.0.0.1, port: " +
         std::to_string(gateway_port) +
         ", client_id: 7, connect_timeout: 5s}\n"
         "market: {bar_interval: 5s}\n"
         "instruments:\n"
         "  - {symbol: SPY, sec_type: STK, exchange: SMART, currency: USD, tick: \"0.01\"}\n"
         "risk: {max_order_qty: 1000, max_order_notional: \"1000000\", max_position_qty: 1000}\n"
         "strategies:\n"
         "  - {name: spy_fast, type: sma_cross, symbol: SPY, qty: \"10\", allow_short: true,\n"
         "     params: {fast: 2, slow: 3}}\n";
}

// GET with the token; the parsed body (null when not 200 JSON).
json get_json(int port, const std::string& path, const std::string& token) {
  const std::string r = http_request(port, "GET", path, token);
  if (status_of(r) != 200) return nullptr;
  return json::parse(body_of(r), nullptr, false);
}

// Polls pred() until it holds, reading the daemon's output meanwhile (a
// full pipe would stall its logging, and with it the engine).
bool wait_until(Process& d, const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    d.wait_for([](const std::string&) { return false; }, 50ms);
  }
  return true;
}

// The list under `key` of an API body (an empty array when absent).
json list_of(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : json::array();
}

TEST(IbDaemon, WarmsUpFromIbHistoryTradesOnIbDataAndARestartReusesNoOrderId) {
  IbSimProcess sim;
  TempDir dir;
  const std::string cfg = dir.write("ib.yaml", ib_config(sim.port()));
  const std::vector<std::string> args{kTradingdBin, "run",   "--config",
                                      cfg,          "--set", "data_dir=" + dir.path().string()};
  std::set<std::string> refs_first_run;
  std::string token;
  {
    Process d(args);
    const int port = wait_for_listening(d, 20s);
    ASSERT_GT(port, 0) << d.output();
    // The admin token is printed after the listening line.
    ASSERT_TRUE(d.wait_for([](const std::string& o) { return !token_in(o).empty(); }, 10s))
        << d.output();
    token = token_in(d.output());
    // Connected and reconciled.
    ASSERT_TRUE(wait_until(
        d,
        [&] {
          auto s = get_json(port, "/api/v1/status", token);
          return s.is_object() && s["broker"]["connected"] == true && s["broker"]["name"] == "ib";
        },
        20s))
        << d.output();
    // Warm from IB's history (30 5-second bars would take minutes live).
    ASSERT_TRUE(wait_until(
        d,
        [&] {
          auto s = get_json(port, "/api/v1/strategies", token);
          for (const auto& st : list_of(s, "strategies"))
            if (st.value("name", "") == "spy_fast" && st.value("warm", false)) return true;
          return false;
        },
        20s))
        << d.output();
    // IB's quotes and 5 s bars drive the strategy to an order, filled at IB.
    ASSERT_TRUE(wait_until(
        d,
        [&] {
          auto o = get_json(port, "/api/v1/orders?status=closed", token);
          for (const auto& x : list_of(o, "orders"))
            if (x.value("source", "") == "strategy:spy_fast" && x.value("status", "") == "filled")
              return true;
          return false;
        },
        45s))
        << d.output();
    for (const auto& o : sim.orders()) refs_first_run.insert(o.value("order_ref", ""));
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait_exit(20s), 0) << d.output();
  }
  ASSERT_FALSE(refs_first_run.empty());
  // The second run: same data_dir, same client id, the gateway still up.
  Process d(args);
  const int port = wait_for_listening(d, 20s);
  ASSERT_GT(port, 0) << d.output();
  ASSERT_TRUE(wait_until(
      d,
      [&] {
        auto s = get_json(port, "/api/v1/status", token);
        return s.is_object() && s["broker"]["connected"] == true;
      },
      20s))
      << d.output();
  const std::string body = R"({"symbol":"SPY","side":"buy","qty":"1","type":"market"})";
  const std::string r = http_request(port, "POST", "/api/v1/orders", token, body);
  ASSERT_TRUE(status_of(r) == 201 || status_of(r) == 202) << r << d.output();
  ASSERT_TRUE(wait_until(
      d,
      [&] {
        for (const auto& o : sim.orders())
          if (!refs_first_run.count(o.value("order_ref", "")) && o.value("status", "") == "Filled")
            return true;
        return false;
      },
      20s))
      << d.output();
  const auto stats = sim.stats();
  EXPECT_EQ(stats.at("error103_sent"), 0);
  // The second run's IB order ids continue above the first run's reservation.
  int64_t first_max = 0, second_min = INT64_MAX;
  for (const auto& o : sim.orders()) {
    const int64_t id = o.value("order_id", int64_t{0});
    if (refs_first_run.count(o.value("order_ref", "")))
      first_max = std::max(first_max, id);
    else
      second_min = std::min(second_min, id);
  }
  EXPECT_GT(second_min, first_max);
  // No orderRef of the first run was given to a new order.
  std::map<std::string, int> refs;
  for (const auto& o : sim.orders()) ++refs[o.value("order_ref", "")];
  for (const auto& [ref, n] : refs) EXPECT_EQ(n, 1) << ref;
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait_exit(20s), 0) << d.output();
}

// Start-up reconciliation against a gateway that outlived the daemon (issue
// 6): a fill that happened while tradingd was down is applied once; an order
// another program placed is adopted as external; and when the broker's
// position still differs afterwards (that program's order filled: its
// execution is not ours to see) trading halts with a report naming the
// symbol and both quantities.
TEST(IbDaemon, RestartAppliesMissedFillAdoptsExternalOrderAndHaltsOnMismatch) {
  IbSimProcess sim({"--hold-orders"});
  TempDir dir;
  std::string cfg_text = ib_config(sim.port());
  cfg_text = cfg_text.substr(0, cfg_text.find("strategies:"));  // the test's orders only
  const std::string cfg = dir.write("ib.yaml", cfg_text);
  const std::vector<std::string> args{kTradingdBin, "run",   "--config",
                                      cfg,          "--set", "data_dir=" + dir.path().string()};
  auto ready = [](Process& d, int port) {
    return wait_until(
        d, [&] { return status_of(http_get(port, "/readyz")) == 200; }, 30s);
  };
  std::string token;
  int64_t ib_id = 0;
  {
    Process d(args);
    const int port = wait_for_listening(d, 30s);
    ASSERT_GT(port, 0) << d.output();
    ASSERT_TRUE(d.wait_for([](const std::string& o) { return !token_in(o).empty(); }, 10s));
    token = token_in(d.output());
    ASSERT_TRUE(ready(d, port)) << d.output();
    const std::string r = http_request(
        port, "POST", "/api/v1/orders", token,
        R"({"symbol":"SPY","side":"buy","qty":"10","type":"limit","limit_price":"600","client_order_id":"held-1"})");
    ASSERT_EQ(status_of(r), 201) << r;
    ASSERT_TRUE(wait_until(
        d,
        [&] {
          for (const auto& o : sim.orders())
            if (o.value("order_ref", "") == "td-1") ib_id = o.value("order_id", int64_t{0});
          return ib_id > 0;
        },
        10s));
    d.signal(SIGKILL);
    d.wait_exit(10s);
  }
  // While tradingd is down: our order fills; another program places one.
  ASSERT_EQ(sim.control("fill " + std::to_string(ib_id) + " 10").rfind("ok", 0), 0u);
  RawClient other(sim.port());
  ASSERT_GT(other.start(99), 0);
  other.send(order(500, "BUY", 3, "LMT", Decimal::from_int(600)));
  ASSERT_TRUE(other.wait<ib::OpenOrder>());
  {
    Process d(args);
    const int port = wait_for_listening(d, 30s);
    ASSERT_GT(port, 0) << d.output();
    ASSERT_TRUE(ready(d, port)) << d.output();
    auto mine = get_json(port, "/api/v1/orders/by-client-id/held-1", token);
    ASSERT_TRUE(mine.is_object()) << d.output();
    EXPECT_EQ(mine["status"], "filled");
    EXPECT_EQ(mine["fills"].size(), 1u);
    auto pos = get_json(port, "/api/v1/positions/SPY", token);
    ASSERT_TRUE(pos.is_object()) << d.output();
    EXPECT_EQ(pos["qty"], "10");
    json external;
    for (const auto& o : list_of(get_json(port, "/api/v1/orders?status=open", token), "orders"))
      if (o.value("source", "") == "external") external = o;
    ASSERT_TRUE(external.is_object()) << d.output();
    EXPECT_EQ(external["qty"], "3");
    EXPECT_EQ(external["side"], "buy");
    auto risk = get_json(port, "/api/v1/risk", token);
    EXPECT_EQ(risk["trading_state"], "active") << d.output();
    d.signal(SIGKILL);
    d.wait_exit(10s);
  }
  // The other program's order fills while tradingd is down again.
  ASSERT_EQ(sim.control("fill 500 3").rfind("ok", 0), 0u);
  {
    Process d(args);
    const int port = wait_for_listening(d, 30s);
    ASSERT_GT(port, 0) << d.output();
    ASSERT_TRUE(wait_until(
        d,
        [&] {
          auto risk = get_json(port, "/api/v1/risk", token);
          return risk.is_object() && risk["trading_state"] == "halted";
        },
        30s))
        << d.output();
    EXPECT_FALSE(lines_containing(d.output(), "position mismatch SPY: local 10 broker 13").empty())
        << d.output();
    // Halted: a new order is refused.
    const std::string r =
        http_request(port, "POST", "/api/v1/orders", token,
                     R"({"symbol":"SPY","side":"buy","qty":"1","type":"market"})");
    EXPECT_EQ(status_of(r), 409) << r;
    d.signal(SIGTERM);
    EXPECT_EQ(d.wait_exit(20s), 0) << d.output();
  }
}

}  // namespace
}  // namespace td::testing
