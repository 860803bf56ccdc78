#include "brokers/sim/fill_model.h"

#include <algorithm>

namespace td::sim {

Decimal slipped_price(Side side, Decimal open, Decimal slippage_bps, Decimal tick) {
  const Decimal ten_k = Decimal::from_int(10000);
  if (side == Side::kBuy) {
    return open.mul_div(ten_k + slippage_bps, ten_k, Rounding::kCeiling)
        .round_to(tick, Rounding::kCeiling);
  }
  const Decimal p =
      open.mul_div(ten_k - slippage_bps, ten_k, Rounding::kFloor).round_to(tick, Rounding::kFloor);
  return std::max(p, tick);
}

Decimal order_commission(const Instrument& inst, Decimal qty, Decimal price) {
  const Decimal value = qty.abs().mul(price, Rounding::kHalfEven) * inst.multiplier;
  return commission_for(inst.commission, qty.abs(), value);
}

}  // namespace td::sim
