// Symmetric eigendecomposition by cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, §8.5), and the
// functions of SPD matrices the low-rank metric needs (square roots, the geometric mean). Dense row-major float64.

export interface SymEigen {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Eigenvectors as columns of an n × n row-major matrix: vector j is (vectors[i·n + j])_i. */
  readonly vectors: Float64Array;
}

/** Sweeps before giving up (Jacobi converges quadratically; 10–15 sweeps reach rounding on the sizes used here). */
const MAX_SWEEPS = 60;

/** Eigen-decomposition of the symmetric n × n matrix a (not modified). */
export function symEigen(a: Float64Array, n: number): SymEigen {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  // converged when the off-diagonal part is below 1e-14 of the matrix (Frobenius norms): rounding of the rotations
  // themselves leaves residues near ε‖A‖, so a tolerance relative to single entries may never be met
  let total = 0;
  for (let i = 0; i < n * n; i++) total += A[i]! * A[i]!;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! * A[p * n + q]!;
    if (!(off > 1e-28 * total)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq * apq <= 1e-34 * total) continue;
        // the rotation that zeroes A[p][q]: t = tan θ, the smaller root of t² + 2τt − 1 = 0
        const tau = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) { // columns p, q
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // rows p, q
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i * n + i]! - A[j * n + j]!);
  const values = Float64Array.from(order, (i) => A[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, j) => { for (let i = 0; i < n; i++) vectors[i * n + j] = V[i * n + src]!; });
  return { values, vectors };
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

/**
 * The geometric mean of SPD A and B⁻¹: the SPD M with M B M = A, M = B^(−1/2) (B^(1/2) A B^(1/2))^(1/2) B^(−1/2)
 * (nuts-rs transform/adapt/low_rank.rs spd_mean; Seyboldt, Carlson & Carpenter 2026 §3: with A the draws' and B the
 * gradients' covariance it minimises the Fisher divergence of a Gaussian approximation).
 */
export function spdGeometricMean(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const eb = symEigen(B, n);
  const bHalf = eigenFunction(eb, n, Math.sqrt);
  const bInvHalf = eigenFunction(eb, n, (x) => 1 / Math.sqrt(x));
  const inner = matMul(matMul(bHalf, A, n), bHalf, n);
  symmetrise(inner, n);
  const innerHalf = eigenFunction(symEigen(inner, n), n, (x) => Math.sqrt(Math.max(x, 0)));
  const m = matMul(matMul(bInvHalf, innerHalf, n), bInvHalf, n);
  symmetrise(m, n);
  return m;
}

function symmetrise(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (m[i * n + j]! + m[j * n + i]!);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
}
