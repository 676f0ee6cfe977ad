// Euclidean metrics: kinetic energy ½pᵀM⁻¹p, velocity M⁻¹p and momentum draws p ~ N(0, M), diagonal, dense or
// diagonal plus low rank (lowRankMetric.ts).
import { NumericalError } from '../base/errors.ts';
import { cholesky as hostCholesky } from '../math/cholesky.ts';
import { normalAt, type ChainStream, type Purpose } from '../random/philox.ts';
import { lowRankDense, lowRankKinetic, lowRankMomentum, lowRankVelocity, type LowRankFactors } from './lowRankMetric.ts';

/** The metrics Stan's windowed estimator produces. */
export type MetricKind = 'diag' | 'dense';

export interface Metric {
  /** 'diag' for the low-rank metric too: its diagonal part is invMetric, and `lowRank` adds the rest. */
  readonly kind: MetricKind;
  readonly dim: number;
  /** Diagonal: M⁻¹ (length dim). Dense: M⁻¹ row-major (dim × dim). Low rank: the diagonal part σ² (length dim). */
  readonly invMetric: Float64Array;
  /** Dense only: lower Cholesky factor L of M⁻¹ = L Lᵀ (row-major). */
  readonly chol?: Float64Array;
  /** Low rank only: M⁻¹ = D (I + U (Λ − I) Uᵀ) D with D = diag(√invMetric). */
  readonly lowRank?: LowRankFactors;
}

/** A low-rank-plus-diagonal metric (rank 0 is the diagonal metric σ², applied through the low-rank code path). */
export function lowRankMetric(f: LowRankFactors): Metric {
  return { kind: 'diag', dim: f.sigma.length, invMetric: Float64Array.from(f.sigma, (s) => s * s), lowRank: f };
}

/** What a fit and the CSV adaptation block record: the inverse metric, written out in full for the low-rank one. */
export function recordedMetric(m: Metric): { metric: MetricKind; invMetric: Float64Array } {
  return m.lowRank ? { metric: 'dense', invMetric: lowRankDense(m.lowRank) } : { metric: m.kind, invMetric: m.invMetric };
}

/** Scratch for the low-rank products (velocity and momentum need one entry per eigen-direction). */
let lrScratch = new Float64Array(64);
function scratch(rank: number): Float64Array {
  if (lrScratch.length < rank) lrScratch = new Float64Array(rank);
  return lrScratch;
}

export function unitMetric(kind: MetricKind, dim: number): Metric {
  if (kind === 'diag') return { kind, dim, invMetric: new Float64Array(dim).fill(1) };
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) m[i * dim + i] = 1;
  return { kind, dim, invMetric: m, chol: Float64Array.from(m) };
}

/** Lower Cholesky factor of a symmetric positive definite row-major matrix (src/math/cholesky.ts); throws when it is not. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const L = hostCholesky(a, n);
  if (!L) throw new NumericalError('[metric] the inverse metric is not positive definite');
  return L;
}

export function makeMetric(kind: MetricKind, invMetric: Float64Array): Metric {
  const dim = kind === 'diag' ? invMetric.length : Math.round(Math.sqrt(invMetric.length));
  if (kind === 'diag') return { kind, dim, invMetric };
  return { kind, dim, invMetric, chol: cholesky(invMetric, dim) };
}

/** out = M⁻¹ p (the velocity dτ/dp; Stan's p♯). */
export function velocity(m: Metric, p: Float64Array, out: Float64Array, pOff = 0, outOff = 0): Float64Array {
  const n = m.dim;
  const im = m.invMetric;
  if (m.lowRank) lowRankVelocity(m.lowRank, p, out, pOff, outOff, scratch(m.lowRank.rank));
  else if (m.kind === 'diag') {
    for (let i = 0; i < n; i++) out[outOff + i] = im[i]! * p[pOff + i]!;
  } else {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += im[i * n + j]! * p[pOff + j]!;
      out[outOff + i] = s;
    }
  }
  return out;
}

/** ½ pᵀ M⁻¹ p. */
export function kinetic(m: Metric, p: Float64Array, off = 0): number {
  const n = m.dim;
  const im = m.invMetric;
  if (m.lowRank) return lowRankKinetic(m.lowRank, p, off);
  let s = 0;
  if (m.kind === 'diag') for (let i = 0; i < n; i++) s += im[i]! * p[off + i]! * p[off + i]!;
  else {
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let j = 0; j < n; j++) r += im[i * n + j]! * p[off + j]!;
      s += p[off + i]! * r;
    }
  }
  return 0.5 * s;
}

/** Where a momentum's normals come from: z_i is the normal at (stream, iteration, purpose, sub, i). */
export interface MomentumAddress {
  readonly stream: ChainStream;
  readonly iteration: number;
  readonly purpose: Purpose;
  readonly sub: number;
}

/** p ~ N(0, M): diagonal p_i = z_i / √(M⁻¹_ii); dense p = L⁻ᵀ z with M⁻¹ = L Lᵀ (so Cov p = M); low rank as lowRankMomentum. */
export function sampleMomentum(m: Metric, at: MomentumAddress, out: Float64Array, off = 0): void {
  const n = m.dim;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = normalAt(at.stream, at.iteration, at.purpose, at.sub, i);
  if (m.lowRank) return lowRankMomentum(m.lowRank, z, out, off, scratch(m.lowRank.rank));
  if (m.kind === 'diag') {
    for (let i = 0; i < n; i++) out[off + i] = z[i]! / Math.sqrt(m.invMetric[i]!);
    return;
  }
  const L = m.chol!;
  for (let i = n - 1; i >= 0; i--) { // back substitution with Lᵀ
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * out[off + k]!;
    out[off + i] = s / L[i * n + i]!;
  }
}
