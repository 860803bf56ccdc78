#pragma once
// The contract blocks of the field lists (see field_list.h). Why one list
// with a layout: requests send the 12-field C12 block (fact sheet 2.1);
// openOrder, execDetails and position echo it without the primary exchange;
// portfolioValue without the exchange. (contractData has an order of its
// own, in its list.)
#include "brokers/ib/contract.h"
#include "brokers/ib/wire/field_list.h"

namespace td::ib::wire {

enum class ContractLayout { kC12, kWithoutPrimaryExchange, kWithoutExchange };

template <class Io, Is<Contract> C>
void contract_fields(Io& io, C& c, ContractLayout layout) {
  io.int64("conId", c.con_id);
  io.text("symbol", c.symbol);
  io.text("secType", c.sec_type);
  io.text("lastTradeDateOrContractMonth", c.last_trade_date_or_contract_month);
  io.opt_dbl("strike", c.strike);
  io.text("right", c.right);
  io.text("multiplier", c.multiplier);
  if (layout != ContractLayout::kWithoutExchange) io.text("exchange", c.exchange);
  if (layout != ContractLayout::kWithoutPrimaryExchange)
    io.text("primaryExchange", c.primary_exchange);
  io.text("currency", c.currency);
  io.text("localSymbol", c.local_symbol);
  io.text("tradingClass", c.trading_class);
  // In requests a BAG contract is followed by its legs; not implemented.
  if (layout == ContractLayout::kC12 && c.sec_type == "BAG")
    io.unsupported("a BAG (combo) contract");
}

}  // namespace td::ib::wire
