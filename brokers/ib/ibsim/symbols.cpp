#include "brokers/ib/ibsim/symbols.h"

#include <cstdint>

namespace td::ibsim {
namespace {

int64_t con_id_for(std::string_view name) {
  uint32_t h = 2166136261u;  // FNV-1a: stable across runs and platforms
  for (unsigned char c : name) {
    h ^= c;
    h *= 16777619u;
  }
  return 100'000'000 + static_cast<int64_t>(h % 900'000'000u);
}

std::string sec_type_of(const SymbolSpec& s) {
  if (!s.sec_type.empty()) return s.sec_type;
  return s.name.find('.') != std::string::npos ? "CASH" : "STK";
}

}  // namespace

Result<SymbolSpec> parse_symbol_spec(std::string_view text) {
  SymbolSpec s;
  const auto colon = text.find(':');
  s.name = std::string(text.substr(0, colon));
  if (s.name.empty()) return make_error(ErrorCode::kInvalidArgument, "symbol: empty name");
  if (colon != std::string_view::npos) {
    std::string_view rest = text.substr(colon + 1);
    const auto colon2 = rest.find(':');
    std::string_view price = rest.substr(0, colon2);
    if (!price.empty()) {
      auto p = Decimal::parse(price);
      if (!p || p->sign() <= 0)
        return make_error(ErrorCode::kInvalidArgument,
                          "symbol " + s.name + ": price must be a positive number");
      s.price = *p;
    }
    if (colon2 != std::string_view::npos) s.sec_type = std::string(rest.substr(colon2 + 1));
  }
  const std::string t = sec_type_of(s);
  if (t != "STK" && t != "FUT" && t != "CASH")
    return make_error(ErrorCode::kInvalidArgument,
                      "symbol " + s.name + ": sec type must be STK, FUT or CASH");
  if (t == "CASH" && s.name.find('.') == std::string::npos)
    return make_error(ErrorCode::kInvalidArgument,
                      "symbol " + s.name + ": a CASH pair is written BASE.QUOTE");
  return s;
}

std::vector<SymbolSpec> default_symbols() {
  return {{"SPY", Decimal::from_int(450), ""},
          {"QQQ", Decimal::from_int(380), ""},
          {"MES", Decimal::from_int(5000), "FUT"},
          {"EUR.USD", *Decimal::parse("1.08"), ""}};
}

Result<std::vector<SimContract>> make_contracts(const std::vector<SymbolSpec>& specs) {
  std::vector<SimContract> out;
  for (const SymbolSpec& s : specs) {
    for (const SimContract& c : out)
      if (c.instrument.symbol.str() == s.name)
        return make_error(ErrorCode::kInvalidArgument, "symbol " + s.name + " given twice");
    SimContract c;
    const std::string type = sec_type_of(s);
    c.instrument.symbol = Symbol(s.name);
    c.contract.con_id = con_id_for(s.name);
    c.contract.sec_type = type;
    c.contract.currency = "USD";
    c.contract.local_symbol = s.name;
    c.contract.trading_class = s.name;
    if (type == "STK") {
      c.instrument.sec_type = SecType::kStock;
      c.contract.symbol = s.name;
      c.contract.exchange = "SMART";
      c.contract.primary_exchange = "ARCA";
      c.start_price = s.price.value_or(Decimal::from_int(100));
      c.long_name = s.name + " (simulated)";
    } else if (type == "FUT") {
      // One fixed contract month: the simulator has no roll.
      c.instrument.sec_type = SecType::kFuture;
      c.instrument.exchange = "CME";
      c.instrument.tick = *Decimal::parse("0.25");
      c.instrument.multiplier = Decimal::from_int(5);
      c.contract.symbol = s.name;
      c.contract.exchange = "CME";
      c.contract.last_trade_date_or_contract_month = "20261218";
      c.contract.multiplier = "5";
      c.contract.local_symbol = s.name + "Z6";
      c.start_price = s.price.value_or(Decimal::from_int(5000));
      c.long_name = "Micro E-Mini S&P 500 (simulated)";
    } else {  // CASH: symbol = base currency, currency = quote currency
      const auto dot = s.name.find('.');
      c.instrument.sec_type = SecType::kCash;
      c.instrument.exchange = "IDEALPRO";
      c.instrument.currency = s.name.substr(dot + 1);
      c.instrument.tick = *Decimal::parse("0.00005");
      c.contract.symbol = s.name.substr(0, dot);
      c.contract.currency = s.name.substr(dot + 1);
      c.contract.exchange = "IDEALPRO";
      c.start_price = s.price.value_or(Decimal::from_int(1));
      c.long_name = s.name + " (simulated)";
    }
    out.push_back(std::move(c));
  }
  return out;
}

const SimContract* find_contract(const std::vector<SimContract>& table, const ib::Contract& c) {
  for (const SimContract& s : table) {
    if (c.con_id != 0) {
      if (s.contract.con_id == c.con_id) return &s;
      continue;
    }
    if (!c.sec_type.empty() && c.sec_type != s.contract.sec_type) continue;
    if (!c.currency.empty() && c.currency != s.contract.currency) continue;
    if (c.symbol == s.contract.symbol ||
        (!c.local_symbol.empty() && c.local_symbol == s.contract.local_symbol))
      return &s;
  }
  return nullptr;
}

const SimContract* find_symbol(const std::vector<SimContract>& table, const Symbol& s) {
  for (const SimContract& c : table)
    if (c.instrument.symbol == s) return &c;
  return nullptr;
}

}  // namespace td::ibsim
