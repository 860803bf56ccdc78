#pragma once
// The private PostgreSQL cluster tradingd runs under data_dir when no
// database.dsn is configured, so paper mode needs nothing set up (and tests
// start throwaway clusters the same way). It listens on a Unix socket only,
// in a directory only its owner can enter. PostgreSQL refuses to run as root:
// a process running as root starts initdb and postgres as an unprivileged
// system user (`tradingd`, the systemd unit's user) that owns the cluster.
// The postmaster runs in its own session, so a terminal's Ctrl-C reaches the
// daemon alone, which stops the database after its last write.
// Not thread-safe: one owner calls it.
#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "persistence/run_as.h"

namespace td::persistence {

struct PgClusterOptions {
  // The cluster's home: PGDATA is dir/data, the server's log dir/postgres.log,
  // the socket is in dir (or in a short directory under /tmp when that path
  // would exceed a Unix socket's 107 bytes; the start-up log line says which).
  std::string dir;
  std::string run_as_user = "tradingd";  // used only when the process runs as root
  std::string bin_dir;                   // empty: /usr/lib/postgresql/<N>/bin (see start)
  std::string database = "tradingd";     // created on first start
  // Extra server settings (name, value), e.g. fsync=off for tests. The
  // settings the cluster itself depends on (listen_addresses, port, the
  // socket, logging_collector, synchronous_commit, ...) are refused.
  std::vector<std::pair<std::string, std::string>> settings;
  // A server still running on the data directory is stopped (fast shutdown)
  // and started afresh, instead of refusing. Only for a caller that holds
  // the directory's lock (the daemon's data_dir lock): then that server is
  // the orphan of a tradingd that died (SIGKILL, OOM) without stopping it.
  bool take_over_orphan = false;
};

class PgCluster {
 public:
  // initdb if dir/data is missing or empty, starts the postmaster, waits
  // until it accepts connections (30 s at most), creates the database if
  // missing. With bin_dir empty: the newest installed PostgreSQL for a new
  // cluster, the cluster's own major version for an existing one.
  static Result<std::unique_ptr<PgCluster>> start(PgClusterOptions o);
  ~PgCluster();  // stops the server (fast shutdown) if it runs
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // libpq conninfo: host=<socket dir> port=<port> dbname=<database> user=<role>.
  std::string dsn() const { return dsn_for(options_.database); }
  std::string dsn_for(const std::string& database) const;
  const std::string& role() const { return role_; }
  const std::string& socket_dir() const { return socket_dir_; }
  std::string data_dir() const;  // PGDATA: dir/data
  std::string log_path() const;  // the server's own log: dir/postgres.log

  Status stop();         // fast shutdown; waits for the postmaster to exit
  Status start_again();  // after stop() or kill()
  // SIGKILL to the postmaster and all its processes (a crash, for tests of
  // store outages); returns once they are gone.
  void kill();
  bool running() const;
  int pid() const { return pid_; }

 private:
  PgCluster(PgClusterOptions o, RunAs user, std::string bin_dir, std::string socket_dir,
            bool own_socket_dir);
  Status initdb();  // creates the cluster in data_dir()
  Status launch();  // spawns the postmaster and waits until it is ready

  PgClusterOptions options_;
  RunAs user_;
  std::string bin_dir_;
  std::string socket_dir_;
  bool own_socket_dir_;  // a fallback directory we created and remove
  std::string role_;
  pid_t pid_ = -1;
};

}  // namespace td::persistence
