// Cholesky factor of a correlation matrix from canonical partial correlations (Stan reference manual,
// "Cholesky factors of correlation matrices"; Lewandowski, Kurowicka & Joe 2009): R^(K(K−1)/2) → L with LLᵀ = C.
import { ModelError, OptionError } from '../base/errors.ts';
import { concat, constant, take, type Expr } from '../graph/expr.ts';
import { abs, cumsum, exp, softplus, sum, tanh } from '../graph/ops.ts';
import { fmtShape, sizeOf, type Shape } from '../graph/shape.ts';
import type { Transform } from './transform.ts';

function dimOf(shape: Shape): number {
  const K = shape[shape.length - 1];
  if (shape.length < 2 || K === undefined || shape[shape.length - 2] !== K || K < 1) {
    throw new ModelError(`[corrCholesky] needs a square matrix shape [..., K, K], got ${fmtShape(shape)}`);
  }
  return K;
}

/** Flat index map of a K × K matrix onto [free entries (row-major strict lower), 0, 1]. */
function indexMap(K: number, diag: 'one' | 'zero'): number[] {
  const n = (K * (K - 1)) / 2;
  const idx: number[] = [];
  let p = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) idx.push(j < i ? p++ : j === i && diag === 'one' ? n + 1 : n);
  }
  return idx;
}

/**
 * z = tanh(y) are the canonical partial correlations; with W_ij = log(1 − z_ij²) and S_ij = Σ_{k<j} W_ik,
 * L_ij = z_ij·exp(S_ij/2) below the diagonal and L_ii = exp(S_ii/2) (since 1 − Σ_{k<j} L_ik² = Π_{k<j}(1 − z_ik²)).
 * log|J| of y ↦ strict lower triangle of L = Σ_{j<i} (W_ij + S_ij/2): dz/dy = 1 − z², and ∂L_ij/∂z_ij = exp(S_ij/2)
 * on the diagonal of a triangular Jacobian.
 */
function parts(y: Expr, shape: Shape) {
  const K = dimOf(shape);
  const n = (K * (K - 1)) / 2;
  const m = sizeOf(shape) / (K * K);
  const ys = y.reshape([m, n]);
  const a = abs(ys);
  const W = softplus(a.mul(-2)).add(a).sub(Math.LN2).mul(-2); // log(1 − tanh²y) = 2(log 2 − |y| − log(1 + e^(−2|y|)))
  const pad = (v: number) => constant(y.g, new Float64Array(m).fill(v), '[corrCholesky] pad').reshape([m, 1]);
  const Z = take(concat([tanh(ys), pad(0), pad(1)], 1), indexMap(K, 'one'), 1).reshape([m, K, K]);
  const Wm = take(concat([W, pad(0), pad(0)], 1), indexMap(K, 'zero'), 1).reshape([m, K, K]);
  const S = cumsum(Wm, 2).sub(Wm);
  return { K, m, n, W, S, Z };
}

export const corrCholesky: Transform = {
  name: 'corrCholesky',
  unconstrainedSize: (shape) => {
    const K = dimOf(shape);
    return (sizeOf(shape) / (K * K)) * ((K * (K - 1)) / 2);
  },
  forward(y, shape) {
    const { S, Z } = parts(y, shape);
    return Z.mul(exp(S.mul(0.5))).reshape([...shape]);
  },
  logDetJacobian(y, x) {
    const { K, S, W } = parts(y, x.shape);
    const lower = constant(y.g, indexMap(K, 'zero').map((v) => (v < (K * (K - 1)) / 2 ? 1 : 0)),
      '[corrCholesky] mask').reshape([K, K]);
    return sum(W).add(sum(S.mul(lower)).mul(0.5));
  },
  inverse(x, shape) {
    const K = dimOf(shape);
    const m = x.length / (K * K);
    const n = (K * (K - 1)) / 2;
    const y = new Float64Array(m * n);
    for (let r = 0; r < m; r++) {
      const L = x.subarray(r * K * K, (r + 1) * K * K);
      let p = 0;
      for (let i = 0; i < K; i++) {
        let ss = 0;
        for (let j = 0; j < K; j++) {
          const v = L[i * K + j]!;
          if (j > i && Math.abs(v) > 1e-12) throw new OptionError(`[corrCholesky] init value L[${i},${j}] = ${v} must be 0 (lower triangular)`);
          if (j < i) {
            const z = v / Math.sqrt(1 - ss);
            if (!(Math.abs(z) < 1)) throw new OptionError(`[corrCholesky] init row ${i} is not a row of a correlation Cholesky factor`);
            y[r * n + p++] = Math.atanh(z);
            ss += v * v;
          }
        }
        const d = L[i * K + i]!;
        if (!(d > 0) || Math.abs(ss + d * d - 1) > 1e-8) {
          throw new OptionError(`[corrCholesky] init row ${i} must have unit norm and a positive diagonal entry`);
        }
      }
    }
    return y;
  },
};
