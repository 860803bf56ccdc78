#include "brokers/ib/client/contract_for.h"

namespace td::ib {

Contract contract_for(const Instrument& in, const ContractOverrides& o) {
  Contract c;
  c.con_id = o.con_id;
  c.sec_type = std::string(to_string(in.sec_type));
  c.symbol = o.symbol.empty() ? in.symbol.str() : o.symbol;
  c.currency = in.currency;
  c.exchange = o.exchange.empty() ? in.exchange : o.exchange;
  if (in.sec_type == SecType::kCash) {
    const auto dot = in.symbol.str().find('.');
    if (o.symbol.empty() && dot != std::string::npos) {
      c.symbol = in.symbol.str().substr(0, dot);
      c.currency = in.symbol.str().substr(dot + 1);
    }
    if (o.exchange.empty() && (c.exchange.empty() || c.exchange == "SMART"))
      c.exchange = "IDEALPRO";
  }
  c.last_trade_date_or_contract_month = o.expiry;
  c.strike = o.strike;
  c.right = o.right;
  if (in.sec_type == SecType::kFuture || in.sec_type == SecType::kOption)
    c.multiplier = in.multiplier.to_string();
  c.primary_exchange = o.primary_exchange;
  c.local_symbol = o.local_symbol;
  c.trading_class = o.trading_class;
  return c;
}

}  // namespace td::ib
