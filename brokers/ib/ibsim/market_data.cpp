// Gateway: quotes, real-time bars, history and contract details
// (docs/ibsim.md, "Market data").
#include <spdlog/spdlog.h>

#include "brokers/ib/ibsim/gateway.h"
#include "brokers/ib/ibsim/history.h"
#include "brokers/ib/ibsim/session.h"

namespace td::ibsim {

namespace {

constexpr auto kRealtimeBar = std::chrono::seconds(5);
constexpr size_t kMaxBaseBars = 1'000'000;
const Decimal kLot = Decimal::from_int(100);

bool delayed(int32_t market_data_type) {
  return market_data_type >= 3;
}

Timestamp floor_to(Timestamp t, Duration d) {
  return t - t.time_since_epoch() % d;
}

}  // namespace

void Gateway::on_quote(const Quote& q) {
  const Decimal trade = q.last.is_zero() ? q.mid() : q.last;
  volume_[q.symbol] += kLot;
  BarBuilder& b = bars_[q.symbol];
  const Timestamp slot = floor_to(q.time, kRealtimeBar);
  if (b.count > 0 && b.start != slot) {
    close_bar(q.symbol, b);
    b = BarBuilder{};
  }
  if (b.count == 0) {
    b.start = slot;
    b.open = b.high = b.low = trade;
  }
  b.high = std::max(b.high, trade);
  b.low = std::min(b.low, trade);
  b.close = trade;
  b.sum += trade;
  ++b.count;

  const SimContract* c = find_symbol(contracts_, q.symbol);
  for (auto& w : sessions_) {
    auto s = w.lock();
    if (!s) continue;
    for (const auto& [req, sym] : s->state().mkt_data)
      if (sym == q.symbol) send_ticks(*s, req, *c, q);
  }
}

void Gateway::send_ticks(Session& s, int64_t req_id, const SimContract& c, const Quote& q) {
  // Delayed data (types 3, 4) uses IB's delayed tick ids: 66-68 prices, 69-71 and 74 sizes.
  const bool d = delayed(s.state().market_data_type);
  auto price = [&](int32_t type, Decimal p, Decimal size, int32_t mask) {
    s.send(ib::TickPrice{.req_id = req_id,
                         .tick_type = d ? type + 65 : type,
                         .price = p,
                         .size = size,
                         .attr_mask = mask});
  };
  auto size = [&](int32_t type, int32_t delayed_type, Decimal v) {
    s.send(ib::TickSize{.req_id = req_id, .tick_type = d ? delayed_type : type, .size = v});
  };
  const Decimal last = q.last.is_zero() ? q.mid() : q.last;
  price(1, q.bid, q.bid_size, 1);
  price(2, q.ask, q.ask_size, 1);
  price(4, last, kLot, 0);
  size(0, 69, q.bid_size);
  size(3, 70, q.ask_size);
  size(5, 71, kLot);
  size(8, 74, volume_[c.instrument.symbol]);
}

void Gateway::close_bar(const Symbol& sym, const BarBuilder& b) {
  for (auto& w : sessions_) {
    auto s = w.lock();
    if (!s) continue;
    for (const auto& [req, bar_sym] : s->state().realtime_bars) {
      if (bar_sym != sym) continue;
      s->send(ib::RealtimeBar{
          .req_id = req,
          .time = std::chrono::floor<std::chrono::seconds>(b.start).time_since_epoch().count(),
          .open = b.open,
          .high = b.high,
          .low = b.low,
          .close = b.close,
          .volume = kLot * Decimal::from_int(b.count),
          .wap = b.sum.div(Decimal::from_int(b.count), Rounding::kHalfEven)
                     .round(4, Rounding::kHalfEven),
          .count = b.count});
    }
  }
}

void Gateway::on(Session& s, const ib::ReqMarketDataType& m) {
  s.state().market_data_type = m.market_data_type;
}

void Gateway::on(Session& s, const ib::ReqMktData& m) {
  ++reqmktdata_received_;
  const SimContract* c = find_contract(contracts_, m.contract);
  if (!c) {
    s.send_error(m.req_id, 200, "No security definition has been found for the request");
    return;
  }
  if (s.state().mkt_data.count(m.req_id)) {
    s.send_error(m.req_id, 102, "Duplicate ticker id");
    return;
  }
  s.send(ib::MarketDataType{.req_id = m.req_id,
                            .market_data_type = delayed(s.state().market_data_type) ? 3 : 1});
  s.send(ib::TickReqParams{.req_id = m.req_id,
                           .min_tick = c->instrument.tick,
                           .bbo_exchange = "",
                           .snapshot_permissions = 3});
  if (const Quote* q = market_->last_quote(c->instrument.symbol)) send_ticks(s, m.req_id, *c, *q);
  if (m.snapshot || m.regulatory_snapshot) {
    s.send(ib::TickSnapshotEnd{.req_id = m.req_id});
    return;
  }
  s.state().mkt_data[m.req_id] = c->instrument.symbol;
}

void Gateway::on(Session& s, const ib::CancelMktData& m) {
  s.state().mkt_data.erase(m.req_id);
}

void Gateway::on(Session& s, const ib::ReqRealTimeBars& m) {
  const SimContract* c = find_contract(contracts_, m.contract);
  if (!c) {
    s.send_error(m.req_id, 200, "No security definition has been found for the request");
    return;
  }
  if (m.bar_size != 5) {
    s.send_error(m.req_id, 321, "Error validating request:-'bR' : cause - Invalid bar size");
    return;
  }
  s.state().realtime_bars[m.req_id] = c->instrument.symbol;
}

void Gateway::on(Session& s, const ib::CancelRealTimeBars& m) {
  s.state().realtime_bars.erase(m.req_id);
}

void Gateway::on(Session& s, const ib::ReqHistoricalData& m) {
  auto fail = [&](const std::string& why) {
    s.send_error(m.req_id, 162, "Historical Market Data Service error message:" + why);
  };
  const SimContract* c = find_contract(contracts_, m.contract);
  if (!c) {
    s.send_error(m.req_id, 200, "No security definition has been found for the request");
    return;
  }
  auto size = parse_bar_size(m.bar_size);
  if (!size) return fail(size.error().message);
  auto duration = parse_history_duration(m.duration);
  if (!duration) return fail(duration.error().message);
  const Timestamp now = scheduler_.now();
  auto end = parse_end_date_time(m.end_date_time, now);
  if (!end) return fail(end.error().message);
  const HistoryWindow window = history_window(std::min(*end, now), *duration, *size);
  const auto base = static_cast<size_t>((floor_to(now, kBaseBar) - window.start) / kBaseBar);
  if (base > kMaxBaseBars)
    return fail("request too long for the simulator (over 1,000,000 bars of 5 secs)");
  market_->request_bars(c->instrument.symbol, base, [&](std::vector<Bar> bars) {
    ib::HistoricalData h;
    h.req_id = m.req_id;
    h.start_date = format_bar_time(window.start, kBaseBar, 1);
    h.end_date = format_bar_time(window.end, kBaseBar, 1);
    for (const Bar& b : aggregate_bars(bars, *size, window)) {
      ib::HistoricalBar hb;
      hb.date = format_bar_time(b.time, *size, m.format_date);
      hb.open = b.open;
      hb.high = b.high;
      hb.low = b.low;
      hb.close = b.close;
      hb.volume = b.volume;
      hb.wap = (b.high + b.low + b.close)
                   .div(Decimal::from_int(3), Rounding::kHalfEven)
                   .round(4, Rounding::kHalfEven);
      hb.bar_count = static_cast<int32_t>(*size / kBaseBar);
      h.bars.push_back(std::move(hb));
    }
    spdlog::info("session {}: historicalData {} {} x {}: {} bars", s.id(), c->instrument.symbol,
                 m.duration, m.bar_size, h.bars.size());
    s.send(h);
  });
}

void Gateway::on(Session& s, const ib::ReqContractDetails& m) {
  const SimContract* c = find_contract(contracts_, m.contract);
  if (!c) {
    s.send_error(m.req_id, 200, "No security definition has been found for the request");
    return;
  }
  ib::ContractData d;
  d.req_id = m.req_id;
  d.contract = c->contract;
  d.market_name = c->contract.trading_class;
  d.min_tick = c->instrument.tick;
  d.order_types = "LMT,MKT,STP,STP LMT";
  d.valid_exchanges = c->contract.exchange;
  d.price_magnifier = 1;
  d.under_con_id = 0;
  d.long_name = c->long_name;
  d.contract_month = c->contract.last_trade_date_or_contract_month.substr(0, 6);
  d.time_zone_id = "UTC";
  d.trading_hours = "";
  d.liquid_hours = "";
  d.agg_group = 1;
  d.market_rule_ids = "26";
  d.real_expiration_date = c->contract.last_trade_date_or_contract_month;
  d.stock_type = c->contract.sec_type == "STK" ? "ETF" : "";
  d.min_size = Decimal::from_int(1);
  d.size_increment = Decimal::from_int(1);
  d.suggested_size_increment = Decimal::from_int(1);
  s.send(d);
  s.send(ib::ContractDataEnd{.req_id = m.req_id});
}

}  // namespace td::ibsim
