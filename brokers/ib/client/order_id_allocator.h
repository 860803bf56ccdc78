#pragma once
// IB order ids. Every new id must be greater than every id this client id
// has ever used, across sessions, or IB answers error 103 (ib-protocol.md
// 4.1); and IB has been seen to roll nextValidId back after a gateway
// restart. So the next id is the largest of: nextValidId of this session,
// the persisted high-water mark + 1, and any id seen at the broker + 1 (open
// orders of this client). The caller persists high_water() before the id
// leaves the process, so a crash right after sending cannot reuse it.
#include <cstdint>
#include <optional>

namespace td::ib {

class OrderIdAllocator {
 public:
  // `persisted_high_water`: the largest id ever used (0: none).
  explicit OrderIdAllocator(int64_t persisted_high_water);

  // A session starts: nothing is allocated until nextValidId arrives.
  void on_disconnect() { session_floor_.reset(); }
  void on_next_valid_id(int64_t id);
  // An id the broker reports for this client (openOrder, orderStatus).
  void observe(int64_t id);
  bool ready() const { return session_floor_.has_value(); }

  // The next id (ready() must be true); high_water() is then that id.
  int64_t allocate();
  int64_t high_water() const { return high_water_; }

 private:
  int64_t high_water_;
  std::optional<int64_t> session_floor_;  // nextValidId of this session
};

}  // namespace td::ib
