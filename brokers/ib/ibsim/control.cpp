#include "brokers/ib/ibsim/control.h"

#include <spdlog/spdlog.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <istream>
#include <sstream>
#include <vector>

#include "brokers/ib/ibsim/gateway.h"

namespace td::ibsim {

namespace asio = boost::asio;

namespace {

std::optional<int64_t> to_int(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> on_off(const std::vector<std::string>& w) {
  if (w.size() != 2) return std::nullopt;
  if (w[1] == "on") return true;
  if (w[1] == "off") return false;
  return std::nullopt;
}

}  // namespace

std::string run_control_command(Gateway& g, std::string_view line) {
  std::vector<std::string> w;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;) w.push_back(word);
  if (w.empty()) return "error empty command";
  const std::string& cmd = w[0];
  FaultOptions& f = g.faults();
  if (cmd == "drop" && w.size() == 1) {
    g.drop_all();
    return "ok";
  }
  if (cmd == "refuse" || cmd == "reject" || cmd == "hold") {
    auto v = on_off(w);
    if (!v) return "error usage: " + cmd + " on|off";
    (cmd == "refuse" ? f.refuse_connects : cmd == "reject" ? f.reject_orders : f.hold_orders) = *v;
    return "ok";
  }
  if (cmd == "delay" || cmd == "partial" || cmd == "restart") {
    auto n = w.size() == 2 ? to_int(w[1]) : std::nullopt;
    if (!n || *n < (cmd == "partial" ? 1 : 0))
      return "error usage: " + cmd + (cmd == "partial" ? " <n >= 1>" : " <n >= 0>");
    if (cmd == "delay")
      f.delay = std::chrono::milliseconds(*n);
    else if (cmd == "partial")
      f.partial_fills = static_cast<int>(*n);
    else
      g.restart(std::chrono::seconds(*n));
    return "ok";
  }
  if (cmd == "fill") {
    if (w.size() == 1) return "ok " + std::to_string(g.fill_held());
    auto id = to_int(w[1]);
    std::optional<Decimal> qty;
    if (w.size() == 3)
      if (auto q = Decimal::parse(w[2])) qty = *q;
    if (!id || !qty) return "error usage: fill [<order id> <qty>]";
    if (auto st = g.fill_order(*id, *qty); !st) return "error " + st.error().message;
    return "ok";
  }
  if (cmd == "error" && w.size() >= 2) {
    auto code = to_int(w[1]);
    if (!code) return "error usage: error <code> [text]";
    std::string text;
    const auto pos = line.find(w[1]) + w[1].size();
    if (pos < line.size()) text = std::string(line.substr(pos));
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    g.broadcast_error(static_cast<int32_t>(*code), text);
    return "ok";
  }
  if (cmd == "stats" && w.size() == 1) return "ok " + g.stats().dump();
  if (cmd == "orders" && w.size() == 1) return "ok " + g.orders_json().dump();
  return "error unknown command '" + std::string(line) + "'";
}

ControlSession::ControlSession(asio::ip::tcp::socket socket, Gateway& gateway)
    : socket_(std::move(socket)), gateway_(gateway) {}

void ControlSession::read() {
  asio::async_read_until(socket_, in_, '\n',
                         [self = shared_from_this()](boost::system::error_code ec, size_t) {
                           if (ec) return;
                           std::istream is(&self->in_);
                           std::string line;
                           std::getline(is, line);
                           if (!line.empty() && line.back() == '\r') line.pop_back();
                           self->reply_ = run_control_command(self->gateway_, line) + "\n";
                           spdlog::debug("control: {} -> {}", line, self->reply_.substr(0, 80));
                           asio::async_write(self->socket_, asio::buffer(self->reply_),
                                             [self](boost::system::error_code ec, size_t) {
                                               if (!ec) self->read();
                                             });
                         });
}

}  // namespace td::ibsim
