#pragma once
// Bars from one CSV file per symbol (backtest-semantics.md "Bars"), merged on
// time, streamed: one read buffer per file and one bar ahead per file, so a
// backtest's memory does not grow with the number of bars. Only bars that
// pass every data check come out; the files' problems are listed afterwards
// (the caller refuses the run unless bad data is allowed). Bars with an open
// time before `from` are skipped; reading stops at the first at or after `to`.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backtest/bar_file.h"
#include "backtest/bar_source.h"
#include "core/ids.h"
#include "core/status.h"

namespace td::backtest {

struct DataFile {
  Symbol symbol;
  std::string path;
};

class CsvBarSource final : public BarSource {
 public:
  // Opens every file (an error names the file that cannot be opened).
  static Result<std::unique_ptr<CsvBarSource>> open(const std::vector<DataFile>& files,
                                                    DataCheckOptions checks,
                                                    std::optional<Timestamp> from = {},
                                                    std::optional<Timestamp> to = {});
  bool next(SourceBar& bar) override;

  const std::vector<std::unique_ptr<BarFile>>& files() const { return files_; }
  bool has_errors() const;

 private:
  struct Head {
    bool valid = false;
    bool done = false;
    BarRow row;
  };
  bool advance(size_t i);
  bool take(size_t i, SourceBar& bar);  // file i's head into bar

  std::vector<std::unique_ptr<BarFile>> files_;
  std::vector<Head> heads_;
  std::optional<Timestamp> from_, to_;
};

}  // namespace td::backtest
