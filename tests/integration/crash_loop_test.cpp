// The crash loop of issue 6: tradingd in mode ib against tradingd-ibsim (a
// separate process, so the broker outlives every crash) and a real
// PostgreSQL (td::test::PgTestCluster, also outliving every crash), trading
// from the API and from strategies, is killed with SIGKILL at random points
// of sustained order flow, and sometimes during start-up and reconciliation.
// After each kill and after each restart the store and the broker must
// agree: every acknowledged order is stored exactly once, every fill is
// stored once, local positions equal the broker's, no order reached the
// broker twice, none reached it without its committed row (architecture.md,
// invariants 1 and 2). docs/persistence.md, "Crash loop".
//
// TD_CRASH_LOOP_ITERATIONS (default 50) sets the number of kills,
// TD_CRASH_LOOP_SEED the seed (printed) to replay a run's choices.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "core/decimal.h"
#include "persistence/pg_conn.h"
#include "tests/integration/ibsim_process.h"
#include "tests/integration/process.h"
#include "tests/support/pg_test_cluster.h"

namespace td::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kClientId = 7;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::atoi(v);
}

std::string token_in(const std::string& output) {
  std::smatch m;
  static const std::regex re("td_[A-Za-z0-9_-]{43}");
  return std::regex_search(output, m, re) ? m.str() : "";
}

std::string tail(const std::string& s, size_t n = 12000) {
  return s.size() <= n ? s : "...\n" + s.substr(s.size() - n);
}

// A decimal of the store or the simulator (one that does not parse becomes
// -999999, which then differs from its counterpart and is reported).
Decimal dec(std::string_view s) {
  auto d = Decimal::parse(s);
  return d ? *d : Decimal::from_int(-999999);
}

// mode ib against the simulator; strategies trade on its 5 s bars (one
// every 250 ms of real time at --speed 20); no rate limit on the API.
std::string crash_config(int gateway_port) {
  return "mode: ib\n"
         "api: {listen: \"127.0.0.1:0\", requests_per_second: 0}\n"
         "broker:\n  ib: {host: 127.0.0.1, port: " +
         std::to_string(gateway_port) + ", client_id: " + std::to_string(kClientId) +
         ", connect_timeout: 5s}\n"
         "market: {bar_interval: 5s}\n"
         "instruments:\n"
         "  - {symbol: SPY, sec_type: STK, exchange: SMART, currency: USD, tick: \"0.01\"}\n"
         "  - {symbol: QQQ, sec_type: STK, exchange: SMART, currency: USD, tick: \"0.01\"}\n"
         "risk: {max_order_qty: 1000, max_order_notional: \"100000000\"}\n"
         "strategies:\n"
         "  - {name: spy_fast, type: sma_cross, symbol: SPY, qty: \"10\", allow_short: true,\n"
         "     params: {fast: 1, slow: 2}}\n"
         "  - {name: qqq_fast, type: sma_cross, symbol: QQQ, qty: \"5\", allow_short: true,\n"
         "     params: {fast: 1, slow: 3}}\n";
}

