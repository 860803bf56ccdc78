#include "api/auth/failure_limiter.h"

#include <algorithm>

namespace td::api::auth {

FailureLimiter::FailureLimiter(Clock& clock, FailureLimiterConfig config)
    : clock_(clock), config_(config) {
  config_.max_addresses = std::max<size_t>(config_.max_addresses, 1);
}

void FailureLimiter::prune(Entry& e, Timestamp now) const {
  while (!e.failures.empty() && now - e.failures.front() >= config_.window) e.failures.pop_front();
}

void FailureLimiter::erase(Map::iterator it) {
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

bool FailureLimiter::blocked(std::string_view addr) {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(std::string(addr));
  if (it == entries_.end()) return false;
  return clock_.now() < it->second.blocked_until;
}

void FailureLimiter::record_failure(std::string_view addr) {
  std::lock_guard lock(mu_);
  const Timestamp now = clock_.now();
  auto it = entries_.find(std::string(addr));
  if (it == entries_.end()) {
    if (entries_.size() >= config_.max_addresses) erase(entries_.find(lru_.front()));
    lru_.emplace_back(addr);
    it = entries_.emplace(lru_.back(), Entry{}).first;
    it->second.lru = std::prev(lru_.end());
  } else {
    lru_.splice(lru_.end(), lru_, it->second.lru);
  }
  Entry& e = it->second;
  if (now < e.blocked_until) return;  // already blocked: the block is not extended
  prune(e, now);
  e.failures.push_back(now);
  if (e.failures.size() > config_.max_failures) {
    e.blocked_until = now + config_.block_for;
    e.failures.clear();
  }
}

void FailureLimiter::record_success(std::string_view addr) {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(std::string(addr));
  if (it == entries_.end()) return;
  const Timestamp now = clock_.now();
  prune(it->second, now);
  // Housekeeping only: an entry with nothing left to remember is dropped.
  if (it->second.failures.empty() && now >= it->second.blocked_until) erase(it);
}

size_t FailureLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace td::api::auth
