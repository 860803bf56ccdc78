#include "api/http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <exception>
#include <thread>
#include <vector>

#include "api/http/session.h"
#include "api/http/tls_context.h"

namespace td::api::http {

using namespace detail;

std::string ListenEndpoint::url() const {
  const std::string_view scheme = tls ? "https" : "http";
  if (address.find(':') != std::string::npos) {
    return fmt::format("{}://[{}]:{}", scheme, address, port);
  }
  return fmt::format("{}://{}:{}", scheme, address, port);
}

namespace {

// Accepts connections on its own strand and hands each to a Session (or to
// a refusing one when the server is full).
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, std::shared_ptr<Shared> shared)
      : io_(io),
        acceptor_(net::make_strand(io)),
        retry_(acceptor_.get_executor()),
        shared_(std::move(shared)) {}

  beast::error_code listen(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    return ec;
  }
  tcp::endpoint local_endpoint() const {
    beast::error_code ec;
    return acceptor_.local_endpoint(ec);
  }
  void run() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }
  // Only while no thread runs the io_context (stop()).
  void close() {
    beast::error_code ec;
    retry_.cancel();
    acceptor_.close(ec);
  }

 private:
  void do_accept() {
    if (!acceptor_.is_open()) return;
    // Each connection gets its own strand.
    acceptor_.async_accept(net::make_strand(io_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // EMFILE/ENFILE/ENOBUFS: the process is out of something; do not spin.
      const bool transient = ec == net::error::connection_aborted;
      if (!transient) spdlog::warn("http: accept failed: {}", ec.message());
      retry_.expires_after(transient ? std::chrono::milliseconds(0)
                                     : std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](beast::error_code wec) {
        if (!wec) self->do_accept();
      });
      return;
    }
    admit(std::move(socket));
    do_accept();
  }

  void admit(tcp::socket socket) {
    const auto& options = shared_->options;
    std::shared_ptr<SessionBase> session;
    {
      std::lock_guard lock(shared_->mu);
      if (!shared_->open) return;  // the socket closes as it goes out of scope
      if (shared_->active < options.max_connections) {
        session = make_session(std::move(socket), shared_, false);
        ++shared_->active;
      } else if (shared_->refusing < std::max<std::size_t>(options.max_connections, 1)) {
        session = make_session(std::move(socket), shared_, true);
        ++shared_->refusing;
      } else {
        return;  // refusing too many already: close at once
      }
      shared_->sessions.emplace(session.get(), session);
    }
    if (session->refusing()) {
      spdlog::debug("http: refusing a connection: {} open (max_connections)",
                    options.max_connections);
    }
    session->start();
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Router& router, WebSocketHandler* ws)
      : io_(static_cast<int>(std::max<std::size_t>(options.threads, 1))),
        shared_(std::make_shared<Shared>(std::move(options), router, ws)) {}
  ~Impl() { stop(); }

  Result<ListenEndpoint> start() {
    std::lock_guard lock(control_mu_);
    const auto& options = shared_->options;
    const std::string where = fmt::format("{}:{}", options.host, options.port);
    if (started_) return make_error(ErrorCode::kInternal, "the HTTP server was already started");
    started_ = true;

    const bool want_tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
    if (want_tls) {
      auto tls = make_server_tls_context(options.tls_cert_file, options.tls_key_file);
      if (!tls) return tl::unexpected(tls.error());
      shared_->tls = std::move(*tls);  // before any session exists
    }
    bound_.tls = want_tls;

    beast::error_code ec;
    tcp::endpoint endpoint;
    const auto address = net::ip::make_address(options.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, options.port);
    } else {
      // A name: resolved once, here, before any thread runs.
      tcp::resolver resolver(io_);
      const auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
      if (ec || results.empty()) {
        return make_error(
            ErrorCode::kUnavailable,
            fmt::format("cannot resolve {}: {}", options.host, ec ? ec.message() : "no address"));
      }
      endpoint = results.begin()->endpoint();
    }

    listener_ = std::make_shared<Listener>(io_, shared_);
    ec = listener_->listen(endpoint);
    if (ec) {
      listener_->close();
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("cannot listen on {}: {}", where, ec.message()));
    }
    const auto local = listener_->local_endpoint();
    bound_.address = local.address().to_string();
    bound_.port = local.port();
    port_.store(bound_.port);

    if (shared_->ws != nullptr) {
      shared_->ws->attach(io_.get_executor());
      ws_attached_ = true;
    }
    listener_->run();
    const std::size_t threads = std::max<std::size_t>(options.threads, 1);
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        if (shared_->options.on_thread_start) shared_->options.on_thread_start();
        run_thread();
      });
    }
    running_ = true;
    spdlog::info("listening on {}", bound_.url());
    return bound_;
  }

  uint16_t port() const { return port_.load(); }

  std::size_t connections() const {
    std::lock_guard lock(shared_->mu);
    return shared_->active;
  }

  void stop() {
    std::lock_guard lock(control_mu_);
    if (!running_) return;
    running_ = false;
    {
      // Replies arriving from now on are dropped (ReplyState::complete).
      std::lock_guard shared_lock(shared_->mu);
      shared_->open = false;
    }
    io_.stop();
    for (auto& t : threads_) {
      if (t.get_id() == std::this_thread::get_id()) {
        // Called from a handler on an API thread (a router misusing stop()):
        // joining would deadlock; the thread ends when its handler returns.
        t.detach();
      } else if (t.joinable()) {
        t.join();
      }
    }
    threads_.clear();
    // No thread runs the io_context now: close everything from here.
    listener_->close();
    if (ws_attached_) {
      ws_attached_ = false;
      shared_->ws->detach();
    }
    std::unordered_map<const SessionBase*, std::shared_ptr<SessionBase>> sessions;
    {
      std::lock_guard shared_lock(shared_->mu);
      sessions.swap(shared_->sessions);
    }
    for (auto& [ptr, session] : sessions) session->abort();
    {
      std::lock_guard shared_lock(shared_->mu);
      shared_->active = 0;
      shared_->refusing = 0;
    }
    // Handlers still queued hold some sessions; they are destroyed, with
    // their sockets, by the io_context's destructor.
  }

 private:
  void run_thread() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: unexpected exception in an API thread: {}", e.what());
      } catch (...) {
        spdlog::error("http: unexpected exception in an API thread");
      }
    }
  }

  // Declared first: destroyed last, after everything that uses it.
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Listener> listener_;
  std::vector<std::thread> threads_;
  std::mutex control_mu_;  // start() and stop()
  bool started_ = false;
  bool running_ = false;
  bool ws_attached_ = false;
  ListenEndpoint bound_;
  std::atomic<uint16_t> port_{0};
};

HttpServer::HttpServer(ServerOptions options, Router& router, WebSocketHandler* ws)
    : impl_(std::make_unique<Impl>(std::move(options), router, ws)) {}

HttpServer::~HttpServer() = default;

Result<ListenEndpoint> HttpServer::start() {
  return impl_->start();
}
uint16_t HttpServer::port() const {
  return impl_->port();
}
std::size_t HttpServer::connections() const {
  return impl_->connections();
}
void HttpServer::stop() {
  impl_->stop();
}

}  // namespace td::api::http
