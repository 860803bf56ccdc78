#pragma once
// Where a backtest's bars come from: a stream in time order, each bar tagged
// with the index of its instrument. Files are read through this interface one
// bar at a time (constant memory, data_source.h); a parameter sweep keeps the
// parsed bars in memory once and replays them for every grid point.
#include <cstdint>
#include <span>
#include <vector>

#include "core/decimal.h"
#include "core/time.h"

namespace td::backtest {

struct SourceBar {
  uint32_t symbol = 0;  // index into the run's instruments
  Timestamp time;       // open time
  Decimal open, high, low, close, volume;
};

class BarSource {
 public:
  virtual ~BarSource() = default;
  // The next bar in time order (bars of one time in symbol order); false at the end.
  virtual bool next(SourceBar& bar) = 0;
};

// Replays bars held in memory (already in time order).
class MemoryBarSource final : public BarSource {
 public:
  explicit MemoryBarSource(std::span<const SourceBar> bars) : bars_(bars) {}
  bool next(SourceBar& bar) override {
    if (pos_ == bars_.size()) return false;
    bar = bars_[pos_++];
    return true;
  }

 private:
  std::span<const SourceBar> bars_;
  size_t pos_ = 0;
};

}  // namespace td::backtest
