#include "persistence/pg_cluster.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/file_io.h"
#include "persistence/child_process.h"

namespace td::persistence {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Only the socket's name: there is no TCP listener.
constexpr int kPort = 5432;
constexpr auto kInitdbLimit = 120s;
constexpr auto kReadyLimit = 30s;
constexpr auto kFastStopLimit = 60s;  // a fast shutdown writes a checkpoint
constexpr auto kKillLimit = 10s;
const char* const kMapName = "tradingd";

// Settings the cluster depends on: set on the server's command line (which
// outranks postgresql.conf and ALTER SYSTEM), never by options.settings.
constexpr std::array<const char*, 13> kOwnSettings = {
    "listen_addresses", "port", "unix_socket_directories", "unix_socket_permissions",
    "unix_socket_group", "logging_collector", "log_destination",
    // acknowledgements wait for the commit to be durable (persist before send)
    "synchronous_commit", "data_directory", "config_file", "hba_file", "ident_file",
    "external_pid_file"};

tl::unexpected<Error> sys_error(const std::string& what) {
  return make_error(ErrorCode::kUnavailable, what + ": " + strerror(errno));
}

Status check_settings(const std::vector<std::pair<std::string, std::string>>& settings) {
  for (const auto& [name, value] : settings) {
    const bool well_formed = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
    if (!well_formed) {
      return make_error(ErrorCode::kInvalidArgument, "PostgreSQL setting name '" + name + "'");
    }
    if (std::find(kOwnSettings.begin(), kOwnSettings.end(), name) != kOwnSettings.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "the PostgreSQL setting " + name + " is the embedded cluster's own");
    }
  }
  return {};
}

bool fsync_off(const std::vector<std::pair<std::string, std::string>>& settings) {
  for (const auto& [name, value] : settings) {
    if (name == "fsync") return value == "off" || value == "false" || value == "0" || value == "no";
  }
  return false;
}

bool missing_or_empty(const std::string& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || fs::is_empty(dir, ec);
}

std::optional<std::string> first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

bool is_version(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool has_server(const std::string& bin) {
  return ::access((bin + "/postgres").c_str(), X_OK) == 0;
}

// The configured bin_dir; else the cluster's own major version (PG_VERSION)
// for an existing cluster, the newest installed for a new one.
Result<std::string> find_bin_dir(const std::string& configured,
                                 const std::optional<std::string>& cluster_version) {
  if (!configured.empty()) {
    if (!has_server(configured)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "no PostgreSQL server (postgres) in bin_dir " + configured);
    }
    return configured;
  }
  const std::string root = "/usr/lib/postgresql";
  if (cluster_version) {
    const std::string bin = root + "/" + *cluster_version + "/bin";
    if (!has_server(bin)) {
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("the cluster was created by PostgreSQL {0} and {1} has no "
                                    "server: install postgresql-{0} (or upgrade the cluster "
                                    "with pg_upgrade)",
                                    *cluster_version, bin));
    }
    return bin;
  }
  int newest = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    if (is_version(name) && has_server(e.path().string() + "/bin")) {
      newest = std::max(newest, std::atoi(name.c_str()));
    }
  }
  if (newest < 0) {
    return make_error(ErrorCode::kUnavailable,
                      "no PostgreSQL server under " + root +
                          "/*/bin: install postgresql-15, or set database.dsn");
  }
  return fmt::format("{}/{}/bin", root, newest);
}

// Creates `dir` (0700) if missing and hands it to `user`.
Status own_directory(const std::string& dir, const RunAs& user) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("cannot create " + dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return sys_error("cannot stat " + dir);
  if (!S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kInvalidArgument, dir + " is not a directory");
  }
  if (st.st_uid != user.uid) {
    if (!user.switch_user) {
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("{} belongs to uid {}, not to the user running PostgreSQL "
                                    "('{}', uid {})",
                                    dir, st.st_uid, user.name, user.uid));
    }
    if (::chown(dir.c_str(), user.uid, user.gid) != 0) return sys_error("cannot chown " + dir);
  }
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    return sys_error("cannot chmod " + dir);
  }
  return {};
}

