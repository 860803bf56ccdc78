#pragma once
// The instruments the simulator trades and quotes, in both vocabularies: the
// engine's Instrument (for the market simulator and the matching engine) and
// IB's Contract (what clients ask for and what the gateway echoes). Why
// conIds are derived from the symbol: clients cache them across connections
// and restarts of the simulator, so they must be stable without a database.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/ib/contract.h"
#include "core/decimal.h"
#include "core/instrument.h"
#include "core/status.h"

namespace td::ibsim {

// "SPY", "SPY:450", "EUR.USD:1.08", "MES:5000:FUT" (sec type defaults to STK,
// CASH when the name is BASE.QUOTE).
struct SymbolSpec {
  std::string name;
  std::optional<Decimal> price;
  std::string sec_type;  // empty: from the name
};
Result<SymbolSpec> parse_symbol_spec(std::string_view text);

struct SimContract {
  Instrument instrument;  // symbol = the spec's name ("EUR.USD" for a pair)
  ib::Contract contract;  // as contractData/openOrder report it
  Decimal start_price;
  std::string long_name;
};

// SPY 450, QQQ 380, MES 5000 (CME micro future), EUR.USD 1.08.
std::vector<SymbolSpec> default_symbols();
Result<std::vector<SimContract>> make_contracts(const std::vector<SymbolSpec>& specs);

// The contract a request means: by conId when set, else by symbol (and sec
// type, currency when given); nullptr when none matches.
const SimContract* find_contract(const std::vector<SimContract>& table, const ib::Contract& c);
const SimContract* find_symbol(const std::vector<SimContract>& table, const Symbol& s);

}  // namespace td::ibsim
