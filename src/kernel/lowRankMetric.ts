// The low-rank-plus-diagonal metric M⁻¹ = D (I + U (Λ − I) Uᵀ) D (nutpie / nuts-rs transform/low_rank.rs): velocity,
// kinetic energy and momentum draws in O(rank × dim), in exactly the operation order of the fused C++ kernel
// (src/codegen/nutsSource.ts, mn_lr_*), so both engines walk the same path bit for bit; and its packed form.

/**
 * D = diag(σ) (σ² is the diagonal part of M⁻¹), U's columns orthonormal (vecs: rank × dim, eigenvector k at k·dim),
 * Λ its eigenvalues, kept as λ − 1 (velocity, kinetic) and λ^(−1/2) − 1 (momentum: p = D⁻¹ (I + U (Λ^(−1/2) − I) Uᵀ) z).
 */
export interface LowRankFactors {
  readonly rank: number;
  readonly sigma: Float64Array;
  readonly vecs: Float64Array;
  readonly valsM1: Float64Array;
  readonly valsIsqM1: Float64Array;
}

export function lowRankFactors(sigma: Float64Array, vecs: Float64Array, vals: Float64Array): LowRankFactors {
  const rank = vals.length;
  if (vecs.length !== rank * sigma.length) throw new Error(`[metric] low rank: ${vecs.length} vector entries for rank ${rank} × dim ${sigma.length}`);
  return {
    rank, sigma, vecs, valsM1: Float64Array.from(vals, (l) => l - 1), valsIsqM1: Float64Array.from(vals, (l) => 1 / Math.sqrt(l) - 1),
  };
}

/** out = M⁻¹ p; w is scratch of at least `rank` entries. */
export function lowRankVelocity(f: LowRankFactors, p: Float64Array, out: Float64Array, pOff: number, outOff: number, w: Float64Array): void {
  const n = f.sigma.length;
  const { sigma: sg, vecs: U, valsM1: lm1, rank: r } = f;
  for (let i = 0; i < n; i++) out[outOff + i] = sg[i]! * p[pOff + i]!;
  for (let k = 0; k < r; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += U[k * n + i]! * out[outOff + i]!;
    w[k] = lm1[k]! * c;
  }
  for (let i = 0; i < n; i++) {
    let s = out[outOff + i]!;
    for (let k = 0; k < r; k++) s += U[k * n + i]! * w[k]!;
    out[outOff + i] = sg[i]! * s;
  }
}

/** ½ pᵀ M⁻¹ p = ½ (‖Dp‖² + Σ_k (λ_k − 1)(u_kᵀ D p)²). */
export function lowRankKinetic(f: LowRankFactors, p: Float64Array, off: number): number {
  const n = f.sigma.length;
  const { sigma: sg, vecs: U, valsM1: lm1, rank: r } = f;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const y = sg[i]! * p[off + i]!;
    s += y * y;
  }
  for (let k = 0; k < r; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += U[k * n + i]! * (sg[i]! * p[off + i]!);
    s += lm1[k]! * c * c;
  }
  return 0.5 * s;
}

/** p ~ N(0, M) from standard normals z: p = D⁻¹ (z + U ((λ^(−1/2) − 1) ⊙ Uᵀz)); w is scratch of `rank` entries. */
export function lowRankMomentum(f: LowRankFactors, z: Float64Array, out: Float64Array, off: number, w: Float64Array): void {
  const n = f.sigma.length;
  const { sigma: sg, vecs: U, valsIsqM1: lis, rank: r } = f;
  for (let k = 0; k < r; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += U[k * n + i]! * z[i]!;
    w[k] = lis[k]! * c;
  }
  for (let i = 0; i < n; i++) {
    let s = z[i]!;
    for (let k = 0; k < r; k++) s += U[k * n + i]! * w[k]!;
    out[off + i] = s / sg[i]!;
  }
}

/** The full inverse metric D (I + U (Λ − I) Uᵀ) D, row-major (for the fit's record and the CSV adaptation block). */
export function lowRankDense(f: LowRankFactors): Float64Array {
  const n = f.sigma.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < f.rank; k++) s += f.vecs[k * n + i]! * f.valsM1[k]! * f.vecs[k * n + j]!;
      m[i * n + j] = f.sigma[i]! * s * f.sigma[j]!;
    }
  }
  return m;
}

/**
 * Doubles per chain of the packed form the fused kernel reads (its `chol` argument when dense = 2): rank, σ (dim),
 * U (rank × dim), λ − 1 (rank), λ^(−1/2) − 1 (rank); chains share the stride of the largest rank.
 */
export function lowRankStride(dim: number, maxRank: number): number {
  return 1 + dim + maxRank * dim + 2 * maxRank;
}

export function packLowRank(f: LowRankFactors, out: Float64Array, off: number): void {
  const n = f.sigma.length;
  out[off] = f.rank;
  out.set(f.sigma, off + 1);
  out.set(f.vecs, off + 1 + n);
  out.set(f.valsM1, off + 1 + n + f.rank * n);
  out.set(f.valsIsqM1, off + 1 + n + f.rank * n + f.rank);
}
