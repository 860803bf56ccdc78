#pragma once
// Several rules voting on one symbol. Why votes rather than averaging
// targets: members disagree on timing, and a vote threshold (min_votes) lets
// the user choose between "any rule" (1) and "all rules" (len(members)).
// Each member votes long, flat or short (short only when the ensemble allows
// shorts; members get the ensemble's allow_short). The ensemble wants the side
// that has >= min_votes votes, else flat. When both sides reach min_votes
// (possible when min_votes <= len/2) the side with more votes wins, and a tie
// is flat. Undefined until every member is defined.
#include <memory>
#include <optional>
#include <vector>

#include "strategies/signal_model.h"

namespace td::strategies {

class EnsembleModel final : public SignalModel {
 public:
  // members non-empty, 1 <= min_votes <= members.size(), else
  // std::invalid_argument (make_strategy() reports these as ParamErrors).
  EnsembleModel(std::vector<std::unique_ptr<SignalModel>> members, int min_votes);
  std::optional<Signal> update(double close) override;
  int warmup_bars() const override;  // the slowest member's

 private:
  std::vector<std::unique_ptr<SignalModel>> members_;
  int min_votes_;
};

}  // namespace td::strategies
