// The subcommands of tradectl: one per route of api-v1.md (docs/tradectl.md
// lists them). Parsing is CLI11's; each leaf subcommand maps to a handler that
// builds one request (or a few: --all-pages, health, events --follow) and
// prints the answer.
#include "tradectl/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <thread>

#include "tradectl/client.h"
#include "tradectl/format.h"
#include "tradectl/url.h"
#include "tradectl/values.h"
#include "tradectl/watch.h"

namespace td::tradectl {
namespace {

constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

// A usage problem found after parsing (exit 2).
struct UsageError {
  std::string message;
};

// How a successful JSON answer is shown with --table (nullptr: key/value).
using TableView = std::function<void(std::ostream&, const Json&)>;

TableView list_view(std::string member, const std::vector<Column>& (*columns)()) {
  return [member = std::move(member), columns](std::ostream& out, const Json& body) {
    print_table(out, columns(), body.is_object() && body.contains(member) ? body[member] : Json());
  };
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

class Cli {
 public:
  explicit Cli(Io& io) : io_(io) {}

  int main(const std::vector<std::string>& args) {
    CLI::App app{"tradectl: command-line client of the tradingd control API (api-v1)", "tradectl"};
    build(app);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
      io_.out << app.help();
      return kExitOk;
    } catch (const CLI::CallForAllHelp&) {
      io_.out << app.help("", CLI::AppFormatMode::All);
      return kExitOk;
    } catch (const CLI::ParseError& e) {
      io_.err << "tradectl: error: " << e.what() << "\n\n" << app.help();
      return kExitUsage;
    }
    const CLI::App* leaf = &app;
    std::string command = "tradectl";
    for (auto subs = leaf->get_subcommands(); !subs.empty(); subs = leaf->get_subcommands()) {
      leaf = subs.front();
      command += " " + leaf->get_name();
    }
    auto it = handlers_.find(leaf);
    if (it == handlers_.end()) {
      io_.err << "tradectl: error: a subcommand is required\n\n" << leaf->help();
      return kExitUsage;
    }
    try {
      if (int rc = configure(); rc != kExitOk) return rc;
      return it->second();
    } catch (const UsageError& e) {
      io_.err << "tradectl: error: " << e.message << "\nRun '" << command
              << " --help' for usage.\n";
      return kExitUsage;
    }
  }

 private:
  std::optional<std::string> env(const std::string& name) const {
    if (io_.getenv) return io_.getenv(name);
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  }

  // Global options -> ClientConfig (URL, token, TLS, timeout).
  int configure() {
    std::string url = url_;
    if (url.empty()) url = env("TRADECTL_URL").value_or("");
    if (url.empty()) url = kDefaultUrl;
    std::string error;
    auto ep = parse_url(url, error);
    if (!ep) throw UsageError{"bad URL '" + url + "': " + error};
    config_.endpoint = *ep;
    config_.cacert = cacert_;
    config_.insecure = insecure_;
    config_.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s_ * 1000));
    config_.stop = io_.stop;
    TokenResult token = find_token(token_file_, [this](const std::string& n) { return env(n); });
    if (!token.error.empty()) {
      io_.err << "tradectl: " << token.error << '\n';
      return kExitUsage;
    }
    config_.token = token.token;
    token_source_ = token.source;
    if (ep->tls && insecure_) {
      io_.err << "tradectl: warning: --insecure: the daemon's TLS certificate is NOT verified\n";
    }
    if (!ep->tls && config_.token && !is_loopback(ep->host)) {
      io_.err << "tradectl: warning: sending the token unencrypted to " << ep->host
              << " (use https://)\n";
    }
    return kExitOk;
  }

  // ---- requests and printing ----

  Outcome send(Request r) { return perform(config_, r); }

  int transport_failure(const TransportError& e) {
    if (e.interrupted) {
      io_.err << "tradectl: interrupted\n";
      return kExitInterrupted;
    }
    io_.err << "tradectl: " << e.message << '\n';
    return kExitTransport;
  }

