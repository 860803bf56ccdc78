#pragma once
// API tokens (api-v1.md "Auth and roles"): the clear token exists only in the
// client's hands and, once, on the terminal that created it; the daemon keeps
// and compares SHA-256 hashes (config.md api.tokens).
#include <optional>
#include <string>
#include <string_view>

namespace td::api::auth {

// Lower-case hex SHA-256 of `data` (64 chars). Throws std::runtime_error only
// if OpenSSL itself fails (out of memory).
std::string sha256_hex(std::string_view data);

// A fresh token: "td_" + 32 bytes from RAND_bytes as URL-safe base64 without
// padding (43 chars), 46 chars in all. The prefix makes a leaked token easy to
// find in secret scans. Throws std::runtime_error if the CSPRNG fails: a
// weak token must never be handed out.
std::string new_token();
inline constexpr std::string_view kTokenPrefix = "td_";

// True for exactly 64 lower-case hex digits (the form config.md stores).
bool is_sha256_hex(std::string_view s);

// Token names (config and `tradingd token new`): 1-64 of [A-Za-z0-9_.-].
bool is_valid_token_name(std::string_view name);

// Ordered: every role may do everything the roles below it may.
enum class Role { kViewer, kTrader, kAdmin };

std::optional<Role> parse_role(std::string_view s);  // "viewer" | "trader" | "admin"
std::string_view to_string(Role r);
// May a caller holding `have` do something that needs `need`?
constexpr bool allows(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

// One configured token as the auth layer sees it (the daemon adapts its own
// config type, daemon::ApiToken, to this).
struct ApiTokenLike {
  std::string name;
  std::string role;    // viewer | trader | admin
  std::string sha256;  // 64 lower-case hex
};

}  // namespace td::api::auth
