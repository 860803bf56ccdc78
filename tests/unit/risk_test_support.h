#pragma once
// Test doubles for the risk manager's two data interfaces: an EngineView over
// a real td::Portfolio (fed real fills and marks) with maps of reference
// prices and working quantities, and a RiskActions that records what risk
// asked for. Time is the view's `now`, moved by the tests (no sleeps).
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/risk_hook.h"
#include "risk/risk_manager.h"

namespace td {
// gtest prints a Decimal as text (internal linkage: one per test file).
[[maybe_unused]] static void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string();
}

namespace risk::testing {

inline Timestamp at(const char* rfc3339) {
  auto t = parse_time(rfc3339);
  if (!t) throw std::invalid_argument(rfc3339);
  return *t;
}
inline Decimal D(const char* s) {
  return Decimal::parse(s).value();
}
// Monday 2026-03-02 15:00 UTC (10:00 in New York, EST).
inline const Timestamp kT0 = at("2026-03-02T15:00:00Z");

class FakeView final : public EngineView {
 public:
  FakeView() : pf(D("100000")) {
    add_instrument("SPY");
    add_instrument("QQQ");
    add_instrument("AAPL");
    Instrument es;
    es.symbol = Symbol("ES");
    es.sec_type = SecType::kFuture;
    es.multiplier = D("50");
    es.tick = D("0.25");
    instruments[es.symbol] = es;
    pf.set_multiplier(es.symbol, es.multiplier);
  }

  void add_instrument(const char* s) {
    Instrument i;
    i.symbol = Symbol(s);
    instruments[i.symbol] = i;
  }
  // A reference price (what the engine last saw), dated now unless told.
  void quote(const char* sym, const char* price, std::optional<Timestamp> t = std::nullopt) {
    refs[Symbol(sym)] = MarketRef{D(price), t.value_or(now_)};
  }
  // A quote that also marks the portfolio.
  void mark(const char* sym, const char* price) {
    quote(sym, price);
    pf.mark(Symbol(sym), D(price), now_);
  }
  Fill fill(const char* sym, Side side, const char* qty, const char* price,
            const char* commission = "0") {
    Fill f;
    f.id = FillId(++fill_id_);
    f.order_id = OrderId(fill_id_);
    f.symbol = Symbol(sym);
    f.side = side;
    f.qty = D(qty);
    f.price = D(price);
    f.commission = D(commission);
    f.time = now_;
    f.source = "api";
    pf.apply_fill(f);
    refs[f.symbol] = MarketRef{f.price, now_};
    return f;
  }
  void set_working(const char* sym, const char* buy, const char* sell) {
    working_[Symbol(sym)] = WorkingQty{D(buy), D(sell), 1};
  }
  void advance(Duration d) { now_ += d; }
  void set_now(Timestamp t) { now_ = t; }

  // EngineView
  Timestamp now() const override { return now_; }
  const Portfolio& portfolio() const override { return pf; }
  const Instrument* instrument(const Symbol& s) const override {
    auto it = instruments.find(s);
    return it == instruments.end() ? nullptr : &it->second;
  }
  std::optional<MarketRef> market_ref(const Symbol& s) const override {
    auto it = refs.find(s);
    if (it == refs.end()) return std::nullopt;
    return it->second;
  }
  WorkingQty working(const Symbol& s) const override {
    auto it = working_.find(s);
    return it == working_.end() ? WorkingQty{} : it->second;
  }
  size_t working_orders() const override { return working_orders_; }
  bool broker_connected() const override { return connected; }
  Timestamp broker_disconnected_since() const override { return disconnected_since; }

  Portfolio pf;
  std::map<Symbol, Instrument> instruments;
  std::map<Symbol, MarketRef> refs;
  std::map<Symbol, WorkingQty> working_;
  size_t working_orders_ = 0;
  bool connected = true;
  Timestamp disconnected_since{};

 private:
  Timestamp now_ = kT0;
  uint64_t fill_id_ = 0;
};

class RecordingActions final : public RiskActions {
 public:
  struct Close {
    Symbol symbol;
    std::string source, reason;
  };
  std::vector<OrderId> cancel_all(const std::string& reason) override {
    cancel_reasons.push_back(reason);
    return cancel_result;
  }
  std::vector<FlattenResult> flatten(const std::string& reason) override {
    flatten_reasons.push_back(reason);
    return flatten_result;
  }
  FlattenResult close_position(const Symbol& s, const std::string& source,
                               const std::string& reason) override {
    closes.push_back(Close{s, source, reason});
    FlattenResult r;
    r.symbol = s;
    if (close_error)
      r.error = *close_error;
    else
      r.closing_order = OrderId(900 + closes.size());
    return r;
  }
  void publish_risk_event(RiskEventData e) override { events.push_back(std::move(e)); }

  std::vector<const RiskEventData*> events_of(const std::string& kind,
                                              const std::string& name = "") const {
    std::vector<const RiskEventData*> out;
    for (const auto& e : events)
      if (e.kind == kind && (name.empty() || e.name == name)) out.push_back(&e);
    return out;
  }
  static std::string figure(const RiskEventData& e, const std::string& key) {
    for (const auto& [k, v] : e.figures)
      if (k == key) return v;
    return "<none>";
  }

  std::vector<std::string> cancel_reasons, flatten_reasons;
  std::vector<Close> closes;
  std::vector<RiskEventData> events;
  std::vector<OrderId> cancel_result{OrderId(7), OrderId(8)};
  std::vector<FlattenResult> flatten_result;
  std::optional<std::string> close_error;
};

// An order as the engine would hand it to pre_trade.
struct O {
  OrderRequest r;
  O(const char* sym, Side side, const char* qty) {
    r.symbol = Symbol(sym);
    r.side = side;
    r.qty = D(qty);
  }
  O& limit(const char* p) {
    r.type = r.stop_price ? OrderType::kStopLimit : OrderType::kLimit;
    r.limit_price = D(p);
    return *this;
  }
  O& stop(const char* p) {
    r.type = r.limit_price ? OrderType::kStopLimit : OrderType::kStop;
    r.stop_price = D(p);
    return *this;
  }
  O& source(const char* s) {
    r.source = s;
    return *this;
  }
  O& reduce_only() {
    r.reduce_only = true;
    return *this;
  }
  O& outside_rth() {
    r.outside_rth = true;
    return *this;
  }
  Order order(Timestamp t = kT0) const {
    static uint64_t next = 1;
    return Order(OrderId(next++), r, t);
  }
};

inline std::string check_of(const std::optional<RiskDenial>& d) {
  return d ? d->check : "pass";
}

}  // namespace risk::testing
}  // namespace td
