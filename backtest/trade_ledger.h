#pragma once
// Round trips ("trades") from a backtest's fills, as backtest-semantics.md
// defines them: a trade runs from a position leaving 0 until it returns to 0
// or flips sign, and its P&L is net of both sides' commissions. Why a ledger
// of its own: the portfolio knows positions and cash but not where a round
// trip starts and ends, and the report must show trades that an independent
// implementation can check to the cent, so every amount here is an exact
// Decimal (VWAP prices are the only rounded values: 8 decimals, half-even).
#include <unordered_map>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/order.h"
#include "core/time.h"

namespace td::backtest {

struct Trade {
  Symbol symbol;
  Timestamp entry_time, exit_time;
  int side = 1;  // +1 long, -1 short
  Decimal qty;   // the largest |position| during the trade
  // Volume-weighted averages of the entering / exiting fills, 8 decimals half-even.
  Decimal entry_price, exit_price;
  Decimal pnl;  // realized, net of BOTH sides' commissions
  Decimal commission;
};

class TradeLedger {
 public:
  // One fill (an order's whole quantity; qty > 0) with its commission. A fill
  // that flips the position closes the old trade and opens a new one; its
  // commission is split by shares: the closing part gets
  // commission * closed_qty / qty rounded half up to the cent, the opening
  // part the rest. Gross P&L is (sells - buys) * multiplier, exact; the
  // multiplier of a trade is the one of the fill that opened it.
  void on_fill(const Symbol& s, Timestamp t, Side side, Decimal qty, Decimal price,
               Decimal commission, Decimal multiplier = Decimal::from_int(1));
  // Closed trades in the order they closed.
  const std::vector<Trade>& trades() const { return trades_; }
  // Signed position (+ long, - short); 0 for an unknown symbol.
  Decimal open_qty(const Symbol& s) const;

 private:
  struct Open {
    Decimal position;                // signed
    Decimal max_abs;                 // largest |position| so far
    Decimal entry_qty, entry_value;  // fills that grew the position
    Decimal exit_qty, exit_value;    // fills that shrank it
    Decimal cash_flow;  // sum(sell qty * price) - sum(buy qty * price), before the multiplier
    Decimal commission;
    Decimal multiplier;
    Timestamp entry_time;
    int side = 1;
    // Adds a fill (or the part of one) that grows (entering) or shrinks the position.
    void apply(int dir, Decimal qty, Decimal price, Decimal fee, bool entering);
  };
  void close(const Symbol& s, Open& o, Timestamp t);

  std::unordered_map<Symbol, Open> open_;
  std::vector<Trade> trades_;
};

}  // namespace td::backtest
