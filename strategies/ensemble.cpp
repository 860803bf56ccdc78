#include "strategies/ensemble.h"

#include <algorithm>
#include <stdexcept>

namespace td::strategies {

EnsembleModel::EnsembleModel(std::vector<std::unique_ptr<SignalModel>> members, int min_votes)
    : members_(std::move(members)), min_votes_(min_votes) {
  if (members_.empty()) throw std::invalid_argument("an ensemble needs at least one member");
  if (min_votes_ < 1 || min_votes_ > static_cast<int>(members_.size())) {
    throw std::invalid_argument("min_votes must be between 1 and the number of members");
  }
}

std::optional<Signal> EnsembleModel::update(double close) {
  int longs = 0;
  int shorts = 0;
  bool defined = true;
  for (auto& m : members_) {  // every member sees every close, defined or not
    const std::optional<Signal> vote = m->update(close);
    if (!vote) {
      defined = false;
    } else if (*vote == Signal::kLong) {
      ++longs;
    } else if (*vote == Signal::kShort) {
      ++shorts;
    }
  }
  if (!defined) return std::nullopt;
  const bool long_wins = longs >= min_votes_;
  const bool short_wins = shorts >= min_votes_;
  if (long_wins && short_wins) {
    if (longs == shorts) return Signal::kFlat;
    return longs > shorts ? Signal::kLong : Signal::kShort;
  }
  if (long_wins) return Signal::kLong;
  if (short_wins) return Signal::kShort;
  return Signal::kFlat;
}

int EnsembleModel::warmup_bars() const {
  int w = 0;
  for (const auto& m : members_) w = std::max(w, m->warmup_bars());
  return w;
}

}  // namespace td::strategies
