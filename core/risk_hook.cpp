#include "core/risk_hook.h"

namespace td {

std::string_view to_string(TradingState s) {
  switch (s) {
    case TradingState::kActive:
      return "active";
    case TradingState::kReducing:
      return "reducing";
    case TradingState::kHalted:
      return "halted";
  }
  return "?";
}

std::optional<TradingState> parse_trading_state(std::string_view s) {
  if (s == "active") return TradingState::kActive;
  if (s == "reducing") return TradingState::kReducing;
  if (s == "halted") return TradingState::kHalted;
  return std::nullopt;
}

}  // namespace td
