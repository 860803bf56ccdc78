#include "backtest/csv_bar_source.h"

namespace td::backtest {

Result<std::unique_ptr<CsvBarSource>> CsvBarSource::open(const std::vector<DataFile>& files,
                                                         DataCheckOptions checks,
                                                         std::optional<Timestamp> from,
                                                         std::optional<Timestamp> to) {
  auto src = std::unique_ptr<CsvBarSource>(new CsvBarSource());
  for (const DataFile& f : files) {
    auto file = BarFile::open(f.path, checks);
    if (!file) return tl::unexpected(file.error());
    src->files_.push_back(std::move(*file));
  }
  src->heads_.resize(files.size());
  src->from_ = from;
  src->to_ = to;
  return src;
}

bool CsvBarSource::has_errors() const {
  for (const auto& f : files_)
    if (f->has_errors()) return true;
  return false;
}

// The file's next bar in [from, to) into its head.
bool CsvBarSource::advance(size_t i) {
  Head& h = heads_[i];
  while (!h.done) {
    if (!files_[i]->next(h.row)) {
      h.done = true;
      break;
    }
    if (from_ && h.row.time < *from_) continue;
    if (to_ && h.row.time >= *to_) {
      h.done = true;
      break;
    }
    h.valid = true;
    return true;
  }
  h.valid = false;
  return false;
}

bool CsvBarSource::take(size_t i, SourceBar& bar) {
  const BarRow& r = heads_[i].row;
  bar.symbol = static_cast<uint32_t>(i);
  bar.time = r.time;
  bar.open = r.open;
  bar.high = r.high;
  bar.low = r.low;
  bar.close = r.close;
  bar.volume = r.volume;
  heads_[i].valid = false;
  return true;
}

bool CsvBarSource::next(SourceBar& bar) {
  if (heads_.size() == 1) return advance(0) && take(0, bar);  // one file: no merge
  size_t best = heads_.size();
  for (size_t i = 0; i < heads_.size(); ++i) {
    if (!heads_[i].valid && !heads_[i].done) advance(i);
    if (heads_[i].valid && (best == heads_.size() || heads_[i].row.time < heads_[best].row.time))
      best = i;
  }
  if (best == heads_.size()) return false;
  return take(best, bar);
}

}  // namespace td::backtest
