#pragma once
// The market events and risk limits of the hot-path benchmarks
// (bench_hot_path, bench_engine_under_load): one SPY quote a second and a
// one-minute bar every 60 quotes, a random walk that crosses its averages
// often, so sma_cross trades.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/decimal.h"
#include "core/market_data.h"
#include "risk/risk_limits.h"

namespace td::bench {

inline const Timestamp kStart = from_unix_seconds(1767623400);

struct MarketEvent {
  bool is_bar;
  Quote quote;
  Bar bar;
};

// Yields the events one by one (for runs too long to keep in memory).
class EventGenerator {
 public:
  MarketEvent next() {
    if (pending_bar_) {
      pending_bar_ = false;
      MarketEvent b;
      b.is_bar = true;
      b.bar = Bar{spy_, t_ - std::chrono::seconds(59), std::chrono::minutes(1), open_, high_, low_,
                  bid_, Decimal::from_int(1000)};
      return b;
    }
    x_ ^= x_ << 13, x_ ^= x_ >> 7, x_ ^= x_ << 17;
    cents_ += static_cast<int64_t>(x_ % 7) - 3;
    bid_ = Decimal::from_units(cents_ * 1'000'000);
    const Decimal ask = Decimal::from_units((cents_ + 1) * 1'000'000);
    t_ = kStart + std::chrono::seconds(i_);
    if (i_ % 60 == 0) open_ = high_ = low_ = bid_;
    high_ = std::max(high_, bid_), low_ = std::min(low_, bid_);
    pending_bar_ = i_ % 60 == 59;
    ++i_;
    MarketEvent q;
    q.is_bar = false;
    q.quote = Quote{spy_, t_, bid_, ask, Decimal::from_int(500), Decimal::from_int(500), bid_};
    return q;
  }
  size_t quotes() const { return i_; }               // quotes yielded so far
  bool bar_pending() const { return pending_bar_; }  // the next event is a bar

 private:
  const Symbol spy_{"SPY"};
  int64_t cents_ = 45000;
  uint64_t x_ = 88172645463325252ull;
  size_t i_ = 0;
  Timestamp t_{};
  Decimal bid_, open_, high_, low_;
  bool pending_bar_ = false;
};

// `n` quotes and their bars.
inline std::vector<MarketEvent> make_events(size_t n) {
  std::vector<MarketEvent> ev;
  ev.reserve(n + n / 60 + 1);
  EventGenerator gen;
  while (gen.quotes() < n || gen.bar_pending()) ev.push_back(gen.next());
  return ev;
}

inline risk::RiskLimits typical_limits() {
  auto D = [](const char* s) { return *Decimal::parse(s); };
  risk::RiskLimits l;
  l.max_order_qty = D("1000");
  l.max_order_notional = D("1000000");
  l.price_collar_pct = D("5");
  l.max_position_qty = D("2000");
  l.max_gross_exposure = D("10000000");
  l.max_working_orders = 50;
  l.max_orders_per_second = 10;
  l.daily_loss_limit = D("1000000");
  l.max_drawdown_pct = D("50");
  l.stale_data_after = std::chrono::seconds(30);
  return l;
}

}  // namespace td::bench
