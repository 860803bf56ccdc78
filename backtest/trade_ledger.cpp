#include "backtest/trade_ledger.h"

#include <algorithm>

namespace td::backtest {
namespace {

// commission * part / whole rounded half up to the cent, from the exact
// 128-bit product (no intermediate rounding to 8 decimals).
Decimal commission_share(Decimal commission, Decimal part, Decimal whole) {
  using i128 = __int128;
  constexpr int64_t kUnitsPerCent = Decimal::kUnitsPerOne / 100;
  const i128 num = i128(commission.units()) * part.units();
  const i128 den = i128(whole.units()) * kUnitsPerCent;
  i128 q = num / den, r = num % den;
  if (r < 0) r = -r;
  if (2 * r >= den) q += num < 0 ? -1 : 1;
  return Decimal::from_units(static_cast<int64_t>(q * kUnitsPerCent));
}

Decimal vwap(Decimal value, Decimal qty) {
  return qty.is_zero() ? Decimal() : value.div(qty, Rounding::kHalfEven);
}

}  // namespace

Decimal TradeLedger::open_qty(const Symbol& s) const {
  const auto it = open_.find(s);
  return it == open_.end() ? Decimal() : it->second.position;
}

void TradeLedger::close(const Symbol& s, Open& o, Timestamp t) {
  Trade tr;
  tr.symbol = s;
  tr.entry_time = o.entry_time;
  tr.exit_time = t;
  tr.side = o.side;
  tr.qty = o.max_abs;
  tr.entry_price = vwap(o.entry_value, o.entry_qty);
  tr.exit_price = vwap(o.exit_value, o.exit_qty);
  tr.commission = o.commission;
  tr.pnl = o.cash_flow.mul(o.multiplier, Rounding::kHalfEven) - o.commission;
  trades_.push_back(std::move(tr));
}

void TradeLedger::Open::apply(int dir, Decimal qty, Decimal price, Decimal fee, bool entering) {
  const Decimal value = qty.mul(price, Rounding::kHalfEven);
  (entering ? entry_qty : exit_qty) += qty;
  (entering ? entry_value : exit_value) += value;
  cash_flow += dir < 0 ? value : -value;
  commission += fee;
  position += dir < 0 ? -qty : qty;
  max_abs = std::max(max_abs, position.abs());
}

void TradeLedger::on_fill(const Symbol& s, Timestamp t, Side side, Decimal qty, Decimal price,
                          Decimal commission, Decimal multiplier) {
  if (qty.sign() <= 0) return;
  Open& o = open_[s];
  const int dir = side == Side::kBuy ? 1 : -1;
  Decimal remaining = qty;
  Decimal remaining_commission = commission;
  const int pos_sign = o.position.sign();
  if (pos_sign != 0 && pos_sign != dir) {
    // Reduces (and maybe closes or flips) the open trade.
    const Decimal closing = std::min(qty, o.position.abs());
    const Decimal closing_commission =
        closing == qty ? commission : commission_share(commission, closing, qty);
    o.apply(dir, closing, price, closing_commission, false);
    remaining -= closing;
    remaining_commission -= closing_commission;
    if (o.position.is_zero()) {
      close(s, o, t);
      o = Open{};
    }
    if (remaining.is_zero()) return;
  }
  // Opens or grows a trade in the fill's direction.
  if (o.position.is_zero()) {
    o = Open{};
    o.entry_time = t;
    o.multiplier = multiplier;
    o.side = dir;
  }
  o.apply(dir, remaining, price, remaining_commission, true);
}

}  // namespace td::backtest
