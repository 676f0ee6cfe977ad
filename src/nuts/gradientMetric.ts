// Metric estimates from draws *and* gradients (Seyboldt, Carlson & Carpenter 2026, arXiv 2603.18845; nutpie/nuts-rs):
// the diagonal M⁻¹ = √(var(draws) / var(gradients)), and the low-rank-plus-diagonal metric from the Fisher-optimal
// geometric mean of the draws' and gradients' covariances, restricted to the span of the window's draws and gradients.
import { lowRankFactors, type LowRankFactors } from '../kernel/lowRankMetric.ts';
import { centredMoments } from './blockMoments.ts';
import { spdGeometricMeanEigen } from './symEigen.ts';
import type { Welford } from './windows.ts';

/** Clamp of every diagonal entry (nuts-rs transform/adapt/diagonal.rs LOWER_LIMIT / UPPER_LIMIT). */
export const DIAG_CLAMP = { lower: 1e-20, upper: 1e20 } as const;
/**
 * Low-rank settings (nuts-rs transform/low_rank.rs LowRankSettings::default): the covariances are regularised as
 * X Xᵀ / γ + I, and an eigen-direction is kept when its eigenvalue λ > cutoff or λ < 1 / cutoff.
 */
export const LOW_RANK = { gamma: 1e-5, eigvalCutoff: 2 } as const;

/** The first metric, from the gradient at the initial point alone: M⁻¹_i = 1 / |g_i| (nuts-rs update_diag_grad). */
export function diagFromGradient(grad: Float64Array, off = 0, dim = grad.length - off): Float64Array {
  const out = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    const a = Math.abs(grad[off + i]!);
    // a zero or non-finite gradient says nothing about the scale: unit (nuts-rs fills 1 for non-finite values)
    out[i] = a > 0 && Number.isFinite(a) ? 1 / Math.min(Math.max(a, DIAG_CLAMP.lower), DIAG_CLAMP.upper) : 1;
  }
  return out;
}

/**
 * √(var(draws)/var(grads)) per coordinate, clamped; an entry whose ratio is zero or not finite keeps `previous`
 * (nuts-rs array_update_var_inv_std_draw_grad with fill_invalid = None). The minimiser of the Fisher divergence
 * between the target and N(μ, diag) over diagonal metrics; exact for a Gaussian target.
 */
export function fisherDiag(draws: Welford, grads: Welford, previous: Float64Array): Float64Array {
  const out = Float64Array.from(previous);
  for (let i = 0; i < out.length; i++) {
    const v = Math.sqrt(draws.m2[i]! / grads.m2[i]!); // both divisors n − 1 cancel
    if (Number.isFinite(v) && v > 0) out[i] = Math.min(Math.max(v, DIAG_CLAMP.lower), DIAG_CLAMP.upper);
  }
  return out;
}

/**
 * The low-rank-plus-diagonal metric of a window of n draws and gradients (rows of dim): per coordinate
 * σ = (var(x)/var(g))^(1/4); x̃ = (x − x̄)/σ, g̃ = (g − ḡ)·σ; in an orthonormal basis Q of span{x̃, g̃} (all of ℝᵈ
 * when 2n ≥ dim), the geometric mean M of Cx = X̃X̃ᵀ/γ + I and Cg⁻¹ = (G̃G̃ᵀ/γ + I)⁻¹, whose eigen-directions with
 * λ outside [1/cutoff, cutoff] are kept (nuts-rs transform/adapt/low_rank.rs compute_update). Null when n < 3 or
 * the estimate is not finite.
 */
