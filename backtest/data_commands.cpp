#include "backtest/data_commands.h"

#include "backtest/bar_file.h"

namespace td::backtest {
namespace {

void print_summary(const BarFile& f, bool interval_given, std::ostream& out) {
  const DataQuality& q = f.quality();
  auto count = [](uint64_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  out << f.path() << ": " << (q.errors == 0 ? "ok, " : "") << count(q.rows, "row") << ", "
      << count(q.good_bars, "good bar") << ", " << count(q.errors, "error") << ", "
      << count(q.warnings, "warning") << '\n';
  if (q.first)
    out << "  first " << format_rfc3339(*q.first) << ", last " << format_rfc3339(*q.last) << '\n';
  out << "  interval "
      << (q.interval ? format_duration(*q.interval) + (interval_given ? "" : " (inferred)")
                     : std::string("unknown"))
      << ", gaps " << q.gaps << ", largest gap " << format_duration(q.largest_gap) << '\n';
  if (!q.errors_by_kind.empty()) {
    out << "  errors by kind:";
    const char* sep = " ";
    for (const auto& [kind, n] : q.errors_by_kind) {
      out << sep << kind << ' ' << n;
      sep = ", ";
    }
    out << '\n';
  }
}

}  // namespace

int check_data_command(const std::vector<std::string>& files, std::optional<Duration> interval,
                       std::ostream& out, std::ostream& err) {
  bool any_error = false;
  for (const std::string& path : files) {
    auto f = BarFile::open(path, {.interval = interval});
    if (!f) {
      err << path << ": error: " << f.error().message << '\n';
      out << path << ": cannot be read\n";
      any_error = true;
      continue;
    }
    (*f)->drain();
    print_problems(**f, err);
    print_summary(**f, interval.has_value(), out);
    any_error = any_error || (*f)->has_errors();
  }
  return any_error ? 1 : 0;
}

int gen_data_command(const GenDataOptions& o, const std::string& out_path, std::ostream& err,
                     bool overwrite) {
  if (auto s = check_gen_options(o); !s) {
    err << "tradingd gen-data: " << s.error().message << '\n';
    return 2;
  }
  if (auto s = generate_bars(o, out_path, overwrite); !s) {
    err << "tradingd gen-data: " << s.error().message << '\n';
    return 1;
  }
  err << "tradingd gen-data: " << o.bars << " bars written to " << out_path << '\n';
  return 0;
}

}  // namespace td::backtest
