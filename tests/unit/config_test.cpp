// daemon/config: layering (defaults <- file <- TRADINGD__ env <- --set), and
// that every problem is reported at once with its dotted key and line/source.
#include "daemon/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace td::daemon {
namespace {

using Errors = std::vector<ConfigError>;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "td_config_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "tradingd.yaml") {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  tl::expected<Config, Errors> load(const std::string& text, std::vector<std::string> sets = {},
                                    std::map<std::string, std::string> env = {}) {
    path_ = write(text);
    return load_config(LoadOptions{path_, std::move(sets), std::move(env)});
  }
  Config ok(const std::string& text, std::vector<std::string> sets = {},
            std::map<std::string, std::string> env = {}) {
    auto r = load(text, std::move(sets), std::move(env));
    EXPECT_TRUE(r.has_value()) << (r ? "" : format_errors(r.error()));
    // What the loader accepts, the risk library accepts.
    if (r) {
      EXPECT_EQ(td::risk::validate(r->risk), std::vector<std::string>{});
    }
    return r ? *r : Config{};
  }
  Errors bad(const std::string& text, std::vector<std::string> sets = {},
             std::map<std::string, std::string> env = {}) {
    auto r = load(text, std::move(sets), std::move(env));
    EXPECT_FALSE(r.has_value()) << "expected errors, the configuration loaded";
    return r ? Errors{} : r.error();
  }

  std::filesystem::path dir_;
  std::string path_;
};

