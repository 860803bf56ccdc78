#pragma once
// log and exp written out in IEEE-754 basic operations (+ - * / and exact
// frexp/ldexp). Why: std::log and std::exp come from the platform's libm,
// which may differ in the last bit between glibc, musl, macOS and MSVC; one
// differing bit in the simulator's latent price eventually changes a tick, and
// "same seed, same market" would hold on one machine only. These are accurate
// to a few ulp, which is plenty for generated prices; what matters is that
// they are the same everywhere (with FMA contraction off, see CMakeLists.txt).
namespace td::sim {

// Natural logarithm; -inf for 0, NaN for negative or NaN input.
double det_log(double x);
// e^x; 0 below -745, +inf above 709.78.
double det_exp(double x);

}  // namespace td::sim
