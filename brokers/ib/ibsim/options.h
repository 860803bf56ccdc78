#pragma once
// Everything a run of the gateway simulator can be told, from flags. Why the
// faults are a struct of their own: the control channel changes them while
// the simulator runs, and every session reads them per message, so a test
// can make the gateway misbehave at exactly the moment it wants.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "brokers/ib/ibsim/symbols.h"
#include "core/decimal.h"

namespace td::ibsim {

struct FaultOptions {
  bool refuse_connects = false;        // accept, then close at once
  bool reject_orders = false;          // every new order: error 201
  int partial_fills = 1;               // each fill goes out as this many executions
  std::chrono::milliseconds delay{0};  // before every outgoing message
  bool hold_orders = false;            // new orders rest unfilled until `fill`
};

struct IbSimOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4002;
  std::optional<uint16_t> control_port;  // unset: no control channel
  int min_version = 176;
  int max_version = 178;
  std::string account = "DU1234567";
  uint64_t seed = 1;
  std::chrono::milliseconds quote_interval{250};
  double speed = 1;           // simulated seconds per real second
  int64_t next_valid_id = 1;  // floor of nextValidId for a client id with no orders yet
  Decimal commission_per_share = Decimal::from_units(500'000);  // 0.005
  Decimal commission_min = Decimal::from_units(100'000'000);    // 1.00 per order
  Decimal initial_cash = Decimal::from_int(1'000'000);
  std::vector<SymbolSpec> symbols;  // empty: default_symbols()
  FaultOptions faults;
};

}  // namespace td::ibsim
