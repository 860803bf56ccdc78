#pragma once
// The first-start admin token (api-v1.md: "when no token is configured at
// all, the first start creates an admin token, keeps only its hash under
// data_dir, and prints the token once").
#include <optional>
#include <string>
#include <vector>

#include "api/auth/token.h"
#include "core/status.h"

namespace td::api::auth {

inline constexpr const char* kAdminTokenFile = "api-admin-token.sha256";
inline constexpr const char* kBootstrapTokenName = "admin";

// Does nothing (returns no token) when `tokens` is not empty. Otherwise:
//  - data_dir/api-admin-token.sha256 exists: its hash (64 lower-case hex,
//    trailing whitespace ignored) is appended as {admin, admin, hash}, and no
//    clear token is returned; a malformed file is an error (delete it to get a
//    new token);
//  - it does not: a new token is made, ONLY its hash is written to that file
//    (mode 0600, atomically: tmp + fsync + rename + directory fsync), the hash
//    is appended to `tokens` and the clear token is returned, for the caller
//    to print once. It is not kept anywhere.
// data_dir must exist (the daemon creates and locks it first).
Result<std::optional<std::string>> ensure_admin_token(const std::string& data_dir,
                                                      std::vector<ApiTokenLike>& tokens);

}  // namespace td::api::auth
