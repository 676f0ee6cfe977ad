// LKJCholesky(K, eta): log p(L) = Σ_{i=1}^{K−1} (K − i − 3 + 2η) log L_ii − log c_K(η) (0-based i; Stan's lkj_corr_cholesky).
import { ModelError } from '../base/errors.ts';
import { constant, type Expr, type Operand } from '../graph/expr.ts';
import { gt, log, sum, where } from '../graph/ops.ts';
import { fmtShape } from '../graph/shape.ts';
import { beta } from '../random/draws.ts';
import { positive, type Distribution } from './distribution.ts';
import { diagonal } from './linalg.ts';
import { eventDraws } from './sampling.ts';
import { lbeta } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/**
 * log c_K(η), the LKJ normalising constant of Lewandowski, Kurowicka & Joe (2009), "Generating random correlation
 * matrices based on vines and extended onion method", J. Multivariate Analysis 100, eq. (16):
 * c_K = Σ_{k=1}^{K−1} [(2η − 2 + K − k)(K − k)·log 2 + (K − k)·log B(η + (K − k − 1)/2, η + (K − k − 1)/2)].
 * The density of the correlation matrix C is det(C)^(η−1)/c_K; with C = LLᵀ the Jacobian from the strictly lower
 * entries of L is Π_{i≥1} L_ii^(K−1−i) (0-based i), which gives the exponent K − i − 3 + 2η above.
 */
function logNormaliser(eta: Expr, K: number): Expr {
  let acc: Expr | null = null;
  for (let k = 1; k < K; k++) {
    const b = eta.add((K - k - 1) / 2);
    const term = eta.mul(2).add(K - k - 2).mul((K - k) * Math.LN2).add(lbeta(b, b).mul(K - k));
    acc = acc ? acc.add(term) : term;
  }
  return acc ?? eta.mul(0);
}

/**
 * LKJCholesky(K, η): the Cholesky factor L of a K × K correlation matrix C = LLᵀ with density ∝ det(C)^(η−1)
 * (η = 1: uniform over correlation matrices; larger η concentrates on the identity). The off-diagonal
 * correlations have marginal Beta(η − 1 + K/2, η − 1 + K/2) laws on (−1, 1). Draws use the C-vine construction:
 * the partial correlation of column j is 2·Beta(η + (K − 2 − j)/2, same) − 1.
 */
export function LKJCholesky(K: number, eta: Operand = 1): Distribution {
  if (!(Number.isInteger(K) && K >= 2)) throw new ModelError(`[LKJCholesky] K must be an integer ≥ 2, got ${K}`);
  const ck = new ArgChecks('LKJCholesky');
  const e = ck.positive('eta', eta);
  if (e.size !== 1) throw new ModelError(`[LKJCholesky] eta must be a scalar, got shape ${fmtShape(e.shape)}`);
  const es = e.reshape([]);
  const expo = constant(es.g, Array.from({ length: K }, (_, i) => K - i - 3), '[LKJCholesky] exponents');
  const weights = constant(es.g, Array.from({ length: K }, (_, i) => (i === 0 ? 0 : 1)), '[LKJCholesky] mask');
  return ck.wrap({
    name: 'LKJCholesky',
    support: { kind: 'corrCholesky' },
    batchShape: [],
    eventShape: [K, K],
    logProb(x: Expr) {
      if (x.ndim !== 2 || x.shape[0] !== K || x.shape[1] !== K) throw new ModelError(`[LKJCholesky] values must have shape [${K}, ${K}], got ${fmtShape(x.shape)}`);
      const d = diagonal(x);
      const pos = gt(d, 0);
      const lp = sum(expo.add(es.mul(2)).mul(weights).mul(log(where(pos, d, 1)))).sub(logNormaliser(es, K));
      return where(gt(sum(where(pos, 0, 1)), 0.5), -Infinity, lp);
    },
    sample: (rng, at, shape) => eventDraws('LKJCholesky', rng, at, [], [K, K], [es], [0], shape, (r, [ev]) => {
      const n = (K * (K - 1)) / 2;
      const y = new Float64Array(n);
      let p = 0;
      for (let i = 1; i < K; i++) {
        for (let j = 0; j < i; j++) {
          const b = ev![0]! + (K - 2 - j) / 2;
          y[p++] = Math.atanh(2 * beta(r, b, b) - 1);
        }
      }
      return choleskyFromPartials(y, K);
    }),
  });
}

/** The corrCholesky map on the host: partial correlations z = tanh(y) (row-major strict lower) → L. */
export function choleskyFromPartials(y: Float64Array, K: number): Float64Array {
  const L = new Float64Array(K * K);
  let p = 0;
  for (let i = 0; i < K; i++) {
    let rest = 1;
    for (let j = 0; j < i; j++) {
      const z = Math.tanh(y[p++]!);
      L[i * K + j] = z * Math.sqrt(rest);
      rest *= 1 - z * z;
    }
    L[i * K + i] = Math.sqrt(rest);
  }
  return L;
}

