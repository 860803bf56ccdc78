#include "brokers/ib/client/order_id_allocator.h"

#include <algorithm>

namespace td::ib {

OrderIdAllocator::OrderIdAllocator(int64_t persisted_high_water)
    : high_water_(std::max<int64_t>(persisted_high_water, 0)) {}

void OrderIdAllocator::on_next_valid_id(int64_t id) {
  session_floor_ = std::max(session_floor_.value_or(id), id);
}

void OrderIdAllocator::observe(int64_t id) {
  high_water_ = std::max(high_water_, id);
}

int64_t OrderIdAllocator::allocate() {
  const int64_t id = std::max(session_floor_.value_or(1), high_water_ + 1);
  high_water_ = id;
  return id;
}

}  // namespace td::ib
