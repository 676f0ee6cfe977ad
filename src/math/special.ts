// Special functions in float64, the one host home of each: lgamma, digamma, trigamma, log B, erf, softplus, sigmoid.

import { HALF_LOG_2PI } from './constants.ts';

// Lanczos approximation, g = 7, n = 9 (coefficients by P. Godfrey, as in Numerical Recipes 3rd ed. §6.1); the
// generated C++ (src/codegen/prelude.ts) emits these very constants, so the two agree to rounding. Relative error
// about 1e-15.
export const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * log Γ(x). For 0 < x < ½ the recurrence log Γ(x) = log Γ(x + 1) − log x (exact, and free of trigonometry, whose
 * rounding differs between V8 and C libraries: the generated code then matches this function bit for bit); the
 * reflection formula only for x ≤ 0.
 */
export function lgamma(x: number): number {
  if (x > 0 && x < 0.5) return lgamma(x + 1) - Math.log(x);
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  for (let k = 1; k < 9; k++) a += LANCZOS[k]! / (z + k);
  const t = z + 7.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x): recurrence to x ≥ 6, then the asymptotic series (Abramowitz & Stegun 6.3.18); reflection for x ≤ 0. */
export function digamma(x: number): number {
  if (x <= 0) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let acc = 0;
  while (x < 6) {
    acc += 1 / x;
    x += 1;
  }
  return Math.log(x) - 0.5 / x - digammaTail(x) - acc;
}

/** ψ′(x): recurrence to x ≥ 6, then the asymptotic series (A&S 6.4.12); reflection for x ≤ 0. */
export function trigamma(x: number): number {
  if (x <= 0) {
    const s = Math.sin(Math.PI * x);
    return -trigamma(1 - x) + (Math.PI * Math.PI) / (s * s);
  }
  let acc = 0;
  while (x < 6) {
    acc += 1 / (x * x);
    x += 1;
  }
  const i = 1 / x;
  const i2 = i * i;
  return acc + i + 0.5 * i2 + i * i2 * (1 / 6 - i2 * (1 / 30 - i2 * (1 / 42 - i2 * (1 / 30))));
}

// Stirling's series for δ(x) = lgamma(x) − ((x − ½)log x − x + ½ log 2π) (Abramowitz & Stegun 6.1.40): seven terms
// at x ≥ 10 leave an error below 3e-17 (checked against mpmath.loggamma).
export const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];
/** Where lbeta and digammaDiff switch to their asymptotic forms. */
export const ASYMPTOTIC_FROM = 10;

/** δ(x) for x ≥ 10. */
export function stirlingDiff(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  let s = STIRLING[6]!;
  for (let i = 5; i >= 0; i--) s = s * r2 + STIRLING[i]!;
  return s * r;
}

/**
 * log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b) without the cancellation of large lgammas: with x = min and
 * y = max, directly when y < 10; lgamma(x) + δ(y) − δ(x+y) + (y − ½)·log1p(−x/(x+y)) + x·(1 − log(x+y)) when only y is
 * large; δ(x) + δ(y) − δ(x+y) + (x − ½)·log(x/(x+y)) + y·log1p(−x/(x+y)) + ½ log 2π − ½ log y when both are (the
 * Stirling expansions of the three lgammas subtracted analytically, the split Stan's lbeta uses). The native CPU
 * primitive (native/src/special_prims.cc) is the same formula.
 */
export function lbeta(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  const x = Math.min(a, b);
  const y = Math.max(a, b);
  if (y < ASYMPTOTIC_FROM) return lgamma(a) + lgamma(b) - lgamma(a + b);
  const t = x / (x + y);
  if (x < ASYMPTOTIC_FROM) {
    return lgamma(x) + stirlingDiff(y) - stirlingDiff(x + y) + (y - 0.5) * Math.log1p(-t) + x * (1 - Math.log(x + y));
  }
  return stirlingDiff(x) + stirlingDiff(y) - stirlingDiff(x + y) + (x - 0.5) * Math.log(t) + y * Math.log1p(-t)
    + HALF_LOG_2PI - 0.5 * Math.log(y);
}

/** Coefficients of ψ's asymptotic tail, 1/(12x²) − 1/(120x⁴) + 1/(252x⁶) − 1/(240x⁸) + 5/(660x¹⁰) (A&S 6.3.18). */
export const DIGAMMA_TAIL = [1 / 12, 1 / 120, 1 / 252, 1 / 240, 5 / 660];

/** The asymptotic tail of ψ: ψ(x) = log x − 1/(2x) − tail(x) for x ≥ 6 (A&S 6.3.18). */
function digammaTail(x: number): number {
  const i2 = 1 / (x * x);
  const T = DIGAMMA_TAIL;
  return i2 * (T[0]! - i2 * (T[1]! - i2 * (T[2]! - i2 * (T[3]! - i2 * T[4]!))));
}

/**
 * ψ(a) − ψ(a + c), the partial derivative of log B(a, c) in a. For a, a + c ≥ 10 the logs and the tails are
 * subtracted analytically (−log1p(c/a) − 1/(2a) + 1/(2(a+c)) − tail(a) + tail(a+c)), which keeps full relative
 * accuracy where ψ(a) and ψ(a + c) nearly cancel (a large, c small).
 */
export function digammaDiff(a: number, c: number): number {
  const b = a + c;
  if (a >= ASYMPTOTIC_FROM && b >= ASYMPTOTIC_FROM) {
    return -Math.log1p(c / a) - 0.5 / a + 0.5 / b - digammaTail(a) + digammaTail(b);
  }
  return digamma(a) - digamma(b);
}

/** erf by its Maclaurin series for |x| < 3 and a continued fraction for erfc beyond; about 1e-14 absolute. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  const r = 1 - erfcLarge(ax);
  return x < 0 ? -r : r;
}

/** erfc(x) for x ≥ 3 by the Laplace continued fraction, evaluated with Lentz's method. */
function erfcLarge(x: number): number {
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
