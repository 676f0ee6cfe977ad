// GaussianRandomWalk(sigma) over the last axis: log p(s) = Σ_t log Normal(s[t] − s[t−1] | 0, σ) with s[−1] = 0.
import { ModelError } from '../base/errors.ts';
import { concat, type Expr, matmul, type Operand, slice } from '../graph/expr.ts';
import { log, square, sum } from '../graph/ops.ts';
import { fmtShape } from '../graph/shape.ts';
import { floored, positive, type Distribution } from './distribution.ts';
import { HALF_LOG_2PI } from '../math/constants.ts';
import { eventDraws } from './sampling.ts';
import { ArgChecks } from './argChecks.ts';

/**
 * Walks up to this length take their steps as one product with the bidiagonal difference matrix (one kernel each
 * way, 2 of whose n terms per row are non-zero, so the result is the exact difference) rather than as slices, a
 * concatenation and their gradients (about a dozen kernels per call on MLX); longer walks use the slices.
 */
const DENSE_DIFF_MAX = 256;

/** D with D[t][t] = 1 and D[t][t−1] = −1: (D s)[t] = s[t] − s[t−1], with s[−1] = 0. */
function differenceMatrix(n: number): Float64Array[] {
  return Array.from({ length: n }, (_, t) => {
    const row = new Float64Array(n);
    row[t] = 1;
    if (t > 0) row[t - 1] = -1;
    return row;
  });
}

/**
 * s[0] ~ Normal(0, σ), s[t] ~ Normal(s[t−1], σ) for t ≥ 1 (so s[t] has variance (t+1)σ²). `length` is the walk's
 * length T; it may instead come from the param's `shape` option. sigma is a scalar.
 */
export function GaussianRandomWalk(sigma: Operand, opts: { length?: number } = {}): Distribution {
  const ck = new ArgChecks('GaussianRandomWalk');
  const s = ck.positive('sigma', sigma);
  if (s.size !== 1) throw new ModelError(`[GaussianRandomWalk] sigma must be a scalar, got shape ${fmtShape(s.shape)}`);
  const T = opts.length;
  if (T !== undefined && !(Number.isInteger(T) && T >= 1)) throw new ModelError(`[GaussianRandomWalk] length must be a positive integer, got ${T}`);
  return ck.wrap({
    name: 'GaussianRandomWalk',
    support: { kind: 'real' },
    batchShape: [],
    eventShape: T === undefined ? [] : [T],
    logProb(x: Expr) {
      if (x.ndim !== 1) throw new ModelError(`[GaussianRandomWalk] the walk must be a vector, got shape ${fmtShape(x.shape)}`);
      const n = x.shape[0]!;
      if (T !== undefined && n !== T) throw new ModelError(`[GaussianRandomWalk] the walk has length ${n}, but length ${T} was declared`);
      const steps = n <= 1 ? x : n <= DENSE_DIFF_MAX ? matmul(differenceMatrix(n), x)
        : concat([slice(x, [0], [1]), slice(x, [1], [n]).sub(slice(x, [0], [n - 1]))]);
      const sf = floored(s.reshape([]));
      return sum(square(steps.div(sf))).mul(-0.5).sub(log(sf).mul(n)).sub(HALF_LOG_2PI * n);
    },
    sample(rng, at, shape) {
      const len = shape?.[shape.length - 1] ?? T;
      if (len === undefined) throw new ModelError('[GaussianRandomWalk] give length (or a shape) to draw a walk');
      return eventDraws('GaussianRandomWalk', rng, at, [], [len], [s], [s.ndim], shape ?? [len], (r, [sv]) => {
        const out = new Float64Array(len);
        let acc = 0;
        for (let t = 0; t < len; t++) out[t] = acc += sv![0]! * r.normal();
        return out;
      });
    },
  });
}
