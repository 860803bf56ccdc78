#include "api/http/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/system/error_code.hpp>

namespace td::api::http {

namespace ssl = boost::asio::ssl;

namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string reason(const boost::system::error_code& ec) {
  std::string r = ec.message();
  ERR_clear_error();
  return r;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const std::string& cert_file,
                                                              const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "TLS needs both a certificate file and a key file");
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::no_compression | ssl::context::single_dh_use,
                   ec);
  if (ec) return make_error(ErrorCode::kInternal, "TLS options: " + reason(ec));
  SSL_CTX_set_options(native,
                      SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kInternal, "cannot set the TLS protocol versions and ciphers");
  }
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("TLS certificate {}: {}", cert_file, reason(ec)));
  }
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("TLS private key {}: {}", key_file, reason(ec)));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("TLS private key {} does not match the certificate {}", key_file, cert_file));
  }
  return ctx;
}

}  // namespace td::api::http
