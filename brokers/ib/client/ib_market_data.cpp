#include "brokers/ib/client/ib_market_data.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>

namespace td::ib {

namespace {

constexpr auto kRealtimeBar = std::chrono::seconds(5);

std::optional<Timestamp> parse_bar_date(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (s.size() == 8) {  // yyyymmdd (daily bars): that day at 00:00 UTC
    const int y = static_cast<int>(v / 10000), m = static_cast<int>(v / 100 % 100),
              d = static_cast<int>(v % 100);
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                          std::chrono::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return Timestamp(std::chrono::sys_days(ymd).time_since_epoch());
  }
  return from_unix_seconds(v);
}

std::string ib_end_time(Timestamp t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(secs - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u-%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

std::optional<std::string> ib_bar_size(Duration interval) {
  using namespace std::chrono;
  const auto s = duration_cast<seconds>(interval).count();
  if (duration_cast<Duration>(seconds(s)) != interval) return std::nullopt;
  switch (s) {
    case 1:
      return "1 secs";
    case 5:
      return "5 secs";
    case 10:
      return "10 secs";
    case 15:
      return "15 secs";
    case 30:
      return "30 secs";
    case 60:
      return "1 min";
    case 120:
      return "2 mins";
    case 180:
      return "3 mins";
    case 300:
      return "5 mins";
    case 600:
      return "10 mins";
    case 900:
      return "15 mins";
    case 1200:
      return "20 mins";
    case 1800:
      return "30 mins";
    case 3600:
      return "1 hour";
    case 7200:
      return "2 hours";
    case 10800:
      return "3 hours";
    case 14400:
      return "4 hours";
    case 28800:
      return "8 hours";
    case 86400:
      return "1 day";
    case 604800:
      return "1 week";
    default:
      return std::nullopt;
  }
}

std::string ib_duration(Duration span) {
  using namespace std::chrono;
  const int64_t s = std::max<int64_t>(1, ceil<seconds>(span).count());
  if (s <= 86400) return std::to_string(s) + " S";
  const int64_t d = (s + 86399) / 86400;
  if (d <= 365) return std::to_string(d) + " D";
  return std::to_string((d + 364) / 365) + " Y";
}

IbMarketData::IbMarketData(IbSession& session, IbMarketDataOptions options)
    : session_(session), options_(std::move(options)) {
  session_.add(this);
}

IbMarketData::~IbMarketData() {
  if (pace_timer_) session_.scheduler().cancel(*pace_timer_);
  for (auto& [id, h] : history_)
    if (h.timeout) session_.scheduler().cancel(h.timeout);
}

std::string IbMarketData::what_to_show(const Symbol& s) const {
  auto it = options_.contracts.find(s);
  return it != options_.contracts.end() && it->second.sec_type == "CASH" ? "MIDPOINT" : "TRADES";
}

void IbMarketData::start() {
  started_ = true;
  if (session_.ready()) subscribe_all();
}

void IbMarketData::stop() {
  started_ = false;
  for (const auto& [id, s] : ticks_) session_.send(CancelMktData{id});
  for (const auto& [id, s] : rt_bars_) session_.send(CancelRealTimeBars{id});
  ticks_.clear();
  rt_bars_.clear();
  by_symbol_.clear();
}

void IbMarketData::subscribe_all() {
  for (const auto& [id, s] : ticks_) session_.send(CancelMktData{id});
  for (const auto& [id, s] : rt_bars_) session_.send(CancelRealTimeBars{id});
  ticks_.clear();
  rt_bars_.clear();
  by_symbol_.clear();
  if (!started_) return;
  if (options_.market_data_type != 1) {
    ReqMarketDataType t;
    t.market_data_type = options_.market_data_type;
    session_.send(t);
  }
  for (const auto& [sym, contract] : options_.contracts) {
    ReqMktData m;
    m.req_id = session_.next_request_id();
    m.contract = contract;
    Stream& st = ticks_[m.req_id];
    st.symbol = sym;
    st.quote.symbol = sym;
    by_symbol_[sym] = &st;
    session_.send(m);
    ReqRealTimeBars b;
    b.req_id = session_.next_request_id();
    b.contract = contract;
    b.what_to_show = what_to_show(sym);
    rt_bars_[b.req_id] = sym;
    session_.send(b);
    subscriptions_made_ += 2;
  }
  spdlog::info("IB: subscribed market data and 5 s bars for {} symbols", options_.contracts.size());
}

void IbMarketData::on_session_ready(const SessionStart&) {
  subscribe_all();
  // History requests sent on the lost connection are asked again.
  for (auto& [id, h] : history_) h.sent = false;
  pump_history();
}

void IbMarketData::on_session_lost(const std::string&) {
  ticks_.clear();
  rt_bars_.clear();
  by_symbol_.clear();
  for (auto& [id, h] : history_)
    if (h.sent) pacer_.finished(), h.sent = false;
}

void IbMarketData::on_connectivity(bool up, bool data_lost) {
  if (up && data_lost) subscribe_all();
}

void IbMarketData::on_message(const IncomingMessage& message) {
  std::visit(
      [this](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, TickPrice>)
          on_tick_price(m);
        else if constexpr (std::is_same_v<T, TickSize>)
          on_tick_size(m);
        else if constexpr (std::is_same_v<T, RealtimeBar>)
          on_realtime_bar(m);
        else if constexpr (std::is_same_v<T, HistoricalData>)
          on_historical(m);
        else if constexpr (std::is_same_v<T, ErrorMessage>)
          on_error(m);
      },
      message);
}

void IbMarketData::on_tick_price(const TickPrice& m) {
  auto it = ticks_.find(m.req_id);
  if (it == ticks_.end() || !m.price || m.price->sign() <= 0) return;
  Stream& s = it->second;
  switch (m.tick_type) {
    case 1:
    case 66:
      s.quote.bid = *m.price;
      if (m.size) s.quote.bid_size = *m.size;
      s.have_bid = true;
      break;
    case 2:
    case 67:
      s.quote.ask = *m.price;
      if (m.size) s.quote.ask_size = *m.size;
      s.have_ask = true;
      break;
    case 4:
    case 68:
      s.quote.last = *m.price;
      break;
    default:
      return;
  }
  publish_quote(s);
}

void IbMarketData::on_tick_size(const TickSize& m) {
  auto it = ticks_.find(m.req_id);
  if (it == ticks_.end() || !m.size) return;
  Stream& s = it->second;
  if (m.tick_type == 0 || m.tick_type == 69) s.quote.bid_size = *m.size;
  if (m.tick_type == 3 || m.tick_type == 70) s.quote.ask_size = *m.size;
}

void IbMarketData::publish_quote(Stream& s) {
  if (!s.have_bid || !s.have_ask) return;
  s.quote.time = session_.scheduler().now();
  ++quotes_;
  for (auto* h : handlers_) h->on_quote(s.quote);
}

void IbMarketData::on_realtime_bar(const RealtimeBar& m) {
  auto it = rt_bars_.find(m.req_id);
  if (it == rt_bars_.end()) return;
  const Symbol sym = it->second;
  const Timestamp t = from_unix_seconds(m.time);
  const Duration iv = options_.bar_interval;
  const Timestamp bucket = t - (t.time_since_epoch() % iv);
  auto& building = building_[sym];
  if (building && building->time != bucket) {
    // The bucket's last 5 s bar never came (a gap): it closes now.
    const Bar done = *building;
    building.reset();
    ++bars_;
    for (auto* h : handlers_) h->on_bar(done);
  }
  if (!building) {
    Bar b;
    b.symbol = sym;
    b.time = bucket;
    b.interval = iv;
    b.open = m.open;
    b.high = m.high;
    b.low = m.low;
    b.close = m.close;
    b.volume = m.volume.value_or(Decimal());
    building = b;
  } else {
    building->high = std::max(building->high, m.high);
    building->low = std::min(building->low, m.low);
    building->close = m.close;
    building->volume += m.volume.value_or(Decimal());
  }
  if (t + kRealtimeBar >= bucket + iv) {
    const Bar done = *building;
    building.reset();
    ++bars_;
    for (auto* h : handlers_) h->on_bar(done);
  }
}

void IbMarketData::request_bars(const Symbol& symbol, size_t count,
                                std::function<void(std::vector<Bar>)> done) {
  const Duration iv = options_.bar_interval;
  // One more bar than asked: the newest may still be forming.
  request_history(symbol, Timestamp{}, ib_duration(iv * static_cast<int64_t>(count + 1)), iv,
                  [this, count, iv, done = std::move(done)](Result<std::vector<Bar>> r) {
                    if (!r) {
                      spdlog::error("IB: warm-up history: {}", r.error().message);
                      done({});
                      return;
                    }
                    std::vector<Bar> bars;
                    const Timestamp now = session_.scheduler().now();
                    for (auto& b : *r)
                      if (b.time + iv <= now) bars.push_back(std::move(b));
                    if (bars.size() > count)
                      bars.erase(bars.begin(), bars.end() - static_cast<ptrdiff_t>(count));
                    done(std::move(bars));
                  });
}

void IbMarketData::request_history(const Symbol& symbol, Timestamp end, const std::string& duration,
                                   Duration bar_interval,
                                   std::function<void(Result<std::vector<Bar>>)> done) {
  auto c = options_.contracts.find(symbol);
  auto size = ib_bar_size(bar_interval);
  if (c == options_.contracts.end() || !size) {
    done(make_error(ErrorCode::kInvalidArgument, c == options_.contracts.end()
                                                     ? "no IB contract for " + symbol.str()
                                                     : "IB has no bars of this size"));
    return;
  }
  HistoryRequest h;
  h.symbol = symbol;
  h.interval = bar_interval;
  h.done = std::move(done);
  h.req.req_id = session_.next_request_id();
  h.req.contract = c->second;
  h.req.end_date_time = end == Timestamp{} ? std::string() : ib_end_time(end);
  h.req.bar_size = *size;
  h.req.duration = duration;
  h.req.use_rth = false;
  h.req.what_to_show = what_to_show(symbol);
  h.req.format_date = 2;
  h.key.contract = c->second.con_id ? std::to_string(c->second.con_id)
                                    : c->second.symbol + ":" + c->second.sec_type + ":" +
                                          c->second.last_trade_date_or_contract_month;
  h.key.exchange = c->second.exchange;
  h.key.what_to_show = h.req.what_to_show;
  h.key.rest = h.req.end_date_time + "|" + h.req.duration + "|" + h.req.bar_size;
  const int64_t id = h.req.req_id;
  history_.emplace(id, std::move(h));
  pump_history();
}

void IbMarketData::pump_history() {
  if (pace_timer_ || !session_.ready()) return;
  const Timestamp now = session_.scheduler().now();
  for (auto& [id, h] : history_) {
    if (h.sent) continue;
    auto slot = pacer_.next_slot(h.key, now);
    if (!slot) return;  // 50 open: the next answer frees a slot
    if (*slot > now) {
      pace_timer_ = session_.scheduler().schedule_at(*slot, [this] {
        pace_timer_.reset();
        pump_history();
      });
      return;
    }
    if (!session_.send(h.req)) return;
    pacer_.sent(h.key, now);
    h.sent = true;
    const int64_t req_id = id;
    h.timeout = session_.scheduler().schedule_after(options_.history_timeout, [this, req_id] {
      auto it = history_.find(req_id);
      if (it == history_.end()) return;
      it->second.timeout = 0;
      session_.send(CancelHistoricalData{req_id});
      finish_history(req_id, make_error(ErrorCode::kUnavailable, "no historical data in time"));
    });
  }
}

void IbMarketData::on_historical(const HistoricalData& m) {
  auto it = history_.find(m.req_id);
  if (it == history_.end()) return;
  std::vector<Bar> bars;
  bars.reserve(m.bars.size());
  for (const auto& hb : m.bars) {
    auto t = parse_bar_date(hb.date);
    if (!t) {
      finish_history(m.req_id,
                     make_error(ErrorCode::kInvalidArgument,
                                "historical bar with an unreadable date '" + hb.date + "'"));
      return;
    }
    Bar b;
    b.symbol = it->second.symbol;
    b.time = *t;
    b.interval = it->second.interval;
    b.open = hb.open;
    b.high = hb.high;
    b.low = hb.low;
    b.close = hb.close;
    b.volume = hb.volume.value_or(Decimal());
    bars.push_back(std::move(b));
  }
  finish_history(m.req_id, std::move(bars));
}

void IbMarketData::on_error(const ErrorMessage& m) {
  if (m.id <= 0) return;
  if (history_.count(m.id)) {
    if (m.code == 165 || m.code == 2174) return;  // informational
    finish_history(m.id, make_error(ErrorCode::kUnavailable,
                                    "IB " + std::to_string(m.code) + ": " + m.message));
    return;
  }
  if (auto t = ticks_.find(m.id); t != ticks_.end()) {
    if (m.code == 10167 || m.code == 10089 || m.code == 10090 || m.code == 354)
      spdlog::warn("IB: market data for {}: {} {}", t->second.symbol, m.code, m.message);
    else if (m.code == 200)
      spdlog::error("IB: market data for {}: {} {}", t->second.symbol, m.code, m.message);
    return;
  }
  if (auto b = rt_bars_.find(m.id); b != rt_bars_.end()) {
    spdlog::warn("IB: 5 s bars for {}: {} {}", b->second, m.code, m.message);
    if (m.code == 10225) subscribe_all();  // bust event: resubscribe at once
  }
}

void IbMarketData::finish_history(int64_t req_id, Result<std::vector<Bar>> result) {
  auto it = history_.find(req_id);
  if (it == history_.end()) return;
  auto done = std::move(it->second.done);
  if (it->second.timeout) session_.scheduler().cancel(it->second.timeout);
  if (it->second.sent) pacer_.finished();
  history_.erase(it);
  done(std::move(result));
  pump_history();
}

}  // namespace td::ib
