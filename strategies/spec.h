#pragma once
// How a strategy is described in configuration, independent of YAML: the
// daemon turns its config entries into StrategySpecs, and make_strategy()
// validates every parameter (reporting all problems at once) and builds it.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "core/decimal.h"
#include "core/ids.h"
#include "core/strategy.h"

namespace td::strategies {

struct StrategySpec {
  std::string name;
  std::string
      type;  // sma_cross, rsi_reversion, macd, bollinger_reversion, zscore_reversion, ensemble
  std::vector<Symbol> symbols;                // each symbol traded independently by the same rule
  Decimal qty = Decimal::from_int(1);         // fixed size (used unless notional is set)
  std::optional<Decimal> notional;            // size = floor(notional / close at decision)
  bool allow_short = false;                   // long_only unless true
  std::map<std::string, std::string> params;  // scalar parameters as written ("10", "2.5")
  std::vector<StrategySpec> members;          // ensemble members (type + params only)
};

struct ParamError {
  std::string
      path;  // relative to the strategy entry: "params.fast", "params.members[1].params.n", "qty"
  std::string message;  // "must be an integer >= 1", "unknown parameter", ...
};

using MakeResult = tl::expected<std::unique_ptr<Strategy>, std::vector<ParamError>>;

MakeResult make_strategy(const StrategySpec& spec);
// The strategy types make_strategy() knows.
const std::vector<std::string>& strategy_types();

}  // namespace td::strategies
