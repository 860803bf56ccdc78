#include "persistence/pg_pipeline.h"

#include <poll.h>

#include <cerrno>

namespace td::persistence {
namespace {

// Nonblocking sends with reads in between: a large pipeline can fill both
// socket buffers, and a client that only writes would then wait on a server
// that waits for the client to read its answers.
Status flush(PgConn& conn) {
  PGconn* c = conn.raw();
  const auto deadline = std::chrono::steady_clock::now() + conn.timeout();
  for (;;) {
    const int r = PQflush(c);
    if (r == 0) return {};
    if (r < 0) return tl::unexpected(conn.error("send"));
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) return make_error(ErrorCode::kUnavailable, "database: send timed out");
    pollfd p{PQsocket(c), POLLIN | POLLOUT, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno != EINTR)
      return make_error(ErrorCode::kUnavailable, "database: poll failed");
    if (n > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(c))
      return tl::unexpected(conn.error("read"));
  }
}

class PipelineMode {
 public:
  explicit PipelineMode(PgConn& conn) : conn_(conn) {}
  Status enter() {
    if (!PQenterPipelineMode(conn_.raw())) return tl::unexpected(conn_.error("pipeline"));
    PQsetnonblocking(conn_.raw(), 1);
    entered_ = true;
    return {};
  }
  ~PipelineMode() {
    if (!entered_ || !conn_.ok()) return;
    PQsetnonblocking(conn_.raw(), 0);
    PQexitPipelineMode(conn_.raw());
  }

 private:
  PgConn& conn_;
  bool entered_ = false;
};

}  // namespace

Result<std::vector<PgResult>> run_pipeline(PgConn& conn, const std::vector<PgStatement>& stmts) {
  if (!conn.ok()) return tl::unexpected(conn.error("pipeline"));
  PipelineMode mode(conn);
  if (auto s = mode.enter(); !s) return tl::unexpected(s.error());
  PGconn* c = conn.raw();
  std::vector<const char*> values;
  size_t since_flush = 0;
  for (const auto& st : stmts) {
    values.clear();
    for (const auto& p : st.params) values.push_back(p ? p->c_str() : nullptr);
    if (!PQsendQueryPrepared(c, st.prepared, static_cast<int>(values.size()), values.data(),
                             nullptr, nullptr, 0))
      return tl::unexpected(conn.error("send"));
    if (++since_flush == 256) {
      since_flush = 0;
      if (auto s = flush(conn); !s) return tl::unexpected(s.error());
    }
  }
  if (!PQpipelineSync(c)) return tl::unexpected(conn.error("sync"));
  if (auto s = flush(conn); !s) return tl::unexpected(s.error());

  std::vector<PgResult> results;
  results.reserve(stmts.size());
  std::optional<Error> failure;
  // Each statement's answer is its result followed by a nullptr; the Sync's
  // is PGRES_PIPELINE_SYNC.
  int nulls = 0;
  for (;;) {
    auto r = conn.next_result();
    if (!r) return tl::unexpected(r.error());
    if (!*r) {
      // Between two statements' answers; never twice in a row unless the
      // connection broke without a result to say so.
      if (++nulls > 1 || !conn.ok()) return tl::unexpected(conn.error("batch"));
      continue;
    }
    nulls = 0;
    PgResult owned(*r);
    const ExecStatusType st = PQresultStatus(*r);
    if (st == PGRES_PIPELINE_SYNC) break;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      results.push_back(std::move(owned));
    } else if (st == PGRES_PIPELINE_ABORTED) {
      continue;
    } else if (!failure) {
      failure = conn.result_error("batch", *r);
      if (failure->code == ErrorCode::kUnavailable) return tl::unexpected(*failure);
    }
  }
  if (failure) return tl::unexpected(*failure);
  return results;
}

}  // namespace td::persistence