// An error with this key, line and a message containing `text`; the source
// is the file unless given.
::testing::AssertionResult has_error(const Errors& errors, const std::string& key, int line,
                                     const std::string& text, const std::string& source = "") {
  for (const auto& e : errors) {
    if (e.key == key && e.line == line && e.message.find(text) != std::string::npos &&
        (source.empty() || e.source == source))
      return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no error {" << (source.empty() ? "FILE" : source) << ":"
                                       << line << ": " << key << ": ..." << text << "...} among:\n"
                                       << format_errors(errors);
}

const std::string kHash(64, 'a');

// ------------------------------------------------------------ valid input

TEST_F(ConfigTest, FullConfigLoadsWithExactValues) {
  const Config c = ok(R"(mode: ib
data_dir: /var/lib/tradingd
api:
  listen: 0.0.0.0:9090
  tokens:
    - {name: ops, role: admin, sha256: ")" +
                      kHash + R"("}
    - {name: view-1, role: viewer, sha256: ")" +
                      std::string(64, 'B') + R"("}
  tls: {cert: /etc/td/cert.pem, key: /etc/td/key.pem}
database:
  dsn: "host=/run/postgresql dbname=td"
broker:
  ib: {host: gw.local, port: 4001, client_id: 7, account: DU123}
market:
  seed: 18446744073709551615
  speed: 2.5
  bar_interval: 5m
  quote_interval: 500ms
  ack_latency: 20ms
  start: 2026-01-05T14:30:00Z
  duration: 1d
instruments:
  - symbol: SPY
    tick: "0.01"
    sim: {price: 450.10, volatility: 0.18, drift: -0.02, spread_ticks: 2, display_size: "300"}
  - symbol: MES
    sec_type: FUT
    exchange: CME
    currency: USD
    tick: 0.25
    multiplier: 5
    commission: {per_unit: "0.85", min_per_order: 0, max_pct: 0}
    ib: {expiry: "202612", local_symbol: MESZ6, trading_class: MES}
  - {symbol: EUR.USD, sec_type: CASH, exchange: IDEALPRO, currency: USD, tick: "0.00005"}
portfolio:
  initial_cash: "250000.50"
  timezone: America/Chicago
  session_boundary: "17:00"
risk:
  max_order_qty: 500
  max_order_notional: "100000"
  price_collar_pct: 2.5
  max_orders_per_second: 10
  daily_loss_limit: "5000.25"
strategies:
  - {name: spy_trend, type: sma_cross, symbol: SPY, qty: "100", params: {fast: 10, slow: 30}}
  - name: pair
    type: macd
    symbols: [SPY, MES]
    notional: "20000"
    allow_short: true
    enabled: false
    params: {fast: 12, slow: 26, signal: 9}
log:
  level: debug
)");
  EXPECT_EQ(c.mode, "ib");
  EXPECT_EQ(c.data_dir, "/var/lib/tradingd");
  EXPECT_EQ(c.api.host, "0.0.0.0");
  EXPECT_EQ(c.api.port, 9090);
  ASSERT_EQ(c.api.tokens.size(), 2u);
  EXPECT_EQ(c.api.tokens[0].name, "ops");
  EXPECT_EQ(c.api.tokens[0].role, "admin");
  EXPECT_EQ(c.api.tokens[0].sha256, kHash);
  EXPECT_EQ(c.api.tokens[1].role, "viewer");
  EXPECT_EQ(c.api.tokens[1].sha256, std::string(64, 'b'));  // normalised to lower case
  EXPECT_EQ(c.api.tls_cert, "/etc/td/cert.pem");
  EXPECT_EQ(c.api.tls_key, "/etc/td/key.pem");
  EXPECT_EQ(c.database_dsn, "host=/run/postgresql dbname=td");
  EXPECT_EQ(c.ib.host, "gw.local");
  EXPECT_EQ(c.ib.port, 4001);
  EXPECT_EQ(c.ib.client_id, 7);
  EXPECT_EQ(c.ib.account, "DU123");
  EXPECT_EQ(c.market.seed, UINT64_MAX);
  EXPECT_EQ(c.market.speed, 2.5);
  EXPECT_EQ(c.market.bar_interval, std::chrono::minutes(5));
  EXPECT_EQ(c.market.quote_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(c.market.ack_latency, std::chrono::milliseconds(20));
  ASSERT_TRUE(c.market.start.has_value());
  EXPECT_EQ(format_rfc3339(*c.market.start), "2026-01-05T14:30:00.000Z");
  EXPECT_EQ(c.market.duration, std::chrono::hours(24));

  ASSERT_EQ(c.instruments.size(), 3u);
  const auto& spy = c.instruments[0];
  EXPECT_EQ(spy.instrument.symbol.str(), "SPY");
  EXPECT_EQ(spy.instrument.sec_type, SecType::kStock);
  EXPECT_EQ(spy.instrument.currency, "USD");
  EXPECT_EQ(spy.instrument.exchange, "SMART");
  EXPECT_EQ(spy.instrument.tick, Decimal::from_units(1'000'000));
  EXPECT_EQ(spy.instrument.commission.per_unit, Decimal::from_units(500'000));  // stock default
  EXPECT_EQ(spy.sim.price, Decimal::from_units(45'010'000'000));                // 450.10 exactly
  EXPECT_EQ(spy.sim.volatility, 0.18);
  EXPECT_EQ(spy.sim.drift, -0.02);
  EXPECT_EQ(spy.sim.spread_ticks, 2);
  EXPECT_EQ(spy.sim.display_size, Decimal::from_int(300));
  const auto& mes = c.instruments[1];
  EXPECT_EQ(mes.instrument.sec_type, SecType::kFuture);
  EXPECT_EQ(mes.instrument.exchange, "CME");
  EXPECT_EQ(mes.instrument.tick, Decimal::from_units(25'000'000));
  EXPECT_EQ(mes.instrument.multiplier, Decimal::from_int(5));
  EXPECT_EQ(mes.instrument.commission.per_unit, Decimal::from_units(85'000'000));
  EXPECT_TRUE(mes.instrument.commission.min_per_order.is_zero());
  EXPECT_TRUE(mes.instrument.commission.max_pct.is_zero());
  EXPECT_EQ(mes.sim.price, Decimal::from_int(100));  // default
  EXPECT_EQ(mes.ib.expiry, "202612");
  EXPECT_EQ(mes.ib.local_symbol, "MESZ6");
  EXPECT_EQ(mes.ib.trading_class, "MES");
  EXPECT_EQ(c.instruments[2].instrument.symbol.str(), "EUR.USD");
  EXPECT_EQ(c.instruments[2].instrument.sec_type, SecType::kCash);
  EXPECT_EQ(c.instruments[2].instrument.tick, Decimal::from_units(5'000));

  EXPECT_EQ(c.portfolio.initial_cash, Decimal::from_units(25'000'050'000'000));
  EXPECT_EQ(c.portfolio.timezone, "America/Chicago");
  EXPECT_EQ(c.portfolio.session_boundary, "17:00");
  EXPECT_EQ(c.risk.max_order_qty, Decimal::from_int(500));
  EXPECT_EQ(c.risk.max_order_notional, Decimal::from_int(100000));
  EXPECT_EQ(c.risk.price_collar_pct, Decimal::from_units(250'000'000));
  EXPECT_EQ(c.risk.max_orders_per_second, 10);
  EXPECT_EQ(c.risk.daily_loss_limit, Decimal::from_units(500'025'000'000));

  ASSERT_EQ(c.strategies.size(), 2u);
  const auto& s0 = c.strategies[0];
  EXPECT_EQ(s0.spec.name, "spy_trend");
  EXPECT_EQ(s0.spec.type, "sma_cross");
  ASSERT_EQ(s0.spec.symbols.size(), 1u);
  EXPECT_EQ(s0.spec.symbols[0].str(), "SPY");
  EXPECT_EQ(s0.spec.qty, Decimal::from_int(100));
  EXPECT_FALSE(s0.spec.notional.has_value());
  EXPECT_FALSE(s0.spec.allow_short);
  EXPECT_TRUE(s0.enabled);
  EXPECT_EQ(s0.spec.params, (std::map<std::string, std::string>{{"fast", "10"}, {"slow", "30"}}));
  const auto& s1 = c.strategies[1];
  ASSERT_EQ(s1.spec.symbols.size(), 2u);
  EXPECT_EQ(s1.spec.symbols[1].str(), "MES");
  EXPECT_EQ(s1.spec.qty, Decimal::from_int(1));  // default
  EXPECT_EQ(s1.spec.notional, Decimal::from_int(20000));
  EXPECT_TRUE(s1.spec.allow_short);
  EXPECT_FALSE(s1.enabled);
  EXPECT_EQ(s1.spec.params.at("signal"), "9");
  EXPECT_EQ(c.log.level, "debug");
}

TEST_F(ConfigTest, DefaultsWhenKeysAbsent) {
  const Config c = ok("instruments:\n  - symbol: SPY\n");
  const Config d;
  EXPECT_EQ(c.mode, "paper");
  EXPECT_EQ(c.data_dir, "var");
  EXPECT_EQ(c.api.host, "127.0.0.1");
  EXPECT_EQ(c.api.port, 8080);
  EXPECT_TRUE(c.api.tokens.empty());
  EXPECT_TRUE(c.api.tls_cert.empty());
  EXPECT_TRUE(c.database_dsn.empty());
  EXPECT_EQ(c.ib.host, "127.0.0.1");
  EXPECT_EQ(c.ib.port, 4002);
  EXPECT_EQ(c.ib.client_id, 1);
  EXPECT_EQ(c.market.seed, 42u);
  EXPECT_EQ(c.market.speed, 1.0);
  EXPECT_EQ(c.market.bar_interval, d.market.bar_interval);
  EXPECT_EQ(c.market.quote_interval, d.market.quote_interval);
  EXPECT_EQ(c.market.ack_latency, d.market.ack_latency);
  EXPECT_FALSE(c.market.start.has_value());
  EXPECT_EQ(c.market.duration.count(), 0);
  ASSERT_EQ(c.instruments.size(), 1u);
  const Instrument& i = c.instruments[0].instrument;
  const Instrument di;
  EXPECT_EQ(i.sec_type, SecType::kStock);
  EXPECT_EQ(i.currency, "USD");
  EXPECT_EQ(i.exchange, "SMART");
  EXPECT_EQ(i.tick, di.tick);
  EXPECT_EQ(i.multiplier, di.multiplier);
  EXPECT_EQ(i.commission.per_unit, di.commission.per_unit);
  EXPECT_EQ(i.commission.min_per_order, di.commission.min_per_order);
  EXPECT_EQ(i.commission.max_pct, di.commission.max_pct);
  EXPECT_EQ(c.instruments[0].sim.price, SimParams{}.price);
  EXPECT_EQ(c.instruments[0].sim.spread_ticks, 1);
  EXPECT_EQ(c.portfolio.initial_cash, d.portfolio.initial_cash);
  EXPECT_EQ(c.portfolio.timezone, "America/New_York");
  EXPECT_EQ(c.portfolio.session_boundary, "00:00");
  EXPECT_TRUE(c.risk.max_order_qty.is_zero());
  EXPECT_EQ(c.risk.max_orders_per_second, 0);
  EXPECT_TRUE(c.strategies.empty());
  EXPECT_EQ(c.log.level, "info");
}

TEST_F(ConfigTest, EmptyFileAndEmptySectionsAreDefaults) {
  EXPECT_EQ(ok("").mode, "paper");
  EXPECT_EQ(ok("# nothing but a comment\n").api.port, 8080);
  const Config c = ok("risk:\ninstruments:\nstrategies: []\napi: {tokens: }\n");
  EXPECT_TRUE(c.instruments.empty());
  EXPECT_TRUE(c.risk.daily_loss_limit.is_zero());
}

TEST_F(ConfigTest, FuturesCommissionDefaults) {
  const Config c = ok(R"(instruments:
  - {symbol: MES, sec_type: FUT}
  - {symbol: MNQ, sec_type: FUT, commission: {min_per_order: "1.5"}}
)");
  const auto& fut = c.instruments[0].instrument.commission;
  EXPECT_EQ(fut.per_unit, Decimal::from_units(62'000'000));
  EXPECT_TRUE(fut.min_per_order.is_zero());
  EXPECT_TRUE(fut.max_pct.is_zero());
  const auto& partial = c.instruments[1].instrument.commission;
  EXPECT_EQ(partial.per_unit, Decimal::from_units(62'000'000));
  EXPECT_EQ(partial.min_per_order, Decimal::from_units(150'000'000));
}

TEST_F(ConfigTest, NonLoopbackListenNeedsTlsOrAnExplicitSetting) {
  for (const char* host : {"0.0.0.0:8080", "[::]:8080", "10.1.2.3:8080", "example.com:443"}) {
    const std::string yaml = std::string("api: {listen: \"") + host + "\"}\n";
    auto errs = bad(yaml);
    ASSERT_EQ(errs.size(), 1u) << host;
    EXPECT_NE(errs[0].message.find("not loopback"), std::string::npos) << errs[0].message;
    ok(std::string("api: {listen: \"") + host + "\", allow_insecure_listen: true}\n");
    ok(std::string("api: {listen: \"") + host + "\", tls: {cert: c.pem, key: k.pem}}\n");
  }
  for (const char* host : {"127.0.0.1:8080", "127.0.0.2:1", "[::1]:8080", "localhost:0"})
    ok(std::string("api: {listen: \"") + host + "\"}\n");
}

TEST_F(ConfigTest, IbBrokerKeys) {
  const Config c =
      ok("mode: ib\nbroker:\n  ib:\n    host: gw.internal\n    port: 4001\n    client_id: 9\n"
         "    account: DU123\n    order_ref_prefix: desk1\n    connect_timeout: 5s\n"
         "    heartbeat_interval: 20s\n    heartbeat_timeout: 4s\n    market_data_type: delayed\n"
         "    restart: {at: \"23:30\", tz: Europe/Zurich, before: 1m, after: 15m}\n");
  EXPECT_EQ(c.ib.host, "gw.internal");
  EXPECT_EQ(c.ib.port, 4001);
  EXPECT_EQ(c.ib.client_id, 9);
  EXPECT_EQ(c.ib.account, "DU123");
  EXPECT_EQ(c.ib.order_ref_prefix, "desk1");
  EXPECT_EQ(c.ib.connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.ib.heartbeat_interval, std::chrono::seconds(20));
  EXPECT_EQ(c.ib.heartbeat_timeout, std::chrono::seconds(4));
  EXPECT_EQ(c.ib.market_data_type, "delayed");
  EXPECT_EQ(c.ib.restart.at, "23:30");
  EXPECT_EQ(c.ib.restart.tz, "Europe/Zurich");
  EXPECT_EQ(c.ib.restart.before, std::chrono::minutes(1));
  EXPECT_EQ(c.ib.restart.after, std::chrono::minutes(15));
  const Config d = ok("mode: ib\n");
  EXPECT_EQ(d.ib.port, 4002);
  EXPECT_EQ(d.ib.order_ref_prefix, "td");
  EXPECT_EQ(d.ib.restart.at, "23:45");
}

TEST_F(ConfigTest, BadIbBrokerKeysAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"broker: {ib: {market_data_type: realtime}}\n", "broker.ib.market_data_type"},
      {"broker: {ib: {restart: {at: \"25:00\"}}}\n", "broker.ib.restart"},
      {"broker: {ib: {restart: {tz: Mars/Base}}}\n", "broker.ib.restart"},
      {"broker: {ib: {restart: {before: 7h, after: 6h}}}\n", "broker.ib.restart"},
      {"broker: {ib: {order_ref_prefix: \"a-b\"}}\n", "broker.ib.order_ref_prefix"},
      {"broker: {ib: {heartbeat_timeout: 0s}}\n", "broker.ib.heartbeat_timeout"},
      {"broker: {ib: {port: 0}}\n", "broker.ib.port"},
      {"broker: {ib: {pacing: 50}}\n", "broker.ib.pacing"},
  };
  for (const auto& [yaml, key] : cases) {
    auto errs = bad(yaml);
    ASSERT_EQ(errs.size(), 1u) << yaml;
    EXPECT_EQ(errs[0].key, key) << yaml << " -> " << errs[0].message;
  }
}

TEST_F(ConfigTest, LivePortWithALimitOffOrLargeIsWarnedAbout) {
  const std::string base =
      "mode: ib\nrisk: {max_order_qty: 10, max_order_notional: 5000, daily_loss_limit: 500}\n";
  EXPECT_TRUE(config_warnings(ok(base + "broker: {ib: {port: 4001}}\n")).empty());
  EXPECT_TRUE(
      config_warnings(ok(base + "broker: {ib: {port: 4002}}\n", {"risk.daily_loss_limit=0"}))
          .empty());  // a paper port
  auto w = config_warnings(ok(base + "broker: {ib: {port: 7496}}\n",
                              {"risk.daily_loss_limit=0", "risk.max_order_notional=1000000"}));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("risk.max_order_notional is 1000000"), std::string::npos) << w[0];
  EXPECT_NE(w[1].find("risk.daily_loss_limit is off"), std::string::npos) << w[1];
  EXPECT_NE(w[1].find("LIVE"), std::string::npos);
  EXPECT_TRUE(config_warnings(ok("mode: paper\nbroker: {ib: {port: 4001}}\n")).empty());
}

TEST_F(ConfigTest, EngineCpu) {
  EXPECT_EQ(ok("mode: paper\n").engine.cpu, -1);  // not pinned by default
  EXPECT_EQ(ok("engine: {cpu: 1}\n").engine.cpu, 1);
  for (const char* yaml : {"engine: {cpu: -2}\n", "engine: {cpu: one}\n", "engine: {core: 1}\n"}) {
    auto errs = bad(yaml);
    ASSERT_EQ(errs.size(), 1u) << yaml;
    EXPECT_NE(errs[0].key.find("engine."), std::string::npos) << yaml << " " << errs[0].key;
  }
}

TEST_F(ConfigTest, ApiLimitsAndOrigins) {
  const Config c =
      ok("api:\n  metrics_public: true\n  requests_per_second: 5\n  request_burst: 10\n"
         "  max_body_bytes: 2048\n  max_connections: 8\n  threads: 2\n  read_timeout: 5s\n"
         "  idle_timeout: 1m\n  allowed_origins: [\"https://desk.example:8443\"]\n");
  EXPECT_TRUE(c.api.metrics_public);
  EXPECT_EQ(c.api.requests_per_second, 5);
  EXPECT_EQ(c.api.request_burst, 10);
  EXPECT_EQ(c.api.max_body_bytes, 2048);
  EXPECT_EQ(c.api.max_connections, 8);
  EXPECT_EQ(c.api.threads, 2);
  EXPECT_EQ(c.api.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.api.idle_timeout, std::chrono::minutes(1));
  ASSERT_EQ(c.api.allowed_origins.size(), 1u);
  for (const char* text :
       {"api: {max_body_bytes: 10}\n", "api: {requests_per_second: -1}\n",
        "api: {request_burst: 0}\n", "api: {threads: 0}\n", "api: {read_timeout: 0s}\n",
        "api: {allowed_origins: [\"desk.example\"]}\n",
        "api: {allowed_origins: [\"https://desk.example/\"]}\n", "api: {metrics_public: 3}\n"}) {
    auto errs = bad(text);
    ASSERT_EQ(errs.size(), 1u) << text;
    EXPECT_EQ(errs[0].key.rfind("api.", 0), 0u) << text << " " << errs[0].key;
  }
}

TEST_F(ConfigTest, ListenAddresses) {
  struct Case {
    const char* listen;
    const char* host;
    uint16_t port;
  };
  for (const Case& k : {Case{"127.0.0.1:8080", "127.0.0.1", 8080}, Case{"0.0.0.0:0", "0.0.0.0", 0},
                        Case{"[::1]:65535", "::1", 65535}, Case{"[::]:80", "::", 80},
                        Case{"localhost:8080", "localhost", 8080},
                        Case{"td-1.example.com:443", "td-1.example.com", 443}}) {
    const Config c =
        ok(std::string("api: {allow_insecure_listen: true, listen: \"") + k.listen + "\"}\n");
    EXPECT_EQ(c.api.host, k.host) << k.listen;
    EXPECT_EQ(c.api.port, k.port) << k.listen;
  }
  for (const auto& [listen, text] :
       std::vector<std::pair<std::string, std::string>>{{"127.0.0.1", "expected host:port"},
                                                        {"127.0.0.1:65536", "0..65535"},
                                                        {"127.0.0.1:-1", "0..65535"},
                                                        {"127.0.0.1:", "0..65535"},
                                                        {"::1:8080", "brackets"},
                                                        {"[::1:8080", "']'"},
                                                        {"[::1]8080", "[IPv6]:port"},
                                                        {"[zz::1]:80", "not an IPv6"},
                                                        {"300.1.1.1:80", "not an IPv4"},
                                                        {"bad_host!:80", "not a valid host name"},
                                                        {":8080", "missing host"}}) {
    const Errors e = bad("\napi:\n  listen: \"" + listen + "\"\n");
    EXPECT_TRUE(has_error(e, "api.listen", 3, text)) << listen;
  }
}

TEST_F(ConfigTest, DecimalsAreExact) {
  const Config c = ok(R"(risk:
  max_order_qty: "0.1"
  max_order_notional: 0.1
  price_collar_pct: 1e2
  daily_loss_limit: 0.12345678
)");
  EXPECT_EQ(c.risk.max_order_qty.units(), 10'000'000);  // exactly 0.1, not 0.1000000000000000055
  EXPECT_EQ(c.risk.max_order_notional.units(), 10'000'000);
  EXPECT_EQ(c.risk.price_collar_pct, Decimal::from_int(100));
  EXPECT_EQ(c.risk.daily_loss_limit.units(), 12'345'678);

  const Errors e = bad(R"(risk:
  max_order_qty: 1e-9
  max_order_notional: "0.123456789"
  daily_loss_limit: 1,000
  price_collar_pct: 99999999999999
)");
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 2, "more than 8 decimal places"));
  EXPECT_TRUE(has_error(e, "risk.max_order_notional", 3, "more than 8 decimal places"));
  EXPECT_TRUE(has_error(e, "risk.daily_loss_limit", 4, "expected a decimal number"));
  EXPECT_TRUE(has_error(e, "risk.price_collar_pct", 5, "out of range"));
}

TEST_F(ConfigTest, DurationsAndStart) {
  const Config c = ok(R"(market:
  bar_interval: 60
  quote_interval: 250ms
  ack_latency: 0
  duration: 2h
  start: ""
)");
  EXPECT_EQ(c.market.bar_interval, std::chrono::seconds(60));
  EXPECT_EQ(c.market.quote_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c.market.ack_latency.count(), 0);
  EXPECT_EQ(c.market.duration, std::chrono::hours(2));
  EXPECT_FALSE(c.market.start.has_value());
  const Config epoch = ok("market: {start: 1767623400}\n");  // Unix seconds
  EXPECT_EQ(format_rfc3339(*epoch.market.start), "2026-01-05T14:30:00.000Z");

  const Errors e = bad(R"(market:
  duration: 5 parsecs
  start: tomorrow
  ack_latency: 1.5s
)");
  EXPECT_TRUE(has_error(e, "market.duration", 2, "expected a duration"));
  EXPECT_TRUE(has_error(e, "market.start", 3, "RFC 3339"));
  EXPECT_TRUE(has_error(e, "market.ack_latency", 4, "expected a duration"));
}

TEST_F(ConfigTest, EnsembleMembersBecomeSpecs) {
  const Config c = ok(R"(instruments: [{symbol: QQQ}]
strategies:
  - name: vote
    type: ensemble
    symbol: QQQ
    params:
      min_votes: 2
      members:
        - {type: sma_cross, params: {fast: 5, slow: 20}}
        - type: macd
          params: {fast: 12, slow: 26, signal: 9}
)");
  ASSERT_EQ(c.strategies.size(), 1u);
  const auto& spec = c.strategies[0].spec;
  EXPECT_EQ(spec.params, (std::map<std::string, std::string>{{"min_votes", "2"}}));
  ASSERT_EQ(spec.members.size(), 2u);
  EXPECT_EQ(spec.members[0].type, "sma_cross");
  EXPECT_EQ(spec.members[0].params.at("fast"), "5");
  EXPECT_EQ(spec.members[0].params.at("slow"), "20");
  EXPECT_EQ(spec.members[1].type, "macd");
  EXPECT_EQ(spec.members[1].params.size(), 3u);
  EXPECT_TRUE(spec.members[1].members.empty());
}

// ------------------------------------------------------------ risk

using td::risk::BreakerAction;
using td::risk::ThrottleAction;

TEST_F(ConfigTest, EveryRiskKeyLoadsExactly) {
  const Config c = ok(R"(instruments: [{symbol: SPY}, {symbol: QQQ}, {symbol: MES, sec_type: FUT}]
risk:
  max_order_qty: "1000"
  max_order_notional: 1000000.5
  min_notional: "0.01"
  price_collar_pct: "2.5"
  reference_max_age: 45s
  max_position_qty: 2000
  max_position_notional: "250000"
  max_gross_exposure: "500000"
  max_net_exposure: "300000.12345678"
  max_working_orders: 50
  max_orders_per_second: 10
  max_orders_per_minute: 300
  throttle: queue
  duplicate_window: 500ms
  allowed_symbols: [SPY, MES]
  allow_short: false
  daily_loss_limit: "5000"
  daily_loss_action: reduce
  max_drawdown: "8000"
  max_drawdown_pct: 12.5
  max_drawdown_action: alert
  max_consecutive_losses: 4
  consecutive_losses_cooldown: 30m
  consecutive_losses_action: halt
  max_position_duration: 2h
  stale_data_after: 30s
  broker_disconnect_after: 1m
  broker_disconnect_action: reduce
)");
  const td::risk::RiskLimits& r = c.risk;
  EXPECT_EQ(r.max_order_qty, Decimal::from_int(1000));
  EXPECT_EQ(r.max_order_notional, Decimal::from_units(100'000'050'000'000));
  EXPECT_EQ(r.min_notional.units(), 1'000'000);
  EXPECT_EQ(r.price_collar_pct, Decimal::from_units(250'000'000));
  EXPECT_EQ(r.reference_max_age, std::chrono::seconds(45));
  EXPECT_EQ(r.max_position_qty, Decimal::from_int(2000));
  EXPECT_EQ(r.max_position_notional, Decimal::from_int(250000));
  EXPECT_EQ(r.max_gross_exposure, Decimal::from_int(500000));
  EXPECT_EQ(r.max_net_exposure.units(), 30'000'012'345'678);
  EXPECT_EQ(r.max_working_orders, 50);
  EXPECT_EQ(r.max_orders_per_second, 10);
  EXPECT_EQ(r.max_orders_per_minute, 300);
  EXPECT_EQ(r.throttle_action, ThrottleAction::kQueue);
  EXPECT_EQ(r.duplicate_window, std::chrono::milliseconds(500));
  EXPECT_EQ(r.allowed_symbols, (std::set<Symbol>{Symbol("SPY"), Symbol("MES")}));
  EXPECT_FALSE(r.allow_short);
  EXPECT_EQ(r.daily_loss_limit, Decimal::from_int(5000));
  EXPECT_EQ(r.daily_loss_action, BreakerAction::kReduce);
  EXPECT_EQ(r.max_drawdown, Decimal::from_int(8000));
  EXPECT_EQ(r.max_drawdown_pct, Decimal::from_units(1'250'000'000));
  EXPECT_EQ(r.max_drawdown_action, BreakerAction::kAlert);
  EXPECT_EQ(r.max_consecutive_losses, 4);
  EXPECT_EQ(r.consecutive_losses_cooldown, std::chrono::minutes(30));
  EXPECT_EQ(r.consecutive_losses_action, BreakerAction::kHalt);
  EXPECT_EQ(r.max_position_duration, std::chrono::hours(2));
  EXPECT_EQ(r.stale_data_after, std::chrono::seconds(30));
  EXPECT_EQ(r.broker_disconnect_after, std::chrono::minutes(1));
  EXPECT_EQ(r.broker_disconnect_action, BreakerAction::kReduce);
  EXPECT_TRUE(r.trading_hours.empty());  // no instrument has trading_hours
}

TEST_F(ConfigTest, RiskDefaults) {
  for (const char* text : {"mode: paper\n", "risk:\n", "risk: {}\n"}) {
    const td::risk::RiskLimits r = ok(text).risk;
    for (const Decimal* d :
         {&r.max_order_qty, &r.max_order_notional, &r.min_notional, &r.price_collar_pct,
          &r.max_position_qty, &r.max_position_notional, &r.max_gross_exposure, &r.max_net_exposure,
          &r.daily_loss_limit, &r.max_drawdown, &r.max_drawdown_pct})
      EXPECT_TRUE(d->is_zero()) << text;
    EXPECT_EQ(r.reference_max_age, std::chrono::seconds(30));
    EXPECT_EQ(r.max_working_orders, 0);
    EXPECT_EQ(r.max_orders_per_second, 0);
    EXPECT_EQ(r.max_orders_per_minute, 0);
    EXPECT_EQ(r.throttle_action, ThrottleAction::kRefuse);
    EXPECT_EQ(r.duplicate_window.count(), 0);
    EXPECT_TRUE(r.allowed_symbols.empty());
    EXPECT_TRUE(r.allow_short);
    EXPECT_EQ(r.daily_loss_action, BreakerAction::kHalt);
    EXPECT_EQ(r.max_drawdown_action, BreakerAction::kHalt);
    EXPECT_EQ(r.max_consecutive_losses, 0);
    EXPECT_EQ(r.consecutive_losses_cooldown, std::chrono::hours(1));
    EXPECT_EQ(r.consecutive_losses_action, BreakerAction::kReduce);
    EXPECT_EQ(r.max_position_duration.count(), 0);
    EXPECT_EQ(r.stale_data_after.count(), 0);
    EXPECT_EQ(r.broker_disconnect_after.count(), 0);
    EXPECT_EQ(r.broker_disconnect_action, BreakerAction::kHalt);
    EXPECT_TRUE(r.trading_hours.empty());
  }
  // Zero is off, and written zeros load (durations too).
  const td::risk::RiskLimits z =
      ok("risk: {reference_max_age: 0, consecutive_losses_cooldown: 0s, allowed_symbols: []}\n")
          .risk;
  EXPECT_EQ(z.reference_max_age.count(), 0);
  EXPECT_EQ(z.consecutive_losses_cooldown.count(), 0);
  EXPECT_TRUE(z.allowed_symbols.empty());
}

TEST_F(ConfigTest, RecoveryAdoptBrokerPositions) {
  EXPECT_FALSE(ok("").recovery_adopt_broker_positions);
  EXPECT_TRUE(ok("recovery: {adopt_broker_positions: true}\n").recovery_adopt_broker_positions);
  const Errors e = bad("recovery:\n  adopt_broker_positions: sometimes\n  adopt_all: true\n");
  EXPECT_TRUE(has_error(e, "recovery.adopt_broker_positions", 2, "expected true or false"));
  EXPECT_TRUE(has_error(e, "recovery.adopt_all", 3, "unknown key"));
}

TEST_F(ConfigTest, BacktestSection) {
  const Config d = ok("");
  EXPECT_EQ(d.backtest.slippage_bps, Decimal());
  EXPECT_EQ(d.backtest.bar_interval, std::chrono::minutes(1));
  EXPECT_EQ(d.backtest.periods_per_year, 0);
  const Config c =
      ok("backtest: {slippage_bps: \"2.5\", bar_interval: 1d, periods_per_year: 250}\n");
  EXPECT_EQ(c.backtest.slippage_bps, *Decimal::parse("2.5"));
  EXPECT_EQ(c.backtest.bar_interval, std::chrono::hours(24));
  EXPECT_EQ(c.backtest.periods_per_year, 250);
  const Errors e =
      bad("backtest:\n  slippage_bps: 10000\n  bar_interval: 0s\n  periods_per_year: -1\n"
          "  fill_model: close\n");
  EXPECT_TRUE(has_error(e, "backtest.slippage_bps", 2, "below 10000"));
  EXPECT_TRUE(has_error(e, "backtest.bar_interval", 3, "> 0"));
  EXPECT_TRUE(has_error(e, "backtest.periods_per_year", 4, "> 0"));
  EXPECT_TRUE(has_error(e, "backtest.fill_model", 5, "unknown key"));
}

TEST_F(ConfigTest, BadRiskValuesNameKeyAndLine) {
  const Errors e = bad(R"(instruments: [{symbol: SPY}]
risk:
  max_order_qty: -1
  min_notional: "-0.01"
  max_position_qty: lots
  max_position_notional: [1]
  max_gross_exposure: -5
  max_net_exposure: "1e-9"
  reference_max_age: -1s
  max_working_orders: 2.5
  max_orders_per_minute: -1
  throttle: drop
  duplicate_window: soon
  allowed_symbols: [SPY, IWM, SPY]
  allow_short: perhaps
  daily_loss_action: stop
  max_drawdown: {a: 1}
  max_drawdown_pct: 101
  max_drawdown_action: hlat
  max_consecutive_losses: three
  consecutive_losses_cooldown: 1.5h
  consecutive_losses_action: ""
  max_position_duration: -2h
  stale_data_after: "30 s"
  broker_disconnect_after: []
  broker_disconnect_action: [halt]
)");
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 3, "must be >= 0, got -1"));
  EXPECT_TRUE(has_error(e, "risk.min_notional", 4, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "risk.max_position_qty", 5, "expected a decimal number, got 'lots'"));
  EXPECT_TRUE(
      has_error(e, "risk.max_position_notional", 6, "expected a decimal number, got a list"));
  EXPECT_TRUE(has_error(e, "risk.max_gross_exposure", 7, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "risk.max_net_exposure", 8, "more than 8 decimal places"));
  EXPECT_TRUE(has_error(e, "risk.reference_max_age", 9, "must not be negative"));
  EXPECT_TRUE(has_error(e, "risk.max_working_orders", 10, "expected an integer, got '2.5'"));
  EXPECT_TRUE(has_error(e, "risk.max_orders_per_minute", 11, "between 0 and 100000, got -1"));
  EXPECT_TRUE(has_error(e, "risk.throttle", 12, "must be one of refuse|queue, got 'drop'"));
  EXPECT_TRUE(has_error(e, "risk.duplicate_window", 13, "expected a duration"));
  EXPECT_TRUE(
      has_error(e, "risk.allowed_symbols[1]", 14, "unknown symbol 'IWM': not in instruments"));
  EXPECT_TRUE(has_error(e, "risk.allowed_symbols[2]", 14, "duplicate symbol 'SPY'"));
  EXPECT_TRUE(has_error(e, "risk.allow_short", 15, "expected true or false"));
  EXPECT_TRUE(
      has_error(e, "risk.daily_loss_action", 16, "must be one of reduce|halt|alert, got 'stop'"));
  EXPECT_TRUE(has_error(e, "risk.max_drawdown", 17, "expected a decimal number, got a map"));
  EXPECT_TRUE(has_error(e, "risk.max_drawdown_pct", 18, "between 0 and 100"));
  EXPECT_TRUE(has_error(e, "risk.max_drawdown_action", 19, "(did you mean 'halt'?)"));
  EXPECT_TRUE(has_error(e, "risk.max_consecutive_losses", 20, "expected an integer"));
  EXPECT_TRUE(has_error(e, "risk.consecutive_losses_cooldown", 21, "expected a duration"));
  EXPECT_TRUE(
      has_error(e, "risk.consecutive_losses_action", 22, "must be one of reduce|halt|alert"));
  EXPECT_TRUE(has_error(e, "risk.max_position_duration", 23, "must not be negative"));
  EXPECT_TRUE(has_error(e, "risk.stale_data_after", 24, "expected a duration"));
  EXPECT_TRUE(has_error(e, "risk.broker_disconnect_after", 25, "expected a duration, got a list"));
  EXPECT_TRUE(has_error(e, "risk.broker_disconnect_action", 26, "expected a string, got a list"));
  EXPECT_EQ(e.size(), 25u) << format_errors(e);

  // Consistency: a minimum above the maximum lets nothing through.
  const Errors m = bad("risk:\n  max_order_notional: 100\n  min_notional: 200\n");
  EXPECT_TRUE(has_error(m, "risk.min_notional", 3, "above max_order_notional (100)"));
  EXPECT_EQ(m.size(), 1u) << format_errors(m);  // not again from td::risk::validate()
  EXPECT_EQ(ok("risk: {max_order_notional: 0, min_notional: 200}\n").risk.min_notional,
            Decimal::from_int(200));
  // Percentages, rate limits and the losing-streak cooldown have upper/lower bounds.
  const Errors r = bad(R"(risk:
  price_collar_pct: 100.5
  max_orders_per_second: 100001
  max_orders_per_minute: 100000
  max_consecutive_losses: 3
  consecutive_losses_cooldown: 0s
)");
  EXPECT_TRUE(has_error(r, "risk.price_collar_pct", 2, "between 0 and 100"));
  EXPECT_TRUE(has_error(r, "risk.max_orders_per_second", 3, "between 0 and 100000"));
  EXPECT_TRUE(has_error(r, "risk.consecutive_losses_cooldown", 6,
                        "> 0 when max_consecutive_losses is set"));
  EXPECT_EQ(r.size(), 3u) << format_errors(r);
  // An unknown key gets a suggestion among the risk keys.
  EXPECT_TRUE(has_error(bad("risk:\n  max_drawdown_prc: 5\n"), "risk.max_drawdown_prc", 2,
                        "(did you mean 'max_drawdown_pct'?)"));
  EXPECT_TRUE(has_error(bad("risk:\n  allowed_symbols: SPY\n"), "risk.allowed_symbols", 2,
                        "expected a list, got 'SPY'"));
}

TEST_F(ConfigTest, TradingHoursLoadIntoRiskLimitsBySymbol) {
  const Config c = ok(R"(instruments:
  - symbol: SPY
    trading_hours:
      timezone: America/New_York
      open: "09:30"
      close: "16:00"
      days: [mon, tue, wed, thu, fri]
      outside_rth: true
  - symbol: MES
    sec_type: FUT
    trading_hours: {timezone: America/Chicago, open: "08:30", close: "15:15", days: [Sun, wed, SAT]}
  - symbol: QQQ
    trading_hours: {}
  - symbol: EUR.USD
)");
  const auto& th = c.risk.trading_hours;
  ASSERT_EQ(th.size(), 3u);  // EUR.USD has none: it trades around the clock
  EXPECT_FALSE(th.count(Symbol("EUR.USD")));
  const td::risk::TradingHours& spy = th.at(Symbol("SPY"));
  EXPECT_EQ(spy.timezone, "America/New_York");
  EXPECT_EQ(spy.open, std::chrono::minutes(9 * 60 + 30));
  EXPECT_EQ(spy.close, std::chrono::minutes(16 * 60));
  EXPECT_EQ(spy.weekdays, (std::set<int>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(spy.outside_rth);
  const td::risk::TradingHours& mes = th.at(Symbol("MES"));
  EXPECT_EQ(mes.timezone, "America/Chicago");
  EXPECT_EQ(mes.open, std::chrono::minutes(8 * 60 + 30));
  EXPECT_EQ(mes.close, std::chrono::minutes(15 * 60 + 15));
  EXPECT_EQ(mes.weekdays, (std::set<int>{0, 3, 6}));  // 0 = Sunday .. 6 = Saturday
  EXPECT_FALSE(mes.outside_rth);
  // Empty: every default (US equities' regular hours).
  const td::risk::TradingHours& qqq = th.at(Symbol("QQQ"));
  const td::risk::TradingHours d;
  EXPECT_EQ(qqq.timezone, "America/New_York");
  EXPECT_EQ(qqq.open, d.open);
  EXPECT_EQ(qqq.close, d.close);
  EXPECT_EQ(qqq.weekdays, (std::set<int>{1, 2, 3, 4, 5}));
  EXPECT_FALSE(qqq.outside_rth);
  // A session may end at midnight.
  EXPECT_EQ(ok("instruments: [{symbol: SPY, trading_hours: {open: \"00:00\", close: \"24:00\"}}]\n")
                .risk.trading_hours.at(Symbol("SPY"))
                .close,
            std::chrono::hours(24));
  EXPECT_TRUE(has_error(bad("instruments: [{symbol: SPY, trading_hours: {open: \"24:00\"}}]\n"),
                        "instruments[0].trading_hours.open", 1, "(00:00..23:59), got '24:00'"));
  // The risk section, read before or after the instruments, keeps them.
  EXPECT_EQ(ok("risk: {max_order_qty: 5}\ninstruments: [{symbol: SPY, trading_hours: {}}]\n")
                .risk.trading_hours.size(),
            1u);
}

TEST_F(ConfigTest, BadTradingHoursNameKeyAndLine) {
  const Errors e = bad(R"(instruments:
  - symbol: SPY
    trading_hours:
      timezone: Mars/Olympus_Mons
      open: "16:00"
      close: "09:30"
      days: [mon, tues, fri, mon]
      outside_rth: sometimes
  - symbol: QQQ
    trading_hours: {open: "9:30", close: "24:01", days: []}
  - symbol: IWM
    trading_hours: {open: "17:00"}
  - symbol: DIA
    trading_hours: {open: "10:00", close: "10:00", days: mon, hours: 3}
  - symbol: MES
    trading_hours: always
)");
  EXPECT_TRUE(has_error(e, "instruments[0].trading_hours.timezone", 4,
                        "unknown time zone 'Mars/Olympus_Mons'"));
  EXPECT_TRUE(has_error(e, "instruments[0].trading_hours.close", 6,
                        "close (09:30) must be after open (16:00)"));
  EXPECT_TRUE(
      has_error(e, "instruments[0].trading_hours.days[1]", 7,
                "must be one of sun|mon|tue|wed|thu|fri|sat, got 'tues' (did you mean 'tue'?)"));
  EXPECT_TRUE(has_error(e, "instruments[0].trading_hours.days[3]", 7, "duplicate day 'mon'"));
  EXPECT_TRUE(
      has_error(e, "instruments[0].trading_hours.outside_rth", 8, "expected true or false"));
  EXPECT_TRUE(
      has_error(e, "instruments[1].trading_hours.open", 10, "HH:MM (00:00..23:59), got '9:30'"));
  EXPECT_TRUE(
      has_error(e, "instruments[1].trading_hours.close", 10, "HH:MM (00:00..24:00), got '24:01'"));
  EXPECT_TRUE(has_error(e, "instruments[1].trading_hours.days", 10, "at least one day"));
  // Only open written, after the default close: the error points at open.
  EXPECT_TRUE(has_error(e, "instruments[2].trading_hours.open", 12,
                        "close (16:00) must be after open (17:00)"));
  EXPECT_TRUE(has_error(e, "instruments[3].trading_hours.close", 14, "must be after open (10:00)"));
  EXPECT_TRUE(has_error(e, "instruments[3].trading_hours.days", 14, "expected a list, got 'mon'"));
  EXPECT_TRUE(has_error(e, "instruments[3].trading_hours.hours", 14, "unknown key 'hours'"));
  EXPECT_TRUE(has_error(e, "instruments[4].trading_hours", 16, "expected a map, got 'always'"));
  EXPECT_EQ(e.size(), 13u) << format_errors(e);
}

TEST_F(ConfigTest, RiskOverrides) {
  const std::string file =
      "instruments: [{symbol: SPY}, {symbol: QQQ}]\n"
      "risk:\n  daily_loss_limit: 100\n  throttle: refuse\n";
  const Config c =
      ok(file,
         {"risk.throttle=queue", "risk.allowed_symbols=[QQQ]", "risk.daily_loss_action=alert",
          "risk.stale_data_after=10s", "instruments[0].trading_hours={open: \"10:00\"}"},
         {{"TRADINGD__RISK__DAILY_LOSS_LIMIT", "250"},
          {"TRADINGD__RISK__MAX_DRAWDOWN_PCT", "\"7.5\""},
          {"TRADINGD__RISK__ALLOW_SHORT", "false"}});
  EXPECT_EQ(c.risk.throttle_action, ThrottleAction::kQueue);
  EXPECT_EQ(c.risk.daily_loss_limit, Decimal::from_int(250));
  EXPECT_EQ(c.risk.max_drawdown_pct, Decimal::from_units(750'000'000));
  EXPECT_FALSE(c.risk.allow_short);
  EXPECT_EQ(c.risk.allowed_symbols, (std::set<Symbol>{Symbol("QQQ")}));
  EXPECT_EQ(c.risk.daily_loss_action, BreakerAction::kAlert);
  EXPECT_EQ(c.risk.stale_data_after, std::chrono::seconds(10));
  ASSERT_EQ(c.risk.trading_hours.size(), 1u);
  EXPECT_EQ(c.risk.trading_hours.at(Symbol("SPY")).open, std::chrono::minutes(600));
  EXPECT_EQ(ok(file, {}, {{"TRADINGD__RISK__DAILY_LOSS_LIMIT", "250"}}).risk.daily_loss_limit,
            Decimal::from_int(250));

  const Errors e = bad(file, {"risk.throttle=later", "risk.allowed_symbols=[IWM]"},
                       {{"TRADINGD__RISK__DAILY_LOSS_LIMIT", "-250"},
                        {"TRADINGD__INSTRUMENTS__1__TRADING_HOURS__DAYS", "[funday]"}});
  EXPECT_TRUE(has_error(e, "risk.throttle", 0, "must be one of refuse|queue", "--set"));
  EXPECT_TRUE(has_error(e, "risk.allowed_symbols[0]", 0, "unknown symbol 'IWM'", "--set"));
  EXPECT_TRUE(
      has_error(e, "risk.daily_loss_limit", 0, "must be >= 0", "TRADINGD__RISK__DAILY_LOSS_LIMIT"));
  EXPECT_TRUE(has_error(e, "instruments[1].trading_hours.days[0]", 0, "got 'funday'",
                        "TRADINGD__INSTRUMENTS__1__TRADING_HOURS__DAYS"));
  EXPECT_EQ(e.size(), 4u) << format_errors(e);
}

// ------------------------------------------------------------ file errors

TEST_F(ConfigTest, MissingFile) {
  const std::string path = (dir_ / "nope.yaml").string();
  auto r = load_config(LoadOptions{path, {}, {}});
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_EQ(r.error()[0].source, path);
  EXPECT_EQ(r.error()[0].line, 0);
  EXPECT_NE(r.error()[0].message.find("cannot read"), std::string::npos);
  EXPECT_NE(r.error()[0].message.find("No such file"), std::string::npos);
}

TEST_F(ConfigTest, UnreadableFile) {
  auto r = load_config(LoadOptions{dir_.string(), {}, {}});  // a directory
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find("cannot read"), std::string::npos);
  if (geteuid() != 0) {  // root reads anything
    const std::string path = write("mode: paper\n", "locked.yaml");
    chmod(path.c_str(), 0);
    auto r2 = load_config(LoadOptions{path, {}, {}});
    ASSERT_FALSE(r2);
    EXPECT_NE(r2.error()[0].message.find("Permission denied"), std::string::npos);
  }
}

TEST_F(ConfigTest, YamlSyntaxErrorReportsItsLine) {
  const Errors e = bad("mode: paper\nrisk:\n  max_order_qty: [1, 2\n  daily_loss_limit: 3\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].source, path_);
  EXPECT_EQ(e[0].key, "");
  EXPECT_GE(e[0].line, 3);
  EXPECT_NE(e[0].message.find("YAML syntax error"), std::string::npos);

  const Errors e2 = bad("mode: paper\ndata_dir: var\n  api: 1\n");
  ASSERT_EQ(e2.size(), 1u);
  EXPECT_EQ(e2[0].line, 3);
}

TEST_F(ConfigTest, TopLevelMustBeAMap) {
  EXPECT_TRUE(has_error(bad("- mode\n- paper\n"), "", 1, "top level must be a map"));
  EXPECT_TRUE(has_error(bad("just words\n"), "", 1, "got 'just words'"));
  EXPECT_TRUE(has_error(bad("mode: paper\n---\nmode: ib\n"), "", 3, "more than one YAML document"));
}

// ------------------------------------------------------------ key errors

TEST_F(ConfigTest, UnknownKeysAtEveryLevelWithSuggestions) {
  const Errors e = bad(R"(mdoe: paper
risk:
  max_order_qyt: 5
api:
  tls: {crt: a}
broker:
  ib: {clientid: 3}
market:
  speeed: 2
instruments:
  - symbol: SPY
    sim: {prise: 10}
    commision: {}
strategies:
  - {name: s, type: sma_cross, symbol: SPY, parms: {fast: 1}}
log: {levle: info}
color: blue
)");
  EXPECT_TRUE(has_error(e, "mdoe", 1, "unknown key 'mdoe' (did you mean 'mode'?)"));
  EXPECT_TRUE(has_error(e, "risk.max_order_qyt", 3,
                        "unknown key 'max_order_qyt' (did you mean 'max_order_qty'?)"));
  EXPECT_TRUE(has_error(e, "api.tls.crt", 5, "(did you mean 'cert'?)"));
  EXPECT_TRUE(has_error(e, "broker.ib.clientid", 7, "(did you mean 'client_id'?)"));
  EXPECT_TRUE(has_error(e, "market.speeed", 9, "(did you mean 'speed'?)"));
  EXPECT_TRUE(has_error(e, "instruments[0].sim.prise", 12, "(did you mean 'price'?)"));
  EXPECT_TRUE(has_error(e, "instruments[0].commision", 13, "(did you mean 'commission'?)"));
  EXPECT_TRUE(has_error(e, "strategies[0].parms", 15, "(did you mean 'params'?)"));
  EXPECT_TRUE(has_error(e, "log.levle", 16, "(did you mean 'level'?)"));
  // Equally close to 'seed' and 'speed': the longer common prefix wins.
  EXPECT_TRUE(has_error(bad("market: {sped: 2}\n"), "market.sped", 1, "(did you mean 'speed'?)"));
  EXPECT_TRUE(has_error(e, "color", 17, "unknown key 'color'"));
  for (const auto& err : e)
    if (err.key == "color") {
      EXPECT_EQ(err.message.find("did you mean"), std::string::npos);
    }
  EXPECT_EQ(e.size(), 10u) << format_errors(e);
}

TEST_F(ConfigTest, DuplicateKey) {
  EXPECT_TRUE(has_error(bad("mode: paper\nmode: ib\n"), "mode", 2, "duplicate key 'mode'"));
}

TEST_F(ConfigTest, WrongTypes) {
  const Errors e = bad(R"(mode: [paper]
api: [1, 2]
market:
  seed: forty-two
  speed: fast
  bar_interval: {m: 1}
instruments: {symbol: SPY}
risk:
  max_order_qty: lots
  max_orders_per_second: 2.5
portfolio:
  timezone: {}
strategies:
  - name: s
    type: sma_cross
    symbol: SPY
    allow_short: maybe
    params: [1, 2]
  - just-a-string
data_dir: {a: b}
)");
  EXPECT_TRUE(has_error(e, "mode", 1, "expected a string, got a list"));
  EXPECT_TRUE(has_error(e, "api", 2, "expected a map, got a list"));
  EXPECT_TRUE(has_error(e, "market.seed", 4, "expected an integer"));
  EXPECT_TRUE(has_error(e, "market.speed", 5, "expected a number, got 'fast'"));
  EXPECT_TRUE(has_error(e, "market.bar_interval", 6, "expected a duration, got a map"));
  EXPECT_TRUE(has_error(e, "instruments", 7, "expected a list, got a map"));
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 9, "expected a decimal number, got 'lots'"));
  EXPECT_TRUE(has_error(e, "risk.max_orders_per_second", 10, "expected an integer, got '2.5'"));
  EXPECT_TRUE(has_error(e, "portfolio.timezone", 12, "expected a string, got a map"));
  EXPECT_TRUE(has_error(e, "strategies[0].allow_short", 17, "expected true or false"));
  EXPECT_TRUE(has_error(e, "strategies[0].params", 18, "expected a map, got a list"));
  EXPECT_TRUE(has_error(e, "strategies[1]", 19, "expected a map, got 'just-a-string'"));
  EXPECT_TRUE(has_error(e, "data_dir", 20, "expected a string, got a map"));
}

TEST_F(ConfigTest, OutOfRangeValues) {
  const Errors e = bad(R"(api: {listen: "127.0.0.1:70000"}
broker: {ib: {port: 0, client_id: -1}}
market:
  speed: -1
  bar_interval: 0s
  ack_latency: -5ms
  duration: -1h
instruments:
  - symbol: SPY
    tick: 0
    multiplier: "-1"
    commission: {per_unit: -0.01, max_pct: 101}
    sim: {price: 0, volatility: -0.1, spread_ticks: 0, display_size: 0}
portfolio: {initial_cash: 0}
risk:
  max_order_qty: -1
  max_order_notional: -1
  price_collar_pct: -1
  max_orders_per_second: -1
  daily_loss_limit: -0.01
)");
  EXPECT_TRUE(has_error(e, "api.listen", 1, "0..65535"));
  EXPECT_TRUE(has_error(e, "broker.ib.port", 2, "between 1 and 65535"));
  EXPECT_TRUE(has_error(e, "broker.ib.client_id", 2, "between 0 and"));
  EXPECT_TRUE(has_error(e, "market.speed", 4, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "market.bar_interval", 5, "must be > 0"));
  EXPECT_TRUE(has_error(e, "market.ack_latency", 6, "must not be negative"));
  EXPECT_TRUE(has_error(e, "market.duration", 7, "must not be negative"));
  EXPECT_TRUE(has_error(e, "instruments[0].tick", 10, "must be > 0"));
  EXPECT_TRUE(has_error(e, "instruments[0].multiplier", 11, "must be > 0"));
  EXPECT_TRUE(has_error(e, "instruments[0].commission.per_unit", 12, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "instruments[0].commission.max_pct", 12, "between 0 and 100"));
  EXPECT_TRUE(has_error(e, "instruments[0].sim.price", 13, "must be > 0"));
  EXPECT_TRUE(has_error(e, "instruments[0].sim.volatility", 13, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "instruments[0].sim.spread_ticks", 13, "between 1 and"));
  EXPECT_TRUE(has_error(e, "instruments[0].sim.display_size", 13, "must be > 0"));
  EXPECT_TRUE(has_error(e, "portfolio.initial_cash", 14, "must be > 0"));
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 16, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "risk.max_order_notional", 17, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "risk.price_collar_pct", 18, "must be >= 0"));
  EXPECT_TRUE(has_error(e, "risk.max_orders_per_second", 19, "between 0 and 100000"));
  EXPECT_TRUE(has_error(e, "risk.daily_loss_limit", 20, "must be >= 0"));
}

TEST_F(ConfigTest, BarIntervalMustBeAWholeMultipleOfQuoteInterval) {
  EXPECT_TRUE(has_error(bad("market:\n  quote_interval: 7s\n  bar_interval: 1m\n"),
                        "market.bar_interval", 3, "whole multiple of quote_interval"));
  // Only quote_interval written: the error points at it.
  EXPECT_TRUE(has_error(bad("market:\n  quote_interval: 7s\n"), "market.quote_interval", 2,
                        "whole multiple"));
  EXPECT_EQ(ok("market: {quote_interval: 250ms, bar_interval: 15s}\n").market.bar_interval,
            std::chrono::seconds(15));
}

TEST_F(ConfigTest, MissingRequiredFields) {
  const Errors e = bad(R"(instruments:
  - {sec_type: STK}
strategies:
  - {params: {}}
  - {name: x, symbol: SPY}
api:
  tokens:
    - {name: t}
)");
  EXPECT_TRUE(has_error(e, "instruments[0].symbol", 2, "missing required key 'symbol'"));
  EXPECT_TRUE(has_error(e, "strategies[0].name", 4, "missing required key 'name'"));
  EXPECT_TRUE(has_error(e, "strategies[0].type", 4, "missing required key 'type'"));
  EXPECT_TRUE(has_error(e, "strategies[0].symbol", 4, "'symbol' (or 'symbols')"));
  EXPECT_TRUE(has_error(e, "strategies[1].type", 5, "missing required key 'type'"));
  EXPECT_TRUE(has_error(e, "api.tokens[0].role", 8, "missing required key 'role'"));
  EXPECT_TRUE(has_error(e, "api.tokens[0].sha256", 8, "missing required key 'sha256'"));
}

TEST_F(ConfigTest, EnumsZonesAndBoundaries) {
  const Errors e = bad(R"(mode: live
log: {level: verbose}
portfolio:
  timezone: Mars/Olympus_Mons
  session_boundary: "25:00"
instruments:
  - {symbol: spy, sec_type: STOCK}
)");
  EXPECT_TRUE(has_error(e, "mode", 1, "must be one of paper|ib, got 'live'"));
  EXPECT_TRUE(has_error(e, "log.level", 2, "must be one of trace|debug|info|warn|error"));
  EXPECT_TRUE(has_error(e, "portfolio.timezone", 4, "unknown time zone 'Mars/Olympus_Mons'"));
  EXPECT_TRUE(has_error(e, "portfolio.session_boundary", 5, "HH:MM"));
  EXPECT_TRUE(has_error(e, "instruments[0].symbol", 7, "upper case"));
  EXPECT_TRUE(has_error(e, "instruments[0].sec_type", 7, "STK|FUT|OPT|CASH"));
  EXPECT_TRUE(has_error(bad("portfolio: {session_boundary: \"9:30\"}\n"),
                        "portfolio.session_boundary", 1, "HH:MM"));
  EXPECT_EQ(ok("portfolio: {timezone: UTC, session_boundary: \"23:59\"}\n").portfolio.timezone,
            "UTC");
}

TEST_F(ConfigTest, InconsistentInstrumentsAndStrategies) {
  const Errors e = bad(R"(instruments:
  - symbol: SPY
  - symbol: QQQ
  - symbol: SPY
strategies:
  - {name: a, type: sma_cross, symbol: SPY, params: {fast: 5, slow: 20}}
  - {name: b, type: sma_cross, symbol: IWM, params: {fast: 5, slow: 20}}
  - {name: a, type: sma_cross, symbols: [QQQ, DIA, QQQ], params: {fast: 5, slow: 20}}
  - {name: c, type: sma_cross, symbol: SPY, symbols: [QQQ], params: {fast: 5, slow: 20}}
  - {name: d, type: sma_cross, symbols: [], params: {fast: 5, slow: 20}}
)");
  EXPECT_TRUE(
      has_error(e, "instruments[2].symbol", 4, "duplicate symbol 'SPY' (also instruments[0])"));
  EXPECT_TRUE(has_error(e, "strategies[1].symbol", 7, "unknown symbol 'IWM': not in instruments"));
  EXPECT_TRUE(
      has_error(e, "strategies[2].name", 8, "duplicate strategy name 'a' (also strategies[0])"));
  EXPECT_TRUE(has_error(e, "strategies[2].symbols[1]", 8, "unknown symbol 'DIA'"));
  EXPECT_TRUE(has_error(e, "strategies[2].symbols[2]", 8, "duplicate symbol 'QQQ'"));
  EXPECT_TRUE(has_error(e, "strategies[3].symbols", 9, "either symbol or symbols, not both"));
  EXPECT_TRUE(has_error(e, "strategies[4].symbols", 10, "at least one symbol"));
  EXPECT_EQ(e.size(), 7u) << format_errors(e);
}

TEST_F(ConfigTest, ApiTokensAndTls) {
  const Errors e = bad(R"(api:
  tokens:
    - {name: ops, role: admin, sha256: "abc"}
    - {name: ops, role: root, sha256: ")" +
                       std::string(64, 'g') + R"("}
    - {name: "has space", role: viewer, sha256: ")" +
                       kHash + R"("}
    - {name: other, role: trader, sha256: ")" +
                       kHash + R"("}
  tls: {cert: /etc/cert.pem}
)");
  EXPECT_TRUE(has_error(e, "api.tokens[0].sha256", 3, "must be 64 hex characters"));
  EXPECT_TRUE(
      has_error(e, "api.tokens[1].name", 4, "duplicate token name 'ops' (also api.tokens[0])"));
  EXPECT_TRUE(
      has_error(e, "api.tokens[1].role", 4, "must be one of viewer|trader|admin, got 'root'"));
  EXPECT_TRUE(has_error(e, "api.tokens[1].sha256", 4, "not all hex"));
  EXPECT_TRUE(has_error(e, "api.tokens[2].name", 5, "[A-Za-z0-9_.-]"));
  EXPECT_TRUE(has_error(e, "api.tokens[3].sha256", 6, "same token hash as api.tokens[2]"));
  EXPECT_TRUE(has_error(e, "api.tls.key", 7, "TLS needs both"));
  EXPECT_TRUE(
      has_error(bad("api:\n  tls:\n    key: /k.pem\n"), "api.tls.cert", 2, "TLS needs both"));
  const Config c = ok("api: {tls: {cert: \"\", key: \"\"}}\n");
  EXPECT_TRUE(c.api.tls_cert.empty());
}

// ------------------------------------------------------------ strategies

TEST_F(ConfigTest, StrategyTypeAndParamsAreValidatedByTheFactory) {
  const Errors e = bad(R"(instruments: [{symbol: SPY}]
strategies:
  - name: a
    type: sma_crosss
    symbol: SPY
  - name: b
    type: sma_cross
    symbol: SPY
    params:
      fast: 10
      slow: 30
      fsat: 3
  - name: c
    type: sma_cross
    symbol: SPY
    params: {fast: 10, slow: 30, extra: {nested: 1}, empty: }
  - name: d
    type: sma_cross
    symbol: SPY
    qty: 0
    params: {members: [{type: macd}]}
)");
  EXPECT_TRUE(has_error(e, "strategies[0].type", 4,
                        "unknown strategy type 'sma_crosss' (did you mean 'sma_cross'?)"));
  // Delegated to make_strategy(): its path, mapped under strategies[i], at the parameter's line.
  EXPECT_TRUE(has_error(e, "strategies[1].params.fsat", 12, ""));
  EXPECT_TRUE(has_error(e, "strategies[2].params.extra", 16, "single values, got a map"));
  EXPECT_TRUE(has_error(e, "strategies[2].params.empty", 16, "no value"));
  EXPECT_TRUE(has_error(e, "strategies[3].qty", 20, "must be > 0"));
  EXPECT_TRUE(
      has_error(e, "strategies[3].params.members", 21, "only strategies of type 'ensemble'"));
  EXPECT_EQ(e.size(), 6u) << format_errors(e);
}

TEST_F(ConfigTest, EnsembleMemberErrorsNameTheMember) {
  const Errors e = bad(R"(instruments: [{symbol: QQQ}]
strategies:
  - name: vote
    type: ensemble
    symbol: QQQ
    params:
      min_votes: 2
      members:
        - {type: sma_cross, params: {fast: 5, slow: 20}}
        - type: macd
          params:
            fast: 12
            slowest: 26
  - name: broken
    type: ensemble
    symbol: QQQ
    params:
      members:
        - {params: {}, name: x}
        - {type: nope}
        - 5
      min_votes: 1
)");
  // The factory's path for a member's parameter, at that parameter's line.
  EXPECT_TRUE(has_error(e, "strategies[0].params.members[1].params.slowest", 13, ""));
  EXPECT_TRUE(
      has_error(e, "strategies[1].params.members[0].type", 19, "missing required key 'type'"));
  EXPECT_TRUE(has_error(e, "strategies[1].params.members[0].name", 19, "unknown key 'name'"));
  EXPECT_TRUE(
      has_error(e, "strategies[1].params.members[1].type", 20, "unknown strategy type 'nope'"));
  EXPECT_TRUE(has_error(e, "strategies[1].params.members[2]", 21, "expected a map, got '5'"));
}

// ------------------------------------------------------------ all at once

TEST_F(ConfigTest, ReportsEveryErrorAtOnceInLineOrder) {
  const Errors e = bad(R"(mode: simulated
api:
  listen: localhost
risk:
  max_order_qty: -5
market:
  speeed: 3
instruments:
  - {symbol: SPY, tick: abc}
)");
  ASSERT_EQ(e.size(), 5u) << format_errors(e);
  EXPECT_EQ(e[0].key, "mode");
  EXPECT_EQ(e[1].key, "api.listen");
  EXPECT_EQ(e[2].key, "risk.max_order_qty");
  EXPECT_EQ(e[3].key, "market.speeed");
  EXPECT_EQ(e[4].key, "instruments[0].tick");
  const std::vector<int> lines = {e[0].line, e[1].line, e[2].line, e[3].line, e[4].line};
  EXPECT_EQ(lines, (std::vector<int>{1, 3, 5, 7, 9}));
  const std::string text = format_errors(e);
  EXPECT_NE(text.find(path_ + ":1: mode: must be one of paper|ib, got 'simulated'\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(path_ + ":5: risk.max_order_qty: must be >= 0, got -5\n"), std::string::npos)
      << text;
}

TEST_F(ConfigTest, FormatErrors) {
  EXPECT_EQ(format_errors({{"c.yaml", 3, "risk.max_order_qty", "must be >= 0"},
                           {"--set", 0, "api.listen", "bad"},
                           {"TRADINGD__RISK__X", 0, "risk.x", "unknown key 'x'"},
                           {"c.yaml", 0, "", "cannot read the configuration file"}}),
            "c.yaml:3: risk.max_order_qty: must be >= 0\n"
            "--set: api.listen: bad\n"
            "TRADINGD__RISK__X: risk.x: unknown key 'x'\n"
            "c.yaml: cannot read the configuration file\n");
  EXPECT_EQ(format_errors({}), "");
}

// ------------------------------------------------------------ overrides

TEST_F(ConfigTest, OverridePrecedenceSetOverEnvOverFile) {
  const std::string file = "risk:\n  max_order_qty: 100\n  daily_loss_limit: 7\n";
  const std::map<std::string, std::string> env = {
      {"TRADINGD__RISK__MAX_ORDER_QTY", "200"}, {"PATH", "/usr/bin"}, {"TRADINGD_NOT_OURS", "x"}};
  EXPECT_EQ(ok(file).risk.max_order_qty, Decimal::from_int(100));
  EXPECT_EQ(ok(file, {}, env).risk.max_order_qty, Decimal::from_int(200));
  const Config c = ok(file, {"risk.max_order_qty=300"}, env);
  EXPECT_EQ(c.risk.max_order_qty, Decimal::from_int(300));
  EXPECT_EQ(c.risk.daily_loss_limit, Decimal::from_int(7));  // siblings untouched
  EXPECT_EQ(ok(file, {"risk.max_order_qty=300", "risk.max_order_qty=400"}, env).risk.max_order_qty,
            Decimal::from_int(400));  // later --set wins
}

TEST_F(ConfigTest, EnvironmentOverrides) {
  const Config c = ok("mode: paper\n", {},
                      {{"TRADINGD__DATABASE__DSN", "host=db port=5433 dbname=td"},
                       {"TRADINGD__BROKER__IB__CLIENT_ID", "9"},
                       {"TRADINGD__API__LISTEN", "127.0.0.1:0"},
                       {"TRADINGD__MODE", "ib"},
                       {"TRADINGD__MARKET__SPEED", "0"}});
  EXPECT_EQ(c.database_dsn, "host=db port=5433 dbname=td");
  EXPECT_EQ(c.ib.client_id, 9);
  EXPECT_EQ(c.api.port, 0);
  EXPECT_EQ(c.mode, "ib");
  EXPECT_EQ(c.market.speed, 0.0);
  // An empty value is YAML null: the empty string for a string key.
  EXPECT_EQ(ok("database: {dsn: x}\n", {}, {{"TRADINGD__DATABASE__DSN", ""}}).database_dsn, "");
}

TEST_F(ConfigTest, SetParsesYamlValues) {
  const Config c =
      ok("instruments: [{symbol: SPY}]\n"
         "strategies: [{name: s, type: sma_cross, symbol: SPY, qty: 1, params: {fast: 5, slow: "
         "20}}]\n",
         {"api.tokens=[{name: t, role: admin, sha256: \"" + kHash + "\"}]",
          "market.start=2026-01-05T14:30:00Z", "strategies.0.qty=25", "strategies[0].enabled=false",
          "instruments[0].sim={price: \"12.5\", volatility: 0}", "risk.price_collar_pct=0.1",
          "database.dsn=host=x dbname=y"});
  ASSERT_EQ(c.api.tokens.size(), 1u);
  EXPECT_EQ(c.api.tokens[0].name, "t");
  EXPECT_EQ(c.api.tokens[0].role, "admin");
  EXPECT_EQ(c.api.tokens[0].sha256, kHash);
  EXPECT_EQ(format_rfc3339(*c.market.start), "2026-01-05T14:30:00.000Z");
  EXPECT_EQ(c.strategies[0].spec.qty, Decimal::from_int(25));
  EXPECT_FALSE(c.strategies[0].enabled);
  EXPECT_EQ(c.instruments[0].sim.price, Decimal::from_units(1'250'000'000));
  EXPECT_EQ(c.instruments[0].sim.volatility, 0.0);
  EXPECT_EQ(c.risk.price_collar_pct.units(), 10'000'000);
  EXPECT_EQ(c.database_dsn, "host=x dbname=y");  // split at the first '='
}

TEST_F(ConfigTest, OverrideErrorsNameTheirSource) {
  const Errors e = bad("risk:\n  max_order_qty: 1\n", {"risk.max_order_qyt=5", "market.speed=-2"},
                       {{"TRADINGD__RISK__FOO", "1"}, {"TRADINGD__API__LISTEN", "nowhere"}});
  EXPECT_TRUE(has_error(e, "risk.max_order_qyt", 0, "(did you mean 'max_order_qty'?)", "--set"));
  EXPECT_TRUE(has_error(e, "market.speed", 0, "must be >= 0", "--set"));
  EXPECT_TRUE(has_error(e, "risk.foo", 0, "unknown key 'foo'", "TRADINGD__RISK__FOO"));
  EXPECT_TRUE(has_error(e, "api.listen", 0, "expected host:port", "TRADINGD__API__LISTEN"));
  EXPECT_EQ(e.size(), 4u) << format_errors(e);
  const std::string text = format_errors(e);
  EXPECT_NE(text.find("--set: market.speed: must be >= 0, got -2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("TRADINGD__RISK__FOO: risk.foo: unknown key 'foo'"), std::string::npos)
      << text;
}

TEST_F(ConfigTest, OverrideOfAWholeSectionOwnsItsChildren) {
  // --set replaces risk: errors inside it are the --set's, not the file's.
  Errors e = bad("risk:\n  max_order_qty: 1\n", {"risk={max_order_qty: -1, daly_loss_limit: 1}"});
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 0, "must be >= 0", "--set"));
  EXPECT_TRUE(has_error(e, "risk.daly_loss_limit", 0, "did you mean", "--set"));
  // A later --set of the section supersedes an earlier env var inside it.
  e = bad("", {"risk={max_order_qty: x}"}, {{"TRADINGD__RISK__MAX_ORDER_QTY", "5"}});
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 0, "expected a decimal", "--set"));
  // A file key next to an overridden one keeps its line.
  e = bad("risk:\n  max_order_qty: -1\n", {"risk.daily_loss_limit=2"});
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 2, "must be >= 0"));
  // A section the file lacks, created by an env var: the var is named.
  e = bad("mode: paper\n", {}, {{"TRADINGD__PORTFOLIO__TIMEZONE", "Nowhere/City"}});
  EXPECT_TRUE(
      has_error(e, "portfolio.timezone", 0, "unknown time zone", "TRADINGD__PORTFOLIO__TIMEZONE"));
  e = bad("mode: paper\n", {"nosuch.key=1"});
  EXPECT_TRUE(has_error(e, "nosuch", 0, "unknown key 'nosuch'", "--set"));
}

TEST_F(ConfigTest, MalformedOverrides) {
  const Errors e = bad("mode: paper\nstrategies: []\n",
                       {"risk.max_order_qty", "=5", "a..b=1", "mode.sub=1", "strategies.3.qty=1",
                        "risk.max_order_qty=[1, 2", "strategies.x=1"},
                       {{"TRADINGD__RISK____X", "1"}});
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 0, "expected dotted.key=value", "--set"));
  EXPECT_TRUE(has_error(e, "", 0, "bad key", "--set"));
  EXPECT_TRUE(has_error(e, "a..b", 0, "bad key", "--set"));
  EXPECT_TRUE(has_error(e, "mode.sub", 0, "'mode' is 'paper', not a map", "--set"));
  EXPECT_TRUE(has_error(e, "strategies[3].qty", 0, "'strategies' has 0 entries", "--set"));
  EXPECT_TRUE(has_error(e, "risk.max_order_qty", 0, "not valid YAML", "--set"));
  EXPECT_TRUE(has_error(e, "strategies.x", 0, "is a list", "--set"));
  EXPECT_TRUE(has_error(e, "risk..x", 0, "empty key part", "TRADINGD__RISK____X"));
  EXPECT_EQ(e.size(), 8u) << format_errors(e);
}

TEST_F(ConfigTest, NoFileMeansDefaultsAndOverrides) {
  auto r = load_config(LoadOptions{"", {"market.seed=7"}, {}});
  ASSERT_TRUE(r) << format_errors(r.error());
  EXPECT_EQ(r->market.seed, 7u);
}

TEST(ConfigEnvironment, ReadsOnlyTradingdVariables) {
  ASSERT_EQ(setenv("TRADINGD__CONFIG_TEST__KEY", "a=b", 1), 0);
  ASSERT_EQ(setenv("TRADINGD_CONFIG_TEST_SINGLE", "x", 1), 0);
  const auto env = tradingd_environment();
  unsetenv("TRADINGD__CONFIG_TEST__KEY");
  unsetenv("TRADINGD_CONFIG_TEST_SINGLE");
  ASSERT_TRUE(env.count("TRADINGD__CONFIG_TEST__KEY"));
  EXPECT_EQ(env.at("TRADINGD__CONFIG_TEST__KEY"), "a=b");
  EXPECT_FALSE(env.count("TRADINGD_CONFIG_TEST_SINGLE"));
  EXPECT_FALSE(env.count("PATH"));
}

}  // namespace
}  // namespace td::daemon

