#include "brokers/ib/client/historical_pacer.h"

#include <algorithm>

namespace td::ib {

namespace {
constexpr auto kIdentical = std::chrono::seconds(15);
constexpr auto kSeriesWindow = std::chrono::seconds(2);
constexpr std::size_t kSeriesMax = 5;  // "no six or more within 2 s"
constexpr auto kWindow = std::chrono::minutes(10);
constexpr int kWindowMax = 60;
constexpr std::size_t kOpenMax = 50;
}  // namespace

std::string HistoricalPacer::full(const HistoricalRequestKey& k) {
  return series(k) + '\x1f' + k.rest;
}

std::string HistoricalPacer::series(const HistoricalRequestKey& k) {
  return k.contract + '\x1f' + k.exchange + '\x1f' + k.what_to_show;
}

int HistoricalPacer::weight(const HistoricalRequestKey& k) {
  return k.what_to_show == "BID_ASK" ? 2 : 1;
}

std::optional<Timestamp> HistoricalPacer::next_slot(const HistoricalRequestKey& key,
                                                    Timestamp now) const {
  if (open_ >= kOpenMax) return std::nullopt;
  Timestamp at = now;
  if (auto it = last_identical_.find(full(key)); it != last_identical_.end())
    at = std::max(at, it->second + kIdentical);
  if (auto it = recent_by_series_.find(series(key));
      it != recent_by_series_.end() && it->second.size() >= kSeriesMax)
    at = std::max(at, it->second.front() + kSeriesWindow);
  // The 10-minute budget: drop the oldest sends until this one fits.
  int used = 0;
  for (const auto& [t, w] : window_)
    if (t + kWindow > at) used += w;
  for (const auto& [t, w] : window_) {
    if (used + weight(key) <= kWindowMax) break;
    if (t + kWindow > at) {
      at = t + kWindow;  // that send leaves the window then
      used -= w;
    }
  }
  return at;
}

void HistoricalPacer::sent(const HistoricalRequestKey& key, Timestamp now) {
  // Keys whose rules no longer bind go, so a daemon that runs for months
  // keeps only the last few minutes of requests.
  std::erase_if(last_identical_, [&](const auto& e) { return e.second + kIdentical <= now; });
  std::erase_if(recent_by_series_,
                [&](const auto& e) { return e.second.back() + kSeriesWindow <= now; });
  last_identical_[full(key)] = now;
  auto& recent = recent_by_series_[series(key)];
  recent.push_back(now);
  while (recent.size() > kSeriesMax) recent.pop_front();
  window_.emplace_back(now, weight(key));
  while (!window_.empty() && window_.front().first + kWindow <= now) window_.pop_front();
  ++open_;
}

void HistoricalPacer::finished() {
  if (open_ > 0) --open_;
}

}  // namespace td::ib