Status write_owned_file(const std::string& path, const std::string& text, const RunAs& user) {
  if (auto st = write_file_atomically(path, text, 0600); !st) return st;
  if (user.switch_user && ::chown(path.c_str(), user.uid, user.gid) != 0) {
    return sys_error("cannot chown " + path);
  }
  return {};
}

// A value in a libpq conninfo string: quoted when it needs to be.
std::string conninfo_value(const std::string& v) {
  const bool plain = !v.empty() && v.find_first_of(" \t\n'\\") == std::string::npos;
  if (plain) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// The server's log since `from`: its last lines, to say why a start failed.
std::string log_tail(const std::string& path, std::uintmax_t from) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(static_cast<std::streamoff>(from));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t pos = text.size();
  for (int lines = 0; lines < 8 && pos != std::string::npos && pos > 0; ++lines) {
    pos = text.rfind('\n', pos - 1);
  }
  if (pos != std::string::npos) text = text.substr(pos + 1);
  return text.empty() ? "" : "; " + path + " says:\n" + text;
}

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

// The children's whole environment: nothing of ours (PGHOST, PGDATA, a
// locale the system lacks) reaches initdb or the server.
std::vector<std::string> child_env() {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  if (const char* tz = std::getenv("TZ")) env.push_back(std::string("TZ=") + tz);
  return env;
}

struct SocketDir {
  std::string path;
  std::string fallback_reason;  // empty: the cluster's directory itself
};

// The socket directory: `dir` itself unless its socket's path would not fit
// a sockaddr_un; then a fresh private directory under /tmp.
Result<SocketDir> choose_socket_dir(const std::string& dir, const RunAs& user) {
  constexpr size_t kMax = sizeof(sockaddr_un::sun_path) - 1;
  const size_t len = fmt::format("{}/.s.PGSQL.{}", dir, kPort).size();
  if (len <= kMax) return SocketDir{dir, ""};
  std::string tmpl = "/tmp/tradingd-pg-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return sys_error("cannot create a socket directory in /tmp");
  }
  if (user.switch_user && ::chown(tmpl.c_str(), user.uid, user.gid) != 0) {
    auto err = sys_error("cannot chown " + tmpl);
    ::rmdir(tmpl.c_str());
    return err;
  }
  return SocketDir{tmpl, fmt::format("the socket's path in {} would be {} bytes, more than "
                                     "a Unix socket's {}",
                                     dir, len, kMax)};
}

// A server still running on the data directory (a tradingd that died
// without stopping it): postgres would refuse to start; say what to do.
Status check_no_server_left(const std::string& data, bool take_over) {
  const std::string pidfile = data + "/postmaster.pid";
  const auto line = first_line(pidfile);
  if (!line || !is_version(*line)) return {};  // none, or postgres judges it
  const pid_t pid = std::atoi(line->c_str());
  const auto comm = first_line(fmt::format("/proc/{}/comm", pid));
  if (pid <= 0 || ::kill(pid, 0) != 0 || comm != "postgres") return {};  // stale
  if (take_over) {
    // Not our child: poll for its end (fast shutdown, then the whole group).
    spdlog::warn("postgres: server pid {} left running on {} by an earlier tradingd: stopping it",
                 pid, data);
    ::kill(pid, SIGINT);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool killed = false;
    auto alive = [pid] {
      const auto stat = first_line(fmt::format("/proc/{}/stat", pid));
      if (!stat) return false;
      const size_t paren = stat->rfind(')');  // "pid (comm) S ...": a zombie has ended
      return paren != std::string::npos && paren + 2 < stat->size() && (*stat)[paren + 2] != 'Z';
    };
    while (alive()) {
      if (!killed && std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid, SIGKILL);
        killed = true;
      } else if (killed && std::chrono::steady_clock::now() > deadline + std::chrono::seconds(10)) {
        return make_error(ErrorCode::kUnavailable,
                          fmt::format("PostgreSQL server pid {} on {} does not stop", pid, data));
      }
      struct timespec ts {
        0, 5'000'000
      };
      ::nanosleep(&ts, nullptr);
    }
    return {};
  }
  return make_error(ErrorCode::kConflict,
                    fmt::format("a PostgreSQL server (pid {}) already runs on {}: left by a "
                                "tradingd that did not stop it? Stop it (kill -INT {}) and start "
                                "again",
                                pid, data, pid));
}

