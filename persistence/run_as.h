#pragma once
// The operating-system user a child server runs as. PostgreSQL refuses to run
// as root, so a process running as root hands initdb and postgres to an
// unprivileged system user; anyone else runs them as themselves. That user
// must be able to reach the cluster's directory: checked up front, so the
// error names the directory instead of initdb failing obscurely.
#include <sys/types.h>

#include <string>
#include <vector>

#include "core/status.h"

namespace td::persistence {

struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // all of the user's groups (setgroups, permission checks)
  std::string name;
  bool switch_user = false;  // we run as root: the child drops to uid/gid
};

// Root: the user `name_when_root` (an error naming the fix if it is missing
// or is root itself). Anyone else: the current user.
Result<RunAs> resolve_run_as(const std::string& name_when_root);

// Every existing ancestor of `path` (an absolute path) must be searchable by
// `user`; the error names the first that is not. Plain mode bits: no ACLs.
Status check_traversable(const std::string& path, const RunAs& user);

}  // namespace td::persistence
