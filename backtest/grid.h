#pragma once
// A parameter grid for `tradingd optimize` and `walkforward`:
// "fast=5:20:5,slow=20:60:10" (start:stop:step, both ends included),
// "k=1.5|2|2.5" (a list) or "n=14" (one value). Values are computed in exact
// decimals (0.1 steps do not drift) and kept as the text a strategy's params
// take. A name is a parameter of the only strategy of the configuration, or
// "strategy.param" to pick one. Points are numbered in a fixed order (the
// first parameter changes slowest), which is what makes shards and job
// counts give identical results.
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace td::backtest {

struct GridParam {
  std::string strategy;  // empty: the only strategy
  std::string name;
  std::vector<std::string> values;
};

struct Grid {
  std::vector<GridParam> params;
  size_t size() const;
  // Point i: parameter key ("fast" or "strategy.fast") -> value.
  std::map<std::string, std::string> point(size_t i) const;
  std::string text;  // as given
};

inline constexpr size_t kMaxGridPoints = 1'000'000;

// Errors name the part that is wrong ("slow=20:60:0: step must be > 0").
Result<Grid> parse_grid(const std::string& text);

// "i/n", 0 <= i < n: the points p with p % n == i.
struct Shard {
  size_t index = 0, count = 1;
  bool contains(size_t point) const { return point % count == index; }
};
Result<Shard> parse_shard(const std::string& text);

}  // namespace td::backtest
