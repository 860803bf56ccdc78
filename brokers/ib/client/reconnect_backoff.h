#pragma once
// Delays between attempts to reach the gateway: 1 s doubling to 60 s, each
// with +-20 % jitter. Why jitter: after the nightly restart (or an outage)
// every client of a gateway retries at once; spreading the attempts avoids
// reconnecting in lockstep, and a daemon whose client id is still held by
// its old socket (error 326) does not retry in a tight loop. Deterministic
// for a seed, so tests and simulations repeat.
#include <cstdint>
#include <random>

#include "core/time.h"

namespace td::ib {

class ReconnectBackoff {
 public:
  explicit ReconnectBackoff(uint64_t seed, Duration initial = std::chrono::seconds(1),
                            Duration max = std::chrono::seconds(60));

  // The delay before the next attempt; each call doubles the base (to max).
  Duration next();
  // After a connection that worked: the next failure starts from `initial`.
  void reset();
  int attempts() const { return attempts_; }

 private:
  const Duration initial_, max_;
  Duration base_;
  int attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace td::ib