// One libpq connection, closed on scope exit.
struct Connection {
  explicit Connection(const std::string& dsn) : conn(PQconnectdb(dsn.c_str())) {}
  ~Connection() { PQfinish(conn); }
  bool ok() const { return PQstatus(conn) == CONNECTION_OK; }
  std::string error() const {
    std::string e = PQerrorMessage(conn);
    while (!e.empty() && e.back() == '\n') e.pop_back();
    return e;
  }
  PGconn* conn;
};

Status create_database_if_missing(const std::string& admin_dsn, const std::string& name) {
  Connection c(admin_dsn);
  if (!c.ok()) return make_error(ErrorCode::kUnavailable, "connect to PostgreSQL: " + c.error());
  const char* params[] = {name.c_str()};
  PGresult* r = PQexecParams(c.conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr,
                             params, nullptr, nullptr, 0);
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  const bool exists = ok && PQntuples(r) > 0;
  PQclear(r);
  if (!ok) return make_error(ErrorCode::kUnavailable, "list databases: " + c.error());
  if (exists) return {};
  char* quoted = PQescapeIdentifier(c.conn, name.c_str(), name.size());
  if (quoted == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "database name: " + c.error());
  }
  const std::string sql = std::string("CREATE DATABASE ") + quoted;
  PQfreemem(quoted);
  r = PQexec(c.conn, sql.c_str());
  const bool created = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!created) return make_error(ErrorCode::kUnavailable, sql + ": " + c.error());
  return {};
}

}  // namespace

Result<std::unique_ptr<PgCluster>> PgCluster::start(PgClusterOptions o) {
  if (o.dir.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "PgClusterOptions.dir is empty");
  }
  if (o.database.empty()) return make_error(ErrorCode::kInvalidArgument, "no database name");
  if (auto st = check_settings(o.settings); !st) return tl::unexpected(st.error());
  fs::path dir = fs::absolute(o.dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  o.dir = dir.string();

  auto user = resolve_run_as(o.run_as_user);
  if (!user) return tl::unexpected(user.error());
  // Before and after creating the missing parents: the check names an
  // existing directory the user cannot enter, then one created without
  // search permission for it (a umask of 077).
  if (auto st = check_traversable(o.dir, *user); !st) return tl::unexpected(st.error());
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot create " + dir.parent_path().string() + ": " + ec.message());
  }
  if (auto st = check_traversable(o.dir, *user); !st) return tl::unexpected(st.error());
  if (auto st = own_directory(o.dir, *user); !st) return tl::unexpected(st.error());

  const std::string data = o.dir + "/data";
  const bool fresh = missing_or_empty(data);
  std::optional<std::string> version;
  if (!fresh) {
    version = first_line(data + "/PG_VERSION");
    if (!version || !is_version(*version)) {
      return make_error(ErrorCode::kInvalidArgument,
                        data + " is neither empty nor a PostgreSQL data directory (no PG_VERSION)");
    }
    struct stat st {};
    if (::stat(data.c_str(), &st) == 0 && st.st_uid != user->uid) {
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("{} belongs to uid {}, not to '{}' (uid {}), who runs the "
                                    "cluster: chown -R {} {}",
                                    data, st.st_uid, user->name, user->uid, user->name, o.dir));
    }
    if (auto st = check_no_server_left(data, o.take_over_orphan); !st)
      return tl::unexpected(st.error());
  } else if (auto st = own_directory(data, *user); !st) {  // initdb fills it
    return tl::unexpected(st.error());
  }
  auto bin = find_bin_dir(o.bin_dir, version);
  if (!bin) return tl::unexpected(bin.error());
  auto socket = choose_socket_dir(o.dir, *user);
  if (!socket) return tl::unexpected(socket.error());

  const bool fallback = !socket->fallback_reason.empty();
  std::unique_ptr<PgCluster> c(new PgCluster(std::move(o), *user, *bin, socket->path, fallback));
  if (fresh) {
    if (auto st = c->initdb(); !st) return tl::unexpected(st.error());
  }
  if (auto st = c->launch(); !st) return tl::unexpected(st.error());
  if (auto st = create_database_if_missing(c->dsn_for("postgres"), c->options_.database); !st) {
    return tl::unexpected(st.error());
  }
  spdlog::info("postgres: {} cluster {} ({}), server pid {} as user {}, socket in {}{}, log {}",
               fresh ? "new" : "existing", c->data_dir(), c->bin_dir_, c->pid_, c->user_.name,
               c->socket_dir_, fallback ? " (" + socket->fallback_reason + ")" : "", c->log_path());
  return c;
}

