#pragma once
// Rate limiting of repeated authentication failures per remote address
// (api-v1.md: "repeated failures from one address are rate limited (429)").
//
// More than `max_failures` failures within a sliding `window` blocks the
// address for `block_for`; while blocked the server answers 429 without
// checking the token (so a blocked client cannot keep guessing). When the
// block ends the address starts afresh.
//
// A success does NOT lift a block and does NOT reset the failure count:
// failures only age out of the window. Otherwise an attacker sharing an
// address (NAT, proxy) with a legitimate client could interleave guesses
// with that client's successful requests and never be blocked.
//
// Memory is bounded: at most `max_addresses` addresses are tracked; when a
// new one arrives at the limit, the one whose last failure is oldest is
// forgotten. Each address keeps at most max_failures + 1 time stamps.
// Thread-safe (one mutex).
#include <chrono>
#include <cstddef>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace td::api::auth {

struct FailureLimiterConfig {
  size_t max_failures = 10;  // this many within `window` are tolerated
  Duration window = std::chrono::seconds(60);
  Duration block_for = std::chrono::seconds(60);
  size_t max_addresses = 10000;  // >= 1
};

class FailureLimiter {
 public:
  explicit FailureLimiter(Clock& clock, FailureLimiterConfig config = {});

  bool blocked(std::string_view addr);
  void record_failure(std::string_view addr);
  void record_success(std::string_view addr);

  size_t tracked() const;  // addresses held now (for tests and metrics)

 private:
  struct Entry {
    std::deque<Timestamp> failures;  // within the window, oldest first
    Timestamp blocked_until{};
    std::list<std::string>::iterator lru;  // position in lru_
  };
  using Map = std::unordered_map<std::string, Entry>;
  void prune(Entry& e, Timestamp now) const;
  void erase(Map::iterator it);

  Clock& clock_;
  FailureLimiterConfig config_;
  mutable std::mutex mu_;
  Map entries_;
  std::list<std::string> lru_;  // least recently failed first
};

}  // namespace td::api::auth
