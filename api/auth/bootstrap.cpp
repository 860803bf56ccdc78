#include "api/auth/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string_view>

#include "core/file_io.h"

namespace td::api::auth {
namespace {

// Errors name the file's role, so an operator knows what to fix.
tl::unexpected<Error> admin_file_error(const Error& e) {
  return make_error(e.code, "admin token file: " + e.message);
}

}  // namespace

Result<std::optional<std::string>> ensure_admin_token(const std::string& data_dir,
                                                      std::vector<ApiTokenLike>& tokens) {
  if (!tokens.empty()) return std::optional<std::string>{};
  const std::string dir = data_dir.empty() ? "." : data_dir;
  const std::string path = dir + "/" + kAdminTokenFile;

  auto existing = read_small_file(path, 4096);  // far more than a hash: malformed anyway
  if (!existing) return admin_file_error(existing.error());
  if (*existing) {
    std::string hash = std::move(**existing);
    while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r' || hash.back() == ' ' ||
                             hash.back() == '\t'))
      hash.pop_back();
    if (!is_sha256_hex(hash))
      return make_error(ErrorCode::kInvalidArgument,
                        "admin token file " + path +
                            ": not a SHA-256 hex digest; delete it to have a new admin token "
                            "created, or configure api.tokens");
    tokens.push_back(ApiTokenLike{kBootstrapTokenName, "admin", std::move(hash)});
    return std::optional<std::string>{};
  }

  std::string token;
  try {
    token = new_token();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, e.what());
  }
  std::string hash = sha256_hex(token);
  if (auto st = write_file_atomically(path, hash); !st) return admin_file_error(st.error());
  tokens.push_back(ApiTokenLike{kBootstrapTokenName, "admin", std::move(hash)});
  return std::optional<std::string>{std::move(token)};
}

}  // namespace td::api::auth
