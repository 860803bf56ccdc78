#pragma once
// A self-signed certificate made at test run time (no key material in the
// repository): EC P-256 key, X.509 v3 with subjectAltName IP:127.0.0.1,
// valid from an hour ago for a day, written as PEM files in a fresh
// temporary directory (removed by the destructor).
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

namespace td::test {

class TestCertificate {
 public:
  TestCertificate() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("td-tls-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    cert_file_ = (dir_ / "cert.pem").string();
    key_file_ = (dir_ / "key.pem").string();

    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    if (!key) throw std::runtime_error("EC key generation failed");
    std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
    X509_set_version(x509.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), static_cast<long>(rd() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(x509.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x509.get()), 24 * 3600);
    X509_set_pubkey(x509.get(), key.get());
    X509_NAME* name = X509_get_subject_name(x509.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x509.get(), name);
    add_extension(x509.get(), NID_subject_alt_name, "IP:127.0.0.1");
    add_extension(x509.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x509.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    if (X509_sign(x509.get(), key.get(), EVP_sha256()) == 0) {
      throw std::runtime_error("X509_sign failed");
    }
    write(cert_file_, [&](FILE* f) { return PEM_write_X509(f, x509.get()); });
    write(key_file_, [&](FILE* f) {
      return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    // A second, unrelated key: for "key does not match the certificate".
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> other(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    other_key_file_ = (dir_ / "other-key.pem").string();
    write(other_key_file_, [&](FILE* f) {
      return PEM_write_PrivateKey(f, other.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
  }
  ~TestCertificate() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  const std::string& other_key_file() const { return other_key_file_; }
  std::filesystem::path dir() const { return dir_; }

 private:
  static void add_extension(X509* x509, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x509, x509, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) throw std::runtime_error("X509V3_EXT_conf_nid failed");
    X509_add_ext(x509, ext, -1);
    X509_EXTENSION_free(ext);
  }
  template <class F>
  static void write(const std::string& path, F f) {
    FILE* file = std::fopen(path.c_str(), "w");
    if (file == nullptr) throw std::runtime_error("cannot write " + path);
    const int ok = f(file);
    std::fclose(file);
    if (ok != 1) throw std::runtime_error("PEM write failed for " + path);
  }

  std::filesystem::path dir_;
  std::string cert_file_, key_file_, other_key_file_;
};

}  // namespace td::test
