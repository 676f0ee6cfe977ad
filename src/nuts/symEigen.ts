// Symmetric eigendecomposition by Householder reduction to tridiagonal form and the implicit symmetric QR algorithm
// with Wilkinson shifts (Golub & Van Loan, Matrix Computations, 4th ed., Algorithms 8.3.1 and 8.3.3): O(n³) once,
// where cyclic Jacobi needed ~10 sweeps of 3n³. And the functions of SPD matrices the low-rank metric needs (square
// roots, the geometric mean). Dense row-major float64.
import { NumericalError } from '../base/errors.ts';
import { cholesky } from '../math/cholesky.ts';

export interface SymEigen {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Eigenvectors as columns of an n × n row-major matrix: vector j is (vectors[i·n + j])_i. */
  readonly vectors: Float64Array;
}

/** QR steps allowed per eigenvalue before giving up (the Wilkinson shift converges cubically: 2–3 steps are usual). */
const MAX_STEPS_PER_VALUE = 30;

/** Eigen-decomposition of the symmetric n × n matrix a (not modified; only its lower triangle is read). */
export function symEigen(a: Float64Array, n: number): SymEigen {
  const A = Float64Array.from(a);
  const d = new Float64Array(n); // diagonal of T
  const e = new Float64Array(n); // e[i] = T[i][i+1]
  // Qt holds Qᵀ (row k = column k of Q) so that every update below runs along contiguous rows
  const Qt = tridiagonalise(A, n, d, e);
  let hi = n - 1;
  for (let steps = 0; hi > 0;) {
    for (let i = 0; i < hi; i++) if (Math.abs(e[i]!) <= Number.EPSILON * (Math.abs(d[i]!) + Math.abs(d[i + 1]!))) e[i] = 0;
    while (hi > 0 && e[hi - 1] === 0) hi--;
    if (hi === 0) break;
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++steps > MAX_STEPS_PER_VALUE * n) throw new NumericalError(`[symEigen] no convergence after ${steps - 1} QR steps on a ${n} × ${n} matrix (not finite?)`);
    qrStep(d, e, lo, hi, Qt, n);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j]! * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = Qt[src + i]!;
  }
  return { values, vectors };
}

/**
 * A = Q T Qᵀ with T tridiagonal (diagonal d, off-diagonal e): Householder reflections H_k = I − β v vᵀ zero column k
 * below its subdiagonal (GvL Algorithm 8.3.1); A is overwritten, v_k kept in row k of a scratch matrix. Returns Qᵀ.
 */
function tridiagonalise(A: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const beta = new Float64Array(n);
  const vs = new Float64Array(n * n); // v_k at vs[k·n + s … k·n + n − 1]
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const s = k + 1; // the reflection acts on indices s … n − 1
    const v = k * n;
    let norm2 = 0;
    for (let i = s; i < n; i++) {
      const x = A[i * n + k]!; // A is symmetric: column k below the diagonal is row k to the right of it
      vs[v + i] = x;
      norm2 += x * x;
    }
    const x0 = vs[v + s]!;
    if (!(norm2 - x0 * x0 > 0)) { e[k] = x0; continue; } // already tridiagonal in this column: β = 0
    const norm = Math.sqrt(norm2);
    const alpha = x0 >= 0 ? -norm : norm; // H x = α e₁, the sign that avoids cancellation in v₀ = x₀ − α
    vs[v + s] = x0 - alpha;
    const b = 1 / (norm * (norm + Math.abs(x0))); // β = 2 / vᵀv
    beta[k] = b;
    e[k] = alpha;
    // A₂₂ ← H A₂₂ H = A₂₂ − v wᵀ − w vᵀ with p = β A₂₂ v, w = p − (β pᵀv / 2) v; on the lower triangle only
    for (let i = s; i < n; i++) p[i] = 0;
    for (let i = s; i < n; i++) {
      const row = i * n;
      const vi = vs[v + i]!;
      let t = A[row + i]! * vi;
      for (let j = s; j < i; j++) {
        const a = A[row + j]!;
        t += a * vs[v + j]!;
        p[j]! += a * vi;
      }
      p[i]! += t;
    }
    let pv = 0;
    for (let i = s; i < n; i++) {
      p[i]! *= b;
      pv += p[i]! * vs[v + i]!;
    }
    const half = 0.5 * b * pv;
    for (let i = s; i < n; i++) p[i]! -= half * vs[v + i]!;
    for (let i = s; i < n; i++) {
      const vi = vs[v + i]!;
      const wi = p[i]!;
      const row = i * n;
      for (let j = s; j <= i; j++) A[row + j]! -= vi * p[j]! + wi * vs[v + j]!;
    }
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i]!;
  if (n >= 2) e[n - 2] = A[(n - 1) * n + n - 2]!;
  // Q = H₀ H₁ … H_{n−3}, accumulated backwards; in Qᵀ each H multiplies the rows s … n − 1 from the right
  const Qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Qt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const b = beta[k]!;
    if (b === 0) continue;
    const s = k + 1;
    const v = k * n;
    for (let r = s; r < n; r++) {
      const row = r * n;
      let t = 0;
      for (let j = s; j < n; j++) t += Qt[row + j]! * vs[v + j]!;
      t *= b;
      for (let j = s; j < n; j++) Qt[row + j]! -= t * vs[v + j]!;
    }
  }
  return Qt;
}

/**
 * One implicit QR step with the Wilkinson shift on the unreduced block lo … hi of T (GvL Algorithm 8.3.2): Givens
 * rotations chase the bulge down the block; each rotates rows lo…hi of Qᵀ (columns of Q) along.
 */
