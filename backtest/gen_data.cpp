#include "backtest/gen_data.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>

#include "brokers/sim/det_math.h"
#include "brokers/sim/price_process.h"
#include "brokers/sim/random.h"

namespace td::backtest {
namespace {

constexpr int kSubSteps = 4;       // price steps per bar: high and low come from these
constexpr double kMaxPrice = 1e9;  // keeps ticks * tick.units() far inside int64
constexpr double kVolumePerMinute = 10'000;
constexpr std::string_view kHeader = "time,open,high,low,close,volume\n";

Status invalid(std::string msg) {
  return make_error(ErrorCode::kInvalidArgument, std::move(msg));
}

// civil_from_days (H. Hinnant): days since 1970-01-01 -> y, m, d.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

// Formats rows into a fixed buffer handed to `sink` in large blocks.
class RowWriter {
 public:
  RowWriter(std::function<bool(const char*, size_t)> sink, int places)
      : sink_(std::move(sink)), places_(places) {}

  bool add(std::string_view s) {
    if (s.size() > kCap - len_ && !flush()) return false;
    std::memcpy(buf_ + len_, s.data(), s.size());
    len_ += s.size();
    return true;
  }
  bool row(int64_t t, Decimal o, Decimal h, Decimal l, Decimal c, uint64_t volume) {
    if (kCap - len_ < 256 && !flush()) return false;
    time(t);
    for (Decimal v : {o, h, l, c}) {
      buf_[len_++] = ',';
      price(v);
    }
    buf_[len_++] = ',';
    uint(volume, 1);
    buf_[len_++] = '\n';
    return true;
  }
  bool flush() {
    if (len_ > 0 && !sink_(buf_, len_)) return false;
    len_ = 0;
    return true;
  }

 private:
  static constexpr size_t kCap = 1 << 20;

  void uint(uint64_t v, int min_digits) {
    char tmp[24];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 || n < min_digits);
    while (n > 0) buf_[len_++] = tmp[--n];
  }
  void time(int64_t t) {
    int64_t day = t / 86400, sod = t % 86400;
    if (sod < 0) sod += 86400, --day;
    if (day != day_) {
      int64_t y = 0;
      unsigned m = 0, d = 0;
      civil_from_days(day, y, m, d);
      const size_t keep = len_;
      uint(static_cast<uint64_t>(y), 4);
      buf_[len_++] = '-';
      uint(m, 2);
      buf_[len_++] = '-';
      uint(d, 2);
      buf_[len_++] = 'T';
      std::memcpy(date_, buf_ + keep, 11);
      len_ = keep;
      day_ = day;
    }
    std::memcpy(buf_ + len_, date_, 11);
    len_ += 11;
    uint(static_cast<uint64_t>(sod / 3600), 2);
    buf_[len_++] = ':';
    uint(static_cast<uint64_t>(sod / 60 % 60), 2);
    buf_[len_++] = ':';
    uint(static_cast<uint64_t>(sod % 60), 2);
    buf_[len_++] = 'Z';
  }
  // Prices are positive multiples of the tick: `places_` digits show them exactly.
  void price(Decimal v) {
    const uint64_t u = static_cast<uint64_t>(v.units());
    uint(u / Decimal::kUnitsPerOne, 1);
    if (places_ == 0) return;
    buf_[len_++] = '.';
    uint64_t frac = u % Decimal::kUnitsPerOne;
    for (int k = places_; k < Decimal::kScale; ++k) frac /= 10;
    uint(frac, places_);
  }

