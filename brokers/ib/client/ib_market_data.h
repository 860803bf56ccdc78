#pragma once
// Market data and history from IB for the engine: quotes from reqMktData
// ticks, strategy bars aggregated from IB's 5-second real-time bars, and
// warm-up bars from reqHistoricalData (paced: historical_pacer.h). Why
// aggregate 5 s bars rather than ask for bars of the strategy's size: IB
// streams nothing larger, and building the bar here puts its close exactly
// at the interval's end, as the simulator and backtests do
// (core/market_data.h: a bar is stamped with its open time and delivered
// when it closes). After 1101 (data lost) and after every reconnect, every
// subscription is made again under a new request id.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "brokers/ib/client/historical_pacer.h"
#include "brokers/ib/client/ib_session.h"
#include "core/market_data.h"

namespace td::ib {

struct IbMarketDataOptions {
  std::map<Symbol, Contract> contracts;             // the symbols to stream
  Duration bar_interval = std::chrono::minutes(1);  // a multiple of 5 s
  int32_t market_data_type = 1;                     // 1 live, 2 frozen, 3 delayed, 4 delayed-frozen
  Duration history_timeout = std::chrono::seconds(60);
};

// "1 min", "5 mins", "1 hour", "1 day"... for a bar interval IB serves; nullopt otherwise.
std::optional<std::string> ib_bar_size(Duration interval);
// The smallest duration string ("N S", "N D", "N W") covering `span`.
std::string ib_duration(Duration span);

class IbMarketData final : public HistorySource, public SessionParticipant {
 public:
  IbMarketData(IbSession& session, IbMarketDataOptions options);
  ~IbMarketData() override;

  void add_handler(MarketDataHandler* h) { handlers_.push_back(h); }
  // Subscribes now (or as soon as the session is ready) and after every reconnect.
  void start();
  void stop();

  // HistorySource: the last `count` closed bars; answered when IB answers
  // (an empty vector after an error or history_timeout).
  void request_bars(const Symbol& symbol, size_t count,
                    std::function<void(std::vector<Bar>)> done) override;
  // Any range (fetch-history): bars of `bar_size` ending at `end` (UTC),
  // covering `duration` ("2 D"); useRTH off, TRADES (MIDPOINT for CASH).
  void request_history(const Symbol& symbol, Timestamp end, const std::string& duration,
                       Duration bar_interval, std::function<void(Result<std::vector<Bar>>)> done);

  uint64_t subscriptions_made() const { return subscriptions_made_; }
  uint64_t quotes() const { return quotes_; }
  uint64_t bars() const { return bars_; }

  void on_session_ready(const SessionStart& start) override;
  void on_session_lost(const std::string& why) override;
  void on_message(const IncomingMessage& message) override;
  void on_connectivity(bool up, bool data_lost) override;

 private:
  struct Stream {
    Symbol symbol;
    Quote quote;
    bool have_bid = false, have_ask = false;
  };
  struct HistoryRequest {
    Symbol symbol;
    HistoricalRequestKey key;
    ReqHistoricalData req;
    Duration interval{};
    size_t count = 0;  // 0: every bar (request_history)
    std::function<void(Result<std::vector<Bar>>)> done;
    bool sent = false;
    TimerId timeout = 0;
  };

  void subscribe_all();
  void on_tick_price(const TickPrice& m);
  void on_tick_size(const TickSize& m);
  void on_realtime_bar(const RealtimeBar& m);
  void on_historical(const HistoricalData& m);
  void on_error(const ErrorMessage& m);
  void publish_quote(Stream& s);
  void finish_history(int64_t req_id, Result<std::vector<Bar>> result);
  void pump_history();
  std::string what_to_show(const Symbol& s) const;

  IbSession& session_;
  IbMarketDataOptions options_;
  std::vector<MarketDataHandler*> handlers_;
  bool started_ = false;
  std::unordered_map<int64_t, Stream> ticks_;    // reqMktData id -> stream
  std::unordered_map<int64_t, Symbol> rt_bars_;  // reqRealTimeBars id -> symbol
  std::unordered_map<Symbol, Stream*> by_symbol_;
  std::map<Symbol, std::optional<Bar>> building_;
  std::map<int64_t, HistoryRequest> history_;  // by request id, in request order
  HistoricalPacer pacer_;
  std::optional<TimerId> pace_timer_;
  uint64_t subscriptions_made_ = 0, quotes_ = 0, bars_ = 0;
};

}  // namespace td::ib
