// The TWS wire codec's cost per message (brokers/ib/wire): what the engine
// thread pays to encode an order and to decode the messages that stream in
// (ticks, order status, executions, the long openOrder). Results and how to
// read them: bench/README.md "IB codec".
#include <benchmark/benchmark.h>

#include "brokers/ib/wire/codec.h"
#include "brokers/ib/wire/frame.h"

namespace td::ib {
namespace {

constexpr int kVersion = 178;

PlaceOrder limit_order() {
  PlaceOrder p;
  p.order_id = 1234;
  p.contract.symbol = "SPY";
  p.contract.sec_type = "STK";
  p.contract.exchange = "SMART";
  p.contract.currency = "USD";
  p.action = "BUY";
  p.total_quantity = Decimal::from_int(100);
  p.order_type = "LMT";
  p.lmt_price = Decimal::parse("450.25").value();
  p.tif = "DAY";
  p.account = "DU1234567";
  p.order_ref = "td-42";
  return p;
}

// The payload of an incoming message as the gateway sends it.
std::string payload_of(const IncomingMessage& m) {
  std::string frame = wire::encode_incoming(m, kVersion).value();
  return frame.substr(4);
}

IncomingMessage open_order() {
  OpenOrder o;
  o.order_id = 1234;
  o.contract.symbol = "SPY";
  o.contract.sec_type = "STK";
  o.contract.exchange = "SMART";
  o.contract.currency = "USD";
  o.action = "BUY";
  o.total_quantity = Decimal::from_int(100);
  o.order_type = "LMT";
  o.lmt_price = Decimal::parse("450.25").value();
  o.tif = "DAY";
  o.account = "DU1234567";
  o.order_ref = "td-42";
  o.client_id = 7;
  o.perm_id = 987654321;
  o.status = "Submitted";
  return o;
}

IncomingMessage exec_details() {
  ExecDetails e;
  e.order_id = 1234;
  e.contract.symbol = "SPY";
  e.contract.sec_type = "STK";
  e.contract.exchange = "SMART";
  e.contract.currency = "USD";
  e.exec_id = "0000e1a7.6520abcd.01.01";
  e.time = "20261121 15:30:00 America/New_York";
  e.account = "DU1234567";
  e.exchange = "ARCA";
  e.side = "BOT";
  e.shares = Decimal::from_int(100);
  e.price = Decimal::parse("450.25").value();
  e.perm_id = 987654321;
  e.client_id = 7;
  e.cum_qty = Decimal::from_int(100);
  e.avg_price = e.price;
  e.order_ref = "td-42";
  return e;
}

IncomingMessage tick_price() {
  TickPrice t;
  t.req_id = 5;
  t.tick_type = 1;
  t.price = Decimal::parse("450.24").value();
  t.size = Decimal::from_int(300);
  return t;
}

IncomingMessage order_status() {
  OrderStatus s;
  s.order_id = 1234;
  s.status = "Filled";
  s.filled = Decimal::from_int(100);
  s.remaining = Decimal();
  s.avg_fill_price = Decimal::parse("450.25").value();
  s.perm_id = 987654321;
  s.last_fill_price = s.avg_fill_price;
  s.client_id = 7;
  return s;
}

void BM_EncodePlaceOrder(benchmark::State& state) {
  const OutgoingMessage m = limit_order();
  size_t bytes = 0;
  for (auto _ : state) {
    auto f = wire::encode(m, kVersion);
    bytes += f->size();
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodePlaceOrder);

void BM_EncodeCancelOrder(benchmark::State& state) {
  CancelOrder c;
  c.order_id = 1234;
  const OutgoingMessage m = c;
  for (auto _ : state) benchmark::DoNotOptimize(wire::encode(m, kVersion));
}
BENCHMARK(BM_EncodeCancelOrder);

void decode_bench(benchmark::State& state, const IncomingMessage& m) {
  const std::string payload = payload_of(m);
  for (auto _ : state) {
    auto d = wire::decode(payload, kVersion);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}
void BM_DecodeTickPrice(benchmark::State& s) {
  decode_bench(s, tick_price());
}
void BM_DecodeOrderStatus(benchmark::State& s) {
  decode_bench(s, order_status());
}
void BM_DecodeExecDetails(benchmark::State& s) {
  decode_bench(s, exec_details());
}
void BM_DecodeOpenOrder(benchmark::State& s) {
  decode_bench(s, open_order());
}
BENCHMARK(BM_DecodeTickPrice);
BENCHMARK(BM_DecodeOrderStatus);
BENCHMARK(BM_DecodeExecDetails);
BENCHMARK(BM_DecodeOpenOrder);

}  // namespace
}  // namespace td::ib

BENCHMARK_MAIN();
