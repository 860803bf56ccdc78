#pragma once
// initdb and postgres started with fork+exec, no shell: the arguments reach
// the program as they are. In the child, before exec, only async-signal-safe
// calls (the daemon has threads): optionally a new session, the user switch
// (setgroups, setgid, setuid), output appended to a log file opened as that
// user, every other inherited descriptor closed (a postmaster must not keep
// the daemon's API socket open). A failure before exec comes back to the
// parent through a close-on-exec pipe, so spawn() reports why, not just
// "exit 127".
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "persistence/run_as.h"

namespace td::persistence {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0]: the program's absolute path
  std::vector<std::string> env;   // NAME=value: the child's whole environment
  std::string output_file;        // stdout and stderr, appended (created 0600)
  std::string cwd;
  bool new_session = false;  // setsid: its own process group, no terminal
};

Result<pid_t> spawn_child(const ChildSpec& spec, const RunAs& user);

// Waits for the child to exit: its wait status, or nullopt at the deadline.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds limit);

// Waits until every process of the process group `pgid` has exited (zombies
// have: their shared memory is detached); false at the deadline.
bool wait_process_group_gone(pid_t pgid, std::chrono::milliseconds limit);

// "exit code 1", "signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace td::persistence
