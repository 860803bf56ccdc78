#include "persistence/run_as.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace td::persistence {
namespace {

// getpwnam_r/getpwuid_r with a buffer that grows until the entry fits.
Result<RunAs> from_passwd(const char* name, uid_t uid, bool by_name) {
  std::vector<char> buf(4096);
  passwd pw{};
  passwd* found = nullptr;
  for (;;) {
    const int rc = by_name ? getpwnam_r(name, &pw, buf.data(), buf.size(), &found)
                           : getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0)
      return make_error(ErrorCode::kInternal, std::string("user database: ") + strerror(rc));
    break;
  }
  if (found == nullptr) return make_error(ErrorCode::kNotFound, "no such user");
  RunAs u;
  u.uid = pw.pw_uid;
  u.gid = pw.pw_gid;
  u.name = pw.pw_name;
  int n = 32;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  while (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<size_t>(n));
  }
  groups.resize(static_cast<size_t>(n));
  u.groups = std::move(groups);
  return u;
}

std::string mode_octal(mode_t m) {
  return fmt::format("{:04o}", m & 07777);
}

}  // namespace

Result<RunAs> resolve_run_as(const std::string& name_when_root) {
  if (geteuid() != 0) {
    auto self = from_passwd(nullptr, geteuid(), false);
    if (!self) {
      return make_error(ErrorCode::kInternal,
                        fmt::format("cannot look up the current user (uid {}): {}", geteuid(),
                                    self.error().message));
    }
    self->gid = getegid();
    return self;
  }
  auto u = from_passwd(name_when_root.c_str(), 0, true);
  if (!u) {
    if (u.error().code != ErrorCode::kNotFound) return u;
    return make_error(
        ErrorCode::kUnavailable,
        fmt::format("running as root, the embedded PostgreSQL cluster runs as the user '{0}', "
                    "which does not exist: create it (useradd --system --no-create-home "
                    "--shell /usr/sbin/nologin {0}), or set database.dsn to use an external "
                    "server",
                    name_when_root));
  }
  if (u->uid == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("the embedded PostgreSQL cluster cannot run as '{}': uid 0 "
                                  "(PostgreSQL refuses to run as root)",
                                  name_when_root));
  }
  u->switch_user = true;
  return u;
}

Status check_traversable(const std::string& path, const RunAs& user) {
  namespace fs = std::filesystem;
  fs::path target = fs::path(path).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // a trailing slash
  std::vector<fs::path> ancestors;  // "/", "/a", "/a/b": the directory itself is ours
  for (fs::path a = target.parent_path(); !a.empty(); a = a.parent_path()) {
    ancestors.push_back(a);
    if (a == a.root_path()) break;
  }
  std::reverse(ancestors.begin(), ancestors.end());
  for (const fs::path& p : ancestors) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) return {};  // created later, by us
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("cannot stat {}: {}", p.string(), strerror(errno)));
    }
    if (!S_ISDIR(st.st_mode)) {
      return make_error(ErrorCode::kInvalidArgument, p.string() + " is not a directory");
    }
    mode_t bit = S_IXOTH;
    if (st.st_uid == user.uid) {
      bit = S_IXUSR;
    } else if (std::find(user.groups.begin(), user.groups.end(), st.st_gid) != user.groups.end() ||
               st.st_gid == user.gid) {
      bit = S_IXGRP;
    }
    if ((st.st_mode & bit) == 0) {
      return make_error(
          ErrorCode::kUnavailable,
          fmt::format("the PostgreSQL cluster's user '{}' cannot enter the directory {} (mode {}, "
                      "owner uid {}, gid {}) on the way to {}: allow it (chmod o+x {}) or put "
                      "the cluster elsewhere",
                      user.name, p.string(), mode_octal(st.st_mode), st.st_uid, st.st_gid, path,
                      p.string()));
    }
  }
  return {};
}

}  // namespace td::persistence
