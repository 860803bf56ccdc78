// WebSocket fan-out of the control API's stream (bench/README.md, "Control
// API"): `--rate` updates per second published to one topic, delivered to
// `--clients` WebSocket clients, each subscribed to it; delivery latency is
// receive time minus publish time (steady_clock, one process).
//
// In process, over loopback, through the real transport and stream:
// HttpServer (--api-threads) + StreamHub (api/stream), a producer thread in
// the engine's role (the single caller of publish() and snapshot(), paced to
// an absolute schedule: update i is due at start + i / rate), and the
// clients on one io_context thread: each opens its stream with Boost.Beast
// (authenticated by header), subscribes with
// {"op":"subscribe","topics":["quotes:SPY"]} and then splits the frames it
// reads itself (BenchClient).
//
// Each update's data is quote-sized JSON carrying its number `n` and its
// publish time `sent_ns`. A client checks that after its snapshot (which
// carries the last `n` published before it) every update arrives, in order:
// `n` and the connection's `seq` each grow by exactly one. The report: the
// latency percentiles over every delivered update, per-client counts, gaps,
// and connections the hub closed as slow consumers (1013).
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/auth/token.h"
#include "api/auth/token_store.h"
#include "api/http/server.h"
#include "api/stream/stream_hub.h"
#include "api/stream/stream_source.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using namespace td;

const std::string kToken = "td_bench_viewer_token_0000000000000000000000000";
const std::string kTopic = "quotes:SPY";

struct Options {
  int clients = 100;
  double rate = 10000;  // updates per second
  double seconds = 10;
  size_t api_threads = 1;
};

// CPU time of the calling thread / of the whole process, in seconds.
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
double process_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

// The engine's side: snapshot requests are answered by the producer thread,
// in order with its updates (stream_source.h).
class BenchSource final : public api::stream::StreamSource {
 public:
  bool valid_topic(std::string_view topic) const override {
    return topic == kTopic || topic == "events";
  }
  void request_snapshots(uint64_t subscriber, std::vector<std::string> topics) override {
    std::lock_guard lock(mu_);
    for (auto& t : topics) requests_.emplace_back(subscriber, std::move(t));
  }
  // Producer thread: answers pending requests with `n`, the last update published.
  void answer(api::stream::StreamSink& sink, int64_t n) {
    std::deque<std::pair<uint64_t, std::string>> rq;
    {
      std::lock_guard lock(mu_);
      rq.swap(requests_);
    }
    for (const auto& [sub, topic] : rq)
      sink.snapshot(sub, topic,
                    std::make_shared<const std::string>("{\"n\":" + std::to_string(n) +
                                                        ",\"symbol\":\"SPY\"}"));
  }

 private:
  std::mutex mu_;
  std::deque<std::pair<uint64_t, std::string>> requests_;
};

class NotFoundRouter final : public api::http::Router {
 public:
  void handle(api::http::HttpRequest, api::http::Reply reply) override {
    reply(api::http::HttpResponse::text(404, "not found"));
  }
};

// The integer at m[at...] (digits, optional '-'); `at` moves past it.
int64_t int_at(std::string_view m, size_t& at) {
  int64_t v = 0;
  bool neg = false;
  if (at < m.size() && m[at] == '-') neg = true, ++at;
  for (; at < m.size() && m[at] >= '0' && m[at] <= '9'; ++at) v = v * 10 + (m[at] - '0');
  return neg ? -v : v;
}

// The integer after "key": (or -1). Searching costs: the client reads up to
// a million messages a second on one thread, so updates are read by
// expect_update() instead.
int64_t int_field(std::string_view m, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":";
  size_t at = m.find(needle);
  if (at == std::string_view::npos) return -1;
  at += needle.size();
  return int_at(m, at);
}

// An update as the stream writes it and the producer makes its data:
// {"type":"update","topic":"quotes:SPY","seq":S,"data":{"n":N,"sent_ns":T,...}}
bool expect_update(std::string_view m, int64_t& seq, int64_t& n, int64_t& sent_ns) {
  constexpr std::string_view kHead = R"({"type":"update","topic":"quotes:SPY","seq":)";
  constexpr std::string_view kData = R"(,"data":{"n":)";
  constexpr std::string_view kSent = R"(,"sent_ns":)";
  if (!m.starts_with(kHead)) return false;
  size_t at = kHead.size();
  seq = int_at(m, at);
  if (m.substr(at, kData.size()) != kData) return false;
  at += kData.size();
  n = int_at(m, at);
  if (m.substr(at, kSent.size()) != kSent) return false;
  at += kSent.size();
  sent_ns = int_at(m, at);
  return true;
}

