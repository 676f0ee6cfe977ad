// Host variate generators on a seeded stream: exponential, gamma, beta, Poisson, binomial, categorical, Cholesky.
import { lgamma } from '../math/special.ts';
import type { Rng } from './rng.ts';

/** Exp(1) by inversion. */
export function exponential(rng: Rng): number {
  return -Math.log1p(-rng.uniform());
}

/** Uniform on the open interval (0, 1). */
export function openUniform(rng: Rng): number {
  let u = rng.uniform();
  while (u === 0) u = rng.uniform();
  return u;
}

/**
 * Gamma(a, 1) by Marsaglia & Tsang (2000), "A simple method for generating gamma variables", ACM TOMS 26(3);
 * for a < 1 the boost Gamma(a) = Gamma(a + 1)·U^(1/a) from the same paper.
 */
export function standardGamma(rng: Rng, a: number): number {
  if (!(a > 0)) return NaN;
  if (a < 1) return standardGamma(rng, a + 1) * Math.pow(openUniform(rng), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = openUniform(rng);
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function beta(rng: Rng, a: number, b: number): number {
  const x = standardGamma(rng, a);
  const y = standardGamma(rng, b);
  return x / (x + y);
}

/**
 * Poisson(λ): multiplication of uniforms (Knuth, TAOCP vol. 2, §3.4.1) below λ = 10, else the transformed
 * rejection method PTRS of Hörmann (1993), "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12, with the constants of its Table 1 algorithm.
 */
export function poisson(rng: Rng, lam: number): number {
  if (!(lam >= 0)) return NaN;
  if (lam === 0) return 0;
  if (lam < 10) {
    const l = Math.exp(-lam);
    let k = 0;
    let p = rng.uniform();
    while (p > l) {
      k++;
      p *= rng.uniform();
    }
    return k;
  }
  const slam = Math.sqrt(lam);
  const loglam = Math.log(lam);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.uniform() - 0.5;
    const v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1)) return k;
  }
}

/**
 * Binomial(n, p): inversion with the pmf recurrence (Kachitvichyanukul & Schmeiser 1988, "Binomial random variate
 * generation", CACM 31(2), algorithm BINV) when n·min(p, 1−p) < 15, else Knuth's splitting by a beta order
 * statistic (Knuth, TAOCP vol. 2, §3.4.1) until the remaining n·p is small.
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!(p >= 0 && p <= 1) || !(n >= 0)) return NaN;
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  if (n * p < 15) {
    const q = 1 - p;
    const s = p / q;
    const a = (n + 1) * s;
    for (;;) {
      let r = Math.pow(q, n);
      let u = rng.uniform();
      let x = 0;
      while (u > r) {
        u -= r;
        x++;
        if (x > n) break;
        r *= a / x - s;
      }
      if (x <= n) return x;
    }
  }
  const a = 1 + Math.floor(n / 2);
  const b = n + 1 - a;
  const x = beta(rng, a, b); // the a-th smallest of n uniforms
  if (x >= p) return binomial(rng, a - 1, p / x);
  return a + binomial(rng, b - 1, (p - x) / (1 - x));
}

/** Index k with probability w[off + k] / Σ w (weights need not be normalised). */
export function categorical(rng: Rng, w: ArrayLike<number>, off = 0, k = w.length): number {
  let total = 0;
  for (let i = 0; i < k; i++) total += w[off + i]!;
  let u = rng.uniform() * total;
  for (let i = 0; i < k; i++) {
    u -= w[off + i]!;
    if (u < 0) return i;
  }
  for (let i = k - 1; i >= 0; i--) if (w[off + i]! > 0) return i; // rounding left u ≥ 0 at the end
  return k - 1;
}
