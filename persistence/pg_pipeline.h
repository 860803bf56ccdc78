#pragma once
// Many prepared statements in one round trip (libpq pipeline mode), run as
// one implicit transaction: the server commits at the closing Sync, or rolls
// everything back at the first error. That is the whole of group commit: the
// writer pays one round trip and one WAL flush per batch, not per row.
#include <string>
#include <vector>

#include "persistence/pg_conn.h"

namespace td::persistence {

struct PgStatement {
  const char* prepared = nullptr;  // a name given to PgConn::prepare
  PgParams params;
};

// Sends the statements, then Sync, and reads every answer (the connection's
// timeout bounds each wait). On success the transaction is committed and the
// results are in statement order; on any error nothing of it is.
Result<std::vector<PgResult>> run_pipeline(PgConn& conn, const std::vector<PgStatement>& stmts);

}  // namespace td::persistence