function qrStep(d: Float64Array, e: Float64Array, lo: number, hi: number, Qt: Float64Array, n: number): void {
  const dd = 0.5 * (d[hi - 1]! - d[hi]!);
  const bb = e[hi - 1]!;
  const mu = d[hi]! - (bb * bb) / (dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, bb));
  let x = d[lo]! - mu;
  let z = e[lo]!;
  for (let k = lo; k < hi; k++) {
    const r = Math.hypot(x, z);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : z / r;
    if (k > lo) e[k - 1] = r;
    const ak = d[k]!, ak1 = d[k + 1]!, bk = e[k]!;
    // rows and columns k, k+1 of T: row k ← c·row k + s·row k+1, row k+1 ← −s·row k + c·row k+1 (and columns alike)
    d[k] = c * c * ak + 2 * c * s * bk + s * s * ak1;
    d[k + 1] = s * s * ak - 2 * c * s * bk + c * c * ak1;
    e[k] = c * s * (ak1 - ak) + (c * c - s * s) * bk;
    if (k < hi - 1) { // the bulge at (k, k+2)
      z = s * e[k + 1]!;
      e[k + 1] = c * e[k + 1]!;
      x = e[k]!;
    }
    const rk = k * n, rk1 = (k + 1) * n;
    for (let i = 0; i < n; i++) {
      const qk = Qt[rk + i]!, qk1 = Qt[rk1 + i]!;
      Qt[rk + i] = c * qk + s * qk1;
      Qt[rk1 + i] = c * qk1 - s * qk;
    }
  }
}

/** V diag(f(λ)) Vᵀ. */
export function eigenFunction(e: SymEigen, n: number, f: (x: number) => number): Float64Array {
  const fv = Float64Array.from(e.values, f);
  const out = new Float64Array(n * n);
  const V = e.vectors;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k]! * fv[k]! * V[j * n + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** a · b for n × n row-major matrices. */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += aik * b[k * n + j]!;
    }
  }
  return out;
}

/** The eigendecomposition of a geometric mean: eigenvalues ascending, and eigenvector j on demand (n² each). */
export interface MeanEigen {
  readonly values: Float64Array;
  vector(j: number): Float64Array;
}

/**
 * The eigendecomposition of the geometric mean M of SPD A and B⁻¹: the SPD M with M B M = A,
 * M = B^(−1/2) (B^(1/2) A B^(1/2))^(1/2) B^(−1/2) (nuts-rs transform/adapt/low_rank.rs spd_mean; Seyboldt, Carlson &
 * Carpenter 2026 §3: with A the draws' and B the gradients' covariance it minimises the Fisher divergence of a Gaussian
 * approximation). Any factor B = L Lᵀ gives the same M = L⁻ᵀ (Lᵀ A L)^(1/2) L⁻¹ (then M B M = L⁻ᵀ (LᵀAL) L⁻¹ = A), so
 * B's Cholesky factor stands in for its square root: two eigendecompositions (Lᵀ A L's, M's) instead of three.
 * Eigenvectors are formed only for the directions the caller keeps. Null when B is not positive definite.
 */
export function spdGeometricMeanEigen(A: Float64Array, B: Float64Array, n: number): MeanEigen | null {
  const L = cholesky(B, n);
  if (!L) return null;
  const Lt = new Float64Array(n * n); // Lᵀ, upper triangular
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) Lt[j * n + i] = L[i * n + j]!;
  const AL = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k]!;
      if (a === 0) continue;
      for (let j = 0; j <= k; j++) AL[i * n + j]! += a * L[k * n + j]!;
    }
  }
  const C = new Float64Array(n * n); // Lᵀ (A L), upper triangle, then mirrored
  for (let k = 0; k < n; k++) {
    for (let i = 0; i <= k; i++) {
      const l = L[k * n + i]!;
      if (l === 0) continue;
      for (let j = i; j < n; j++) C[i * n + j]! += l * AL[k * n + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C[i * n + j] = C[j * n + i]!;
  const S = eigenFunction(symEigen(C, n), n, (x) => Math.sqrt(Math.max(x, 0)));
  // X = S L⁻¹ (each row x solves x L = s, i.e. Lᵀ xᵀ = sᵀ, by back substitution), then M = L⁻ᵀ X (Lᵀ M = X)
  for (let r = 0; r < n; r++) {
    const o = r * n;
    for (let j = n - 1; j >= 0; j--) {
      let t = S[o + j]!;
      for (let k = j + 1; k < n; k++) t -= Lt[j * n + k]! * S[o + k]!;
      S[o + j] = t / Lt[j * n + j]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const o = i * n;
    for (let k = i + 1; k < n; k++) {
      const l = Lt[o + k]!;
      if (l === 0) continue;
      for (let j = 0; j < n; j++) S[o + j]! -= l * S[k * n + j]!;
    }
    const d = Lt[o + i]!;
    for (let j = 0; j < n; j++) S[o + j]! /= d;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (S[i * n + j]! + S[j * n + i]!);
      S[i * n + j] = v;
      S[j * n + i] = v;
    }
  }
  const { values, vectors } = symEigen(S, n);
  return {
    values,
    vector(j: number): Float64Array {
      return Float64Array.from({ length: n }, (_, i) => vectors[i * n + j]!);
    },
  };
}

/** The geometric mean M of SPD A and B⁻¹ (M B M = A) as a matrix: Σ_j λ_j y_j y_jᵀ of spdGeometricMeanEigen. */
export function spdGeometricMean(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const e = spdGeometricMeanEigen(A, B, n);
  if (!e) throw new NumericalError(`[spdGeometricMean] B is not positive definite (${n} × ${n})`);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) e.vector(j).forEach((x, i) => { vectors[i * n + j] = x; });
  return eigenFunction({ values: e.values, vectors }, n, (x) => x);
}
