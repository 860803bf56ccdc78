#include "brokers/ib/ibsim/gateway.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "brokers/ib/ibsim/history.h"
#include "brokers/ib/ibsim/session.h"
#include "brokers/ib/wire/codec.h"

namespace td::ibsim {

namespace {
constexpr auto kPaceTick = std::chrono::milliseconds(10);
using SteadyClock = std::chrono::steady_clock;

std::vector<SimContract> contracts_or_throw(const IbSimOptions& o) {
  auto c = make_contracts(o.symbols.empty() ? default_symbols() : o.symbols);
  if (!c) throw std::invalid_argument(c.error().message);
  return std::move(*c);
}
}  // namespace

Gateway::Gateway(boost::asio::io_context& io, IbSimOptions options)
    : io_(io),
      options_(std::move(options)),
      contracts_(contracts_or_throw(options_)),
      pacer_(io),
      // Perm ids unique across runs too (IB's are unique per account).
      next_perm_id_(1'000'000'000 + static_cast<int64_t>(options_.seed % 1000) * 1'000'000),
      cash_(options_.initial_cash) {
  if (options_.speed <= 0) throw std::invalid_argument("speed must be > 0");
  if (options_.faults.partial_fills < 1) throw std::invalid_argument("partial fills must be >= 1");
  const Timestamp start =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  scheduler_.sim_clock().set(start);
  sim_origin_ = start;

  sim::MarketSimOptions mo;
  mo.seed = options_.seed;
  mo.bar_interval = kBaseBar;
  mo.quote_interval = options_.quote_interval;
  mo.kept_bars = 100'000;
  sim::SimBrokerOptions bo;
  for (const SimContract& c : contracts_) {
    sim::SimSymbol s;
    s.instrument = c.instrument;
    s.start_price = c.start_price;
    if (c.instrument.sec_type == SecType::kCash) s.volatility = 0.08;
    mo.symbols.push_back(s);
    bo.instruments.push_back(c.instrument);
  }
  market_ = std::make_unique<sim::MarketSimulator>(scheduler_, mo);
  broker_ = std::make_unique<sim::SimBroker>(scheduler_, bo);
  broker_->set_events(this);
  market_->add_handler(broker_.get());  // orders fill on a quote before clients see it
  market_->add_handler(this);
}

Gateway::~Gateway() = default;

void Gateway::start() {
  if (running_) return;
  running_ = true;
  real_origin_ = SteadyClock::now();
  sim_origin_ = scheduler_.now();
  market_->start();
  pace();
}

void Gateway::stop() {
  running_ = false;
  pacer_.cancel();
  drop_all();
}

void Gateway::pace() {
  if (!running_) return;
  const auto real = SteadyClock::now() - real_origin_;
  const auto sim = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::nano>(static_cast<double>(real.count()) * options_.speed));
  scheduler_.run_until(sim_origin_ + sim);
  pacer_.expires_after(kPaceTick);
  pacer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) pace();
  });
}

bool Gateway::refusing() const {
  return options_.faults.refuse_connects || SteadyClock::now() < refuse_until_;
}

// ---- sessions

void Gateway::attach(const std::shared_ptr<Session>& s) {
  ++connections_total_;
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  sessions_.push_back(s);
}

void Gateway::detach(Session& s) {
  std::erase_if(sessions_, [&](const std::weak_ptr<Session>& w) {
    auto p = w.lock();
    return !p || p.get() == &s;
  });
  auto it = by_client_.find(s.state().client_id);
  if (it != by_client_.end() && it->second == &s) by_client_.erase(it);
}

Session* Gateway::session_for(int32_t client_id) const {
  auto it = by_client_.find(client_id);
  return it == by_client_.end() ? nullptr : it->second;
}

int64_t Gateway::next_valid_id(int32_t client_id) const {
  if (rolled_back_.count(client_id)) return 1;
  auto it = max_used_id_.find(client_id);
  const int64_t used = it == max_used_id_.end() ? 0 : it->second;
  return std::max(options_.next_valid_id, used + 1);
}

