#include "core/portfolio.h"

#include <algorithm>

#include "core/store.h"

namespace td {

Portfolio::Portfolio(Decimal initial_cash, SessionCalendar calendar)
    : calendar_(std::move(calendar)),
      initial_cash_(initial_cash),
      cash_(initial_cash),
      peak_equity_(initial_cash) {
  day_.equity_at_start = initial_cash;
}

void Portfolio::on_time(Timestamp t) {
  // A session lasts at least 23 hours (a DST change): within 22 hours of
  // its start no time-zone lookup is needed (backtests fill often).
  if (day_.started && t >= day_.start && t < day_.start + std::chrono::hours(22)) return;
  const Timestamp start = calendar_.session_start(t);
  if (day_.started && start <= day_.start) return;
  day_.started = true;
  day_.start = start;
  day_.realized = Decimal();
  day_.commissions = Decimal();
  day_.unrealized_at_start = unrealized_;
  day_.equity_at_start = equity();
  for (auto& [sym, h] : holdings_) h.realized_today = Decimal();
}

void Portfolio::set_multiplier(const Symbol& s, Decimal multiplier) {
  multipliers_[s] = multiplier;
  auto it = holdings_.find(s);
  if (it != holdings_.end() && it->second.position.flat() &&
      it->second.position.realized_pnl().is_zero()) {
    it->second.position = Position(s, multiplier);
  }
}

Portfolio::Holding& Portfolio::holding_for(const Symbol& s) {
  auto it = holdings_.find(s);
  if (it == holdings_.end()) {
    auto m = multipliers_.find(s);
    const Decimal mult = m == multipliers_.end() ? Decimal::from_int(1) : m->second;
    it = holdings_.emplace(s, Holding{Position(s, mult), {}, {}, {}}).first;
  }
  return it->second;
}

Position::Effect Portfolio::apply_fill(const Fill& f) {
  on_time(f.time);
  Holding& h = holding_for(f.symbol);
  const Decimal multiplier = h.position.multiplier();
  const auto e = h.position.apply(f.side, f.qty, f.price, f.commission, f.time);
  const Decimal notional = f.qty.mul(f.price, Rounding::kHalfEven) * multiplier;
  cash_ -= (f.side == Side::kBuy ? notional : -notional);
  cash_ -= f.commission;
  realized_ += e.realized;
  commissions_ += f.commission;
  day_.realized += e.realized;
  day_.commissions += f.commission;
  h.realized_today += e.realized;
  if (!h.mark) h.mark = f.price;
  revalue(h);
  update_peak();
  return e;
}

void Portfolio::restore(const std::vector<StoredPosition>& positions, Decimal realized,
                        Decimal commissions, Timestamp session_start, Decimal session_realized,
                        Decimal session_commissions) {
  cash_ = initial_cash_ + realized - commissions;
  for (const StoredPosition& p : positions) {
    Holding& h = holding_for(p.symbol);
    h.position = Position::restored(p.symbol, h.position.multiplier(), p.qty, p.cost_basis,
                                    p.realized, p.commissions, p.opened_at);
    cash_ -= p.cost_basis * h.position.multiplier();
  }
  realized_ = realized;
  commissions_ = commissions;
  unrealized_ = Decimal();
  day_.started = true;
  day_.start = session_start;
  day_.realized = session_realized;
  day_.commissions = session_commissions;
  day_.unrealized_at_start = Decimal();
  day_.equity_at_start = equity() - session_realized + session_commissions;
  peak_equity_ = std::max(initial_cash_, equity());
}

void Portfolio::mark(const Symbol& s, Decimal price, Timestamp t) {
  on_time(t);
  Holding& h = holding_for(s);
  h.mark = price;
  revalue(h);
  update_peak();
}

void Portfolio::revalue(Holding& h) {
  const Decimal next = h.mark ? h.position.unrealized_pnl(*h.mark) : Decimal();
  unrealized_ += next - h.unrealized;
  h.unrealized = next;
}

void Portfolio::update_peak() {
  peak_equity_ = std::max(peak_equity_, equity());
}

const Portfolio::Holding* Portfolio::holding(const Symbol& s) const {
  auto it = holdings_.find(s);
  return it == holdings_.end() ? nullptr : &it->second;
}

Decimal Portfolio::position_qty(const Symbol& s) const {
  const Holding* h = holding(s);
  return h ? h->position.qty() : Decimal();
}

Decimal Portfolio::drawdown_pct() const {
  if (peak_equity_.sign() <= 0) return Decimal();
  return drawdown().div(peak_equity_, Rounding::kHalfEven);
}

Decimal Portfolio::gross_exposure() const {
  Decimal g;
  for (const auto& [s, h] : holdings_)
    if (h.mark) g += h.position.market_value(*h.mark).abs();
  return g;
}

}  // namespace td