export function lowRankEstimate(draws: readonly Float64Array[], grads: readonly Float64Array[], dim: number): LowRankFactors | null {
  const n = draws.length;
  if (n < 3) return null;
  const sigma = new Float64Array(dim);
  // 2n ≥ dim: the span is all of ℝᵈ and the covariances come from the draws' and gradients' centred moments (cached
  // block by block as the window grows); else the rows x̃ (0 … n − 1) and g̃ (n … 2n − 1), flat, row r at r·dim
  const full = 2 * n >= dim;
  const rows = new Float64Array(full ? 0 : 2 * n * dim);
  for (let i = 0; i < dim; i++) {
    let xm = 0, gm = 0;
    for (let r = 0; r < n; r++) { xm += draws[r]![i]!; gm += grads[r]![i]!; }
    xm /= n;
    gm /= n;
    let xv = 0, gv = 0;
    for (let r = 0; r < n; r++) { xv += (draws[r]![i]! - xm) ** 2; gv += (grads[r]![i]! - gm) ** 2; }
    const s = Math.sqrt(Math.sqrt(xv / gv));
    if (!(Number.isFinite(s) && s > 0)) return null;
    const sg = Math.min(Math.max(s, Math.sqrt(DIAG_CLAMP.lower)), Math.sqrt(DIAG_CLAMP.upper));
    sigma[i] = sg;
    if (!full) for (let r = 0; r < n; r++) {
      rows[r * dim + i] = (draws[r]![i]! - xm) / sg;
      rows[(n + r) * dim + i] = (grads[r]![i]! - gm) * sg;
    }
  }
  // coordinates in an orthonormal basis of the rows' span (k × dim)
  const basis = full ? null : orthonormalBasis(rows, 2 * n, dim);
  const k = basis ? basis.length / dim : dim;
  const coords = basis ? project(rows, 2 * n, basis, dim) : null;
  const cx = coords ? regularisedCov(coords, 0, n, k) : scaledCov(centredMoments(draws, dim).m2, sigma, -1);
  const cg = coords ? regularisedCov(coords, n, n, k) : scaledCov(centredMoments(grads, dim).m2, sigma, 1);
  if (!cx.every(Number.isFinite) || !cg.every(Number.isFinite)) return null; // overflowed: keep the metric as it is
  const e = spdGeometricMeanEigen(cx, cg, k);
  if (!e) return null;
  const keep: number[] = [];
  e.values.forEach((l, j) => { if (l > LOW_RANK.eigvalCutoff || l < 1 / LOW_RANK.eigvalCutoff) keep.push(j); });
  const vecs = new Float64Array(keep.length * dim);
  keep.forEach((j, r) => {
    const y = e.vector(j);
    if (!basis) vecs.set(y, r * dim);
    else for (let a = 0; a < k; a++) for (let i = 0; i < dim; i++) vecs[r * dim + i]! += y[a]! * basis[a * dim + i]!;
  });
  const vals = Float64Array.from(keep, (j) => e.values[j]!);
  if (!vals.every((v) => Number.isFinite(v) && v > 0) || !vecs.every(Number.isFinite)) return null;
  return lowRankFactors(sigma, vecs, vals);
}

/** Y Yᵀ / γ + I for the `count` rows of width k from row `first` of the flat `rows` (k × k, row-major). */
function regularisedCov(rows: Float64Array, first: number, count: number, k: number): Float64Array {
  const c = new Float64Array(k * k);
  for (let r = first; r < first + count; r++) {
    const o = r * k;
    for (let i = 0; i < k; i++) {
      const ri = rows[o + i]!;
      if (ri === 0) continue;
      const ci = i * k;
      for (let j = i; j < k; j++) c[ci + j]! += ri * rows[o + j]!;
    }
  }
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const v = c[i * k + j]! / LOW_RANK.gamma + (i === j ? 1 : 0);
      c[i * k + j] = v;
      c[j * k + i] = v;
    }
  }
  return c;
}

/** D^p M2 D^p / γ + I with D = diag(σ): X̃X̃ᵀ/γ + I of the standardised rows from their centred moments M2 (in place). */
function scaledCov(m2: Float64Array, sigma: Float64Array, p: 1 | -1): Float64Array {
  const k = sigma.length;
  for (let i = 0; i < k; i++) {
    const si = p === 1 ? sigma[i]! : 1 / sigma[i]!;
    for (let j = 0; j < k; j++) m2[i * k + j] = (m2[i * k + j]! * si * (p === 1 ? sigma[j]! : 1 / sigma[j]!)) / LOW_RANK.gamma + (i === j ? 1 : 0);
  }
  return m2;
}

/** The m rows (width dim) in the orthonormal basis (k rows of width dim): m × k coordinates. */
function project(rows: Float64Array, m: number, basis: Float64Array, dim: number): Float64Array {
  const k = basis.length / dim;
  const out = new Float64Array(m * k);
  for (let r = 0; r < m; r++) for (let a = 0; a < k; a++) out[r * k + a] = dotAt(basis, a * dim, rows, r * dim, dim);
  return out;
}

function dotAt(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[ao + i]! * b[bo + i]!;
  return s;
}

/**
 * Orthonormal basis of the m rows' span (flat, rows of width dim): modified Gram–Schmidt, twice, dropping what is left
 * below 1e-10 of a row's norm. Returns the basis rows, flat.
 */
function orthonormalBasis(rows: Float64Array, m: number, dim: number): Float64Array {
  const out = new Float64Array(Math.min(m, dim) * dim);
  let k = 0;
  const u = new Float64Array(dim);
  for (let r = 0; r < m && k < dim; r++) {
    u.set(rows.subarray(r * dim, (r + 1) * dim));
    const norm0 = Math.sqrt(dotAt(u, 0, u, 0, dim));
    if (!(norm0 > 0)) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (let b = 0; b < k; b++) {
        const c = dotAt(out, b * dim, u, 0, dim);
        for (let i = 0; i < dim; i++) u[i]! -= c * out[b * dim + i]!;
      }
    }
    const norm = Math.sqrt(dotAt(u, 0, u, 0, dim));
    if (norm > 1e-10 * norm0) {
      for (let i = 0; i < dim; i++) out[k * dim + i] = u[i]! / norm;
      k++;
    }
  }
  return out.slice(0, k * dim);
}
