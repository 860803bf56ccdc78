// The embedded PostgreSQL cluster (persistence/pg_cluster.h) against the
// real server: first start, Unix socket only, restarts after a stop and
// after a crash, the errors that name their fix, and, as root, the server
// running as the unprivileged user.
#include "persistence/pg_cluster.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/pg_test_cluster.h"

namespace td {
namespace {

namespace fs = std::filesystem;
using persistence::PgCluster;
using persistence::PgClusterOptions;
using test::PgTestCluster;

// The first value of the first row, or "ERROR: ..." (an assertion shows it).
std::string query(const std::string& dsn, const std::string& sql) {
  PGconn* c = PQconnectdb(dsn.c_str());
  std::string out;
  if (PQstatus(c) != CONNECTION_OK) {
    out = std::string("ERROR: connect: ") + PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      out = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    } else if (PQresultStatus(r) == PGRES_COMMAND_OK) {
      out = "OK";
    } else {
      out = std::string("ERROR: ") + PQerrorMessage(c);
    }
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

// A directory under /tmp that the cluster's user may enter (0711), removed after.
class Parent {
 public:
  Parent() {
    std::string t = "/tmp/td-pgt-XXXXXX";
    path_ = mkdtemp(t.data());
    chmod(path_.c_str(), 0711);
  }
  ~Parent() {
    chmod(path_.c_str(), 0700);
    fs::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

PgClusterOptions options_in(const std::string& dir) {
  PgClusterOptions o;
  o.dir = dir;
  o.settings = {{"fsync", "off"}};
  return o;
}

TEST(PgCluster, FirstStartRunsInitdbAndAcceptsQueries) {
  auto pg = PgTestCluster::start();
  EXPECT_TRUE(fs::exists(pg->dir() + "/data/PG_VERSION"));
  EXPECT_TRUE(fs::exists(pg->dir() + "/postgres.log"));
  EXPECT_TRUE(pg->cluster().running());
  EXPECT_EQ(query(pg->dsn(), "SELECT 1"), "1");
  EXPECT_EQ(query(pg->dsn(), "SELECT current_database()"), "tradingd");
  EXPECT_EQ(query(pg->dsn(), "SHOW server_encoding"), "UTF8");
}

TEST(PgCluster, ListensOnTheUnixSocketOnly) {
  auto pg = PgTestCluster::start();
  EXPECT_EQ(query(pg->dsn(), "SHOW listen_addresses"), "");
  EXPECT_EQ(query(pg->dsn(), "SELECT inet_server_addr() IS NULL"), "t");  // not TCP
  EXPECT_EQ(query(pg->dsn(), "SHOW unix_socket_permissions"), "0700");
  EXPECT_EQ(pg->cluster().socket_dir(), pg->dir());
  EXPECT_EQ(query(pg->dsn(), "SHOW synchronous_commit"), "on");
  EXPECT_EQ(query(pg->dsn(), "SHOW fsync"), "off");  // the fixture's setting
}

TEST(PgCluster, CreateDatabaseGivesAFreshEmptyDatabase) {
  auto pg = PgTestCluster::start();
  const std::string dsn = pg->create_database("store_test");
  EXPECT_NE(dsn.find("dbname=store_test"), std::string::npos);
  EXPECT_EQ(query(dsn, "CREATE TABLE t (x int)"), "OK");
  EXPECT_EQ(pg->create_database("store_test"), dsn);
  EXPECT_EQ(query(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"), "0");
}

TEST(PgCluster, StopThenStartAgainKeepsTheData) {
  auto pg = PgTestCluster::start();
  ASSERT_EQ(query(pg->dsn(), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)"), "OK");
  ASSERT_TRUE(pg->cluster().stop());
  EXPECT_FALSE(pg->cluster().running());
  EXPECT_NE(query(pg->dsn(), "SELECT 1").rfind("ERROR", 0), std::string::npos);
  ASSERT_TRUE(pg->cluster().start_again());
  EXPECT_TRUE(pg->cluster().running());
  EXPECT_EQ(query(pg->dsn(), "SELECT x FROM kept"), "42");
}

// A crash leaves postmaster.pid behind: neither start_again() nor a new
// start() on the directory (a restarted daemon) is stopped by it.
TEST(PgCluster, StartsAfterAKillDespiteTheStalePidFile) {
  Parent parent;
  const std::string dir = parent.path() + "/pg";
  {
    auto c = PgCluster::start(options_in(dir));
    ASSERT_TRUE(c) << c.error().message;
    PgCluster& pg = **c;
    ASSERT_EQ(query(pg.dsn(), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)"), "OK");
    const int old_pid = pg.pid();
    pg.kill();
    EXPECT_FALSE(pg.running());
    EXPECT_TRUE(fs::exists(dir + "/data/postmaster.pid"));
    auto again = pg.start_again();
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_NE(pg.pid(), old_pid);
    EXPECT_EQ(query(pg.dsn(), "SELECT x FROM kept"), "7");
    pg.kill();
  }
  ASSERT_TRUE(fs::exists(dir + "/data/postmaster.pid"));
  auto c = PgCluster::start(options_in(dir));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(query((*c)->dsn(), "SELECT x FROM kept"), "7");
}

// A server that outlived its tradingd: the next start names it instead of
// letting postgres fail on its lock file.
TEST(PgCluster, ServerStillRunningOnTheDirectoryIsNamed) {
  auto pg = PgTestCluster::start();
  PgClusterOptions o = options_in(pg->dir());
  auto second = PgCluster::start(o);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_NE(second.error().message.find(fmt::format("(pid {}) already runs", pg->cluster().pid())),
            std::string::npos)
      << second.error().message;
  EXPECT_EQ(query(pg->dsn(), "SELECT 1"), "1") << "the running server is left alone";
}

TEST(PgCluster, ParentTheUserCannotEnterIsNamed) {
  Parent parent;
  const std::string closed = parent.path() + "/closed";
  ASSERT_EQ(mkdir(closed.c_str(), 0700), 0);
  // No search permission for the cluster's user: as root, tradingd is
  // "other" to this directory; otherwise the owner lacks x.
  ASSERT_EQ(chmod(closed.c_str(), 0600), 0);
  auto c = PgCluster::start(options_in(closed + "/deeper/pg"));
  chmod(closed.c_str(), 0700);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("cannot enter the directory " + closed + " "), std::string::npos)
      << c.error().message;
  EXPECT_FALSE(fs::exists(closed + "/deeper")) << "nothing created behind it";
}

TEST(PgCluster, ServerRunsAsTheUnprivilegedUserWhenRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "not root: the server runs as the current user";
  const passwd* pw = getpwnam("tradingd");
  ASSERT_NE(pw, nullptr) << "scripts/test creates the user tradingd (td_ensure_pg_user)";
  auto pg = PgTestCluster::start();
  std::ifstream status("/proc/" + std::to_string(pg->cluster().pid()) + "/status");
  std::string line, uid_line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) uid_line = line;
  }
  std::istringstream fields(uid_line.substr(4));
  int real = -1, effective = -1, saved = -1, fs_uid = -1;
  fields >> real >> effective >> saved >> fs_uid;
  const int want = static_cast<int>(pw->pw_uid);
  EXPECT_EQ(real, want) << uid_line;
  EXPECT_EQ(effective, want) << uid_line;
  EXPECT_EQ(saved, want) << uid_line;
  EXPECT_EQ(fs_uid, want) << uid_line;
  struct stat st {};
  ASSERT_EQ(stat((pg->dir() + "/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, pw->pw_uid);
  EXPECT_EQ(query(pg->dsn(), "SELECT current_user"), "tradingd");
}

TEST(PgCluster, MissingUserNamesTheFix) {
  if (geteuid() != 0) GTEST_SKIP() << "run_as_user is used only as root";
  Parent parent;
  PgClusterOptions o = options_in(parent.path() + "/pg");
  o.run_as_user = "td-no-such-user";
  auto c = PgCluster::start(o);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("useradd --system --no-create-home"), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("database.dsn"), std::string::npos) << c.error().message;
}

TEST(PgCluster, TheClustersOwnSettingsAreRefused) {
  Parent parent;
  for (const char* name : {"synchronous_commit", "listen_addresses", "port"}) {
    PgClusterOptions o = options_in(parent.path() + "/pg");
    o.settings.emplace_back(name, "x");
    auto c = PgCluster::start(o);
    ASSERT_FALSE(c) << name;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument) << c.error().message;
  }
  EXPECT_FALSE(fs::exists(parent.path() + "/pg"));
}

// sun_path holds 107 bytes: a deep directory gets its socket in /tmp.
TEST(PgCluster, LongDirectoryGetsAShortSocketDirectory) {
  Parent parent;
  const std::string dir = parent.path() + "/" + std::string(60, 'd') + "/" + std::string(60, 'e');
  std::string socket_dir;
  {
    auto c = PgCluster::start(options_in(dir));
    ASSERT_TRUE(c) << c.error().message;
    socket_dir = (*c)->socket_dir();
    EXPECT_EQ(socket_dir.rfind("/tmp/tradingd-pg-", 0), 0u) << socket_dir;
    EXPECT_EQ(query((*c)->dsn(), "SELECT 1"), "1");
  }
  EXPECT_FALSE(fs::exists(socket_dir)) << "removed with the cluster";
}

}  // namespace
}  // namespace td
