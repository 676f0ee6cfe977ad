// The beta distribution's quantile function (R's qbeta), needed by the quantile MCSE.
//
// log Γ and log B come from src/math/special.ts. I_x(a, b): the continued fraction DLMF 8.17.22,
// evaluated by the modified Lentz method (Thompson & Barnett 1986), on the side of the symmetry
// I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast (x < (a + 1)/(a + b + 2)). The quantile: bisection
// on [0, 1] down to adjacent doubles, so its accuracy is that of I_x(a, b) (about 1e-13 for a, b ≲ 1e5).
import { lbeta, lgamma } from '../math/special.ts';

/** log Γ(x) for x > 0, NaN otherwise (src/math/special.ts's lgamma, which also reflects x ≤ 0). */
export function logGamma(x: number): number {
  return x > 0 ? lgamma(x) : NaN;
}

/** Smallest magnitude the Lentz recursion lets a denominator take. */
const TINY = 1e-300;

/** The continued fraction of DLMF 8.17.22 for I_x(a, b), without its prefactor. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    // even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m))
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    f *= d * c;
    // odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1))
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/** The regularised incomplete beta function I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b), a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - lbeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The beta quantile: the x ∈ [0, 1] with I_x(a, b) = p (R's `qbeta(p, a, b)`); NaN for invalid input. */
export function qbeta(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1) || !(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 2000; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (incompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}