PgCluster::PgCluster(PgClusterOptions o, RunAs user, std::string bin_dir, std::string socket_dir,
                     bool own_socket_dir)
    : options_(std::move(o)),
      user_(std::move(user)),
      bin_dir_(std::move(bin_dir)),
      socket_dir_(std::move(socket_dir)),
      own_socket_dir_(own_socket_dir),
      role_(user_.name) {}

PgCluster::~PgCluster() {
  if (pid_ > 0) {
    if (auto st = stop(); !st) spdlog::warn("postgres: {}", st.error().message);
  }
  if (own_socket_dir_) {
    std::error_code ec;
    fs::remove_all(socket_dir_, ec);
  }
}

std::string PgCluster::dsn_for(const std::string& database) const {
  return fmt::format("host={} port={} dbname={} user={}", conninfo_value(socket_dir_), kPort,
                     conninfo_value(database), conninfo_value(role_));
}

std::string PgCluster::data_dir() const {
  return options_.dir + "/data";
}
std::string PgCluster::log_path() const {
  return options_.dir + "/postgres.log";
}

// A new cluster: UTF-8, the C locale (the same sort order on every
// machine), and peer authentication over the socket for the users mapped
// in pg_ident.conf only.
Status PgCluster::initdb() {
  std::vector<std::string> argv = {
      bin_dir_ + "/initdb", "--pgdata=" + data_dir(), "--username=" + role_, "--encoding=UTF8",
      "--locale=C",         "--auth-local=peer",      "--auth-host=reject",  "--no-instructions"};
  // A cluster that runs without fsync need not sync its creation either.
  if (fsync_off(options_.settings)) argv.push_back("--no-sync");
  const auto from = file_size(log_path());
  auto pid = spawn_child({argv, child_env(), log_path(), options_.dir, false}, user_);
  if (!pid) return tl::unexpected(pid.error());
  const auto status = wait_child(*pid, kInitdbLimit);
  if (!status) {
    ::kill(*pid, SIGKILL);
    wait_child(*pid, kKillLimit);
  }
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("initdb {} failed ({}){}", data_dir(),
                                  status ? describe_wait_status(*status) : "timed out",
                                  log_tail(log_path(), from)));
  }
  const std::string hba = fmt::format(
      "# Written by tradingd when it created the cluster: the Unix socket only,\n"
      "# for the operating-system users that pg_ident.conf maps to a role.\n"
      "local all all peer map={}\n",
      kMapName);
  const std::string ident = fmt::format(
      "# MAPNAME SYSTEM-USERNAME PG-USERNAME (written by tradingd)\n"
      "{0} {1} {1}\n"
      "{0} root {1}\n",
      kMapName, role_);
  if (auto st = write_owned_file(data_dir() + "/pg_hba.conf", hba, user_); !st) return st;
  return write_owned_file(data_dir() + "/pg_ident.conf", ident, user_);
}

