// Random draws: means and variances of 10⁵ draws within 5 standard errors of the exact moments, for every family.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { sampleDistribution, type Distribution } from 'mlx-nuts';
import { erf, lgamma } from '../src/math/special.ts';

const N = 100_000;
const Z_MAX = 5;
const G = (x: number) => Math.exp(lgamma(x));

/** Raw moments E[X], E[X²], E[X³], E[X⁴] → mean, variance and fourth central moment. */
function central([m1, m2, m3, m4]: number[]): { mean: number; variance: number; mu4: number } {
  return { mean: m1!, variance: m2! - m1! * m1!, mu4: m4! - 4 * m1! * m3! + 6 * m1! * m1! * m2! - 3 * m1! ** 4 };
}

/** |x̄ − μ| ≤ 5·√(σ²/n) and |s² − σ²| ≤ 5·√((μ₄ − σ⁴)/n). */
function checkMoments(label: string, xs: ArrayLike<number>, raw: number[]): void {
  const { mean, variance, mu4 } = central(raw);
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const xbar = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i]! - xbar) ** 2;
  const s2 = ss / (n - 1);
  const zMean = (xbar - mean) / Math.sqrt(variance / n);
  const zVar = (s2 - variance) / Math.sqrt(Math.max(mu4 - variance * variance, 1e-300) / n);
  expect(Math.abs(zMean), `${label}: mean ${xbar} vs ${mean} (z = ${zMean.toFixed(2)})`).toBeLessThan(Z_MAX);
  expect(Math.abs(zVar), `${label}: variance ${s2} vs ${variance} (z = ${zVar.toFixed(2)})`).toBeLessThan(Z_MAX);
}

/** Column j of draws × size. */
function column(xs: Float64Array, size: number, j: number): Float64Array {
  return Float64Array.from({ length: xs.length / size }, (_, i) => xs[i * size + j]!);
}

const raw = (f: (k: number) => number) => [1, 2, 3, 4].map(f);
const normalRaw = (m: number, s: number) => [m, m * m + s * s, m ** 3 + 3 * m * s * s, m ** 4 + 6 * m * m * s * s + 3 * s ** 4];
const fromCentral = (mean: number, variance: number, mu4: number) => {
  // raw moments of a symmetric law with these central moments (third central moment 0)
  return [mean, variance + mean * mean, mean ** 3 + 3 * mean * variance, mu4 + 4 * mean * 0 + 6 * mean * mean * variance + mean ** 4];
};
const betaRaw = (a: number, b: number) => raw((k) => { let p = 1; for (let r = 0; r < k; r++) p *= (a + r) / (a + b + r); return p; });
const pmfRaw = (pmf: (k: number) => number, kMax: number) => raw((j) => { let s = 0; for (let k = 0; k <= kMax; k++) s += k ** j * pmf(k); return s; });
const logChoose = (n: number, k: number) => lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);

// log Φ on the host: erf above −2.5, Mills' ratio continued fraction below (as in src/distributions/special.ts)
function logPhi(z: number): number {
  if (z > -2.5) return Math.log(0.5 * (1 + erf(z / Math.SQRT2)));
  const t = -z;
  let f = t;
  for (let n = 60; n >= 1; n--) f = t + n / f;
  return -0.5 * t * t - 0.5 * Math.log(2 * Math.PI) - Math.log(f);
}
const logPdf = (z: number) => -0.5 * z * z - 0.5 * Math.log(2 * Math.PI);

/** Raw moments of Normal(μ, σ) truncated to [lo, hi] by the recursion E[Zᵏ] = (k−1)E[Zᵏ⁻²] − [bᵏ⁻¹φ(b) − aᵏ⁻¹φ(a)]/P. */
function truncNormalRaw(mu: number, s: number, lo: number, hi: number): number[] {
  const a = (lo - mu) / s;
  const b = (hi - mu) / s;
  // P = Φ(b) − Φ(a) from the tail that keeps it accurate; ratios φ(·)/P taken in logs
  const upperTail = a > 0;
  const la = upperTail ? logPhi(-a) : logPhi(a);
  const lb = upperTail ? logPhi(-b) : logPhi(b);
  const logP = upperTail ? la + Math.log1p(-Math.exp(lb - la)) : lb + Math.log1p(-Math.exp(la - lb));
  const r = (z: number, k: number) => (Number.isFinite(z) ? z ** (k - 1) * Math.exp(logPdf(z) - logP) : 0);
  const m = [1, -(r(b, 1) - r(a, 1))];
  for (let k = 2; k <= 4; k++) m.push((k - 1) * m[k - 2]! - (r(b, k) - r(a, k)));
  // X = μ + σZ
  const binom = [[1], [1, 1], [1, 2, 1], [1, 3, 3, 1], [1, 4, 6, 4, 1]];
  return [1, 2, 3, 4].map((k) => binom[k]!.reduce((acc, c, j) => acc + c * mu ** (k - j) * s ** j * m[j]!, 0));
}

