#include "api/auth/token_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace td::api::auth {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode_hex(std::string_view hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>((hi << 4) | lo);
  }
  return true;
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != 32)
    throw std::runtime_error("sha256: OpenSSL EVP_Digest failed");
  std::array<unsigned char, 32> out{};
  std::copy_n(md.begin(), 32, out.begin());
  OPENSSL_cleanse(md.data(), md.size());
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The token part of "Bearer <token>", or nothing.
std::optional<std::string_view> bearer_token(std::string_view v) {
  constexpr std::string_view kScheme = "bearer";
  if (v.size() < kScheme.size() + 2) return std::nullopt;
  if (!iequals(v.substr(0, kScheme.size()), kScheme)) return std::nullopt;
  if (v[kScheme.size()] != ' ') return std::nullopt;
  const std::string_view token = v.substr(kScheme.size() + 1);
  for (char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return std::nullopt;  // whitespace, control, extra spaces
  }
  return token;
}

}  // namespace

Result<TokenStore> TokenStore::create(const std::vector<ApiTokenLike>& tokens) {
  TokenStore store;
  store.entries_.reserve(tokens.size());
  for (const auto& t : tokens) {
    const auto role = parse_role(t.role);
    if (!role)
      return make_error(ErrorCode::kInvalidArgument,
                        "api token '" + t.name + "': role must be viewer, trader or admin");
    Entry e{};
    if (!decode_hex(t.sha256, e.digest))
      return make_error(ErrorCode::kInvalidArgument,
                        "api token '" + t.name + "': sha256 must be 64 hex digits");
    for (const auto& other : store.entries_)
      if (other.digest == e.digest)
        return make_error(
            ErrorCode::kInvalidArgument,
            "api token '" + t.name + "': same sha256 as token '" + other.principal.name + "'");
    e.principal = Principal{t.name, *role};
    store.entries_.push_back(std::move(e));
  }
  return store;
}

std::optional<Principal> TokenStore::authenticate(std::string_view authorization) const {
  const auto token = bearer_token(authorization);
  if (!token) return std::nullopt;
  const auto digest = sha256(*token);
  // Every entry is compared; the match is selected with masks, not branches.
  size_t found = 0;
  size_t any = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const size_t eq =
        static_cast<size_t>(CRYPTO_memcmp(digest.data(), entries_[i].digest.data(), 32) == 0);
    const size_t mask = size_t{0} - eq;  // all ones on a match
    found = (found & ~mask) | (i & mask);
    any |= eq;
  }
  if (!any) return std::nullopt;
  return entries_[found].principal;
}

}  // namespace td::api::auth
