// tradectl's process entry: the library does everything; main() only turns
// SIGINT/SIGTERM into a stop flag (a second Ctrl-C kills at once) and passes
// the arguments on.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "tradectl/cli.h"

namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int) {
  g_stop.store(true);
}
}  // namespace

int main(int argc, char** argv) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // the second signal takes the default action
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  td::tradectl::Io io{std::cout, std::cerr, nullptr, &g_stop};
  const int rc = td::tradectl::run(args, io);
  std::cout.flush();
  return rc;
}