interface Case { make: () => Distribution; raw?: number[]; columns?: [number, number[]][] }

const CASES: Record<string, Case> = {
  Normal: { make: () => M.Normal(1.5, 2), raw: normalRaw(1.5, 2) },
  HalfNormal: { make: () => M.HalfNormal(1.5), raw: raw((k) => 1.5 ** k * 2 ** (k / 2) * G((k + 1) / 2) / Math.sqrt(Math.PI)) },
  StudentT: { make: () => M.StudentT(10, 1, 2), raw: fromCentral(1, 4 * 10 / 8, 3 * 16 * 100 / (8 * 6)) },
  HalfStudentT: { make: () => M.HalfStudentT(10, 1.5),
    raw: raw((k) => 1.5 ** k * 10 ** (k / 2) * G((k + 1) / 2) * G((10 - k) / 2) / (Math.sqrt(Math.PI) * G(5))) },
  Laplace: { make: () => M.Laplace(0.5, 1.5), raw: fromCentral(0.5, 2 * 1.5 ** 2, 24 * 1.5 ** 4) },
  Logistic: { make: () => M.Logistic(1, 0.7), raw: fromCentral(1, (0.49 * Math.PI ** 2) / 3, 4.2 * ((0.49 * Math.PI ** 2) / 3) ** 2) },
  LogNormal: { make: () => M.LogNormal(0.3, 0.5), raw: raw((k) => Math.exp(k * 0.3 + (k * k * 0.25) / 2)) },
  Exponential: { make: () => M.Exponential(2.5), raw: raw((k) => G(k + 1) / 2.5 ** k) },
  'Gamma(2.5, 1.5)': { make: () => M.Gamma(2.5, 1.5), raw: raw((k) => G(2.5 + k) / G(2.5) / 1.5 ** k) },
  'Gamma(0.4, 2)': { make: () => M.Gamma(0.4, 2), raw: raw((k) => G(0.4 + k) / G(0.4) / 2 ** k) },
  InverseGamma: { make: () => M.InverseGamma(9, 2), raw: raw((k) => 2 ** k * G(9 - k) / G(9)) },
  'Beta(2.5, 0.7)': { make: () => M.Beta(2.5, 0.7), raw: betaRaw(2.5, 0.7) },
  'Beta(0.4, 0.4)': { make: () => M.Beta(0.4, 0.4), raw: betaRaw(0.4, 0.4) },
  Uniform: { make: () => M.Uniform(-1, 3), raw: raw((k) => (3 ** (k + 1) - (-1) ** (k + 1)) / ((k + 1) * 4)) },
  Weibull: { make: () => M.Weibull(1.7, 2), raw: raw((k) => 2 ** k * G(1 + k / 1.7)) },
  'TruncatedNormal two-sided': { make: () => M.TruncatedNormal(0.5, 1.2, -1, 2), raw: truncNormalRaw(0.5, 1.2, -1, 2) },
  'TruncatedNormal upper tail': { make: () => M.TruncatedNormal(0, 1, 3), raw: truncNormalRaw(0, 1, 3, Infinity) },
  'TruncatedNormal lower tail': { make: () => M.TruncatedNormal(0, 1, null, -5), raw: truncNormalRaw(0, 1, -Infinity, -5) },
  'TruncatedNormal narrow, far below the mean': { make: () => M.TruncatedNormal(2, 0.1, 1, 1.05), raw: truncNormalRaw(2, 0.1, 1, 1.05) },
  'TruncatedNormal narrow, around the mean': { make: () => M.TruncatedNormal(0, 1, -0.2, 0.3), raw: truncNormalRaw(0, 1, -0.2, 0.3) },
  'TruncatedNormal wide, from 1': { make: () => M.TruncatedNormal(0, 1, 1, 6), raw: truncNormalRaw(0, 1, 1, 6) },
  'Truncated(Normal) by rejection': { make: () => M.Truncated(M.Normal(0.5, 1.2), -1, 2), raw: truncNormalRaw(0.5, 1.2, -1, 2) },
  'Truncated(Exponential)': { make: () => M.Truncated(M.Exponential(2.5), 0.7), raw: [0.7 + 0.4, ...[2, 3, 4].map((k) => {
    let s = 0; // E[(0.7 + E)^k], E ~ Exp(2.5)
    for (let j = 0; j <= k; j++) s += Math.exp(logChoose(k, j)) * 0.7 ** (k - j) * G(j + 1) / 2.5 ** j;
    return s;
  })] },
  'Censored(Normal)': { make: () => M.Censored(M.Normal(0.5, 2), -1, 2), raw: (() => {
    const Fl = Math.exp(logPhi((-1 - 0.5) / 2));
    const Su = Math.exp(logPhi(-(2 - 0.5) / 2));
    const t = truncNormalRaw(0.5, 2, -1, 2);
    return [1, 2, 3, 4].map((k) => (-1) ** k * Fl + 2 ** k * Su + (1 - Fl - Su) * t[k - 1]!);
  })() },
  Mixture: { make: () => M.Mixture([0.3, 0.7], [M.Normal(-1, 0.5), M.Normal(2, 1)]),
    raw: normalRaw(-1, 0.5).map((v, i) => 0.3 * v + 0.7 * normalRaw(2, 1)[i]!) },
  'Bernoulli(p)': { make: () => M.Bernoulli(0.3), raw: [0.3, 0.3, 0.3, 0.3] },
  'Bernoulli(logits)': { make: () => M.Bernoulli({ logits: -1 }), raw: Array(4).fill(1 / (1 + Math.E)) },
  'Binomial(10, 0.3)': { make: () => M.Binomial(10, 0.3), raw: pmfRaw((k) => Math.exp(logChoose(10, k) + k * Math.log(0.3) + (10 - k) * Math.log(0.7)), 10) },
  'Binomial(1000, 0.4)': { make: () => M.Binomial(1000, 0.4), raw: pmfRaw((k) => Math.exp(logChoose(1000, k) + k * Math.log(0.4) + (1000 - k) * Math.log(0.6)), 1000) },
  'Binomial(50, logits 2)': { make: () => M.Binomial(50, { logits: 2 }), raw: (() => {
    const p = 1 / (1 + Math.exp(-2));
    return pmfRaw((k) => Math.exp(logChoose(50, k) + k * Math.log(p) + (50 - k) * Math.log1p(-p)), 50);
  })() },
  'Poisson(3.5)': { make: () => M.Poisson(3.5), raw: fromPoisson(3.5) },
  'Poisson(500)': { make: () => M.Poisson(500), raw: fromPoisson(500) },
  'Poisson(logRate 1.2)': { make: () => M.Poisson({ logRate: 1.2 }), raw: fromPoisson(Math.exp(1.2)) },
  NegativeBinomial: { make: () => M.NegativeBinomial(4, 2.5), raw: negBinRaw(4, 2.5) },
  'NegativeBinomial(logMu)': { make: () => M.NegativeBinomial({ logMu: Math.log(30), phi: 0.8 }), raw: negBinRaw(30, 0.8) },
  'Categorical(probs)': { make: () => M.Categorical([0.1, 0.2, 0.7]), raw: raw((j) => 0.2 * 1 + 0.7 * 2 ** j) },
  'Categorical(logits)': { make: () => M.Categorical({ logits: [1, -2, 0.5] }), raw: (() => {
    const w = [1, -2, 0.5].map(Math.exp);
    const s = w[0]! + w[1]! + w[2]!;
    return raw((j) => (w[1]! + w[2]! * 2 ** j) / s);
  })() },
  GaussianRandomWalk: { make: () => M.GaussianRandomWalk(0.8, { length: 5 }),
    columns: [0, 1, 2, 3, 4].map((t) => [t, normalRaw(0, 0.8 * Math.sqrt(t + 1))] as [number, number[]]) },
  Dirichlet: { make: () => M.Dirichlet([0.5, 1.2, 3, 7]),
    columns: [0.5, 1.2, 3, 7].map((a, j) => [j, betaRaw(a, 11.7 - a)] as [number, number[]]) },
};

