// lgamma, digamma and log B(a, b) as single MLX primitives on the CPU.
//
// Built from MLX ops (special.cc), lgamma is ~25 primitives and its gradient ~30 more, and the Stirling-split
// log B of a StudentT or Beta density over 150; on the CPU each primitive costs a task hand-off to the stream
// thread (a few µs), which dominated the stochastic-volatility model's gradient. These primitives evaluate the
// functions elementwise in float64 host code (float32 inputs are widened, then rounded once), and their
// vector-Jacobian products are again single primitives: lgamma → digamma → trigamma, and
// log B → (ψ(a) − ψ(a+b), ψ(b) − ψ(a+b)) computed without cancellation for large arguments.
// They have no GPU kernel: on a GPU the emitter uses the op-built versions of special.cc.
#pragma once
#include "mlx/mlx.h"

namespace mlxnuts {

// True when the default device is the CPU (the primitives above are usable).
bool cpuSpecials();

mlx::core::array lgammaCpu(const mlx::core::array& x);
mlx::core::array digammaCpu(const mlx::core::array& x);
// erf, sin and cos in float64 host math: MLX's CPU float64 versions go through float SIMD and have float32
// accuracy (~2.5e-7, MLX issue #3047; found again by check() on the censored and truncated Normal densities).
mlx::core::array erfCpu(const mlx::core::array& x);
mlx::core::array sinCpu(const mlx::core::array& x);
mlx::core::array cosCpu(const mlx::core::array& x);
mlx::core::array lbetaCpu(const mlx::core::array& a, const mlx::core::array& b);

namespace host {
// The same float64 formulas and branches as src/math/special.ts, so that the engines agree to rounding
// (test/special.agree.test.ts holds every engine against it on each branch).
double lgamma(double x);
double digamma(double x);
double trigamma(double x);
double lbeta(double a, double b);
// ψ(a) − ψ(a + c), with the leading terms of the asymptotic series subtracted analytically when both are large.
double digammaDiff(double a, double c);
}  // namespace host

}  // namespace mlxnuts