struct Stats {
  std::vector<int64_t> latency_ns;  // every update received, all clients
  int64_t snapshots = 0;
};

// A client. Beast opens the connection (handshake, subscribe); after that
// the client reads the socket itself and splits the frames by hand (server
// frames are unmasked; the server sends nothing before the subscription is
// read, so Beast holds no bytes). Why: Beast's read costs ~1.2 us per
// message, and the clients, 1,000,000 messages/s on one thread, would
// otherwise need more CPU than the server being measured.
class BenchClient : public std::enable_shared_from_this<BenchClient> {
 public:
  BenchClient(net::io_context& io, Stats& stats, std::atomic<int>& subscribed)
      : ws_(io), stats_(stats), subscribed_(subscribed) {}

  void start(uint16_t port) {
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
        [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

  int64_t updates = 0;     // received after the snapshot
  int64_t gaps = 0;        // n or seq not one more than the previous
  int64_t unexpected = 0;  // messages neither an update nor a snapshot
  int64_t first_n = -1;    // the snapshot's n
  int64_t last_n = -1;
  int64_t last_seq = 0;
  bool closed = false;
  bool closed_by_us = false;
  std::string close_reason;  // when the server closed (or the connection failed)

  void close() {
    if (closed) return;
    closed = closed_by_us = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::authorization, "Bearer " + kToken);
    }));
    ws_.async_handshake(
        "127.0.0.1", "/api/v1/stream",
        [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
  }
  void on_handshake(beast::error_code ec) {
    if (ec) return fail("handshake", ec);
    ws_.text(true);
    ws_.async_write(net::buffer(kSubscribe),
                    [self = shared_from_this()](beast::error_code e, size_t) {
                      if (e) return self->fail("subscribe", e);
                      self->rx_.resize(kReadBytes);
                      self->do_read();
                    });
  }
  void do_read() {
    if (rx_.size() - rx_end_ < kReadBytes / 2) {  // room for a large read
      rx_.erase(0, rx_begin_);
      rx_end_ -= rx_begin_;
      rx_begin_ = 0;
      if (rx_.size() - rx_end_ < kReadBytes / 2) rx_.resize(rx_end_ + kReadBytes);
    }
    beast::get_lowest_layer(ws_).socket().async_read_some(
        net::buffer(rx_.data() + rx_end_, rx_.size() - rx_end_),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_read(ec, n); });
  }
  void on_read(beast::error_code ec, size_t bytes) {
    if (ec) {
      if (!closed_by_us) fail("read", ec);
      return;
    }
    const int64_t t = now_ns();
    rx_end_ += bytes;
    // Every whole frame in rx_[rx_begin_, rx_end_).
    while (rx_end_ - rx_begin_ >= 2) {
      const auto* p = reinterpret_cast<const unsigned char*>(rx_.data() + rx_begin_);
      const size_t avail = rx_end_ - rx_begin_;
      const int opcode = p[0] & 0x0F;
      size_t len = p[1] & 0x7F, head = 2;
      if (len == 126) {
        if (avail < 4) break;
        len = (size_t{p[2]} << 8) | p[3];
        head = 4;
      } else if (len == 127) {
        if (avail < 10) break;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
        head = 10;
      }
      if (avail < head + len) break;
      const std::string_view payload(rx_.data() + rx_begin_ + head, len);
      rx_begin_ += head + len;
      if (opcode == 0x8) {  // close: the code, then the reason
        closed = true;
        close_reason = payload.size() >= 2
                           ? std::to_string((static_cast<unsigned char>(payload[0]) << 8) |
                                            static_cast<unsigned char>(payload[1])) +
                                 " " + std::string(payload.substr(2))
                           : "close";
        return;
      }
      if (opcode == 0x1) on_message(payload, t);
      // ping / pong: nothing to do for a run shorter than the ping interval
    }
    do_read();
  }
  void on_message(std::string_view m, int64_t t) {
    int64_t seq = 0, n = 0, sent_ns = 0;
    if (expect_update(m, seq, n, sent_ns)) {
      if (first_n < 0 || n != last_n + 1) ++gaps;
      last_n = n;
      ++updates;
      stats_.latency_ns.push_back(t - sent_ns);
    } else if (m.starts_with(R"({"type":"snapshot")")) {
      seq = int_field(m, "seq");
      first_n = last_n = int_field(m, "n");
      ++stats_.snapshots;
      subscribed_.fetch_add(1);
    } else {
      seq = int_field(m, "seq");
      ++unexpected;
    }
    if (seq != last_seq + 1) ++gaps;
    last_seq = seq;
  }
  void fail(const char* what, beast::error_code ec) {
    if (!closed) std::fprintf(stderr, "client %s: %s\n", what, ec.message().c_str());
    closed = true;
    close_reason = std::string(what) + ": " + ec.message();
  }

  static constexpr std::string_view kSubscribe = R"({"op":"subscribe","topics":["quotes:SPY"]})";
  static constexpr size_t kReadBytes = 64 * 1024;
  websocket::stream<beast::tcp_stream> ws_;
  std::string rx_;  // bytes read; frames in [rx_begin_, rx_end_) not yet split
  size_t rx_begin_ = 0, rx_end_ = 0;
  Stats& stats_;
  std::atomic<int>& subscribed_;
};