  int api_failure(const Response& r) {
    print_problem(io_.err, r.status, r.reason, r.body, r.request_id);
    if (r.status == 401 && !config_.token) {
      io_.err << "hint: no token found: use --token-file FILE, TRADECTL_TOKEN or "
                 "~/.config/tradectl/token\n";
    } else if (r.status == 401) {
      io_.err << "hint: the token from " << token_source_ << " was refused\n";
    }
    return kExitApi;
  }

  void print_body(const Response& r, const TableView& view) {
    if (r.body.empty()) return;
    if (!valid_json(r.body)) {
      io_.out << r.body;
      if (!r.body.ends_with('\n')) io_.out << '\n';
      return;
    }
    if (table_) {
      const Json body = Json::parse(r.body);
      if (view) {
        view(io_.out, body);
      } else {
        print_key_values(io_.out, body);
      }
      return;
    }
    io_.out << pretty_json(r.body) << '\n';
  }

  // One request, its answer printed: the common case.
  int call(Request r, TableView view = nullptr) {
    Outcome o = send(std::move(r));
    if (auto* e = std::get_if<TransportError>(&o)) return transport_failure(*e);
    const Response& res = std::get<Response>(o);
    if (res.status < 200 || res.status > 299) return api_failure(res);
    print_body(res, view);
    return kExitOk;
  }

  // GET a list and follow next_cursor to the end; prints one combined body.
  int all_pages(const std::string& path, QueryParams query, const std::string& member,
                const std::vector<Column>& (*columns)()) {
    Json items = Json::array();
    std::set<std::string> seen;
    std::optional<std::string> cursor;
    for (auto& [name, value] : query) {
      if (name == "cursor") cursor = value;
    }
    for (;;) {
      for (auto& [name, value] : query) {
        if (name == "cursor") value = cursor;
      }
      Outcome o = send({"GET", path + query_string(query)});
      if (auto* e = std::get_if<TransportError>(&o)) return transport_failure(*e);
      const Response& res = std::get<Response>(o);
      if (res.status < 200 || res.status > 299) return api_failure(res);
      if (!valid_json(res.body)) {
        io_.err << "tradectl: the daemon's answer is not JSON\n";
        return kExitApi;
      }
      const Json page = Json::parse(res.body);
      if (page.is_object() && page.contains(member) && page[member].is_array()) {
        for (const auto& item : page[member]) items.push_back(item);
      }
      if (!page.is_object() || !page.contains("next_cursor") || !page["next_cursor"].is_string()) {
        break;
      }
      cursor = page["next_cursor"].get<std::string>();
      if (!seen.insert(*cursor).second) {
        io_.err << "tradectl: the daemon returned cursor '" << *cursor << "' twice; stopping\n";
        return kExitApi;
      }
    }
    if (table_) {
      print_table(io_.out, columns(), items);
    } else {
      Json combined;
      combined[member] = items;
      combined["next_cursor"] = nullptr;
      io_.out << pretty_json(combined.dump()) << '\n';
    }
    return kExitOk;
  }

  static std::string seg(const std::string& s) { return percent_encode(s); }

  static std::optional<std::string> opt(const CLI::Option* o, const std::string& v) {
    return o->count() > 0 ? std::optional<std::string>(v) : std::nullopt;
  }

  void decimal(const CLI::Option* o, const std::string& flag, const std::string& v) {
    if (o->count() == 0) return;
    if (auto e = check_decimal(flag, v); !e.empty()) throw UsageError{e};
  }

