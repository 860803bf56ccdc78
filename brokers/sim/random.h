#pragma once
// A random number generator whose output is identical on every platform,
// compiler and standard library. Why: the simulator promises "same seed, same
// market", and while std::mt19937 is portable, every std::*_distribution is
// implementation-defined (libstdc++ and libc++ give different normals). So the
// generator (xoshiro256**, seeded through splitmix64) and the distributions
// (53-bit uniforms, Marsaglia's polar normals over det_log) are all here.
#include <cstdint>
#include <string_view>

namespace td::sim {

// One step of splitmix64 (Steele, Lea, Flood): advances state, returns the mix.
uint64_t splitmix64(uint64_t& state);
// FNV-1a, 64 bit: a fixed hash for deriving streams from names.
uint64_t fnv1a64(std::string_view s);

class Rng {
 public:
  explicit Rng(uint64_t seed);
  // An independent stream for (seed, name, stream). A symbol's stream depends
  // on its name only, not on which other symbols are simulated or in which
  // order; `stream` separates a symbol's uses (live path, history, sizes).
  static Rng derive(uint64_t seed, std::string_view name, uint64_t stream);

  uint64_t next_u64();
  double uniform();      // [0, 1), multiples of 2^-53
  double uniform_pos();  // (0, 1)
  double normal();       // standard normal
  // True with probability p.
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace td::sim
