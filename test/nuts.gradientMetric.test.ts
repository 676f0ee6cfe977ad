// The draw-and-gradient metric estimators and the low-rank metric's algebra, on inputs whose answer is known.
import { describe, expect, test } from 'vitest';
import { makeRng } from 'mlx-nuts';
import { diagFromGradient, fisherDiag, lowRankEstimate } from '../src/nuts/gradientMetric.ts';
import { lowRankDense, lowRankFactors, lowRankKinetic, lowRankMomentum, lowRankVelocity } from '../src/kernel/lowRankMetric.ts';
import { resolveGradientSchedule } from '../src/nuts/gradientSchedule.ts';
import { cholesky } from '../src/kernel/metric.ts';
import { matMul, spdGeometricMean, spdGeometricMeanEigen, symEigen } from '../src/nuts/symEigen.ts';
import { Welford } from '../src/nuts/windows.ts';

/** n draws of N(0, Σ) with Σ = L Lᵀ and their log-density gradients −Σ⁻¹x. */
function gaussianDraws(L: Float64Array, d: number, n: number, seed: number): { x: Float64Array[]; g: Float64Array[] } {
  const rng = makeRng(seed, 0);
  const sigma = matMul(L, transpose(L, d), d);
  const prec = inverse(sigma, d);
  const x: Float64Array[] = [];
  const g: Float64Array[] = [];
  for (let r = 0; r < n; r++) {
    const z = Float64Array.from({ length: d }, () => rng.normal());
    const xi = Float64Array.from({ length: d }, (_, i) => { let s = 0; for (let k = 0; k <= i; k++) s += L[i * d + k]! * z[k]!; return s; });
    x.push(xi);
    g.push(Float64Array.from({ length: d }, (_, i) => { let s = 0; for (let k = 0; k < d; k++) s -= prec[i * d + k]! * xi[k]!; return s; }));
  }
  return { x, g };
}

function transpose(a: Float64Array, n: number): Float64Array {
  return Float64Array.from({ length: n * n }, (_, k) => a[(k % n) * n + Math.floor(k / n)]!);
}

function inverse(a: Float64Array, n: number): Float64Array {
  const e = symEigen(a, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j]! += (e.vectors[i * n + k]! * e.vectors[j * n + k]!) / e.values[k]!;
  return out;
}

/** Condition number of Σ^(−1/2) M⁻¹ Σ^(−1/2) (Σ = L Lᵀ): 1 for the perfect inverse metric M⁻¹ = Σ. */
function preconditionedCondition(invMetric: Float64Array, L: Float64Array, d: number): number {
  const e = symEigen(matMul(L, transpose(L, d), d), d);
  const half = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) half[i * d + j]! += (e.vectors[i * d + k]! * e.vectors[j * d + k]!) / Math.sqrt(e.values[k]!);
  const p = symEigen(matMul(matMul(half, invMetric, d), half, d), d);
  return p.values[d - 1]! / p.values[0]!;
}

