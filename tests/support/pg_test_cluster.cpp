#include "tests/support/pg_test_cluster.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace td::test {
namespace {

void exec_or_throw(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) throw std::runtime_error("PgTestCluster: " + sql + ": " + PQerrorMessage(c));
}

}  // namespace

std::unique_ptr<PgTestCluster> PgTestCluster::start() {
  // /tmp, not TMPDIR: the cluster's user must be able to enter every parent,
  // and the socket's path must stay short.
  std::string dir = "/tmp/td-pg-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    throw std::runtime_error(std::string("PgTestCluster: mkdtemp: ") + std::strerror(errno));
  }
  std::unique_ptr<PgTestCluster> t(new PgTestCluster(dir));
  persistence::PgClusterOptions o;
  o.dir = dir;  // PgCluster hands it to the cluster's user, mode 0700
  o.settings = {{"fsync", "off"}, {"full_page_writes", "off"}};
  auto c = persistence::PgCluster::start(std::move(o));
  if (!c) throw std::runtime_error("PgTestCluster: " + c.error().message);
  t->cluster_ = std::move(*c);
  return t;
}

PgTestCluster::~PgTestCluster() {
  cluster_.reset();  // stops the server
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PgTestCluster::create_database(const std::string& name) {
  PGconn* c = PQconnectdb(dsn().c_str());
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  try {
    if (PQstatus(c) != CONNECTION_OK) {
      throw std::runtime_error(std::string("PgTestCluster: connect: ") + PQerrorMessage(c));
    }
    char* quoted = PQescapeIdentifier(c, name.c_str(), name.size());
    if (quoted == nullptr) throw std::runtime_error("PgTestCluster: database name " + name);
    const std::string id = quoted;
    PQfreemem(quoted);
    exec_or_throw(c, "DROP DATABASE IF EXISTS " + id + " WITH (FORCE)");
    exec_or_throw(c, "CREATE DATABASE " + id);
  } catch (...) {
    PQfinish(c);
    throw;
  }
  PQfinish(c);
  return cluster_->dsn_for(name);
}

}  // namespace td::test
