#pragma once
// One libpq connection, owned (RAII). Everything travels as text: parameters
// go out as strings and values come back as strings, so a numeric column
// round-trips through Decimal::parse exactly and no binary type mapping can
// silently lose precision. Every wait on the server has a deadline, so a
// server that stops answering is an error within that time, never a hang.
// Errors carry the server's own message; the DSN's password never appears in
// a message or a log line (use redact_dsn to show a DSN).
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace td::persistence {

// A finished result: rows of text values (or NULL).
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  int cols() const { return r_ ? PQnfields(r_.get()) : 0; }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view get(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  // Column index by name, -1 when absent.
  int column(const char* name) const { return r_ ? PQfnumber(r_.get(), name) : -1; }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> r_;
};

// Text parameters; nullopt is SQL NULL.
using PgParams = std::vector<std::optional<std::string>>;

class PgConn {
 public:
  // Connects (and waits at most `timeout`); sets synchronous_commit on and
  // the application name, so durability never depends on the server's defaults.
  static Result<PgConn> connect(const std::string& dsn, Duration timeout = std::chrono::seconds(5));
  PgConn(PgConn&&) noexcept = default;
  PgConn& operator=(PgConn&&) noexcept = default;
  ~PgConn() = default;

  // One or more statements without parameters (DDL, BEGIN/COMMIT); the first
  // error stops and is returned.
  Status exec(std::string_view sql);
  // One statement with text parameters.
  Result<PgResult> query(std::string_view sql, const PgParams& params = {});
  // A statement prepared on this connection, for run_pipeline.
  Status prepare(const std::string& name, std::string_view sql);

  // Whether libpq still believes the connection is up (no round trip).
  bool ok() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }
  PGconn* raw() const { return conn_.get(); }
  // How long one statement (or one pipeline) may take before it is an error.
  void set_timeout(Duration d) { timeout_ = d; }
  Duration timeout() const { return timeout_; }

  // Waits (poll with the connection's timeout) until a result is ready;
  // nullptr when the command is done. On error, the Status says why.
  Result<PGresult*> next_result();
  // The connection-level error as a Status (kUnavailable when the connection
  // is gone, kInternal otherwise).
  Error error(std::string_view what) const;
  // A failed result as a Status: the server's primary message and SQLSTATE.
  Error result_error(std::string_view what, const PGresult* r) const;

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit PgConn(PGconn* c) : conn_(c) {}
  std::unique_ptr<PGconn, Finish> conn_;
  Duration timeout_ = std::chrono::seconds(10);
};

// The DSN with any password replaced by "***" (key=value and URI forms).
std::string redact_dsn(std::string_view dsn);

}  // namespace td::persistence
