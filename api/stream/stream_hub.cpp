#include "api/stream/stream_hub.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "api/json/parse.h"
#include "api/problem.h"
#include "api/stream/ws_session.h"

namespace td::api::stream {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

namespace {

http::HttpResponse problem(Problem p, std::string_view instance) {
  p.instance = std::string(instance);
  http::HttpResponse r = http::HttpResponse::json(p.status, to_json_text(p));
  r.headers.set("Content-Type", std::string(kProblemContentType));
  return r;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query parameter's name, percent-decoded ("%74oken" is "token").
std::string decoded_name(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// Does the query carry a token (token=, access_token=, any case)?
bool token_in_query(std::string_view query) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::string name = decoded_name(pair.substr(0, pair.find('=')));
    if (http::iequals(name, "token") || http::iequals(name, "access_token")) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

StreamHub::StreamHub(StreamOptions options, StreamSource& source)
    : options_(std::move(options)), source_(source) {}

StreamHub::~StreamHub() = default;

// ---- StreamSink: the engine thread. One lock, at most one post. ----

void StreamHub::publish(std::string_view topic, std::shared_ptr<const std::string> data) {
  // No client at all: nobody can be subscribed, nor be about to (a client
  // is counted before it can subscribe, and its snapshot comes after this).
  if (clients_.load(std::memory_order_acquire) == 0 || !data) return;
  enqueue(Event{false, 0, std::string(topic), std::move(data)});
}

void StreamHub::snapshot(uint64_t subscriber, std::string_view topic,
                         std::shared_ptr<const std::string> data) {
  if (!data) return;
  enqueue(Event{true, subscriber, std::string(topic), std::move(data)});
}

void StreamHub::enqueue(Event event) {
  bool post = false;
  {
    std::lock_guard lock(queue_mu_);
    if (!attached_) return;
    if (events_.size() >= std::max<std::size_t>(options_.max_pending_events, 1)) {
      overflowed_ = true;  // drain() drops every connection: no gap passes unseen
      return;
    }
    events_.push_back(std::move(event));
    if (!drain_posted_) post = drain_posted_ = true;
    if (post) net::post(*strand_, [this] { drain(); });
  }
}

// ---- The hub's strand. ----

void StreamHub::drain() {
  std::vector<Event> events;
  bool overflowed = false;
  {
    std::lock_guard lock(queue_mu_);
    events.swap(events_);
    overflowed = overflowed_;
    overflowed_ = false;
    drain_posted_ = false;
  }
  if (overflowed) {
    drop_all("the server fell behind; reconnect");
    return;
  }
  for (const Event& e : events) {
    if (e.snapshot) {
      deliver_snapshot(e);
    } else {
      deliver_update(e);
    }
  }
}

void StreamHub::deliver_update(const Event& e) {
  const auto it = by_topic_.find(e.topic);
  if (it == by_topic_.end()) return;
  OutMessage m{OutMessage::Kind::kUpdate,
               std::make_shared<const std::string>(dump_json(nlohmann::json(e.topic))), e.data};
  // Copied: send() may close a slow consumer, whose leave() comes later
  // (posted), but keep the loop independent of what send() does.
  const std::vector<uint64_t> ids(it->second.begin(), it->second.end());
  for (uint64_t id : ids) {
    const auto s = subscribers_.find(id);
    if (s == subscribers_.end()) continue;
    const auto t = s->second.topics.find(e.topic);
    if (t == s->second.topics.end() || !t->second) continue;  // snapshot pending: it has this one
    s->second.connection->send(m);
  }
}

void StreamHub::deliver_snapshot(const Event& e) {
  const auto s = subscribers_.find(e.subscriber);
  if (s == subscribers_.end()) return;  // gone or unsubscribed meanwhile
  const auto t = s->second.topics.find(e.topic);
  if (t == s->second.topics.end()) return;
  t->second = true;
  s->second.connection->send(
      OutMessage{OutMessage::Kind::kSnapshot,
                 std::make_shared<const std::string>(dump_json(nlohmann::json(e.topic))), e.data});
}

void StreamHub::subscribe(std::shared_ptr<WsConnection> connection,
                          std::vector<std::string> topics) {
  net::post(*strand_, [this, connection = std::move(connection), topics = std::move(topics)] {
    const uint64_t id = connection->id();
    auto& sub = subscribers_[id];
    if (!sub.connection) sub.connection = connection;
    for (const auto& topic : topics) {
      sub.topics.try_emplace(topic, false);  // already active: stays active
      by_topic_[topic].insert(id);
    }
    // After the registration: the snapshots come back through the queue,
    // behind everything published before the engine took them.
    source_.request_snapshots(id, topics);
  });
}

void StreamHub::unsubscribe(uint64_t id, std::vector<std::string> topics) {
  net::post(*strand_, [this, id, topics = std::move(topics)] {
    for (const auto& topic : topics) remove_topic(id, topic);
  });
}

void StreamHub::remove_topic(uint64_t id, const std::string& topic) {
  const auto s = subscribers_.find(id);
  if (s == subscribers_.end()) return;
  s->second.topics.erase(topic);
  const auto t = by_topic_.find(topic);
  if (t != by_topic_.end()) {
    t->second.erase(id);
    if (t->second.empty()) by_topic_.erase(t);
  }
  if (s->second.topics.empty()) subscribers_.erase(s);
}

void StreamHub::leave(uint64_t id) {
  net::post(*strand_, [this, id] {
    const auto s = subscribers_.find(id);
    if (s == subscribers_.end()) return;
    std::vector<std::string> topics;
    for (const auto& [topic, active] : s->second.topics) topics.push_back(topic);
    for (const auto& topic : topics) remove_topic(id, topic);
    subscribers_.erase(id);
  });
}

void StreamHub::drop_all(const std::string& reason) {
  spdlog::warn("stream: closing every stream connection: {}", reason);
  std::vector<std::shared_ptr<WsConnection>> all;
  {
    std::lock_guard lock(registry_mu_);
    for (const auto& [id, weak] : registry_) {
      if (auto c = weak.lock()) all.push_back(std::move(c));
    }
  }
  subscribers_.clear();
  by_topic_.clear();
  for (auto& c : all) {
    count_slow_close();
    c->close(websocket::close_code::try_again_later, reason);
  }
}

void StreamHub::gone(uint64_t id) {
  std::lock_guard lock(registry_mu_);
  registry_.erase(id);
}

// ---- WebSocketHandler. ----

bool StreamHub::serves(std::string_view path) const {
  return path == options_.path;
}

void StreamHub::attach(net::any_io_executor executor) {
  std::lock_guard lock(queue_mu_);
  strand_.emplace(net::make_strand(executor));
  attached_ = true;
}

void StreamHub::detach() {
  {
    std::lock_guard lock(queue_mu_);
    attached_ = false;
    events_.clear();
  }
  std::vector<std::shared_ptr<WsConnection>> all;
  {
    std::lock_guard lock(registry_mu_);
    for (const auto& [id, weak] : registry_) {
      if (auto c = weak.lock()) all.push_back(std::move(c));
    }
  }
  for (auto& c : all) c->abort();
  subscribers_.clear();  // no thread runs the strand now
  by_topic_.clear();
  // The strand belongs to the server's io_context, which may go before the hub.
  std::lock_guard lock(queue_mu_);
  strand_.reset();
}

StreamHub::Admission StreamHub::admit(const http::HttpRequest& request) {
  const std::string path(request.path());
  Admission a;
  if (token_in_query(request.query())) {
    a.refusal = problem(
        validation_error({{"token", "tokens are never accepted in the URL"}},
                         "tokens are never accepted in the URL: use the Authorization header or "
                         "the first message {\"op\":\"auth\",\"token\":\"...\"}"),
        path);
    return a;
  }
  if (const std::string* origin = request.headers.find("Origin")) {
    const auto& allowed = options_.allowed_origins;
    // The API's own pages (the dashboard it serves) are same-origin; that is
    // only trusted for a loopback Host, so a DNS-rebound name is not.
    const std::string host(request.headers.get("Host"));
    const bool loopback_host = host.starts_with("127.") || host.starts_with("[::1]") ||
                               host.starts_with("localhost:") || host == "localhost";
    const bool same_origin = options_.allow_same_origin_loopback && loopback_host &&
                             (*origin == "http://" + host || *origin == "https://" + host);
    if (!same_origin && std::find(allowed.begin(), allowed.end(), *origin) == allowed.end()) {
      a.refusal = problem(forbidden("this Origin may not open the stream"), path);
      return a;
    }
  }
  if (options_.limiter != nullptr && options_.limiter->blocked(request.remote_address)) {
    a.refusal = problem(rate_limited("too many authentication failures; try again later"), path);
    a.refusal->headers.set("Retry-After", "60");
    return a;
  }
  if (const std::string* authorization = request.headers.find("Authorization")) {
    std::optional<auth::Principal> principal;
    if (options_.authenticate) principal = options_.authenticate(*authorization);
    if (!principal) {
      if (options_.limiter != nullptr) options_.limiter->record_failure(request.remote_address);
      a.refusal = problem(unauthorized(), path);
      a.refusal->headers.set("WWW-Authenticate", "Bearer");
      return a;
    }
    if (options_.limiter != nullptr) options_.limiter->record_success(request.remote_address);
    if (!auth::allows(principal->role, auth::Role::kViewer)) {
      a.refusal = problem(forbidden(), path);
      return a;
    }
    a.principal = std::move(principal);
  }
  {
    std::lock_guard lock(queue_mu_);
    if (!attached_) {
      a.refusal = problem(unavailable("the stream is shutting down"), path);
      return a;
    }
  }
  // Take a client slot: released when the connection (or, if making it
  // fails, the slot itself) is destroyed.
  std::size_t n = clients_.load();
  do {
    if (n >= options_.max_clients) {
      a.refusal = problem(
          unavailable(fmt::format("too many stream clients (limit {})", options_.max_clients)),
          path);
      a.refusal->headers.set("Retry-After", "5");
      return a;
    }
  } while (!clients_.compare_exchange_weak(n, n + 1));
  a.slot.emplace(&clients_);
  return a;
}

template <class Stream>
std::optional<http::HttpResponse> StreamHub::accept(const http::HttpRequest& request,
                                                    http::UpgradeRequest& upgrade, Stream& stream) {
  Admission a = admit(request);
  if (a.refusal) {
    spdlog::debug("stream: upgrade from {} refused: {}", request.remote_address, a.refusal->status);
    return std::move(a.refusal);
  }
  const uint64_t id = next_id_.fetch_add(1);
  auto session = std::make_shared<WsSession<Stream>>(
      std::move(stream), std::move(upgrade), id, *this, std::move(*a.slot), std::move(a.principal),
      request.remote_address);
  {
    std::lock_guard lock(registry_mu_);
    registry_.emplace(id, session);
  }
  session->start();
  return std::nullopt;
}

std::optional<http::HttpResponse> StreamHub::upgrade(const http::HttpRequest& request,
                                                     http::UpgradeRequest& upgrade,
                                                     http::PlainStream& stream) {
  return accept(request, upgrade, stream);
}

std::optional<http::HttpResponse> StreamHub::upgrade(const http::HttpRequest& request,
                                                     http::UpgradeRequest& upgrade,
                                                     http::TlsStream& stream) {
  return accept(request, upgrade, stream);
}

}  // namespace td::api::stream
