#pragma once
// A risk hook that lets every order through (tests and benchmarks that are
// not about risk). The daemon uses risk::RiskManager (risk_manager.h).
#include "core/risk_hook.h"

namespace td::risk {

class PassThroughRisk final : public RiskHook {
 public:
  std::optional<RiskDenial> pre_trade(const Order&, const EngineView&) override {
    return std::nullopt;
  }
};

}  // namespace td::risk
