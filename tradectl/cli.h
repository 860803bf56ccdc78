#pragma once
// tradectl's entry point as a library, so tests run every subcommand in
// process against a real socket: run(args, io) parses the arguments (CLI11),
// makes the request(s) of api-v1.md and prints the result.
//
// Output: the server's JSON body pretty-printed on stdout (exact text:
// decimals stay strings, member order kept); --table for humans. Errors on
// stderr, problem+json as "error 409 trading-halted (check ...): detail".
// Exit codes: 0 ok, 1 API error (the daemon answered 4xx/5xx), 2 usage error
// (bad arguments, bad token file; nothing was sent), 3 connection/TLS/timeout
// error, 130 interrupted (Ctrl-C) during a one-shot request.
#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

#include "tradectl/token.h"

namespace td::tradectl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitApi = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTransport = 3;
inline constexpr int kExitInterrupted = 130;

struct Io {
  std::ostream& out;
  std::ostream& err;
  GetEnv getenv;  // empty: the process environment
  // Set (by SIGINT/SIGTERM): stop watch and --follow, abandon a request in progress.
  const std::atomic<bool>* stop = nullptr;
};

// `args` without the program name: {"orders", "list", "--status", "open"}.
int run(const std::vector<std::string>& args, Io& io);

}  // namespace td::tradectl