double pct(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  return static_cast<double>(
      sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))]);
}

bool starts(const char* arg, const char* prefix, const char** value) {
  const size_t n = std::strlen(prefix);
  if (std::strncmp(arg, prefix, n) != 0) return false;
  *value = arg + n;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* v = nullptr;
    if (starts(argv[i], "--clients=", &v)) {
      o.clients = std::atoi(v);
    } else if (starts(argv[i], "--rate=", &v)) {
      o.rate = std::atof(v);
    } else if (starts(argv[i], "--seconds=", &v)) {
      o.seconds = std::atof(v);
    } else if (starts(argv[i], "--api-threads=", &v)) {
      o.api_threads = std::strtoul(v, nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--clients=100] [--rate=10000] [--seconds=10] [--api-threads=1]\n",
                   argv[0]);
      return 2;
    }
  }
  // Sleeps to the microsecond: the producer's schedule has 100 us steps.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

  auto store = api::auth::TokenStore::create({{"bench", "viewer", api::auth::sha256_hex(kToken)}});
  if (!store) {
    std::fprintf(stderr, "token store: %s\n", store.error().message.c_str());
    return 1;
  }
  BenchSource source;
  api::stream::StreamOptions so;
  so.authenticate = [&store](std::string_view a) { return store->authenticate(a); };
  so.max_clients = static_cast<size_t>(o.clients) + 16;
  api::stream::StreamHub hub(so, source);
  NotFoundRouter router;
  api::http::ServerOptions ho;
  ho.port = 0;
  ho.threads = o.api_threads;
  ho.max_connections = static_cast<size_t>(o.clients) + 16;
  api::http::HttpServer server(ho, router, &hub);
  auto ep = server.start();
  if (!ep) {
    std::fprintf(stderr, "server: %s\n", ep.error().message.c_str());
    return 1;
  }

  // The clients, on one thread.
  net::io_context io;
  Stats stats;
  std::atomic<int> subscribed{0};
  const int64_t total = static_cast<int64_t>(o.rate * o.seconds);
  stats.latency_ns.reserve(static_cast<size_t>(total) * static_cast<size_t>(o.clients));
  std::vector<std::shared_ptr<BenchClient>> clients;
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_shared<BenchClient>(io, stats, subscribed));
    clients.back()->start(ep->port);
  }
  auto guard = net::make_work_guard(io);
  double client_cpu = 0, producer_cpu = 0;
  const double process_cpu0 = process_cpu_s();
  std::thread client_thread([&] {
    io.run();
    client_cpu = thread_cpu_s();
  });

  // The producer: snapshots first (every client subscribed), then the updates.
  int64_t late = 0;  // updates published more than 1 ms after they were due
  double publish_seconds = 0;
  std::thread producer([&] {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
    while (subscribed.load() < o.clients && SteadyClock::now() < deadline) {
      source.answer(hub, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const auto start = SteadyClock::now();
    const auto step = std::chrono::duration<double>(1.0 / o.rate);
    char buf[256];
    for (int64_t n = 1; n <= total; ++n) {
      const auto due = start + std::chrono::duration_cast<SteadyClock::duration>(step * (n - 1));
      std::this_thread::sleep_until(due);
      source.answer(hub, n - 1);
      const int64_t sent = now_ns();
      if (sent -
              std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count() >
          1'000'000)
        ++late;
      const int len = std::snprintf(
          buf, sizeof buf,
          R"({"n":%lld,"sent_ns":%lld,"symbol":"SPY","time":"2026-11-21T14:30:00.123Z",)"
          R"("bid":"450.01","ask":"450.02","bid_size":"500","ask_size":"300","last":"450.01"})",
          static_cast<long long>(n), static_cast<long long>(sent));
      hub.publish(kTopic, std::make_shared<const std::string>(buf, static_cast<size_t>(len)));
    }
    publish_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    producer_cpu = thread_cpu_s();
  });
  producer.join();

  // Let the last updates arrive (or give up after 10 s), then close.
  auto all_in = [&] {
    for (const auto& c : clients)
      if (!c->closed && c->last_n < total) return false;
    return true;
  };
  std::atomic<bool> finished{false};
  const auto drain_deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (SteadyClock::now() < drain_deadline) {
    std::promise<bool> p;
    auto f = p.get_future();
    net::post(io, [&] { p.set_value(all_in()); });
    if (f.get()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  net::post(io, [&] {
    for (auto& c : clients) c->close();
    finished = true;
  });
  while (!finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  guard.reset();
  io.stop();
  client_thread.join();
  server.stop();
  // The server's share (API threads: transport, hub, sessions) is what is
  // left of the process's CPU time; machine load does not inflate it as
  // much as it does latency.
  const double server_cpu = process_cpu_s() - process_cpu0 - client_cpu - producer_cpu;

  auto& lat = stats.latency_ns;
  std::sort(lat.begin(), lat.end());
  int64_t min_updates = total, max_updates = 0, gaps = 0, incomplete = 0, closed_by_server = 0;
  for (const auto& c : clients) {
    min_updates = std::min(min_updates, c->updates);
    max_updates = std::max(max_updates, c->updates);
    gaps += c->gaps + c->unexpected;
    if (c->last_n != total) ++incomplete;
    if (!c->close_reason.empty()) ++closed_by_server;
  }
  const int64_t expected_per_client_max = total;  // minus what a snapshot already held
  std::printf(
      "ws fan-out: %d clients, %.0f updates/s for %.1f s (%lld updates, published in %.2f s, "
      "%lld late by > 1 ms), %zu API thread(s)\n",
      o.clients, o.rate, o.seconds, static_cast<long long>(total), publish_seconds,
      static_cast<long long>(late), o.api_threads);
  std::printf(
      "delivered: %zu messages (%.0f/s); per client %lld..%lld of %lld; clients missing "
      "updates at the end: %lld; gaps (n or seq) or unexpected messages: %lld; closed by the "
      "server: %lld; "
      "hub: %llu slow-consumer closes\n",
      lat.size(), static_cast<double>(lat.size()) / std::max(publish_seconds, 1e-9),
      static_cast<long long>(min_updates), static_cast<long long>(max_updates),
      static_cast<long long>(expected_per_client_max), static_cast<long long>(incomplete),
      static_cast<long long>(gaps), static_cast<long long>(closed_by_server),
      static_cast<unsigned long long>(hub.slow_consumer_closes()));
  const double msgs = std::max<double>(1, static_cast<double>(lat.size()));
  std::printf(
      "cpu: server %.2f s (%.2f us per delivered message), clients %.2f s (%.2f us), "
      "producer %.2f s\n",
      server_cpu, server_cpu * 1e6 / msgs, client_cpu, client_cpu * 1e6 / msgs, producer_cpu);
  std::printf("latency: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
              pct(lat, 0.5) / 1e3, pct(lat, 0.9) / 1e3, pct(lat, 0.99) / 1e3, pct(lat, 0.999) / 1e3,
              lat.empty() ? 0.0 : static_cast<double>(lat.back()) / 1e3);
  const bool complete = incomplete == 0 && gaps == 0 && hub.slow_consumer_closes() == 0;
  std::printf("every client got every update: %s; p99 < 10 ms: %s\n", complete ? "yes" : "no",
              pct(lat, 0.99) < 10e6 ? "yes" : "no");
  return complete ? 0 : 1;
}
