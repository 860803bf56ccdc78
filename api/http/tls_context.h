#pragma once
// The server's TLS configuration, in one place so that it can be reviewed at
// a glance (api-v1.md: HTTPS/WSS when a certificate and key are configured).
//
// Policy (Mozilla's "intermediate" profile, minus everything pre-1.2):
// TLS 1.2 and 1.3 only; for 1.2 only ECDHE key exchange with AEAD ciphers
// (AES-GCM, ChaCha20-Poly1305), the server's preference first; TLS 1.3 with
// OpenSSL's defaults (all AEAD); no compression (CRIME), no renegotiation,
// no session tickets (no long-lived ticket key in memory to steal).
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/status.h"

namespace td::api::http {

// Loads the PEM certificate chain and private key and checks that they
// match. Fails with kInvalidArgument naming the file and OpenSSL's reason
// (missing/unreadable file, not PEM, key not matching the certificate).
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::string& cert_file, const std::string& key_file);

}  // namespace td::api::http
