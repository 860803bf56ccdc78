#pragma once
// data_dir/ib-order-ids: IB order ids and tradingd order ids reserved so far
// (every id sent is at or below them; the runtime reserves ahead so that the
// file is written once per many orders, not per order). Why a file written before every placeOrder: IB
// answers error 103 to an id at or below one this client id has used (and
// its nextValidId has been seen to go back after a gateway restart), and our
// order id travels in orderRef, so a restarted daemon must never hand out
// either again. A file that exists and cannot be read stops the start-up:
// guessing could reuse an id.
#include <cstdint>
#include <string>

#include "core/status.h"

namespace td::daemon {

struct IbIds {
  int64_t ib_order_id = 0;
  uint64_t order_id = 0;
  bool operator==(const IbIds&) const = default;
};

// {0, 0} when the file does not exist.
Result<IbIds> load_ib_ids(const std::string& path);
Status save_ib_ids(const std::string& path, const IbIds& ids);

}  // namespace td::daemon