describe('symmetric eigendecomposition (Householder + implicit QR)', () => {
  test('A = V Λ Vᵀ with orthonormal V, eigenvalues ascending, on a random symmetric 12 × 12 matrix', () => {
    const n = 12;
    const rng = makeRng(3, 0);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) { const v = rng.normal(); a[i * n + j] = v; a[j * n + i] = v; }
    const { values, vectors: V } = symEigen(a, n);
    for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let r = 0, o = 0;
        for (let k = 0; k < n; k++) { r += V[i * n + k]! * values[k]! * V[j * n + k]!; o += V[k * n + i]! * V[k * n + j]!; }
        expect(Math.abs(r - a[i * n + j]!)).toBeLessThan(1e-12);
        expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });

  test('a 102 × 102 identity plus a rank-2 term of 1e5 (an eigenvalue of multiplicity 100), and a graded matrix', () => {
    const n = 102;
    const rng = makeRng(4, 0);
    const u = [0, 1].map(() => Float64Array.from({ length: n }, () => rng.normal()));
    const low = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) low[i * n + j] = (i === j ? 1 : 0) + 1e5 * (u[0]![i]! * u[0]![j]! + u[1]![i]! * u[1]![j]!);
    const graded = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) { const v = rng.normal() * 10 ** (7 * (i + j) / n); graded[i * n + j] = v; graded[j * n + i] = v; }
    for (const a of [low, graded]) {
      const { values, vectors: V } = symEigen(a, n);
      const scale = Math.max(...Array.from(a, Math.abs));
      let recon = 0, orth = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let r = 0, o = 0;
          for (let k = 0; k < n; k++) { r += V[i * n + k]! * values[k]! * V[j * n + k]!; o += V[k * n + i]! * V[k * n + j]!; }
          recon = Math.max(recon, Math.abs(r - a[i * n + j]!) / scale);
          orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
        }
      }
      expect(recon).toBeLessThan(1e-13);
      expect(orth).toBeLessThan(1e-13);
    }
    // the 100 unit eigenvalues to within a few ε ‖A‖ (the QR algorithm is normwise accurate)
    const lowValues = symEigen(low, n).values;
    const lowScale = Math.max(...Array.from(low, Math.abs));
    for (let k = 0; k < n - 2; k++) expect(Math.abs(lowValues[k]! - 1)).toBeLessThan(1e-13 * lowScale);
    expect(lowValues[n - 3]!).toBeLessThan(lowValues[n - 2]! / 1e3);
  });

  test('the geometric mean solves M B M = A for ill-conditioned covariances (I + X Xᵀ/γ, as the low-rank estimate builds them)', () => {
    const k = 40;
    const rng = makeRng(8, 0);
    const cov = (s: number) => {
      const c = new Float64Array(k * k);
      for (let r = 0; r < 20; r++) {
        const v = Float64Array.from({ length: k }, () => s * rng.normal());
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) c[i * k + j]! += (v[i]! * v[j]!) / 1e-5;
      }
      for (let i = 0; i < k; i++) c[i * k + i]! += 1;
      return c;
    };
    const A = cov(10);
    const B = cov(0.1);
    const M = spdGeometricMean(A, B, k);
    const R = matMul(matMul(M, B, k), M, k);
    let err = 0, norm = 0;
    for (let i = 0; i < k * k; i++) { err += (R[i]! - A[i]!) ** 2; norm += A[i]! ** 2; }
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-10);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(M[i * k + j]).toBe(M[j * k + i]);
    // B not positive definite: no mean
    expect(spdGeometricMeanEigen(A, Float64Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? -1 : 0)), k)).toBeNull();
  });

  test('the geometric mean of diag(1, 4, 8) and diag(1, 1, 0.5)⁻¹ is diag(1, 2, 4) (M B M = A)', () => {
    const m = spdGeometricMean(Float64Array.from([1, 0, 0, 0, 4, 0, 0, 0, 8]), Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0.5]), 3);
    [1, 0, 0, 0, 2, 0, 0, 0, 4].forEach((v, i) => expect(m[i]!).toBeCloseTo(v, 12));
  });
});

describe('gradient-based diagonal', () => {
  test('on N(0, diag(s²)) it is s² from any draws: var(x)/var(∇log p) = s⁴ exactly', () => {
    const s = [0.01, 1, 30, 1e3];
    const L = new Float64Array(16);
    s.forEach((v, i) => { L[i * 4 + i] = v; });
    const { x, g } = gaussianDraws(L, 4, 20, 1);
    const dw = new Welford(4, 'diag');
    const gw = new Welford(4, 'diag');
    x.forEach((r, k) => { dw.add(r); gw.add(g[k]!); });
    const est = fisherDiag(dw, gw, new Float64Array(4).fill(1));
    s.forEach((v, i) => expect(est[i]! / (v * v)).toBeCloseTo(1, 10));
  });

  test('a coordinate without variance keeps its previous value; the first metric is 1/|g| (1 where g = 0)', () => {
    const dw = new Welford(2, 'diag');
    const gw = new Welford(2, 'diag');
    for (const [a, b] of [[1, 2], [1, 3], [1, 5]]) { dw.add(Float64Array.from([a!, b!])); gw.add(Float64Array.from([0, -b!])); }
    const est = fisherDiag(dw, gw, Float64Array.from([7, 7]));
    expect(est[0]).toBe(7);
    expect(est[1]).toBeCloseTo(1, 12);
    expect(Array.from(diagFromGradient(Float64Array.from([-4, 0, Infinity])))).toEqual([0.25, 1, 1]);
  });
});

