#pragma once
// The configured API tokens, as hashes, and the check of an Authorization
// header against them (api-v1.md "Auth and roles").
//
// Constant time: the presented token is hashed, and the digest is compared
// with CRYPTO_memcmp against every stored hash, with no early exit on a
// match, so the time taken does not tell which token matched or how many
// are configured beyond their count. Tokens are never logged or kept.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth/token.h"
#include "core/status.h"

namespace td::api::auth {

struct Principal {
  std::string name;
  Role role = Role::kViewer;
  friend bool operator==(const Principal&, const Principal&) = default;
};

class TokenStore {
 public:
  // Refuses (kInvalidArgument, naming the token by its name) an unknown role,
  // a hash that is not 64 hex digits, or a hash configured twice. Upper-case
  // hex is accepted and normalised.
  static Result<TokenStore> create(const std::vector<ApiTokenLike>& tokens);

  // `authorization` is the Authorization header's value. Accepts exactly
  // "Bearer <token>": the scheme in any case, one space, a non-empty token
  // with no whitespace or control characters, nothing before or after.
  std::optional<Principal> authenticate(std::string_view authorization) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<unsigned char, 32> digest;
    Principal principal;
  };
  std::vector<Entry> entries_;
};

}  // namespace td::api::auth