  std::function<bool(const char*, size_t)> sink_;
  int places_;
  char buf_[kCap];
  size_t len_ = 0;
  char date_[11] = {};
  int64_t day_ = INT64_MIN;
};

// Fractional digits the tick needs: 0.01 -> 2, 0.25 -> 2, 5 -> 0.
int places_of(Decimal tick) {
  int64_t u = tick.units();
  int places = Decimal::kScale;
  while (places > 0 && u % 10 == 0) u /= 10, --places;
  return places;
}

Status generate(const GenDataOptions& o, const std::function<bool(const char*, size_t)>& sink,
                const std::string& where) {
  if (auto s = check_gen_options(o); !s) return s;
  auto writer = std::make_unique<RowWriter>(sink, places_of(o.tick));
  auto failed = [&] {
    return make_error(ErrorCode::kInternal, where + ": write failed: " + std::strerror(errno));
  };
  if (!writer->add(kHeader)) return failed();

  const double interval_s = std::chrono::duration<double>(o.interval).count();
  const double dt = interval_s / (sim::kTradingHoursPerYear * 3600.0) / kSubSteps;
  sim::PriceProcess process(o.volatility, o.drift, sim::MarketModel{},
                            sim::Rng::derive(o.seed, "gen-data", 0));
  sim::Rng volume_rng = sim::Rng::derive(o.seed, "gen-data", 1);
  const int64_t tick_units = o.tick.units();
  const double tick = o.tick.to_double();
  const double log_min = sim::det_log(tick), log_max = sim::det_log(kMaxPrice);
  // A price on the tick grid, at least one tick: floor, nearest or ceiling.
  auto on_tick = [&](double p, int how) {
    const double q = p / tick;
    const double n = how < 0 ? std::floor(q) : how > 0 ? std::ceil(q) : std::floor(q + 0.5);
    return Decimal::from_units(std::max<int64_t>(1, static_cast<int64_t>(n)) * tick_units);
  };
  const double volume_base = kVolumePerMinute * interval_s / 60.0;

  Decimal close = o.price.round_to(o.tick, Rounding::kHalfEven);
  if (close < o.tick) close = o.tick;
  double log_p = sim::det_log(close.to_double());
  const int64_t start = to_unix_seconds(o.start);
  const int64_t step_s = std::chrono::duration_cast<std::chrono::seconds>(o.interval).count();
  for (uint64_t i = 0; i < o.bars; ++i) {
    const Decimal open = close;
    double hi = open.to_double(), lo = hi, p = hi, vol_ratio = 0;
    for (int s = 0; s < kSubSteps; ++s) {
      const sim::PriceStep st = process.step(dt);
      log_p = std::clamp(log_p + st.log_return, log_min, log_max);
      p = sim::det_exp(log_p);
      hi = std::max(hi, p);
      lo = std::min(lo, p);
      vol_ratio += st.vol_ratio / kSubSteps;
    }
    close = on_tick(p, 0);
    const Decimal high = std::max({on_tick(hi, 1), open, close});
    const Decimal low = std::min({on_tick(lo, -1), open, close});
    const double v = volume_base * vol_ratio * (0.4 + 0.8 * volume_rng.uniform());
    const uint64_t volume = static_cast<uint64_t>(std::clamp(std::floor(v), 1.0, 1e12));
    if (!writer->row(start + static_cast<int64_t>(i) * step_s, open, high, low, close, volume))
      return failed();
  }
  if (!writer->flush()) return failed();
  return {};
}

}  // namespace

Status check_gen_options(const GenDataOptions& o) {
  if (o.bars == 0) return invalid("bars must be at least 1");
  if (o.interval <= Duration::zero() || o.interval % std::chrono::seconds(1) != Duration::zero())
    return invalid("interval must be a positive whole number of seconds");
  if (o.start.time_since_epoch() % std::chrono::seconds(1) != Duration::zero())
    return invalid("start must be a whole second");
  if (o.tick.sign() <= 0) return invalid("tick must be positive");
  if (o.price < o.tick) return invalid("price must be at least one tick");
  if (o.price.to_double() > kMaxPrice) return invalid("price must be at most 1000000000");
  if (!std::isfinite(o.volatility) || o.volatility < 0 || o.volatility > 10)
    return invalid("volatility must be between 0 and 10");
  if (!std::isfinite(o.drift) || std::fabs(o.drift) > 10)
    return invalid("drift must be between -10 and 10");
  // The last bar's time must still be a Timestamp (before 2262-04-11).
  const int64_t step_s = std::chrono::duration_cast<std::chrono::seconds>(o.interval).count();
  const int64_t start = to_unix_seconds(o.start);
  constexpr int64_t kMaxSeconds = 9'223'372'035;
  if (o.bars - 1 > static_cast<uint64_t>((kMaxSeconds - start) / step_s))
    return invalid("the last bar would be after 2262-04-11");
  return {};
}

Status generate_bars(const GenDataOptions& o, std::ostream& out) {
  return generate(
      o,
      [&out](const char* p, size_t n) {
        out.write(p, static_cast<std::streamsize>(n));
        return static_cast<bool>(out);
      },
      "output");
}

Status generate_bars(const GenDataOptions& o, const std::string& path, bool overwrite) {
  if (auto s = check_gen_options(o); !s) return s;
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec))
    return make_error(ErrorCode::kConflict, path + ": exists (not overwritten)");
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0)
    return make_error(ErrorCode::kUnavailable,
                      tmp + ": cannot create: " + std::string(std::strerror(errno)));
  fchmod(fd, 0644);
  auto s = generate(
      o,
      [fd](const char* p, size_t n) {
        while (n > 0) {
          const ssize_t w = ::write(fd, p, n);
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) return false;
          p += w;
          n -= static_cast<size_t>(w);
        }
        return true;
      },
      path);
  if (::close(fd) != 0 && s)
    s = make_error(ErrorCode::kInternal, path + ": write failed: " + std::strerror(errno));
  if (s) {
    // link() refuses an existing target: no file that appeared meanwhile is lost.
    const int r =
        overwrite ? std::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
    if (r != 0)
      s = make_error(
          errno == EEXIST ? ErrorCode::kConflict : ErrorCode::kInternal,
          path + ": " +
              (errno == EEXIST ? std::string("exists (not overwritten)")
                               : "cannot move into place: " + std::string(std::strerror(errno))));
  }
  ::unlink(tmp.c_str());
  return s;
}

}  // namespace td::backtest
