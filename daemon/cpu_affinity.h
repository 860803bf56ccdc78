#pragma once
// engine.cpu (docs/configuration.md): the engine thread on a CPU of its own,
// the API threads on the others. Why: on a small VPS the engine, the API
// threads and whatever else runs share two cores; a burst of API work that
// preempts the engine shows as tick-to-order tail latency (bench/README.md,
// "Control API"). Pinning only keeps our own threads apart; other processes
// still go wherever the kernel puts them.
#include "core/status.h"

namespace td::daemon {

// Pins the calling thread to `cpu`.
Status pin_this_thread_to(int cpu);
// Lets the calling thread run on every online CPU except `cpu` (unchanged
// when that would leave none).
Status pin_this_thread_away_from(int cpu);

}  // namespace td::daemon
