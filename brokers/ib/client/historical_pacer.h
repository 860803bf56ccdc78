#pragma once
// Pacing for historical-data requests (ib-protocol.md 4.5). Why its own:
// IB answers a violation with error 162 and a dropped request, and the
// rules are not a simple rate: no identical request within 15 s; fewer than
// six for the same contract, exchange and data type within 2 s; at most 60
// in any 10 minutes (BID_ASK counting twice); at most 50 open at once.
// IB states them for bars of 30 s and less; they are applied to every
// historical request here (warm-up and fetch-history then take a little
// longer, and never lose a request).
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/time.h"

namespace td::ib {

struct HistoricalRequestKey {
  std::string contract;  // e.g. the conId, or symbol + sec type + expiry
  std::string exchange;
  std::string what_to_show;  // TRADES, MIDPOINT, BID, ASK, BID_ASK, ...
  std::string rest;          // every other parameter: end, duration, bar size, RTH
};

class HistoricalPacer {
 public:
  // The earliest time, not before `now`, at which `key` may be sent; nullopt
  // while 50 requests are open (the next finished() frees a slot).
  std::optional<Timestamp> next_slot(const HistoricalRequestKey& key, Timestamp now) const;
  void sent(const HistoricalRequestKey& key, Timestamp now);
  // A request ended: data complete, an error, or cancelled.
  void finished();
  std::size_t open() const { return open_; }
  // Request keys remembered for the per-request and per-series rules.
  std::size_t remembered() const { return last_identical_.size() + recent_by_series_.size(); }

 private:
  static std::string full(const HistoricalRequestKey& k);
  static std::string series(const HistoricalRequestKey& k);
  static int weight(const HistoricalRequestKey& k);

  std::map<std::string, Timestamp> last_identical_;                // full key -> last send
  std::map<std::string, std::deque<Timestamp>> recent_by_series_;  // the last 5 sends
  std::deque<std::pair<Timestamp, int>> window_;                   // sends in the last 10 min
  std::size_t open_ = 0;
};

}  // namespace td::ib