namespace td::daemon {
namespace {

// instruments[].ib: how IB names a contract; futures and options need it in mode ib.
TEST(ConfigIbContract, FuturesAndOptionsNeedTheirContractInModeIb) {
  const std::string fut =
      "instruments:\n  - {symbol: MES, sec_type: FUT, exchange: CME, tick: \"0.25\"}\n";
  LoadOptions paper;
  paper.sets = {};
  auto tmp = std::filesystem::temp_directory_path() / "td-config-ib-contract.yaml";
  std::ofstream(tmp) << fut;
  paper.path = tmp.string();
  EXPECT_TRUE(load_config(paper)) << "paper mode needs no IB contract";
  LoadOptions ib = paper;
  ib.sets = {"mode=ib"};
  auto r = load_config(ib);
  ASSERT_FALSE(r);
  EXPECT_NE(format_errors(r.error()).find("ib.expiry"), std::string::npos)
      << format_errors(r.error());
  ib.sets = {"mode=ib", "instruments[0].ib={expiry: \"202612\"}"};
  auto ok = load_config(ib);
  ASSERT_TRUE(ok) << format_errors(ok.error());
  EXPECT_EQ(ok->instruments[0].ib.expiry, "202612");
  for (const char* bad : {"instruments[0].ib={expiry: \"2026-12\"}", "instruments[0].ib={right: X}",
                          "instruments[0].ib={con_id: -3}", "instruments[0].ib={strike: \"-1\"}",
                          "instruments[0].ib={expiry: \"202612\", colour: red}"}) {
    ib.sets = {"mode=ib", bad};
    EXPECT_FALSE(load_config(ib)) << bad;
  }
  std::filesystem::remove(tmp);
}

}  // namespace
}  // namespace td::daemon
