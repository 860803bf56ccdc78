#pragma once
// A throwaway PostgreSQL cluster for a test: started the way tradingd starts
// its embedded cluster (persistence::PgCluster, as the unprivileged user when
// the test runs as root), in a fresh directory under /tmp that the
// destructor stops and removes. fsync is off: a test's data need not
// survive a power cut, and the runs are faster for it.
#include <memory>
#include <string>

#include "persistence/pg_cluster.h"

namespace td::test {

class PgTestCluster {
 public:
  // Throws std::runtime_error with the reason when the cluster cannot start
  // (gtest reports it as the test's failure).
  static std::unique_ptr<PgTestCluster> start();
  ~PgTestCluster();
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  std::string dsn() const { return cluster_->dsn(); }  // the default database
  // A fresh empty database (dropped first if it exists); returns its dsn.
  std::string create_database(const std::string& name);
  persistence::PgCluster& cluster() { return *cluster_; }  // stop, start_again, kill
  const std::string& dir() const { return dir_; }          // the cluster's directory

 private:
  explicit PgTestCluster(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::unique_ptr<persistence::PgCluster> cluster_;
};

}  // namespace td::test
