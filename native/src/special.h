// Special functions MLX lacks, written as MLX ops so that autodiff and compile see through them.
#pragma once
#include "mlx/mlx.h"

namespace mlxnuts {

// log Γ(x) by the Lanczos approximation (g = 7, n = 9; coefficients from P. Godfrey, as tabulated in
// Press et al., Numerical Recipes 3rd ed. §6.1 and Wikipedia "Lanczos approximation"), with the reflection
// formula for x < 0.5. Relative accuracy about 1e-14 in float64 and a few float32 ulps in float32 for x > 0.
mlx::core::array lgamma(const mlx::core::array& x);

// ψ(x) = d/dx log Γ(x): recurrence up to x + 6, then the asymptotic series (Abramowitz & Stegun 6.3.18),
// reflection for x < 0.5. Accuracy about 1e-12 in float64.
mlx::core::array digamma(const mlx::core::array& x);

}  // namespace mlxnuts
