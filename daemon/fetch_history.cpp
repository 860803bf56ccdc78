#include "daemon/fetch_history.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>

#include "brokers/ib/client/ib_market_data.h"
#include "brokers/ib/client/ib_session.h"
#include "daemon/asio_scheduler.h"

namespace td::daemon {

namespace {

constexpr int kMaxAttempts = 3;

// The span one request asks for: within what IB serves for the bar size.
Duration chunk_for(Duration bar) {
  using namespace std::chrono;
  if (bar <= seconds(30)) return minutes(30);
  if (bar <= minutes(1)) return hours(24);
  if (bar <= hours(1)) return hours(24 * 7);
  return hours(24 * 365);
}

// The time of the file's last bar, when the file has bars.
std::optional<Timestamp> last_bar_time(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  if (last.empty() || last.rfind("time,", 0) == 0) return std::nullopt;
  return parse_time(last.substr(0, last.find(',')));
}

}  // namespace

std::optional<Duration> parse_bar_size(std::string_view text) {
  std::string t;
  for (char c : text)
    if (c != ' ') t += c;
  for (const char* suffix : {"mins", "min"}) {
    const std::string s(suffix);
    if (t.size() > s.size() && t.compare(t.size() - s.size(), s.size(), s) == 0) {
      t = t.substr(0, t.size() - s.size()) + "m";
      break;
    }
  }
  auto d = parse_duration(t);
  if (!d || d->count() <= 0 || !ib::ib_bar_size(*d)) return std::nullopt;
  return d;
}

std::optional<Timestamp> parse_fetch_time(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-')
    return parse_time(std::string(text) + "T00:00:00Z");
  return parse_time(text);
}

int fetch_history(const FetchHistoryOptions& o) {
  Timestamp cursor = o.from;
  const bool exists = std::filesystem::exists(o.out) && std::filesystem::file_size(o.out) > 0;
  if (exists) {
    if (auto last = last_bar_time(o.out)) {
      cursor = std::max(cursor, *last + o.bar);
      spdlog::info("{} has bars up to {}: resuming from {}", o.out, format_rfc3339(*last),
                   format_rfc3339(cursor));
    }
  }
  std::ofstream out(o.out, std::ios::app);
  if (!out) {
    spdlog::error("cannot write {}", o.out);
    return 1;
  }
  if (!exists) out << "time,open,high,low,close,volume\n" << std::flush;
  if (cursor >= o.to) {
    spdlog::info("nothing to fetch: {} already reaches {}", o.out, format_rfc3339(o.to));
    return 0;
  }

  boost::asio::io_context io;
  AsioScheduler scheduler(io);
  ib::IbSessionOptions so;
  so.connection.host = o.host;
  so.connection.port = o.port;
  so.connection.client_id = o.client_id;
  ib::IbSession session(io, scheduler, so);
  ib::IbMarketDataOptions mo;
  mo.contracts[Symbol(o.symbol)] = o.contract;
  mo.bar_interval = o.bar;
  ib::IbMarketData data(session, mo);

  int exit_code = 0;
  int attempts = 0;
  size_t written = 0;
  const Duration chunk = chunk_for(o.bar);
  std::function<void()> next;
  next = [&] {
    if (cursor >= o.to) {
      spdlog::info("done: {} bars written to {}", written, o.out);
      io.stop();
      return;
    }
    const Timestamp end = std::min(cursor + chunk, o.to);
    data.request_history(
        Symbol(o.symbol), end, ib::ib_duration(end - cursor), o.bar,
        [&, end](Result<std::vector<Bar>> bars) {
          if (!bars) {
            const bool no_data = bars.error().message.find("162") != std::string::npos &&
                                 bars.error().message.find("no data") != std::string::npos;
            if (!no_data && ++attempts < kMaxAttempts) {
              spdlog::warn("{} .. {}: {}; asking again", format_rfc3339(cursor),
                           format_rfc3339(end), bars.error().message);
              next();
              return;
            }
            if (!no_data) {
              spdlog::error("{} .. {}: {}; stopped (run again to resume)", format_rfc3339(cursor),
                            format_rfc3339(end), bars.error().message);
              exit_code = 1;
              io.stop();
              return;
            }
          } else {
            for (const Bar& b : *bars) {
              if (b.time < cursor || b.time >= end) continue;
              out << format_rfc3339(b.time) << ',' << b.open.to_string() << ','
                  << b.high.to_string() << ',' << b.low.to_string() << ',' << b.close.to_string()
                  << ',' << b.volume.to_string() << '\n';
              ++written;
            }
            out.flush();
            if (!out) {
              spdlog::error("writing {} failed", o.out);
              exit_code = 1;
              io.stop();
              return;
            }
          }
          attempts = 0;
          spdlog::info("{} .. {}: {} bars so far", format_rfc3339(cursor), format_rfc3339(end),
                       written);
          cursor = end;
          next();
        });
  };
  scheduler.schedule_after(o.connect_timeout, [&] {
    if (!session.ready() && written == 0) {
      spdlog::error("no session with the gateway at {}:{} within the connect timeout: {}", o.host,
                    o.port, session.last_error());
      exit_code = 1;
      io.stop();
    }
  });
  session.start();
  next();
  io.run();
  session.stop();
  scheduler.cancel_all();
  return exit_code;
}

}  // namespace td::daemon
