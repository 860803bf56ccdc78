#pragma once
// Where tradectl finds its bearer token, in order: --token-file FILE, the
// TRADECTL_TOKEN environment variable, then $XDG_CONFIG_HOME/tradectl/token
// (or ~/.config/tradectl/token). There is deliberately no --token flag: a
// token on the command line leaks into `ps`, shell history and audit logs.
//
// A token file must be a regular file owned by the user running tradectl and
// readable by nobody else (mode 0600 or stricter), as ssh requires of private
// keys; anything looser is refused rather than used, so a leaked-permission
// token is noticed instead of silently working.
#include <functional>
#include <optional>
#include <string>

namespace td::tradectl {

// Looks an environment variable up (injectable so tests need not setenv).
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

struct TokenResult {
  std::optional<std::string> token;  // nullopt: no token anywhere (requests go without one)
  std::string source;                // "--token-file /x", "TRADECTL_TOKEN", "/home/u/.config/..."
  std::string error;                 // set: refuse to run (bad permissions, unreadable, empty)
};

// `token_file` is the --token-file value ("" when not given).
TokenResult find_token(const std::string& token_file, const GetEnv& getenv);

// Reads and checks one token file (ownership, mode, content).
TokenResult read_token_file(const std::string& path);

}  // namespace td::tradectl