  // Waits up to `d` or until the stop flag; false when stopped.
  bool pause(std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      if (io_.stop && io_.stop->load()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return !(io_.stop && io_.stop->load());
  }

  // ---- the command tree ----

  void on(CLI::App* sub, std::function<int()> handler) { handlers_[sub] = std::move(handler); }

  void build(CLI::App& app) {
    app.fallthrough();  // global options also after the subcommand
    app.require_subcommand(1);
    app.footer(
        "Token: --token-file FILE, env TRADECTL_TOKEN, or $XDG_CONFIG_HOME/tradectl/token "
        "(~/.config/tradectl/token); files must be mode 0600. There is no --token flag: it would "
        "leak into ps and shell history.\nExit codes: 0 ok, 1 API error, 2 usage error, 3 "
        "connection/TLS error, 130 interrupted.\n");
    app.add_option("--url", url_, "daemon URL (env TRADECTL_URL; default http://127.0.0.1:8080)");
    app.add_option("--token-file", token_file_, "file holding the API token (mode 0600)");
    app.add_option("--cacert", cacert_, "PEM file of the CA(s) to trust for https (self-signed)");
    app.add_flag("--insecure", insecure_, "https without certificate verification (warns)");
    app.add_option("--timeout", timeout_s_, "seconds per request (default 10)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--table", table_, "human-readable table instead of JSON");

    build_orders(app);
    build_queue(app);
    build_positions(app);
    build_misc(app);
  }

  void build_orders(CLI::App& app) {
    auto* status = app.add_subcommand("status", "daemon, broker, store and strategy status");
    on(status, [this] { return call({"GET", "/api/v1/status"}); });

    auto* orders = app.add_subcommand("orders", "list, get, submit, modify and cancel orders");
    orders->require_subcommand(1);

    auto* list = orders->add_subcommand("list", "list orders, newest first");
    list->add_option("--status", list_.status, "open|closed|all")
        ->check(CLI::IsMember({"open", "closed", "all"}));
    list->add_option("--symbol", list_.symbol, "only this symbol");
    list->add_option("--since", list_.since, "RFC 3339 time");
    list->add_option("--limit", list_.limit, "page size (1..1000)")->check(CLI::Range(1, 1000));
    list->add_option("--cursor", list_.cursor, "next_cursor of a previous page");
    list->add_flag("--all-pages", list_.all_pages, "follow next_cursor to the end");
    on(list, [this, list] {
      QueryParams q{{"status", opt(list->get_option("--status"), list_.status)},
                    {"symbol", opt(list->get_option("--symbol"), list_.symbol)},
                    {"since", opt(list->get_option("--since"), list_.since)},
                    {"limit", opt(list->get_option("--limit"), std::to_string(list_.limit))},
                    {"cursor", opt(list->get_option("--cursor"), list_.cursor)}};
      if (list_.all_pages) return all_pages("/api/v1/orders", q, "orders", order_columns);
      return call({"GET", "/api/v1/orders" + query_string(q)}, list_view("orders", order_columns));
    });

    auto* get = orders->add_subcommand("get", "one order, by id or --client-id");
    get->add_option("id", id_, "order id");
    get->add_option("--client-id", client_id_, "the order's client_order_id");
    on(get, [this, get] {
      const bool by_id = get->get_option("id")->count() > 0;
      const bool by_cid = get->get_option("--client-id")->count() > 0;
      if (by_id == by_cid) throw UsageError{"give either an order ID or --client-id CID"};
      if (by_id) return call({"GET", "/api/v1/orders/" + seg(id_)});
      return call({"GET", "/api/v1/orders/by-client-id/" + seg(client_id_)});
    });

    auto* submit = orders->add_subcommand("submit", "submit an order: SYMBOL buy|sell QTY");
    submit->add_option("symbol", sub_.symbol, "symbol, e.g. SPY")->required();
    submit->add_option("side", sub_.side, "buy|sell")
        ->required()
        ->check(CLI::IsMember({"buy", "sell"}));
    submit->add_option("qty", sub_.qty, "quantity (decimal, as typed)")->required();
    submit->add_option("--type", sub_.type, "market|limit|stop|stop_limit (default from prices)")
        ->check(CLI::IsMember({"market", "limit", "stop", "stop_limit"}));
    submit->add_option("--limit", sub_.limit, "limit price (implies --type limit)");
    submit->add_option("--stop", sub_.stop, "stop price (implies --type stop)");
    submit->add_option("--tif", sub_.tif, "day|gtc|ioc")
        ->check(CLI::IsMember({"day", "gtc", "ioc"}));
    submit->add_option("--client-order-id", sub_.client_order_id, "idempotency key");
    submit->add_flag("--outside-rth", sub_.outside_rth, "may fill outside regular hours");
    submit->add_flag("--reduce-only", sub_.reduce_only, "may only reduce a position");
    submit->add_option("--submit-at", sub_.submit_at, "RFC 3339 time: queue until then");
    on(submit, [this, submit] { return do_submit(*submit); });

    auto* modify = orders->add_subcommand("modify", "modify an open order");
    modify->add_option("id", id_, "order id")->required();
    modify->add_option("--qty", mod_.qty, "new quantity");
    modify->add_option("--limit", mod_.limit, "new limit price");
    modify->add_option("--stop", mod_.stop, "new stop price");
    on(modify, [this, modify] {
      Json body = Json::object();
      const auto* q = modify->get_option("--qty");
      const auto* l = modify->get_option("--limit");
      const auto* s = modify->get_option("--stop");
      decimal(q, "--qty", mod_.qty);
      decimal(l, "--limit", mod_.limit);
      decimal(s, "--stop", mod_.stop);
      if (q->count()) body["qty"] = mod_.qty;
      if (l->count()) body["limit_price"] = mod_.limit;
      if (s->count()) body["stop_price"] = mod_.stop;
      if (body.empty()) throw UsageError{"give at least one of --qty, --limit, --stop"};
      return call({"PATCH", "/api/v1/orders/" + seg(id_), body.dump()});
    });

    auto* cancel = orders->add_subcommand("cancel", "cancel an order");
    cancel->add_option("id", id_, "order id")->required();
    on(cancel, [this] { return call({"DELETE", "/api/v1/orders/" + seg(id_)}); });

    auto* cancel_all = orders->add_subcommand("cancel-all", "cancel every open and queued order");
    on(cancel_all, [this] { return call({"DELETE", "/api/v1/orders"}); });
  }

  int do_submit(const CLI::App& submit) {
    const auto* limit = submit.get_option("--limit");
    const auto* stop = submit.get_option("--stop");
    if (auto e = check_decimal("qty", sub_.qty); !e.empty()) throw UsageError{e};
    decimal(limit, "--limit", sub_.limit);
    decimal(stop, "--stop", sub_.stop);
    std::string type = sub_.type;
    if (submit.get_option("--type")->count() == 0) {
      type = limit->count() && stop->count() ? "stop_limit"
             : limit->count()                ? "limit"
             : stop->count()                 ? "stop"
                                             : "market";
    }
    Json body;
    body["symbol"] = sub_.symbol;
    body["side"] = sub_.side;
    body["qty"] = sub_.qty;
    body["type"] = type;
    if (limit->count()) body["limit_price"] = sub_.limit;
    if (stop->count()) body["stop_price"] = sub_.stop;
    if (submit.get_option("--tif")->count()) body["tif"] = sub_.tif;
    if (submit.get_option("--client-order-id")->count()) {
      if (auto e = check_client_order_id(sub_.client_order_id); !e.empty()) throw UsageError{e};
      body["client_order_id"] = sub_.client_order_id;
    }
    if (sub_.outside_rth) body["outside_rth"] = true;
    if (sub_.reduce_only) body["reduce_only"] = true;
    if (submit.get_option("--submit-at")->count()) body["submit_at"] = sub_.submit_at;
    return call({"POST", "/api/v1/orders", body.dump()});
  }

  void build_queue(CLI::App& app) {
    auto* queue = app.add_subcommand("queue", "orders accepted but not yet routed");
    queue->require_subcommand(0, 1);
    TableView view = [](std::ostream& out, const Json& body) {
      if (body.is_object() && body.contains("routing")) {
        out << "routing: " << cell(body["routing"]) << '\n';
      }
      print_table(out, queue_columns(), body.is_object() ? body.value("orders", Json()) : Json());
    };
    on(queue, [this, view] { return call({"GET", "/api/v1/queue"}, view); });
    auto* list = queue->add_subcommand("list", "the queue, in routing order");
    on(list, [this, view] { return call({"GET", "/api/v1/queue"}, view); });
    auto* cancel = queue->add_subcommand("cancel", "remove (cancel) a queued order");
    cancel->add_option("id", id_, "order id")->required();
    on(cancel, [this] { return call({"DELETE", "/api/v1/queue/" + seg(id_)}); });
    auto* pause = queue->add_subcommand("pause", "hold routing of queued orders");
    on(pause, [this] { return call({"POST", "/api/v1/queue/pause"}); });
    auto* resume = queue->add_subcommand("resume", "release routing of queued orders");
    on(resume, [this] { return call({"POST", "/api/v1/queue/resume"}); });
  }

  void build_positions(CLI::App& app) {
    auto* positions = app.add_subcommand("positions", "positions: all, one, or close one");
    positions->require_subcommand(0, 1);
    positions->add_option("symbol", symbol_, "only this symbol");
    on(positions, [this, positions] {
      if (positions->get_option("symbol")->count() == 0) {
        return call({"GET", "/api/v1/positions"}, list_view("positions", position_columns));
      }
      return call({"GET", "/api/v1/positions/" + seg(symbol_)},
                  [](std::ostream& out, const Json& body) {
                    print_table(out, position_columns(), Json::array({body}));
                  });
    });
    auto* close = positions->add_subcommand("close", "close a position with a market order");
    close->add_option("symbol", symbol_, "symbol")->required();
    on(close, [this] { return call({"DELETE", "/api/v1/positions/" + seg(symbol_)}); });

    auto* pnl = app.add_subcommand("pnl", "account P&L, or its history");
    pnl->require_subcommand(0, 1);
    on(pnl, [this] { return call({"GET", "/api/v1/pnl"}); });
    auto* history = pnl->add_subcommand("history", "equity and P&L over time");
    history->add_option("--interval", hist_.interval, "1m|1h|1d")
        ->check(CLI::IsMember({"1m", "1h", "1d"}));
    history->add_option("--from", hist_.from, "RFC 3339 time");
    history->add_option("--to", hist_.to, "RFC 3339 time");
    on(history, [this, history] {
      QueryParams q{{"interval", opt(history->get_option("--interval"), hist_.interval)},
                    {"from", opt(history->get_option("--from"), hist_.from)},
                    {"to", opt(history->get_option("--to"), hist_.to)}};
      return call({"GET", "/api/v1/pnl/history" + query_string(q)},
                  list_view("points", pnl_point_columns));
    });

    auto* fills = app.add_subcommand("fills", "list fills, newest first");
    fills->add_option("--symbol", fills_.symbol, "only this symbol");
    fills->add_option("--since", fills_.since, "RFC 3339 time");
    fills->add_option("--until", fills_.until, "RFC 3339 time");
    fills->add_option("--limit", fills_.limit, "page size (1..1000)")->check(CLI::Range(1, 1000));
    fills->add_option("--cursor", fills_.cursor, "next_cursor of a previous page");
    fills->add_flag("--all-pages", fills_.all_pages, "follow next_cursor to the end");
    on(fills, [this, fills] {
      QueryParams q{{"symbol", opt(fills->get_option("--symbol"), fills_.symbol)},
                    {"since", opt(fills->get_option("--since"), fills_.since)},
                    {"until", opt(fills->get_option("--until"), fills_.until)},
                    {"limit", opt(fills->get_option("--limit"), std::to_string(fills_.limit))},
                    {"cursor", opt(fills->get_option("--cursor"), fills_.cursor)}};
      if (fills_.all_pages) return all_pages("/api/v1/fills", q, "fills", fill_columns);
      return call({"GET", "/api/v1/fills" + query_string(q)}, list_view("fills", fill_columns));
    });
  }

  static std::string reason_body(const CLI::Option* reason, const std::string& value,
                                 bool flatten = false) {
    Json body = Json::object();
    if (reason->count()) body["reason"] = value;
    if (flatten) body["flatten"] = true;
    return body.dump();
  }

  void build_misc(CLI::App& app) {
    // Kill switch, flatten, trading state.
    auto* ks = app.add_subcommand("kill-switch", "kill switch: status, engage, rearm");
    ks->require_subcommand(0, 1);
    on(ks, [this] { return call({"GET", "/api/v1/kill-switch"}); });
    auto* ks_status = ks->add_subcommand("status", "kill switch state");
    on(ks_status, [this] { return call({"GET", "/api/v1/kill-switch"}); });
    auto* engage = ks->add_subcommand("engage", "halt trading, cancel every open/queued order");
    engage->add_option("--reason", reason_, "why (audited)");
    engage->add_flag("--flatten", flatten_, "also close every position with market orders");
    on(engage, [this, engage] {
      return call({"POST", "/api/v1/kill-switch",
                   reason_body(engage->get_option("--reason"), reason_, flatten_)});
    });
    auto* rearm = ks->add_subcommand("rearm", "trading active again (admin)");
    rearm->add_option("--reason", reason_, "why (audited)")->required();
    on(rearm, [this, rearm] {
      return call(
          {"DELETE", "/api/v1/kill-switch", reason_body(rearm->get_option("--reason"), reason_)});
    });
    auto* flatten = app.add_subcommand(
        "flatten", "EMERGENCY: engage the kill switch, cancel everything, close every position");
    flatten->add_option("--reason", reason_, "why (audited; optional so it never blocks)");
    on(flatten, [this, flatten] {
      return call(
          {"POST", "/api/v1/flatten", reason_body(flatten->get_option("--reason"), reason_)});
    });

    auto* ts = app.add_subcommand("trading-state", "trading state: get, or set STATE");
    ts->require_subcommand(0, 1);
    on(ts, [this] { return call({"GET", "/api/v1/trading-state"}); });
    auto* ts_get = ts->add_subcommand("get", "the trading state");
    on(ts_get, [this] { return call({"GET", "/api/v1/trading-state"}); });
    auto* ts_set = ts->add_subcommand("set", "set active|reducing (halted: kill-switch engage)");
    ts_set->add_option("state", state_, "active|reducing")
        ->required()
        ->check(CLI::IsMember({"active", "reducing"}));
    ts_set->add_option("--reason", reason_, "why (audited)")->required();
    on(ts_set, [this] {
      Json body;
      body["state"] = state_;
      body["reason"] = reason_;
      return call({"PUT", "/api/v1/trading-state", body.dump()});
    });

    // Risk and strategies.
    auto* risk = app.add_subcommand("risk", "risk limits, usage and breakers");
    risk->require_subcommand(0, 1);
    on(risk, [this] { return call({"GET", "/api/v1/risk"}); });
    auto* limits = risk->add_subcommand("set-limits", "change risk limits: KEY=VALUE... (admin)");
    limits->add_option("limits", pairs_, "KEY=VALUE (JSON values; decimals go as strings)")
        ->required();
    on(limits, [this] { return call({"PATCH", "/api/v1/risk/limits", object_of(pairs_)}); });

    auto* strategies = app.add_subcommand("strategies", "strategies: list, get, start, stop");
    strategies->require_subcommand(0, 1);
    on(strategies, [this] {
      return call({"GET", "/api/v1/strategies"}, list_view("strategies", strategy_columns));
    });
    auto* s_list = strategies->add_subcommand("list", "every strategy");
    on(s_list, [this] {
      return call({"GET", "/api/v1/strategies"}, list_view("strategies", strategy_columns));
    });
    auto* s_get = strategies->add_subcommand("get", "one strategy");
    s_get->add_option("name", name_, "strategy name")->required();
    on(s_get, [this] { return call({"GET", "/api/v1/strategies/" + seg(name_)}); });
    auto* s_start = strategies->add_subcommand("start", "start a strategy (admin)");
    s_start->add_option("name", name_, "strategy name")->required();
    on(s_start, [this] { return call({"POST", "/api/v1/strategies/" + seg(name_) + "/start"}); });
    auto* s_stop = strategies->add_subcommand("stop", "stop a strategy (admin)");
    s_stop->add_option("name", name_, "strategy name")->required();
    on(s_stop, [this] { return call({"POST", "/api/v1/strategies/" + seg(name_) + "/stop"}); });
    auto* s_params = strategies->add_subcommand("set-params", "change params: NAME KEY=VALUE...");
    s_params->add_option("name", name_, "strategy name")->required();
    s_params->add_option("params", pairs_, "KEY=VALUE (JSON values; decimals go as strings)")
        ->required();
    on(s_params, [this] {
      return call(
          {"PATCH", "/api/v1/strategies/" + seg(name_), "{\"params\":" + object_of(pairs_) + "}"});
    });

    // Audit, config, health, metrics, OpenAPI, stream.
    auto* events = app.add_subcommand("events", "audit log (state changes and API calls)");
    events->add_option("--after", events_.after, "only events after this seq");
    events->add_option("--limit", events_.limit, "page size (1..1000)")->check(CLI::Range(1, 1000));
    events->add_flag("--follow,-f", events_.follow, "keep polling for new events (Ctrl-C stops)");
    events->add_option("--poll-interval", events_.poll_s, "seconds between polls (default 1)")
        ->check(CLI::PositiveNumber);
    on(events, [this, events] { return do_events(*events); });

    auto* config = app.add_subcommand("config", "daemon configuration");
    config->require_subcommand(1);
    auto* reload = config->add_subcommand("reload", "reload the configuration file (admin)");
    on(reload, [this] { return call({"POST", "/api/v1/config/reload"}); });

    auto* health = app.add_subcommand("health", "/healthz and /readyz (exit 1 unless both 200)");
    on(health, [this] { return do_health(); });
    auto* metrics = app.add_subcommand("metrics", "Prometheus metrics (text)");
    on(metrics, [this] { return call({"GET", "/metrics"}); });
    auto* openapi = app.add_subcommand("openapi", "the API's OpenAPI document");
    on(openapi, [this] { return call({"GET", "/api/v1/openapi.json", std::nullopt, false}); });

    auto* watch_cmd = app.add_subcommand("watch", "stream topics as JSON lines (WebSocket)");
    watch_cmd->add_option("topics", topics_, "orders fills positions pnl status risk quotes:SYM")
        ->required();
    watch_cmd->add_option("--count", watch_.count, "exit after N messages")
        ->check(CLI::PositiveNumber);
    watch_cmd->add_flag("--no-reconnect", watch_.no_reconnect, "exit 3 when the stream drops");
    on(watch_cmd, [this, watch_cmd] {
      WatchOptions o;
      o.topics = topics_;
      if (watch_cmd->get_option("--count")->count()) o.count = watch_.count;
      o.reconnect = !watch_.no_reconnect;
      return watch(config_, o, io_.out, io_.err);
    });
  }

  std::string object_of(const std::vector<std::string>& pairs) {
    std::string error;
    auto text = key_values_object(pairs, error);
    if (!text) throw UsageError{error};
    return *text;
  }

  int do_events(const CLI::App& events) {
    const bool has_after = events.get_option("--after")->count() > 0;
    const bool has_limit = events.get_option("--limit")->count() > 0;
    auto target = [&](std::optional<long long> after) {
      QueryParams q{
          {"after", after ? std::optional(std::to_string(*after)) : std::nullopt},
          {"limit", has_limit ? std::optional(std::to_string(events_.limit)) : std::nullopt}};
      return "/api/v1/events" + query_string(q);
    };
    std::optional<long long> after;
    if (has_after) after = events_.after;
    if (!events_.follow) return call({"GET", target(after)}, list_view("events", event_columns));

    // --follow: poll after the last seq seen; one JSON line (or table row) per event.
    bool header = true;
    const auto interval = std::chrono::milliseconds(static_cast<long long>(events_.poll_s * 1000));
    for (;;) {
      Outcome o = send({"GET", target(after)});
      if (auto* e = std::get_if<TransportError>(&o)) {
        if (e->interrupted) return kExitOk;
        io_.err << "tradectl: " << e->message << "; retrying\n";
      } else {
        const Response& res = std::get<Response>(o);
        if (res.status < 200 || res.status > 299) return api_failure(res);
        const Json body = valid_json(res.body) ? Json::parse(res.body) : Json();
        const Json list = body.is_object() ? body.value("events", Json::array()) : Json::array();
        if (table_ && !list.empty()) {
          print_table(io_.out, event_columns(), list, header);
          header = false;
        }
        for (const auto& ev : list) {
          if (!table_) io_.out << ev.dump() << '\n';
          if (ev.is_object() && ev.contains("seq") && ev["seq"].is_number_integer()) {
            after = std::max(after.value_or(0), ev["seq"].get<long long>());
          }
        }
        io_.out.flush();
        // A full page: more may be waiting, ask again at once.
        if (!list.empty() && has_limit && static_cast<long>(list.size()) >= events_.limit) continue;
      }
      if (!pause(interval)) return kExitOk;
    }
  }

  int do_health() {
    std::string combined = "{";
    bool ok = true;
    for (const char* path : {"/healthz", "/readyz"}) {
      Outcome o = send({"GET", path, std::nullopt, false});
      if (auto* e = std::get_if<TransportError>(&o)) return transport_failure(*e);
      const Response& res = std::get<Response>(o);
      if (res.status != 200) ok = false;
      if (combined.size() > 1) combined += ",";
      combined += json_quote(path + 1) + ":";
      combined += valid_json(res.body) ? compact_json(res.body) : json_quote(res.body);
    }
    combined += "}";
    if (table_) {
      print_key_values(io_.out, Json::parse(combined));
    } else {
      io_.out << pretty_json(combined) << '\n';
    }
    return ok ? kExitOk : kExitApi;
  }

  Io& io_;
  ClientConfig config_;
  std::string token_source_;
  std::map<const CLI::App*, std::function<int()>> handlers_;

  // Global options.
  std::string url_, token_file_, cacert_;
  bool insecure_ = false;
  bool table_ = false;
  double timeout_s_ = 10;

  // Subcommand arguments (each run parses one subcommand).
  struct {
    std::string status, symbol, since, cursor;
    int limit = 100;
    bool all_pages = false;
  } list_;
  struct {
    std::string symbol, since, until, cursor;
    int limit = 100;
    bool all_pages = false;
  } fills_;
  struct {
    std::string symbol, side, qty, type, limit, stop, tif, client_order_id, submit_at;
    bool outside_rth = false, reduce_only = false;
  } sub_;
  struct {
    std::string qty, limit, stop;
  } mod_;
  struct {
    std::string interval, from, to;
  } hist_;
  struct {
    long long after = 0;
    int limit = 100;
    bool follow = false;
    double poll_s = 1;
  } events_;
  struct {
    long count = 0;
    bool no_reconnect = false;
  } watch_;
  std::string id_, client_id_, symbol_, reason_, state_, name_;
  bool flatten_ = false;
  std::vector<std::string> pairs_, topics_;
};

}  // namespace

int run(const std::vector<std::string>& args, Io& io) {
  Cli cli(io);
  return cli.main(args);
}

}  // namespace td::tradectl
