// tradectl over https against a small Beast TLS server whose self-signed
// certificate (made in the test, for DNS:localhost only) is not in the
// system store: refused without --cacert (exit 3), accepted with it, refused
// for a host name the certificate does not name, accepted with --insecure
// (and a warning).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tradectl/cli.h"

namespace td::tradectl {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed P-256 certificate for DNS:localhost: {cert PEM, key PEM}.
std::pair<std::string, std::string> make_certificate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, x);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  auto result = std::pair{bio_string(cert_bio), bio_string(key_bio)};
  BIO_free(cert_bio);
  BIO_free(key_bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return result;
}

// Serves `connections` TLS connections (handshakes may fail), answering each
// request with {"transport":"tls"}.
class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key, int connections)
      : acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain(net::buffer(cert));
    ctx_.use_private_key(net::buffer(key), ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, serve(connections), net::detached);
    thread_ = std::thread([this] { ioc_.run_for(20s); });
  }
  ~TlsServer() { thread_.join(); }
  uint16_t port() const { return port_; }

 private:
  net::awaitable<void> serve(int connections) {
    for (int i = 0; i < connections; ++i) {
      try {
        tcp::socket socket = co_await acceptor_.async_accept(net::use_awaitable);
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ctx_);
        co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        co_await http::async_read(stream, buffer, req, net::use_awaitable);
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"transport":"tls"})";
        res.prepare_payload();
        co_await http::async_write(stream, res, net::use_awaitable);
      } catch (const std::exception&) {
        // A client that refused our certificate: next connection.
      }
    }
  }

  net::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_server};
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
};

struct Result {
  int code = -1;
  std::string out, err;
};

Result run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Io io{out, err,
        [](const std::string& n) -> std::optional<std::string> {
          if (n == "TRADECTL_TOKEN") return "td_tls";
          return std::nullopt;
        },
        nullptr};
  Result r;
  r.code = run(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(TradectlTls, VerifiesTheDaemonCertificate) {
  const auto [cert, key] = make_certificate();
  const auto dir =
      std::filesystem::temp_directory_path() / ("tradectl_tls_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cacert = (dir / "daemon.pem").string();
  std::ofstream(cacert) << cert;

  TlsServer server(cert, key, 4);
  const std::string port = std::to_string(server.port());
  const std::string by_name = "https://localhost:" + port;
  const std::string by_ip = "https://127.0.0.1:" + port;

  // Not in the system store: refused.
  Result r = run_cli({"--url", by_name, "status"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("certificate verification failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--cacert"), std::string::npos) << r.err;

  // Trusted with --cacert.
  r = run_cli({"--url", by_name, "--cacert", cacert, "status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\n  \"transport\": \"tls\"\n}\n");
  EXPECT_EQ(r.err, "");

  // Trusted, but the certificate does not name 127.0.0.1.
  r = run_cli({"--url", by_ip, "--cacert", cacert, "status"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("certificate verification failed"), std::string::npos) << r.err;

  // --insecure: works, with a warning.
  r = run_cli({"--url", by_ip, "--insecure", "status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: --insecure"), std::string::npos) << r.err;

  // A --cacert that cannot be loaded: exit 3 before connecting.
  r = run_cli({"--url", by_name, "--cacert", (dir / "missing.pem").string(), "status"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("cannot load --cacert"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td::tradectl