// A keep-alive HTTP/1.1 client on 127.0.0.1 (a connection per request
// would fill the loopback's port space with TIME_WAIT at this rate).
class HttpClient {
 public:
  HttpClient(int port, std::string token) : port_(port), token_(std::move(token)) {}
  ~HttpClient() { close_fd(); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  struct Response {
    int status = 0;  // 0: no answer (refused, reset, closed before the whole response)
    std::string body;
  };
  Response request(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    if (fd_ < 0 && !connect_fd()) return {};
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!token_.empty()) req += "Authorization: Bearer " + token_ + "\r\n";
    if (!body.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < req.size()) {
      const ssize_t n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return fail();
      sent += static_cast<size_t>(n);
    }
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!read_more()) return fail();
    const std::string head = buf_.substr(0, head_end);
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return fail();
    Response r;
    r.status = std::atoi(head.c_str() + 9);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const size_t cl = lower.find("\r\ncontent-length:");
    if (cl == std::string::npos) return fail();
    const size_t len = static_cast<size_t>(std::atoll(head.c_str() + cl + 17));
    while (buf_.size() < head_end + 4 + len)
      if (!read_more()) return fail();
    r.body = buf_.substr(head_end + 4, len);
    buf_.erase(0, head_end + 4 + len);
    if (lower.find("\r\nconnection: close") != std::string::npos) close_fd();
    return r;
  }

 private:
  bool connect_fd() {
    fd_ = connect_loopback(port_);
    if (fd_ < 0) return false;
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return true;
  }
  bool read_more() {
    char b[16384];
    const ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) return false;
    buf_.append(b, static_cast<size_t>(n));
    return true;
  }
  Response fail() {
    close_fd();
    return {};
  }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  int port_;
  std::string token_;
  int fd_ = -1;
  std::string buf_;
};

struct OrderSpec {
  std::string cid;
  std::string body;
  bool resting = false;  // a limit far from the market: works until cancelled
};

// What one client run saw.
struct ClientLog {
  std::vector<std::pair<OrderSpec, int64_t>> acked;  // 201/200: the order and its id
  std::vector<OrderSpec> lost;                       // no answer: in flight at the kill
  std::vector<std::string> violations;               // seen live (a retry's other id)
  std::map<int, int> statuses;                       // status -> count
  std::map<int, std::string> samples;                // status -> an answer's body
  size_t requests = 0;
};

int64_t id_in(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("id")) return 0;
  const auto& v = j["id"];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return std::atoll(v.get<std::string>().c_str());
  return 0;
}

