#pragma once
// The risk hook until the risk manager lands: lets every order through.
// It exists so that every order path already goes through the hook.
#include "core/risk_hook.h"

namespace td::risk {

class PassThroughRisk final : public RiskHook {
 public:
  std::optional<RiskDenial> pre_trade(const Order&, const EngineView&) override {
    return std::nullopt;
  }
};

}  // namespace td::risk