void Gateway::on_start_api(Session& s, int32_t client_id) {
  if (session_for(client_id)) {
    spdlog::warn("session {}: client id {} already in use", s.id(), client_id);
    s.send_error(-1, 326,
                 "Unable to connect as the client id is already in use. Retry with a unique "
                 "client id.");
    s.close_after_flush();
    return;
  }
  s.state().client_id = client_id;
  by_client_[client_id] = &s;
  spdlog::info("session {}: startApi, client id {}", s.id(), client_id);
  s.send(ib::ManagedAccounts{.accounts = options_.account});
  s.send(ib::NextValidId{.order_id = next_valid_id(client_id)});
  s.send_error(-1, 2104, "Market data farm connection is OK:usfarm");
  s.send_error(-1, 2106, "HMDS data farm connection is OK:ushmds");
  s.send_error(-1, 2158, "Sec-def data farm connection is OK:secdefnj");
  for (const auto& [perm, o] : orders_)  // unsolicited, as TWS does at connect
    if (o.open && o.client_id == client_id) send_order_state(s, o);
}

template <class M>
void Gateway::on(Session& s, const M& m) {
  spdlog::info("session {}: {} not simulated: ignored", s.id(),
               ib::wire::message_name(ib::OutgoingMessage(m)));
}

void Gateway::handle(Session& s, const ib::OutgoingMessage& m) {
  std::visit([&](const auto& msg) { on(s, msg); }, m);
}

void Gateway::note_incoming() {
  ++messages_received_;
  const auto now = SteadyClock::now();
  while (!window_.empty() && now - window_.front() >= std::chrono::seconds(1)) window_.pop_front();
  window_.push_back(now);
  max_in_1s_ = std::max(max_in_1s_, window_.size());
}

void Gateway::note_error_sent(int32_t code) {
  if (code == 100) ++error100_sent_;
  if (code == 103) ++error103_sent_;
}

void Gateway::on(Session& s, const ib::ReqIds&) {
  // The honest answer, also after `restart`: reqIds is how a client recovers.
  rolled_back_.erase(s.state().client_id);
  s.send(ib::NextValidId{.order_id = next_valid_id(s.state().client_id)});
}

void Gateway::on(Session& s, const ib::ReqManagedAccts&) {
  s.send(ib::ManagedAccounts{.accounts = options_.account});
}

void Gateway::on(Session& s, const ib::ReqCurrentTime&) {
  s.send(ib::CurrentTime{
      .time =
          std::chrono::floor<std::chrono::seconds>(scheduler_.now()).time_since_epoch().count()});
}

// ---- control

void Gateway::drop_all() {
  std::vector<std::shared_ptr<Session>> all;
  for (auto& w : sessions_)
    if (auto p = w.lock()) all.push_back(p);
  for (auto& p : all) p->close();
}

void Gateway::restart(std::chrono::seconds refuse_for) {
  drop_all();
  refuse_until_ = SteadyClock::now() + refuse_for;
  for (const auto& [client, id] : max_used_id_) rolled_back_.insert(client);
}

void Gateway::broadcast_error(int32_t code, const std::string& text) {
  for (auto& w : sessions_)
    if (auto p = w.lock(); p && p->state().client_id >= 0) p->send_error(-1, code, text);
}

nlohmann::json Gateway::stats() const {
  size_t connected = 0, mkt = 0, rtb = 0;
  for (auto& w : sessions_)
    if (auto p = w.lock(); p && !p->closed()) {
      ++connected;
      mkt += p->state().mkt_data.size();
      rtb += p->state().realtime_bars.size();
    }
  size_t open = 0;
  for (const auto& [perm, o] : orders_) open += o.open;
  nlohmann::json positions = nlohmann::json::object();
  for (const auto& [sym, p] : positions_) positions[sym.str()] = p.qty().to_string();
  return {{"connections", connected},
          {"connections_total", connections_total_},
          {"refusing", refusing()},
          {"orders_received", orders_received_},
          {"cancels_received", cancels_received_},
          {"messages_received", messages_received_},
          {"max_messages_in_1s", max_in_1s_},
          {"error100_sent", error100_sent_},
          {"error103_sent", error103_sent_},
          {"mkt_data_subscriptions", mkt},
          {"realtime_bar_subscriptions", rtb},
          {"reqmktdata_received", reqmktdata_received_},
          {"open_orders", open},
          {"executions", executions_.size()},
          {"positions", positions}};
}

nlohmann::json Gateway::orders_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [perm, o] : orders_)
    out.push_back(
        {{"order_id", o.order_id},
         {"client_id", o.client_id},
         {"perm_id", o.perm_id},
         {"order_ref", o.request.order_ref},
         {"symbol", o.contract ? o.contract->instrument.symbol.str() : o.request.contract.symbol},
         {"action", o.request.action},
         {"qty", o.request.total_quantity.to_string()},
         {"filled", o.filled.to_string()},
         {"status", o.status},
         {"held", o.held}});
  return out;
}

}  // namespace td::ibsim
