#include "persistence/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace td::persistence {
namespace {

namespace fs = std::filesystem;

// The step that failed in the child, reported with its errno.
enum class Step : int { kSetsid, kSetgroups, kSetgid, kSetuid, kOutput, kStdin, kChdir, kExec };

const char* step_name(Step s) {
  switch (s) {
    case Step::kSetsid:
      return "setsid";
    case Step::kSetgroups:
      return "setgroups";
    case Step::kSetgid:
      return "setgid";
    case Step::kSetuid:
      return "setuid";
    case Step::kOutput:
      return "open the output file";
    case Step::kStdin:
      return "open /dev/null";
    case Step::kChdir:
      return "chdir";
    case Step::kExec:
      return "exec";
  }
  return "?";
}

struct ChildFailure {
  Step step;
  int err;
};

[[noreturn]] void fail(int report_fd, Step step) {
  const ChildFailure f{step, errno};
  ssize_t ignored = ::write(report_fd, &f, sizeof f);
  (void)ignored;
  _exit(127);
}

// Closes every descriptor from 3 up except `keep` (>= 3).
void close_inherited(int keep) {
  if (keep > 3) ::syscall(SYS_close_range, 3u, static_cast<unsigned>(keep - 1), 0u);
  if (::syscall(SYS_close_range, static_cast<unsigned>(keep + 1), UINT_MAX, 0u) == 0) return;
  // A kernel without close_range (before 5.9): one by one.
  const long max = sysconf(_SC_OPEN_MAX);
  for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); ++fd) {
    if (fd != keep) ::close(fd);
  }
}

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildSpec& spec, const RunAs& user, char* const* argv,
                             char* const* envp, int report_fd) {
  if (spec.new_session && ::setsid() < 0) fail(report_fd, Step::kSetsid);
  if (user.switch_user) {
    if (::setgroups(user.groups.size(), user.groups.data()) != 0) fail(report_fd, Step::kSetgroups);
    if (::setgid(user.gid) != 0) fail(report_fd, Step::kSetgid);
    if (::setuid(user.uid) != 0) fail(report_fd, Step::kSetuid);
  }
  const int in = ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, STDIN_FILENO) < 0) fail(report_fd, Step::kStdin);
  const int out = ::open(spec.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (out < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(out, STDERR_FILENO) < 0) {
    fail(report_fd, Step::kOutput);
  }
  close_inherited(report_fd);
  if (::chdir(spec.cwd.c_str()) != 0) fail(report_fd, Step::kChdir);
  // Default signal dispositions and an empty mask: exec keeps ignored
  // signals (SIGPIPE, say) and the mask of the thread that forked.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(argv[0], argv, envp);
  fail(report_fd, Step::kExec);
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// The processes of a process group that have not exited yet (zombies have).
std::vector<pid_t> live_members(pid_t pgid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const auto paren = stat.rfind(')');  // the command name may hold spaces
    if (paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(paren + 1));
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (rest >> state >> ppid >> pgrp && pgrp == pgid && state != 'Z') {
      out.push_back(std::atoi(name.c_str()));
    }
  }
  return out;
}

}  // namespace

Result<pid_t> spawn_child(const ChildSpec& spec, const RunAs& user) {
  if (spec.argv.empty()) return make_error(ErrorCode::kInvalidArgument, "spawn: no program");
  const auto argv = c_strings(spec.argv);
  const auto envp = c_strings(spec.env);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kInternal, std::string("pipe: ") + strerror(errno));
  }
  if (report[1] < 3) {  // stdin/stdout/stderr were closed: keep clear of 0-2
    const int moved = ::fcntl(report[1], F_DUPFD_CLOEXEC, 3);
    ::close(report[1]);
    report[1] = moved;
    if (moved < 0) {
      ::close(report[0]);
      return make_error(ErrorCode::kInternal, std::string("fcntl: ") + strerror(errno));
    }
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(report[0]);
    ::close(report[1]);
    return make_error(ErrorCode::kInternal, std::string("fork: ") + strerror(err));
  }
  if (pid == 0) {
    ::close(report[0]);
    exec_child(spec, user, argv.data(), envp.data(), report[1]);
  }
  ::close(report[1]);
  ChildFailure f{};
  ssize_t n;
  do {
    n = ::read(report[0], &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == 0) return pid;  // the pipe closed on exec: the program runs
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof f)) {
    return make_error(ErrorCode::kInternal, "spawn " + spec.argv[0] + ": the child failed");
  }
  std::string what = step_name(f.step);
  if (f.step == Step::kOutput) what += " " + spec.output_file;
  if (f.step == Step::kChdir) what += " " + spec.cwd;
  if (f.step == Step::kExec) what += " " + spec.argv[0];
  return make_error(ErrorCode::kUnavailable,
                    fmt::format("cannot start {}{}: {} failed: {}", spec.argv[0],
                                user.switch_user ? " as user " + user.name : std::string(), what,
                                strerror(f.err)));
}

std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  // A pidfd becomes readable when the process exits: no polling.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (pidfd >= 0) ::close(pidfd);
      return status;
    }
    if (r < 0 && errno != EINTR) {
      if (pidfd >= 0) ::close(pidfd);
      return std::nullopt;  // not our child (already reaped)
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (pidfd >= 0) ::close(pidfd);
      return std::nullopt;
    }
    pollfd p{pidfd, POLLIN, 0};
    // Without a pidfd (a kernel before 5.3) look again every 10 ms.
    ::poll(pidfd >= 0 ? &p : nullptr, pidfd >= 0 ? 1 : 0,
           static_cast<int>(std::min<long long>(left.count(), pidfd >= 0 ? INT_MAX : 10)));
  }
}

bool wait_process_group_gone(pid_t pgid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto members = live_members(pgid);
    if (members.empty()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    std::vector<pollfd> fds;
    for (pid_t p : members) {
      const int fd = static_cast<int>(::syscall(SYS_pidfd_open, p, 0));
      if (fd >= 0) fds.push_back(pollfd{fd, POLLIN, 0});
    }
    // Without pidfds (a kernel before 5.3) look again in 10 ms.
    ::poll(fds.data(), fds.size(), fds.empty() ? 10 : static_cast<int>(left.count()));
    for (auto& p : fds) ::close(p.fd);
  }
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return fmt::format("signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  }
  return fmt::format("wait status {}", status);
}

}  // namespace td::persistence
