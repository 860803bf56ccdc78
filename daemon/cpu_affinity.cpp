#include "daemon/cpu_affinity.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <string>

namespace td::daemon {

namespace {
int online_cpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

Status set_affinity(const cpu_set_t& set, const std::string& what) {
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  if (rc != 0) return make_error(ErrorCode::kInvalidArgument, "cannot pin " + what);
  return {};
}
}  // namespace

Status pin_this_thread_to(int cpu) {
  if (cpu < 0 || cpu >= online_cpus() || cpu >= CPU_SETSIZE)
    return make_error(ErrorCode::kInvalidArgument, "engine.cpu " + std::to_string(cpu) +
                                                       ": this machine has CPUs 0.." +
                                                       std::to_string(online_cpus() - 1));
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return set_affinity(set, "the engine thread to CPU " + std::to_string(cpu));
}

Status pin_this_thread_away_from(int cpu) {
  const int n = online_cpus();
  if (n < 2) return {};
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c = 0; c < n && c < CPU_SETSIZE; ++c)
    if (c != cpu) CPU_SET(c, &set);
  return set_affinity(set, "an API thread away from CPU " + std::to_string(cpu));
}

}  // namespace td::daemon