function fromPoisson(l: number): number[] {
  return [l, l + l * l, l ** 3 + 3 * l * l + l, l ** 4 + 6 * l ** 3 + 7 * l * l + l];
}

function negBinRaw(mu: number, phi: number): number[] {
  // failures before the φ-th success with p = φ/(μ+φ): variance μ + μ²/φ, excess kurtosis 6/φ + p²/(φ(1−p))
  const p = phi / (mu + phi);
  const v = mu + (mu * mu) / phi;
  const k4 = (3 + 6 / phi + (p * p) / (phi * (1 - p))) * v * v;
  const skew = (2 - p) / Math.sqrt(phi * (1 - p));
  const m3c = skew * v ** 1.5;
  return [mu, v + mu * mu, m3c + 3 * mu * v + mu ** 3, k4 + 4 * mu * m3c + 6 * mu * mu * v + mu ** 4];
}

describe('10⁵ draws: means and variances within 5 standard errors', () => {
  test.each(Object.entries(CASES))('%s', (label, c) => {
    const d = sampleDistribution(c.make, { draws: N, seed: 11 });
    if (c.raw) checkMoments(label, d, c.raw);
    for (const [j, r] of c.columns ?? []) checkMoments(`${label}[${j}]`, column(d, d.length / N, j), r);
  });

  test('MvNormal (cov, cholesky and precision forms): marginals and a covariance', () => {
    const mu = [0.5, -1, 2];
    const cov = [[2.04, 0.7, -0.3], [0.7, 1.1, 0.25], [-0.3, 0.25, 1.5]];
    const L = [[Math.sqrt(2.04), 0, 0], [0, 0, 0], [0, 0, 0]];
    // Cholesky of cov on the host
    const l = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) {
      let s = cov[i]![j]!;
      for (let p = 0; p < j; p++) s -= l[i * 3 + p]! * l[j * 3 + p]!;
      l[i * 3 + j] = i === j ? Math.sqrt(s) : s / l[j * 3 + j]!;
    }
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) L[i]![j] = l[i * 3 + j]!;
    const prec = invert3(cov);
    for (const make of [() => M.MvNormal(mu, cov), () => M.MvNormal(mu, { cholesky: L }), () => M.MvNormal(mu, { precision: prec })]) {
      const d = sampleDistribution(make, { draws: N, seed: 5 });
      for (let i = 0; i < 3; i++) checkMoments(`MvNormal[${i}]`, column(d, 3, i), normalRaw(mu[i]!, Math.sqrt(cov[i]![i]!)));
      const prod = Float64Array.from({ length: N }, (_, r) => (d[r * 3]! - mu[0]!) * (d[r * 3 + 1]! - mu[1]!));
      const m = prod.reduce((a, b) => a + b, 0) / N;
      const sd = Math.sqrt(prod.reduce((a, b) => a + (b - m) ** 2, 0) / (N - 1) / N);
      expect(Math.abs(m - cov[0]![1]!) / sd).toBeLessThan(Z_MAX);
    }
  });

  test('LKJCholesky: unit rows, and the correlations follow Beta(η − 1 + K/2) on (−1, 1)', () => {
    const K = 4;
    const eta = 1.7;
    const d = sampleDistribution(() => M.LKJCholesky(K, eta), { draws: N, seed: 3 });
    const b = eta - 1 + K / 2;
    const r2 = 1 / (2 * b + 1);
    const r4 = 3 / ((2 * b + 1) * (2 * b + 3));
    for (let i = 1; i < K; i++) {
      for (let j = 0; j < i; j++) {
        const corr = Float64Array.from({ length: N }, (_, r) => {
          let s = 0;
          for (let p = 0; p <= j; p++) s += d[r * 16 + i * K + p]! * d[r * 16 + j * K + p]!;
          return s;
        });
        checkMoments(`C[${i},${j}]`, corr, [0, r2, 0, r4]);
      }
    }
    for (let r = 0; r < 100; r++) {
      for (let i = 0; i < K; i++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += d[r * 16 + i * K + p]! ** 2;
        expect(Math.abs(s - 1)).toBeLessThan(1e-12);
      }
    }
  });

  test('Cauchy and HalfCauchy (no moments): the quartiles hold a quarter of the draws each', () => {
    for (const [make, qs] of [[() => M.Cauchy(1, 0.5), [0.5, 1, 1.5]], [() => M.HalfCauchy(2), [2 * Math.tan(Math.PI / 8), 2, 2 / Math.tan(Math.PI / 8)]]] as const) {
      const d = sampleDistribution(make, { draws: N, seed: 9 });
      qs.forEach((q, i) => {
        const p = (i + 1) / 4;
        const frac = d.reduce((a, v) => a + (v <= q ? 1 : 0), 0) / N;
        expect(Math.abs(frac - p) / Math.sqrt((p * (1 - p)) / N)).toBeLessThan(Z_MAX);
      });
    }
  });

  test('draws are reproducible for a seed, and Flat has none', () => {
    const a = sampleDistribution(() => M.Gamma(2, 1), { draws: 10, seed: 1 });
    const b = sampleDistribution(() => M.Gamma(2, 1), { draws: 10, seed: 1 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(() => sampleDistribution(() => M.Flat(), { draws: 1, seed: 1 })).toThrow(/^\[Flat\] is improper/);
  });
});

function invert3(a: number[][]): number[][] {
  const [[p, q, r], [s, t, u], [v, w, x]] = a as [[number, number, number], [number, number, number], [number, number, number]];
  const det = p * (t * x - u * w) - q * (s * x - u * v) + r * (s * w - t * v);
  const inv = [
    [t * x - u * w, r * w - q * x, q * u - r * t],
    [u * v - s * x, p * x - r * v, r * s - p * u],
    [s * w - t * v, q * v - p * w, p * t - q * s],
  ].map((row) => row.map((e) => e / det));
  return inv.map((row, i) => row.map((e, j) => (e + inv[j]![i]!) / 2));
}
