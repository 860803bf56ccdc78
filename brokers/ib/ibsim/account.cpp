// Gateway: what the account holds and has done: open orders, executions,
// positions, account values (docs/ibsim.md, "Account").
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <sstream>

#include "brokers/ib/ibsim/gateway.h"
#include "brokers/ib/ibsim/history.h"
#include "brokers/ib/ibsim/session.h"

namespace td::ibsim {

void Gateway::on(Session& s, const ib::ReqOpenOrders&) {
  for (const auto& [perm, o] : orders_)
    if (o.open && o.client_id == s.state().client_id) send_order_state(s, o);
  s.send(ib::OpenOrderEnd{});
}

void Gateway::on(Session& s, const ib::ReqAllOpenOrders&) {
  for (const auto& [perm, o] : orders_)
    if (o.open) send_order_state(s, o);
  s.send(ib::OpenOrderEnd{});
}

void Gateway::on(Session& s, const ib::ReqAutoOpenOrders&) {
  if (s.state().client_id != 0) {
    s.send_error(-1, 321,
                 "Error validating request:-'bc' : cause - reqAutoOpenOrders is only valid for "
                 "client id 0");
    return;
  }
  on(s, ib::ReqAllOpenOrders{});  // no TWS-entered orders to bind here
}

void Gateway::on(Session& s, const ib::ReqExecutions& m) {
  const ib::ExecutionFilter& f = m.filter;
  std::optional<Timestamp> since;
  if (!f.time.empty()) {
    auto t = parse_end_date_time(f.time, scheduler_.now());
    if (!t) {
      s.send_error(m.req_id, 321, "Error validating request:-'bE' : cause - " + t.error().message);
      return;
    }
    since = *t;
  }
  for (const ExecRecord& r : executions_) {
    const ib::ExecDetails& d = r.details;
    if (f.client_id != 0 && d.client_id != f.client_id) continue;
    if (!f.acct_code.empty() && f.acct_code != d.account) continue;
    if (since && r.time < *since) continue;
    if (!f.symbol.empty() && f.symbol != d.contract.symbol && f.symbol != d.contract.local_symbol)
      continue;
    if (!f.sec_type.empty() && f.sec_type != d.contract.sec_type) continue;
    if (!f.exchange.empty() && f.exchange != d.exchange) continue;
    if (!f.side.empty() && (f.side == "BUY") != (d.side == "BOT")) continue;
    ib::ExecDetails reply = d;
    reply.req_id = m.req_id;
    s.send(reply);
    s.send(r.report);
  }
  s.send(ib::ExecDetailsEnd{.req_id = m.req_id});
}

ib::Position Gateway::position_message(const Symbol& sym) const {
  const SimContract& c = *find_symbol(contracts_, sym);
  const Position& p = positions_.at(sym);
  ib::Position m;
  m.account = options_.account;
  m.contract = c.contract;
  m.contract.primary_exchange.clear();
  m.position = p.qty();
  m.avg_cost = p.avg_cost() * c.instrument.multiplier;  // per contract for derivatives
  return m;
}

void Gateway::on(Session& s, const ib::ReqPositions&) {
  s.state().positions = true;
  for (const auto& [sym, p] : positions_) s.send(position_message(sym));
  s.send(ib::PositionEnd{});
}

void Gateway::on(Session& s, const ib::CancelPositions&) {
  s.state().positions = false;
}

std::vector<std::pair<std::string, std::string>> Gateway::account_values() const {
  Decimal gross, net_positions, unrealized, realized;
  for (const auto& [sym, p] : positions_) {
    const Quote* q = market_->last_quote(sym);
    const Decimal mark = q ? q->mid() : find_symbol(contracts_, sym)->start_price;
    net_positions += p.market_value(mark);
    gross += p.market_value(mark).abs();
    unrealized += p.unrealized_pnl(mark);
    realized += p.realized_pnl();
  }
  const Decimal net_liq = cash_ + net_positions;
  const Decimal quarter = Decimal::from_units(25'000'000);  // Reg T-ish margin: 25% of gross
  const Decimal init = gross.mul(quarter, Rounding::kHalfEven);
  const Decimal available = net_liq - init;
  auto money = [](Decimal d) { return d.round(2, Rounding::kHalfEven).to_string(2); };
  return {{"NetLiquidation", money(net_liq)},
          {"TotalCashValue", money(cash_)},
          {"SettledCash", money(cash_)},
          {"EquityWithLoanValue", money(net_liq)},
          {"GrossPositionValue", money(gross)},
          {"InitMarginReq", money(init)},
          {"MaintMarginReq", money(init)},
          {"AvailableFunds", money(available)},
          {"ExcessLiquidity", money(available)},
          {"BuyingPower", money(available * Decimal::from_int(4))},
          {"UnrealizedPnL", money(unrealized)},
          {"RealizedPnL", money(realized)}};
}

void Gateway::on(Session& s, const ib::ReqAccountUpdates& m) {
  if (!m.subscribe) return;
  const std::string& acct = options_.account;
  s.send(
      ib::AccountValue{.key = "AccountCode", .value = acct, .currency = "", .account_name = acct});
  s.send(ib::AccountValue{
      .key = "AccountType", .value = "INDIVIDUAL", .currency = "", .account_name = acct});
  for (const auto& [key, value] : account_values())
    s.send(ib::AccountValue{.key = key, .value = value, .currency = "USD", .account_name = acct});
  for (const auto& [sym, p] : positions_) {
    const SimContract& c = *find_symbol(contracts_, sym);
    const Quote* q = market_->last_quote(sym);
    const Decimal mark = q ? q->mid() : c.start_price;
    ib::PortfolioValue v;
    v.contract = c.contract;
    v.contract.exchange.clear();  // portfolioValue has the primary exchange only
    v.position = p.qty();
    v.market_price = mark;
    v.market_value = p.market_value(mark);
    v.average_cost = p.avg_cost() * c.instrument.multiplier;
    v.unrealized_pnl = p.unrealized_pnl(mark);
    v.realized_pnl = p.realized_pnl();
    v.account_name = acct;
    s.send(v);
  }
  s.send(ib::AccountUpdateTime{
      .time = fmt::format("{:%H:%M}", std::chrono::floor<std::chrono::minutes>(scheduler_.now()))});
  s.send(ib::AccountDownloadEnd{.account_name = acct});
}

void Gateway::on(Session& s, const ib::ReqAccountSummary& m) {
  const auto values = account_values();
  std::stringstream tags(m.tags);
  for (std::string tag; std::getline(tags, tag, ',');) {
    if (tag == "AccountType")
      s.send(ib::AccountSummary{.req_id = m.req_id,
                                .account = options_.account,
                                .tag = tag,
                                .value = "INDIVIDUAL",
                                .currency = ""});
    for (const auto& [key, value] : values)
      if (key == tag)
        s.send(ib::AccountSummary{.req_id = m.req_id,
                                  .account = options_.account,
                                  .tag = key,
                                  .value = value,
                                  .currency = "USD"});
  }
  s.send(ib::AccountSummaryEnd{.req_id = m.req_id});
}

}  // namespace td::ibsim
