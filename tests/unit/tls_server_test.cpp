// TLS on the HTTP transport (HTTPS) and the WebSocket stream (WSS), with a
// certificate the test makes at run time; the clients verify the server
// against exactly that certificate.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <memory>

#include "api/auth/token.h"
#include "api/auth/token_store.h"
#include "api/http/server.h"
#include "api/stream/stream_hub.h"
#include "tls_test_cert.h"
#include "ws_test_support.h"

namespace td::api::http {
namespace {

using namespace td::test;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;

class HelloRouter : public Router {
 public:
  void handle(HttpRequest req, Reply reply) override {
    reply(HttpResponse::text(200, "hello " + req.target));
  }
};

class TlsServerTest : public ::testing::Test {
 protected:
  ServerOptions options() {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.tls_cert_file = cert_.cert_file();
    o.tls_key_file = cert_.key_file();
    return o;
  }
  // A client context trusting only the test certificate, verifying the peer.
  std::unique_ptr<ssl::context> client_context(int max_version = 0) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->load_verify_file(cert_.cert_file());
    ctx->set_verify_mode(ssl::verify_peer);
    if (max_version != 0) {
      SSL_CTX_set_min_proto_version(ctx->native_handle(), 0);
      SSL_CTX_set_max_proto_version(ctx->native_handle(), max_version);
      SSL_CTX_set_security_level(ctx->native_handle(), 0);  // allow 1.1 at all
    }
    return ctx;
  }
  // One HTTPS request; the status, or 0 on a TLS/transport failure.
  unsigned https_get(ssl::context& ctx, const std::string& target, std::string* body = nullptr) {
    net::io_context io;
    ssl::stream<tcp::socket> s(io, ctx);
    SSL_set1_host(s.native_handle(), "127.0.0.1");
    beast::error_code ec;
    beast::get_lowest_layer(s).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_),
                                       ec);
    if (ec) return 0;
    std::optional<beast::error_code> r;
    s.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { r = e; });
    io.run_for(5s);
    if (!r || *r) return 0;
    bhttp::request<bhttp::empty_body> req(bhttp::verb::get, target, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::response<bhttp::string_body> res;
    beast::flat_buffer buffer;
    r.reset();
    bhttp::async_write(s, req, [&](beast::error_code e, std::size_t) {
      if (e) {
        r = e;
        return;
      }
      bhttp::async_read(s, buffer, res, [&](beast::error_code e2, std::size_t) { r = e2; });
    });
    io.restart();
    io.run_for(5s);
    if (!r || *r) return 0;
    if (body != nullptr) *body = res.body();
    return res.result_int();
  }

  TestCertificate cert_;
  HelloRouter router_;
  uint16_t port_ = 0;
};

TEST_F(TlsServerTest, HttpsGetWithAVerifiedCertificate) {
  HttpServer server(options(), router_);
  auto r = server.start();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  port_ = r->port;
  EXPECT_EQ(r->url(), fmt::format("https://127.0.0.1:{}", port_));
  auto ctx = client_context();
  std::string body;
  EXPECT_EQ(https_get(*ctx, "/healthz", &body), 200u);
  EXPECT_EQ(body, "hello /healthz");
  // Several connections in a row (each closed gracefully with close_notify).
  for (int i = 0; i < 5; ++i) EXPECT_EQ(https_get(*ctx, fmt::format("/x{}", i)), 200u);
}

TEST_F(TlsServerTest, PlainHttpToATlsServerGetsNothing) {
  HttpServer server(options(), router_);
  auto r = server.start();
  ASSERT_TRUE(r.has_value());
  net::io_context io;
  beast::tcp_stream s(io);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), r->port));
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, "/healthz", 11);
  req.set(bhttp::field::host, "x");
  bhttp::write(s, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  s.expires_after(5s);
  std::optional<beast::error_code> e;
  bhttp::async_read(s, buffer, res, [&](beast::error_code ec, std::size_t) { e = ec; });
  io.run_for(6s);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(*e);  // no HTTP answer: the server spoke TLS (and then closed)
}

TEST_F(TlsServerTest, Tls11ClientIsRefused) {
  HttpServer server(options(), router_);
  auto r = server.start();
  ASSERT_TRUE(r.has_value());
  port_ = r->port;
  auto old = client_context(TLS1_1_VERSION);
  EXPECT_EQ(https_get(*old, "/healthz"), 0u);
  auto tls12 = client_context(TLS1_2_VERSION);
  EXPECT_EQ(https_get(*tls12, "/healthz"), 200u);
}

TEST_F(TlsServerTest, BadKeyOrCertificateMakesStartFail) {
  {
    ServerOptions o = options();
    o.tls_key_file = (cert_.dir() / "missing.pem").string();
    HttpServer server(o, router_);
    auto r = server.start();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("missing.pem"), std::string::npos) << r.error().message;
  }
  {
    const auto garbage = (cert_.dir() / "garbage.pem").string();
    std::ofstream(garbage) << "not a key\n";
    ServerOptions o = options();
    o.tls_key_file = garbage;
    HttpServer server(o, router_);
    auto r = server.start();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  {
    ServerOptions o = options();
    o.tls_key_file = cert_.other_key_file();
    HttpServer server(o, router_);
    auto r = server.start();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("other-key.pem"), std::string::npos) << r.error().message;
  }
  {
    ServerOptions o = options();
    o.tls_key_file.clear();  // a certificate without a key
    HttpServer server(o, router_);
    EXPECT_FALSE(server.start().has_value());
  }
}

TEST_F(TlsServerTest, WssStream) {
  constexpr const char* kToken = "td_tls_viewer";
  auto store = auth::TokenStore::create({{"dash", "viewer", auth::sha256_hex(kToken)}});
  ASSERT_TRUE(store.has_value());
  TestSource source;
  stream::StreamOptions so;
  so.authenticate = [&](std::string_view a) { return store->authenticate(a); };
  stream::StreamHub hub(so, source);
  source.sink = &hub;
  HttpServer server(options(), router_, &hub);
  auto r = server.start();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  auto ctx = client_context();
  WssClient c(*ctx);
  SSL_set1_host(c.stream().next_layer().native_handle(), "127.0.0.1");
  ASSERT_TRUE(c.connect(r->port)) << c.error().message();
  ASSERT_TRUE(c.write(std::string(R"({"op":"auth","token":")") + kToken + "\"}"));
  ASSERT_TRUE(c.write(R"({"op":"subscribe","topics":["orders"]})"));
  auto m = c.read_json();
  ASSERT_TRUE(m.has_value()) << c.error().message();
  EXPECT_EQ((*m)["type"], "snapshot");
  hub.publish("orders", std::make_shared<const std::string>(R"({"id":"1"})"));
  m = c.read_json();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(
      *m,
      (nlohmann::json::parse(R"({"type":"update","topic":"orders","seq":2,"data":{"id":"1"}})")));
  ASSERT_TRUE(c.write(R"({"op":"unsubscribe","topics":["orders"]})"));
  server.stop();
  EXPECT_TRUE(c.wait_closed());
}

}  // namespace
}  // namespace td::api::http
