#include "brokers/ib/client/reconnect_backoff.h"

#include <algorithm>

namespace td::ib {

ReconnectBackoff::ReconnectBackoff(uint64_t seed, Duration initial, Duration max)
    : initial_(std::max(initial, Duration(1))),
      max_(std::max(max, initial_)),
      base_(initial_),
      rng_(seed) {}

Duration ReconnectBackoff::next() {
  ++attempts_;
  // Uniform in [0.8, 1.2] x base, in whole nanoseconds (mt19937_64's output
  // is the same everywhere; std distributions are not).
  const int64_t base = base_.count();
  const int64_t span = base / 5;
  const int64_t jitter =
      span > 0 ? static_cast<int64_t>(rng_() % static_cast<uint64_t>(2 * span + 1)) - span : 0;
  base_ = std::min(max_, base_ * 2);
  return Duration(base + jitter);
}

void ReconnectBackoff::reset() {
  base_ = initial_;
  attempts_ = 0;
}

}  // namespace td::ib
