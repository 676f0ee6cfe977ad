// Special functions built from MLX ops: lgamma, digamma (see special.h for sources and accuracy).
#include "special.h"

#include <cmath>

#include "constants.h"

namespace mx = mlx::core;

namespace mlxnuts {

namespace {
mx::array scalarExact(double v, mx::Dtype dt) {
  // array(double) would be float32 (TypeToDtype<double> is float32): build float64 scalars explicitly.
  if (dt == mx::float64) return mx::array(&v, mx::Shape{}, mx::float64);
  return mx::array(static_cast<float>(v), dt);
}

// kLanczos and kLanczosG come from constants.h.

mx::array lgammaPositive(const mx::array& x) {
  // valid for x >= 0.5: log Γ(x) = ½log(2π) + (z+½)log(t) − t + log A(z), z = x − 1, t = z + g + ½
  auto dt = x.dtype();
  auto z = mx::subtract(x, scalarExact(1.0, dt));
  auto a = scalarExact(kLanczos[0], dt);
  for (int k = 1; k < 9; ++k)
    a = mx::add(a, mx::divide(scalarExact(kLanczos[k], dt), mx::add(z, scalarExact(static_cast<double>(k), dt))));
  auto t = mx::add(z, scalarExact(kLanczosG + 0.5, dt));
  auto halfLog2Pi = scalarExact(0.5 * std::log(2.0 * M_PI), dt);
  return mx::add(mx::add(halfLog2Pi, mx::subtract(mx::multiply(mx::add(z, scalarExact(0.5, dt)), mx::log(t)), t)),
                 mx::log(a));
}
}  // namespace

mx::array lgamma(const mx::array& x) {
  auto dt = x.dtype();
  auto half = scalarExact(0.5, dt);
  auto small = mx::less(x, half);
  // reflection: log Γ(x) = log(π / |sin(πx)|) − log Γ(1 − x); evaluate both branches on safe inputs.
  auto xr = mx::where(small, mx::subtract(scalarExact(1.0, dt), x), x);
  auto lg = lgammaPositive(xr);
  auto sinpix = mx::abs(mx::sin(mx::multiply(scalarExact(M_PI, dt), x)));
  auto refl = mx::subtract(mx::subtract(scalarExact(std::log(M_PI), dt), mx::log(sinpix)), lg);
  return mx::where(small, refl, lg);
}

mx::array digamma(const mx::array& x) {
  auto dt = x.dtype();
  auto half = scalarExact(0.5, dt);
  auto small = mx::less(x, half);
  auto xr = mx::where(small, mx::subtract(scalarExact(1.0, dt), x), x);
  // recurrence ψ(x) = ψ(x + 6) − Σ_{k=0}^{5} 1/(x + k)
  auto acc = mx::zeros_like(xr);
  for (int k = 0; k < 6; ++k) acc = mx::add(acc, mx::reciprocal(mx::add(xr, scalarExact(k, dt))));
  auto y = mx::add(xr, scalarExact(6.0, dt));
  auto inv2 = mx::reciprocal(mx::square(y));
  // asymptotic: ln y − 1/(2y) − 1/(12y²) + 1/(120y⁴) − 1/(252y⁶) + 1/(240y⁸) − 5/(660y¹⁰) (A&S 6.3.18)
  // i2·(T0 − i2·(T1 − i2·(T2 − i2·(T3 − i2·T4)))) with T = kDigammaTail, built from the innermost term out
  auto series = mx::multiply(inv2, scalarExact(kDigammaTail[4], dt));
  for (int k = 3; k >= 0; --k) series = mx::multiply(inv2, mx::subtract(scalarExact(kDigammaTail[k], dt), series));
  auto psi = mx::subtract(mx::subtract(mx::subtract(mx::log(y), mx::divide(half, y)), series), acc);
  // reflection: ψ(x) = ψ(1 − x) − π / tan(πx)
  auto refl = mx::subtract(psi, mx::divide(scalarExact(M_PI, dt), mx::tan(mx::multiply(scalarExact(M_PI, dt), x))));
  return mx::where(small, refl, psi);
}

}  // namespace mlxnuts