describe('low-rank metric', () => {
  const d = 6;
  const rng = makeRng(5, 1);
  const f = lowRankFactors(Float64Array.from({ length: d }, () => 0.5 + Math.abs(rng.normal())),
    (() => { // two orthonormal vectors
      const u = Float64Array.from({ length: 2 * d }, () => rng.normal());
      let n0 = 0; for (let i = 0; i < d; i++) n0 += u[i]! ** 2;
      for (let i = 0; i < d; i++) u[i]! /= Math.sqrt(n0);
      let c = 0; for (let i = 0; i < d; i++) c += u[i]! * u[d + i]!;
      for (let i = 0; i < d; i++) u[d + i]! -= c * u[i]!;
      let n1 = 0; for (let i = 0; i < d; i++) n1 += u[d + i]! ** 2;
      for (let i = 0; i < d; i++) u[d + i]! /= Math.sqrt(n1);
      return u;
    })(), Float64Array.from([25, 0.1]));
  const dense = lowRankDense(f);
  const p = Float64Array.from({ length: d }, () => rng.normal());

  test('velocity and kinetic energy equal the dense D (I + U(Λ − I)Uᵀ) D applied to p', () => {
    const v = new Float64Array(d);
    lowRankVelocity(f, p, v, 0, 0, new Float64Array(2));
    let kin = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += dense[i * d + j]! * p[j]!;
      expect(Math.abs(v[i]! - s)).toBeLessThan(1e-12 * Math.max(1, Math.abs(s)));
      kin += 0.5 * p[i]! * s;
    }
    expect(lowRankKinetic(f, p, 0)).toBeCloseTo(kin, 11);
  });

  test('momentum p(z) has pᵀ M⁻¹ p = zᵀz (so p ~ N(0, M))', () => {
    const out = new Float64Array(d);
    lowRankMomentum(f, p, out, 0, new Float64Array(2));
    const zz = p.reduce((s, x) => s + x * x, 0);
    expect(2 * lowRankKinetic(f, out, 0)).toBeCloseTo(zz, 11);
  });

  test('on a correlated Gaussian it whitens the target (condition number ≤ 4, the eigenvalue cutoff²); the diagonal does not', () => {
    const n = 8;
    // Σ = D (I + 80 u uᵀ) D: one strong correlation on top of scales 0.1 … 10
    const u = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) / Math.sqrt(n));
    const s = Float64Array.from({ length: n }, (_, i) => 10 ** (i / (n - 1) * 2 - 1));
    const sigma = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sigma[i * n + j] = s[i]! * ((i === j ? 1 : 0) + 80 * u[i]! * u[j]!) * s[j]!;
    const L = cholesky(sigma, n);
    const { x, g } = gaussianDraws(L, n, 60, 2);
    const lr = lowRankEstimate(x, g, n)!;
    expect(lr.rank).toBeGreaterThanOrEqual(1);
    expect(preconditionedCondition(lowRankDense(lr), L, n)).toBeLessThanOrEqual(4 + 1e-6);
    const dw = new Welford(n, 'diag');
    const gw = new Welford(n, 'diag');
    x.forEach((r, k) => { dw.add(r); gw.add(g[k]!); });
    const diag = fisherDiag(dw, gw, new Float64Array(n).fill(1));
    const dm = new Float64Array(n * n);
    for (let i = 0; i < n; i++) dm[i * n + i] = diag[i]!;
    expect(preconditionedCondition(dm, L, n)).toBeGreaterThan(20);
  });

  test('draws so wide that the covariances overflow give no estimate (the metric stays), not an exception', () => {
    const rng = makeRng(6, 0);
    const x = Array.from({ length: 12 }, () => Float64Array.from({ length: 4 }, () => 1e165 * rng.normal()));
    const g = Array.from({ length: 12 }, () => Float64Array.from({ length: 4 }, () => rng.normal()));
    expect(lowRankEstimate(x, g, 4)).toBeNull();
    expect(lowRankEstimate(x.map((r) => r.map((v) => v / 1e165)), g, 4)).not.toBeNull();
  });

  test('with fewer draws than dimensions it works in the span of the draws and gradients', () => {
    const n = 30;
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) L[i * n + j] = i === j ? 1 : 0.9 / Math.sqrt(i + 1);
    const { x, g } = gaussianDraws(L, n, 6, 4);
    const lr = lowRankEstimate(x, g, n)!;
    expect(lr.rank).toBeGreaterThanOrEqual(1);
    expect(lr.rank).toBeLessThanOrEqual(12);
    // the kept directions are orthonormal
    for (let a = 0; a < lr.rank; a++) for (let b = 0; b < lr.rank; b++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += lr.vecs[a * n + i]! * lr.vecs[b * n + i]!;
      expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-9);
    }
  });
});

describe('warmup schedule option', () => {
  test('fields are checked, naming the field and the value', () => {
    expect(resolveGradientSchedule({ earlySwitch: 5 }).earlySwitch).toBe(5);
    expect(() => resolveGradientSchedule({ earlyWindow: 1.2 })).toThrow(/warmupSchedule.earlyWindow .* got 1.2/);
    expect(() => resolveGradientSchedule({ earlyWindow: 0.6, stepSizeWindow: 0.5 })).toThrow(/below 1/);
    expect(() => resolveGradientSchedule({ growth: 0.5 })).toThrow(/growth/);
    expect(() => resolveGradientSchedule({ window: 3 } as never)).toThrow(/no field 'window'/);
  });
});
