#include "api/auth/token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace td::api::auth {

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != 32)
    throw std::runtime_error("sha256: OpenSSL EVP_Digest failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0x0f]);
  }
  return out;
}

std::string new_token() {
  std::array<unsigned char, 32> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("new token: OpenSSL RAND_bytes failed");
  static constexpr char kB64Url[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out(kTokenPrefix);
  out.reserve(kTokenPrefix.size() + 43);
  size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const unsigned v = (raw[i] << 16) | (raw[i + 1] << 8) | raw[i + 2];
    out.push_back(kB64Url[(v >> 18) & 63]);
    out.push_back(kB64Url[(v >> 12) & 63]);
    out.push_back(kB64Url[(v >> 6) & 63]);
    out.push_back(kB64Url[v & 63]);
  }
  // 32 = 10 * 3 + 2: two bytes left, three characters, no padding.
  const unsigned v = (raw[i] << 16) | (raw[i + 1] << 8);
  out.push_back(kB64Url[(v >> 18) & 63]);
  out.push_back(kB64Url[(v >> 12) & 63]);
  out.push_back(kB64Url[(v >> 6) & 63]);
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<Role> parse_role(std::string_view s) {
  if (s == "viewer") return Role::kViewer;
  if (s == "trader") return Role::kTrader;
  if (s == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view to_string(Role r) {
  switch (r) {
    case Role::kViewer:
      return "viewer";
    case Role::kTrader:
      return "trader";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

}  // namespace td::api::auth
