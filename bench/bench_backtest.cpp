// Backtests end to end (bench/README.md "Backtests"). Not a Google
// Benchmark: each figure is a whole command as a user runs it.
// (a) sma_cross(10, 30) (long only, its default) over --bars one-minute bars (default 10
//     million) from a CSV in the page cache, `tradingd backtest` as a child
//     process (one core: it is single-threaded) writing every report file;
//     bars/s from the wall time of the process, and its peak resident
//     memory (getrusage of the child: ru_maxrss).
// (b) optimize: the grid of the issue, fast=5:20:5,slow=20:60:10 (20 points, one invalid: fast = slow), over --sweep-bars bars with --jobs=1 and
//     --jobs=2 (the sweep's bars parsed once, in memory); the speed-up.
// Medians (and min/max) over --rounds. The data comes from gen-data's
// generator (seed 42), written once to a temporary directory.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backtest/gen_data.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ChildRun {
  double seconds = 0;
  long max_rss_kb = 0;
  int status = -1;
};

ChildRun run_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout)) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  ChildRun r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.max_rss_kb = ru.ru_maxrss;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

long arg(int argc, char** argv, const std::string& name, long def) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind(name + "=", 0) == 0) return std::stol(a.substr(name.size() + 1));
  }
  return def;
}

void warm_page_cache(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (f.read(buf.data(), static_cast<std::streamsize>(buf.size())) || f.gcount() > 0) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long bars = arg(argc, argv, "--bars", 10'000'000);
  const long sweep_bars = arg(argc, argv, "--sweep-bars", 1'000'000);
  const long rounds = arg(argc, argv, "--rounds", 3);
  char tmpl[] = "/tmp/td-bench-backtest-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const fs::path dir = tmpl;
  const std::string bin = TRADINGD_BIN;

  auto gen = [&](long n, const fs::path& path) {
    td::backtest::GenDataOptions g;
    g.seed = 42;
    g.bars = static_cast<uint64_t>(n);
    g.start = td::from_unix_seconds(1704205800);
    g.price = td::Decimal::from_int(450);
    if (auto st = td::backtest::generate_bars(g, path.string()); !st) {
      std::fprintf(stderr, "gen-data: %s\n", st.error().message.c_str());
      std::exit(1);
    }
  };
  const fs::path csv = dir / "spy.csv";
  const fs::path sweep_csv = dir / "sweep.csv";
  const auto g0 = Clock::now();
  gen(bars, csv);
  gen(sweep_bars, sweep_csv);
  std::printf("generated %ld + %ld bars in %.1f s (%.0f MB)\n", bars, sweep_bars,
              std::chrono::duration<double>(Clock::now() - g0).count(),
              static_cast<double>(fs::file_size(csv)) / 1e6);
  const fs::path config = dir / "bt.yaml";
  std::ofstream(config) << "instruments: [{symbol: SPY, tick: \"0.01\"}]\n"
                           "backtest: {slippage_bps: 1}\n"
                           "strategies:\n"
                           "  - {name: cross, type: sma_cross, symbols: [SPY], qty: 100,\n"
                           "     params: {fast: 10, slow: 30}}\n";

  std::vector<double> rate, rss, one, two;
  for (long r = 0; r < rounds; ++r) {
    warm_page_cache(csv);
    const auto out = (dir / "out").string();
    const ChildRun run = run_child({bin, "backtest", "--config", config.string(), "--data",
                                    "SPY=" + csv.string(), "--out", out});
    if (run.status != 0) {
      std::fprintf(stderr, "tradingd backtest failed (%d)\n", run.status);
      return 1;
    }
    rate.push_back(static_cast<double>(bars) / run.seconds);
    rss.push_back(static_cast<double>(run.max_rss_kb) / 1024.0);
    std::printf("round %ld: backtest %ld bars in %.3f s = %.2f M bars/s, peak RSS %.1f MB\n", r + 1,
                bars, run.seconds, rate.back() / 1e6, rss.back());
    fs::remove_all(out);

    warm_page_cache(sweep_csv);
    for (int jobs : {1, 2}) {
      const auto sweep_out = (dir / ("sweep" + std::to_string(jobs))).string();
      const ChildRun s =
          run_child({bin, "optimize", "--config", config.string(), "--data",
                     "SPY=" + sweep_csv.string(), "--grid", "fast=5:20:5,slow=20:60:10", "--jobs",
                     std::to_string(jobs), "--out", sweep_out});
      if (s.status != 0) {
        std::fprintf(stderr, "tradingd optimize failed (%d)\n", s.status);
        return 1;
      }
      (jobs == 1 ? one : two).push_back(s.seconds);
      fs::remove_all(sweep_out);
    }
    std::printf("round %ld: optimize 20 points x %ld bars: 1 job %.3f s, 2 jobs %.3f s = %.2fx\n",
                r + 1, sweep_bars, one.back(), two.back(), one.back() / two.back());
  }
  std::vector<double> speedup;
  for (size_t i = 0; i < one.size(); ++i) speedup.push_back(one[i] / two[i]);
  std::printf(
      "median over %ld rounds: backtest %.2f M bars/s (min %.2f, max %.2f), peak RSS %.1f MB "
      "(max %.1f); optimize speed-up 2 vs 1 jobs %.2fx (min %.2f, max %.2f)\n",
      rounds, median(rate) / 1e6, *std::min_element(rate.begin(), rate.end()) / 1e6,
      *std::max_element(rate.begin(), rate.end()) / 1e6, median(rss),
      *std::max_element(rss.begin(), rss.end()), median(speedup),
      *std::min_element(speedup.begin(), speedup.end()),
      *std::max_element(speedup.begin(), speedup.end()));
  fs::remove_all(dir);
  return 0;
}