// Set once by the test thread; the client thread checks it between requests.
class StopFlag {
 public:
  void set() {
    {
      std::lock_guard lk(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool stopped() {
    std::lock_guard lk(mu_);
    return stopped_;
  }
  // true once set (at most `d` from now).
  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, d, [&] { return stopped_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

// Orders as fast as one client thread can send them: market and limit buys
// and sells of small quantities, each with its own client_order_id; retries
// of acknowledged orders (must answer 200 with the same id) and cancels of
// resting ones. Runs until `stop`.
class OrderClient {
 public:
  OrderClient(int port, std::string token, uint64_t seed, int iteration,
              std::vector<std::pair<OrderSpec, int64_t>> acked_before)
      : http_(port, std::move(token)),
        rng_(seed),
        iteration_(iteration),
        known_(std::move(acked_before)) {}

  // Back to back, or one step per `gap` (a rate limit, not a wait for anything).
  void run(StopFlag& stop, std::chrono::milliseconds gap) {
    while (!stop.stopped()) {
      step();
      if (gap.count() > 0 && stop.wait_for(gap)) return;
    }
  }
  ClientLog& log() { return log_; }
  size_t acknowledged() const { return acknowledged_.load(); }

  // One POST of an order (also used to retry lost ones after a restart).
  HttpClient::Response post(const OrderSpec& o) {
    ++log_.requests;
    auto r = http_.request("POST", "/api/v1/orders", o.body);
    ++log_.statuses[r.status];
    log_.samples.emplace(r.status, r.body);
    return r;
  }

 private:
  void step() {
    const int pick = static_cast<int>(rng_() % 100);
    if (pick < 8 && !known_.empty()) {
      // The same client_order_id and body again: the same order (200).
      const auto& [o, id] = known_[rng_() % known_.size()];
      auto r = post(o);
      if (r.status == 201 || r.status == 200) {
        const int64_t got = id_in(r.body);
        if (r.status != 200 || got != id)
          log_.violations.push_back("retry of " + o.cid + " (order " + std::to_string(id) +
                                    ") answered " + std::to_string(r.status) + " with order " +
                                    std::to_string(got));
      }
      return;
    }
    if (pick < 12 && !resting_.empty()) {
      const int64_t id = resting_[rng_() % resting_.size()];
      ++log_.requests;
      auto r = http_.request("DELETE", "/api/v1/orders/" + std::to_string(id));
      ++log_.statuses[r.status];
      return;
    }
    OrderSpec o;
    o.cid = "c" + std::to_string(iteration_) + "-" + std::to_string(++n_);
    const char* symbol = rng_() % 2 ? "SPY" : "QQQ";
    const bool buy = rng_() % 2;
    const int qty = 1 + static_cast<int>(rng_() % 5);
    std::string type = R"("type":"market")";
    const int kind = static_cast<int>(rng_() % 100);
    if (kind < 20) {  // marketable limit
      type = std::string(R"("type":"limit","limit_price":")") + (buy ? "100000" : "1") + "\"";
    } else if (kind < 28) {  // rests until cancelled
      type = std::string(R"("type":"limit","limit_price":")") + (buy ? "1" : "100000") + "\"";
      o.resting = true;
    } else if (kind < 35) {  // not marketable, IOC: cancelled at once by the broker
      type = std::string(R"("type":"limit","tif":"ioc","limit_price":")") + (buy ? "1" : "100000") +
             "\"";
    }
    o.body = std::string(R"({"client_order_id":")") + o.cid + R"(","symbol":")" + symbol +
             R"(","side":")" + (buy ? "buy" : "sell") + R"(","qty":")" + std::to_string(qty) +
             "\"," + type + "}";
    auto r = post(o);
    if (r.status == 201 || r.status == 200) {
      const int64_t id = id_in(r.body);
      log_.acked.emplace_back(o, id);
      ++acknowledged_;
      known_.emplace_back(o, id);
      if (o.resting) resting_.push_back(id);
    } else if (r.status == 0) {
      log_.lost.push_back(o);
    }
  }

  HttpClient http_;
  std::mt19937_64 rng_;
  int iteration_;
  std::vector<std::pair<OrderSpec, int64_t>> known_;
  std::vector<int64_t> resting_;
  ClientLog log_;
  std::atomic<size_t> acknowledged_{0};
  uint64_t n_ = 0;
};

// The gateway's side: our client id's orders by order id N (orderRef td-N).
struct BrokerView {
  std::map<int64_t, json> orders;
  std::vector<std::string> problems;  // a ref twice, a ref that is not ours
  std::map<std::string, Decimal> positions;
  int64_t executions = 0;
  int64_t error103 = 0;
};

BrokerView broker_view(IbSimProcess& sim) {
  BrokerView v;
  const json all = sim.orders();
  for (const auto& o : all) {
    if (o.value("client_id", -1) != kClientId) continue;
    const std::string ref = o.value("order_ref", "");
    int64_t n = 0;
    if (ref.rfind("td-", 0) == 0) n = std::atoll(ref.c_str() + 3);
    if (n <= 0) {
      v.problems.push_back("order at the broker with orderRef '" + ref + "': " + o.dump());
      continue;
    }
    if (!v.orders.emplace(n, o).second)
      v.problems.push_back("order " + ref + " reached the broker twice: " + v.orders[n].dump() +
                           " and " + o.dump());
  }
  const json st = sim.stats();
  if (st.is_object()) {
    for (const auto& [sym, q] : st["positions"].items()) {
      const Decimal d = dec(q.get<std::string>());
      if (!d.is_zero()) v.positions[sym] = d;
    }
    v.executions = st.value("executions", int64_t{0});
    v.error103 = st.value("error103_sent", int64_t{0});
  } else {
    v.problems.push_back("ibsim stats unavailable");
  }
  return v;
}

// A second connection to the cluster, as an auditor reads the store.
class Db {
 public:
  explicit Db(const std::string& dsn) {
    auto c = persistence::PgConn::connect(dsn);
    if (!c) throw std::runtime_error("connect: " + c.error().message);
    conn_.emplace(std::move(*c));
  }
  persistence::PgResult query(const std::string& sql, const persistence::PgParams& p = {}) {
    auto r = conn_->query(sql, p);
    if (!r) throw std::runtime_error(sql + ": " + r.error().message);
    return std::move(*r);
  }

 private:
  std::optional<persistence::PgConn> conn_;
};

template <class Range, class F>
std::string pg_array(const Range& items, F&& text) {
  std::string out = "{";
  for (const auto& i : items) {
    if (out.size() > 1) out += ',';
    out += '"' + text(i) + '"';
  }
  return out + "}";
}

using Problems = std::vector<std::string>;

// Every acknowledged order is stored, once, under the id it was answered with.
void check_acked(Db& db, const std::vector<std::pair<OrderSpec, int64_t>>& acked, Problems& out) {
  if (acked.empty()) return;
  auto r =
      db.query("SELECT client_order_id, id FROM orders WHERE client_order_id = ANY($1::text[])",
               {pg_array(acked, [](const auto& a) { return a.first.cid; })});
  std::map<std::string, int64_t> stored;
  for (int i = 0; i < r.rows(); ++i)
    stored[std::string(r.get(i, 0))] = std::atoll(std::string(r.get(i, 1)).c_str());
  for (const auto& [o, id] : acked) {
    auto it = stored.find(o.cid);
    if (it == stored.end())
      out.push_back("acknowledged order " + o.cid + " (id " + std::to_string(id) +
                    ") is not in the store");
    else if (it->second != id)
      out.push_back("acknowledged order " + o.cid + " was answered as id " + std::to_string(id) +
                    " but is stored as id " + std::to_string(it->second));
  }
}

// Invariant 1: whatever reached the broker has its committed row.
void check_broker_orders_stored(Db& db, const BrokerView& b, Problems& out) {
  out.insert(out.end(), b.problems.begin(), b.problems.end());
  if (b.error103 != 0) out.push_back("the gateway sent error 103 (duplicate order id)");
  if (b.orders.empty()) return;
  auto r = db.query("SELECT id FROM orders WHERE id = ANY($1::bigint[])",
                    {pg_array(b.orders, [](const auto& o) { return std::to_string(o.first); })});
  std::set<int64_t> stored;
  for (int i = 0; i < r.rows(); ++i) stored.insert(std::atoll(std::string(r.get(i, 0)).c_str()));
  for (const auto& [n, o] : b.orders)
    if (!stored.count(n))
      out.push_back("order td-" + std::to_string(n) +
                    " reached the broker without a row: " + o.dump());
}

// Whether a stored status agrees with the gateway's ("": it never got the order).
bool agrees(const std::string& ours, const std::string& theirs) {
  if (theirs.empty()) return ours == "queued";  // held while routing is paused
  if (theirs == "Filled") return ours == "filled";
  if (theirs == "Cancelled") return ours == "cancelled" || ours == "rejected" || ours == "expired";
  if (theirs == "PreSubmitted" || theirs == "Submitted")
    return ours == "submitted" || ours == "partially_filled";
  return false;
}

// Fills once each, positions as the broker's, after a restart has reconciled.
void check_reconciled(Db& db, const BrokerView& b, HttpClient& api, Problems& out) {
  // Every order the broker knows: filled as there.
  std::map<int64_t, Decimal> filled;
  {
    auto r = db.query(
        "SELECT id, filled_qty FROM orders WHERE filled_qty <> 0 OR id = ANY($1::bigint[])",
        {pg_array(b.orders, [](const auto& o) { return std::to_string(o.first); })});
    for (int i = 0; i < r.rows(); ++i)
      filled[std::atoll(std::string(r.get(i, 0)).c_str())] = dec(r.get(i, 1));
  }
  for (const auto& [n, o] : b.orders) {
    const Decimal theirs = dec(o.value("filled", "0"));
    const auto it = filled.find(n);
    const Decimal ours = it == filled.end() ? Decimal() : it->second;
    if (ours != theirs)
      out.push_back("order " + std::to_string(n) + ": stored filled_qty " + ours.to_string() +
                    ", the broker's filled " + theirs.to_string());
  }
  for (const auto& [n, q] : filled)
    if (!q.is_zero() && !b.orders.count(n))
      out.push_back("order " + std::to_string(n) + " has filled_qty " + q.to_string() +
                    " but never reached the broker");
  // Order states agree: what works at the broker is open here (not stuck in a
  // pending state), what ended there ended here, and nothing is open here
  // that the broker does not work.
  {
    auto r = db.query(
        "SELECT id, status FROM orders WHERE status NOT IN ('filled', 'cancelled', 'rejected', "
        "'expired') OR id = ANY($1::bigint[])",
        {pg_array(b.orders, [](const auto& o) { return std::to_string(o.first); })});
    std::map<int64_t, std::string> status;
    for (int i = 0; i < r.rows(); ++i)
      status[std::atoll(std::string(r.get(i, 0)).c_str())] = std::string(r.get(i, 1));
    for (const auto& [n, st] : status) {
      const auto at = b.orders.find(n);
      const std::string theirs = at == b.orders.end() ? "" : at->second.value("status", "");
      if (!agrees(st, theirs))
        out.push_back("order " + std::to_string(n) + " is " + st + " here and " +
                      (theirs.empty() ? std::string("unknown") : theirs) + " at the broker");
    }
  }
  // The fills add up to the orders' totals; one row per execution.
  {
    auto r = db.query(
        "SELECT o.id, o.filled_qty, coalesce((SELECT sum(qty) FROM fills f WHERE f.order_id = "
        "o.id), 0) FROM orders o WHERE o.filled_qty <> 0 AND o.filled_qty <> coalesce((SELECT "
        "sum(qty) FROM fills f WHERE f.order_id = o.id), 0) "
        "UNION ALL SELECT f.order_id, NULL, sum(f.qty) FROM fills f LEFT JOIN orders o ON o.id = "
        "f.order_id WHERE o.id IS NULL OR o.filled_qty = 0 GROUP BY f.order_id");
    for (int i = 0; i < r.rows(); ++i)
      out.push_back("order " + std::string(r.get(i, 0)) + ": filled_qty " +
                    (r.is_null(i, 1) ? std::string("0/none") : std::string(r.get(i, 1))) +
                    " but its fills sum to " + std::string(r.get(i, 2)));
  }
  {
    auto r = db.query("SELECT count(*), count(broker_exec_id) FROM fills");
    const int64_t fills = std::atoll(std::string(r.get(0, 0)).c_str());
    const int64_t with_exec = std::atoll(std::string(r.get(0, 1)).c_str());
    if (fills != with_exec)
      out.push_back(std::to_string(fills - with_exec) + " fill(s) without a broker exec id");
    if (fills != b.executions)
      out.push_back("the store has " + std::to_string(fills) + " fills, the broker " +
                    std::to_string(b.executions) + " executions");
  }
  {
    auto r = db.query("SELECT id, client_order_id FROM orders WHERE source = 'external'");
    for (int i = 0; i < r.rows(); ++i)
      out.push_back("order " + std::string(r.get(i, 0)) + " (" + std::string(r.get(i, 1)) +
                    ") was adopted as external: the daemon did not know its own order");
  }
  // Positions: the store's, the API's and the broker's.
  std::map<std::string, Decimal> stored;
  {
    auto r = db.query("SELECT symbol, qty FROM positions WHERE qty <> 0");
    for (int i = 0; i < r.rows(); ++i) stored[std::string(r.get(i, 0))] = dec(r.get(i, 1));
  }
  auto show = [](const std::map<std::string, Decimal>& m) {
    std::string s;
    for (const auto& [k, v] : m) s += k + "=" + v.to_string() + " ";
    return s.empty() ? std::string("flat") : s;
  };
  if (stored != b.positions)
    out.push_back("stored positions " + show(stored) + "!= the broker's " + show(b.positions));
  std::map<std::string, Decimal> api_pos;
  auto pr = api.request("GET", "/api/v1/positions");
  auto pj = json::parse(pr.body, nullptr, false);
  if (pr.status != 200 || !pj.is_object()) {
    out.push_back("GET /api/v1/positions: " + std::to_string(pr.status) + " " + pr.body);
  } else {
    for (const auto& p : pj.value("positions", json::array())) {
      const Decimal q = dec(p.value("qty", "0"));
      if (!q.is_zero()) api_pos[p.value("symbol", "")] = q;
    }
    if (api_pos != b.positions)
      out.push_back("API positions " + show(api_pos) + "!= the broker's " + show(b.positions));
  }
  auto ts = api.request("GET", "/api/v1/trading-state");
  auto tj = json::parse(ts.body, nullptr, false);
  if (ts.status != 200 || !tj.is_object() || tj.value("state", "") != "active")
    out.push_back("trading state is not active: " + std::to_string(ts.status) + " " + ts.body);
}

std::string join(const Problems& p, size_t max = 20) {
  std::string s;
  for (size_t i = 0; i < p.size() && i < max; ++i) s += "  " + p[i] + "\n";
  if (p.size() > max) s += "  ... " + std::to_string(p.size() - max) + " more\n";
  return s;
}

TEST(CrashLoop, SigkillDuringOrderFlowLosesNoAcknowledgedOrderAndSendsNothingTwice) {
  const int iterations = std::max(1, env_int("TD_CRASH_LOOP_ITERATIONS", 50));
  const uint64_t seed = env_int("TD_CRASH_LOOP_SEED", 0) != 0
                            ? static_cast<uint64_t>(env_int("TD_CRASH_LOOP_SEED", 0))
                            : std::random_device{}() & 0x7fffffff;
  std::printf("crash loop: %d iterations, seed %llu (TD_CRASH_LOOP_SEED replays it)\n", iterations,
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);
  // TD_CRASH_LOOP_LOG_DIR: every run's whole log is kept there (investigation).
  const std::string log_dir =
      std::getenv("TD_CRASH_LOOP_LOG_DIR") ? std::getenv("TD_CRASH_LOOP_LOG_DIR") : "";
  const auto started = Clock::now();

  auto pg = test::PgTestCluster::start();
  const std::string dsn = pg->create_database("crash_loop");
  // Quotes every simulated second at 20x: a 5 s bar every 250 ms of real time.
  IbSimProcess sim({"--speed", "20", "--quote-interval", "1000", "--partial-fills", "2"});
  TempDir dir;
  const std::string cfg = dir.write("crash.yaml", crash_config(sim.port()));
  const std::vector<std::string> args{kTradingdBin, "run",
                                      "--config",   cfg,
                                      "--set",      "data_dir=" + dir.path().string(),
                                      "--set",      "database.dsn=" + dsn};
  std::string token;
  std::vector<std::pair<OrderSpec, int64_t>> acked_all;
  std::vector<OrderSpec> lost;  // answers lost to a kill: retried after a restart
  std::string previous_output;  // the killed run's log, for a failure's report
  size_t requests = 0, kills_early = 0;
  Clock::duration check_time{};  // the longest wait for a consistent view
  std::map<int, int> statuses;
  std::map<int, std::string> samples;
  std::unique_ptr<Db> db;
  size_t verified = 0;  // acked_all[0, verified) were found in the store
  auto unverified = [&] {
    return std::vector<std::pair<OrderSpec, int64_t>>(acked_all.begin() + verified,
                                                      acked_all.end());
  };

  auto fail = [&](const std::string& what, const Process& d) {
    ADD_FAILURE() << what << "\nseed " << seed << "\n--- previous run's log (tail) ---\n"
                  << tail(previous_output) << "\n--- this run's log (tail) ---\n"
                  << tail(d.output());
  };

  for (int it = 0; it <= iterations; ++it) {
    const bool last = it == iterations;  // a final start: checks, then a clean stop
    // 0-5: kill during order flow once ready, at a random moment; 6-7: a
    // few milliseconds after the k-th acknowledgement (while that order is
    // sent, filled, its fill stored); 8: right after readiness; 9: during
    // start-up. The first run prints the admin token: it is not cut short.
    const int mode = last || it == 0 ? 0 : static_cast<int>(rng() % 10);
    Process d(args);
    const auto spawned = Clock::now();
    int port = 0;
    std::unique_ptr<HttpClient> api;
    StopFlag stop;
    std::unique_ptr<OrderClient> client;
    std::thread client_thread;
    // Mostly a flood (far more orders than the gateway's 50 messages a
    // second take: most wait in the daemon when it dies); one run in three
    // at about the rate they leave, so kills also land between an order's
    // commit, its placeOrder, its fill and the fill's commit.
    const auto gap = std::chrono::milliseconds(rng() % 3 == 0 || mode == 6 || mode == 7 ? 40 : 0);
    auto start_client = [&] {
      client = std::make_unique<OrderClient>(port, token, rng(), it, acked_all);
      client_thread = std::thread([&] { client->run(stop, gap); });
    };

    if (mode == 9) {
      // Killed at a random point of start-up: connecting, loading,
      // reconciling, or just after (orders refused while reconciling).
      const auto kill_at = spawned + std::chrono::milliseconds(rng() % 1500);
      port = wait_for_listening(
          d, std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - Clock::now()));
      if (port > 0 && !token.empty()) start_client();
      d.wait_for([](const std::string&) { return false; },
                 std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - Clock::now()));
      ++kills_early;
    } else {
      port = wait_for_listening(d, 30s);
      if (port <= 0) {
        fail("tradingd did not listen (iteration " + std::to_string(it) + ")", d);
        return;
      }
      if (token.empty() &&
          d.wait_for([](const std::string& o) { return !token_in(o).empty(); }, 10s))
        token = token_in(d.output());
      if (token.empty()) {
        fail("no admin token printed at the first start", d);
        return;
      }
      api = std::make_unique<HttpClient>(port, token);
      const auto ready_by = Clock::now() + 30s;
      while (api->request("GET", "/readyz").status != 200) {
        if (Clock::now() >= ready_by) {
          fail("not ready within 30 s (iteration " + std::to_string(it) + ")", d);
          return;
        }
        d.wait_for([](const std::string&) { return false; }, 20ms);
      }
      if (!db) db = std::make_unique<Db>(dsn);
      if (mode == 8) {
        start_client();
        d.wait_for([](const std::string&) { return false; },
                   std::chrono::milliseconds(rng() % 100));
        ++kills_early;
      } else {
        // Answers lost to the last kill: the client sends them again, as a
        // client does, and takes what it gets (200: it was stored, 201: new).
        {
          OrderClient retry(port, token, 0, it, {});
          std::vector<OrderSpec> still;
          for (const auto& o : lost) {
            auto r = retry.post(o);
            if (r.status == 200 || r.status == 201)
              acked_all.emplace_back(o, id_in(r.body));
            else if (r.status == 0 || r.status == 503)
              still.push_back(o);
          }
          lost = std::move(still);
        }
        // Reconciled: the store, the API and the broker agree. Routing is
        // paused meanwhile (the strategies trade on every bar: new orders
        // wait, queued) and fills of orders working at the kill may land a
        // moment later: wait for a consistent view.
        if (const int st = api->request("POST", "/api/v1/queue/pause").status; st != 200) {
          fail("POST /api/v1/queue/pause: " + std::to_string(st), d);
          return;
        }
        Problems problems;
        const auto checking = Clock::now();
        const auto deadline = checking + 20s;
        for (;;) {
          problems.clear();
          const BrokerView b = broker_view(sim);
          check_acked(*db, unverified(), problems);
          check_broker_orders_stored(*db, b, problems);
          check_reconciled(*db, b, *api, problems);
          if (problems.empty() || Clock::now() >= deadline) break;
          d.wait_for([](const std::string&) { return false; }, 50ms);
        }
        if (!problems.empty()) {
          fail("after restart " + std::to_string(it) + ":\n" + join(problems), d);
          return;
        }
        check_time = std::max(check_time, Clock::now() - checking);
        if (d.output().find("position mismatch") != std::string::npos) {
          fail("reconciliation reported a position mismatch", d);
          return;
        }
        if (const int st = api->request("POST", "/api/v1/queue/resume").status; st != 200) {
          fail("POST /api/v1/queue/resume: " + std::to_string(st), d);
          return;
        }
        if (last) {
          d.signal(SIGTERM);
          const auto code = d.wait_exit(30s);
          if (code != 0) fail("the last run did not stop cleanly", d);
          break;
        }
        start_client();
        if (mode == 6 || mode == 7) {
          const size_t k = 1 + rng() % 20;
          d.wait_for([&](const std::string&) { return client->acknowledged() >= k; }, 10s);
          d.wait_for([](const std::string&) { return false; },
                     std::chrono::milliseconds(rng() % 4));
        } else {
          d.wait_for([](const std::string&) { return false; },
                     std::chrono::milliseconds(100 + rng() % 1400));
        }
      }
    }
    // SIGKILL at this moment, requests in flight.
    d.signal(SIGKILL);
    stop.set();
    if (client_thread.joinable()) client_thread.join();
    (void)d.wait_exit(10s);
    if (client) {
      ClientLog& log = client->log();
      requests += log.requests;
      for (const auto& [s, n] : log.statuses) statuses[s] += n;
      for (const auto& [s, b] : log.samples) samples.emplace(s, b);
      acked_all.insert(acked_all.end(), log.acked.begin(), log.acked.end());
      lost.insert(lost.end(), log.lost.begin(), log.lost.end());
      if (!log.violations.empty()) {
        fail("idempotency violated:\n" + join(log.violations), d);
        return;
      }
    }
    // The daemon is dead: what it acknowledged is stored, what reached the
    // broker has its row, and nothing reached the broker twice.
    if (db) {
      Problems problems;
      check_acked(*db, unverified(), problems);
      check_broker_orders_stored(*db, broker_view(sim), problems);
      if (!problems.empty()) {
        fail("after kill " + std::to_string(it) + ":\n" + join(problems), d);
        return;
      }
      verified = acked_all.size();  // rows are never deleted: checked once is enough
    }
    previous_output = d.output();
    if (!log_dir.empty())
      std::ofstream(log_dir + "/run-" + std::to_string(it) + ".log") << d.output();
  }

  const auto secs = std::chrono::duration<double>(Clock::now() - started).count();
  std::string codes;
  for (const auto& [s, n] : statuses) codes += " " + std::to_string(s) + ":" + std::to_string(n);
  const BrokerView b = broker_view(sim);
  std::printf(
      "crash loop: %d kills (%zu during start-up), %zu requests (status:count%s), %zu orders "
      "acknowledged, %zu orders reached the broker, %lld executions, %.1f s (longest check "
      "%.2f s)\n",
      iterations, kills_early, requests, codes.c_str(), acked_all.size(), b.orders.size(),
      static_cast<long long>(b.executions), secs,
      std::chrono::duration<double>(check_time).count());
  for (const auto& [s, body] : samples)
    if (s != 200 && s != 201) std::printf("  e.g. %d: %s\n", s, body.substr(0, 300).c_str());
}

}  // namespace
}  // namespace td::testing
