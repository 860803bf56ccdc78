#pragma once
// The pre-trade gate every order passes before it may leave the process,
// whatever its source. risk/ implements it; the engine only knows this face.
#include <optional>
#include <string>

#include "core/order.h"

namespace td {

struct RiskDenial {
  std::string check;    // machine-readable: "max_order_qty", "kill_switch_engaged", ...
  std::string message;  // for a person
};

class RiskHook {
 public:
  virtual ~RiskHook() = default;
  // nullopt: the order may go on.
  virtual std::optional<RiskDenial> pre_trade(const Order& order) = 0;
  virtual void on_fill(const Fill& f) {}
};

}  // namespace td
