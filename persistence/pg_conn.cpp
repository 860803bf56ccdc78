#include "persistence/pg_conn.h"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <regex>

namespace td::persistence {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits until the socket is ready for `events`; false on timeout.
bool wait_socket(PGconn* c, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{PQsocket(c), events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// libpq's messages span lines ("...\n\tThis probably means..."): one line
// for a log or an API field.
std::string trimmed(const char* msg) {
  std::string s;
  for (const char* p = msg ? msg : ""; *p; ++p) {
    const bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s += space ? ' ' : *p;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

Result<PgConn> PgConn::connect(const std::string& dsn, Duration timeout) {
  // expand_dbname: the DSN may be a URI or key=value string.
  const char* keys[] = {"dbname", "application_name", nullptr};
  const char* values[] = {dsn.c_str(), "tradingd", nullptr};
  PgConn conn(PQconnectStartParams(keys, values, 1));
  if (!conn.conn_) return make_error(ErrorCode::kUnavailable, "database: out of memory");
  const auto deadline = Clock::now() + timeout;
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (PQstatus(conn.raw()) != CONNECTION_BAD) {
    if (st == PGRES_POLLING_OK) break;
    if (st == PGRES_POLLING_FAILED) break;
    const short ev = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!wait_socket(conn.raw(), ev, deadline))
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("database: no connection within {} ms",
                                    std::chrono::ceil<std::chrono::milliseconds>(timeout).count()));
    st = PQconnectPoll(conn.raw());
  }
  if (PQstatus(conn.raw()) != CONNECTION_OK)
    return make_error(ErrorCode::kUnavailable,
                      "database: cannot connect: " + trimmed(PQerrorMessage(conn.raw())));
  // Server notices ("already exists, skipping") go to the debug log, not stderr.
  PQsetNoticeProcessor(
      conn.raw(), [](void*, const char* msg) { spdlog::debug("database: {}", trimmed(msg)); },
      nullptr);
  conn.timeout_ = timeout;
  if (auto s = conn.exec("SET synchronous_commit = on"); !s) return tl::unexpected(s.error());
  conn.timeout_ = std::chrono::seconds(10);
  return conn;
}

Result<PGresult*> PgConn::next_result() {
  PGconn* c = raw();
  if (!c) return make_error(ErrorCode::kUnavailable, "database: not connected");
  const auto deadline = Clock::now() + timeout_;
  while (PQisBusy(c)) {
    if (!wait_socket(c, POLLIN, deadline)) {
      conn_.reset();  // its state is unknown now: the caller reconnects
      return make_error(
          ErrorCode::kUnavailable,
          fmt::format("database: no answer within {} ms",
                      std::chrono::ceil<std::chrono::milliseconds>(timeout_).count()));
    }
    if (!PQconsumeInput(c)) return tl::unexpected(error("read"));
  }
  return PQgetResult(c);
}

Error PgConn::error(std::string_view what) const {
  const bool gone = !conn_ || PQstatus(conn_.get()) == CONNECTION_BAD;
  std::string msg = conn_ ? trimmed(PQerrorMessage(conn_.get())) : "not connected";
  return Error{gone ? ErrorCode::kUnavailable : ErrorCode::kInternal,
               fmt::format("database: {}: {}", what, msg)};
}

Error PgConn::result_error(std::string_view what, const PGresult* r) const {
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (!primary) return error(what);
  Error e = error(what);
  if (e.code == ErrorCode::kUnavailable) return e;
  e.message = fmt::format("database: {}: {}{}", what, primary,
                          state ? fmt::format(" (SQLSTATE {})", state) : std::string());
  return e;
}

namespace {

// Reads every result of the command just sent; the first failure wins.
Result<PgResult> drain(PgConn& conn, std::string_view what) {
  PgResult last;
  std::optional<Error> failure;
  for (;;) {
    auto r = conn.next_result();
    if (!r) return tl::unexpected(r.error());
    if (!*r) break;
    PgResult owned(*r);
    const ExecStatusType st = PQresultStatus(*r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      if (!failure) failure = conn.result_error(what, *r);
      continue;
    }
    last = std::move(owned);
  }
  if (failure) return tl::unexpected(*failure);
  return last;
}

std::string_view head(std::string_view sql) {
  const auto start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) return {};
  sql.remove_prefix(start);
  return sql.substr(0, std::min(sql.find_first_of("\n("), size_t{40}));
}

}  // namespace

Status PgConn::exec(std::string_view sql) {
  if (!ok()) return tl::unexpected(error("exec"));
  const std::string text(sql);
  if (!PQsendQuery(raw(), text.c_str())) return tl::unexpected(error("send"));
  auto r = drain(*this, head(sql));
  if (!r) return tl::unexpected(r.error());
  return {};
}

Result<PgResult> PgConn::query(std::string_view sql, const PgParams& params) {
  if (!ok()) return tl::unexpected(error("query"));
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryParams(raw(), text.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0))
    return tl::unexpected(error("send"));
  return drain(*this, head(sql));
}

Status PgConn::prepare(const std::string& name, std::string_view sql) {
  if (!ok()) return tl::unexpected(error("prepare"));
  const std::string text(sql);
  if (!PQsendPrepare(raw(), name.c_str(), text.c_str(), 0, nullptr))
    return tl::unexpected(error("send"));
  auto r = drain(*this, "prepare " + name);
  if (!r) return tl::unexpected(r.error());
  return {};
}

std::string redact_dsn(std::string_view dsn) {
  std::string s(dsn);
  // URI userinfo: scheme://user:password@host
  static const std::regex uri_pw(R"(^(postgres(?:ql)?://[^:/@?]*):[^@/?]*@)");
  s = std::regex_replace(s, uri_pw, "$1:***@");
  // URI query parameter or key=value form: password=... (quoted or not)
  static const std::regex kv_pw(R"((^|[\s?&])password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]*))");
  s = std::regex_replace(s, kv_pw, "$1password=***");
  return s;
}

}  // namespace td::persistence