Status PgCluster::launch() {
  std::string sockets = socket_dir_;
  if (sockets.find_first_of(", \t") != std::string::npos) sockets = "\"" + sockets + "\"";
  // On the command line, which outranks postgresql.conf and ALTER SYSTEM.
  std::vector<std::pair<std::string, std::string>> settings = {
      {"listen_addresses", ""},  // no TCP
      {"port", std::to_string(kPort)},
      {"unix_socket_directories", sockets},
      {"unix_socket_permissions", "0700"},
      {"logging_collector", "off"},  // stderr, into dir/postgres.log
      {"log_destination", "stderr"},
      {"synchronous_commit", "on"},
      // systemd's MemoryDenyWriteExecute (tradingd.service) forbids the
      // writable and executable pages LLVM's JIT needs; short queries gain
      // nothing from it.
      {"jit", "off"}};
  settings.insert(settings.end(), options_.settings.begin(), options_.settings.end());
  std::vector<std::string> argv = {bin_dir_ + "/postgres", "-D", data_dir()};
  for (const auto& [name, value] : settings) {
    argv.push_back("-c");
    argv.push_back(name + "=" + value);
  }
  const auto from = file_size(log_path());
  auto pid = spawn_child({argv, child_env(), log_path(), options_.dir, true}, user_);
  if (!pid) return tl::unexpected(pid.error());
  pid_ = *pid;

  // Ready when postmaster.pid names our server and says "ready" (as
  // pg_ctl waits), or failed when the server exits first.
  const auto deadline = std::chrono::steady_clock::now() + kReadyLimit;
  const std::string pidfile = data_dir() + "/postmaster.pid";
  for (;;) {
    std::ifstream in(pidfile);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    if (lines.size() >= 8 && lines[0] == std::to_string(pid_) && lines[7].rfind("ready", 0) == 0) {
      return {};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const auto status = wait_child(pid_, std::min(left, std::chrono::milliseconds(20)));
    if (status || left.count() <= 0) {
      if (!status) kill();
      pid_ = -1;
      return make_error(
          ErrorCode::kUnavailable,
          fmt::format("PostgreSQL server on {} {}{}", data_dir(),
                      status ? "exited: " + describe_wait_status(*status) : "not ready in 30 s",
                      log_tail(log_path(), from)));
    }
  }
}

Status PgCluster::stop() {
  if (pid_ <= 0) return {};
  const pid_t pid = pid_;
  ::kill(pid, SIGINT);  // fast shutdown: ends sessions, writes a checkpoint
  auto status = wait_child(pid, kFastStopLimit);
  if (!status) {
    spdlog::warn("postgres: server pid {} not stopped in {} s; immediate shutdown", pid,
                 kFastStopLimit.count());
    kill();
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("PostgreSQL server pid {} ignored a fast shutdown for {} s and "
                                  "was killed (it recovers on the next start)",
                                  pid, kFastStopLimit.count()));
  }
  pid_ = -1;
  return {};
}

Status PgCluster::start_again() {
  if (running()) return make_error(ErrorCode::kConflict, "the PostgreSQL server is running");
  if (pid_ > 0) {
    wait_child(pid_, kKillLimit);  // it died on its own: reap it
    pid_ = -1;
  }
  if (auto st = launch(); !st) return st;
  spdlog::info("postgres: server on {} started again, pid {}", data_dir(), pid_);
  return {};
}

void PgCluster::kill() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);  // its own process group (setsid): the server and every child
  wait_child(pid_, kKillLimit);
  if (!wait_process_group_gone(pid_, kKillLimit)) {
    spdlog::warn("postgres: processes of server pid {} outlived SIGKILL for {} s", pid_,
                 kKillLimit.count());
  }
  pid_ = -1;
}

bool PgCluster::running() const {
  if (pid_ <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping; stop() and start_again() reap.
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return false;
  return info.si_pid == 0;
}

}  // namespace td::persistence
