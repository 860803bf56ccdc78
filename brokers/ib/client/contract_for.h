#pragma once
// How one of our instruments is named at IB. Why a default: a stock is its
// symbol on SMART in its currency, and a currency pair "EUR.USD" is EUR in
// USD on IDEALPRO; futures and options need their expiry (and strike and
// right) from the configuration (instruments[].ib, docs/ib-client.md).
#include "brokers/ib/contract.h"
#include "core/instrument.h"

namespace td::ib {

struct ContractOverrides {
  int64_t con_id = 0;
  std::string symbol;  // IB's symbol when it differs from ours
  std::string expiry;  // lastTradeDateOrContractMonth: "202612" or "20261218"
  std::optional<Decimal> strike;
  std::string right;  // C / P
  std::string exchange, primary_exchange, local_symbol, trading_class;
};

Contract contract_for(const Instrument& instrument, const ContractOverrides& o = {});

}  // namespace td::ib
