// GaussianRandomWalk(sigma) over the last axis: s[0] ~ Normal(0, σ), s[t] ~ Normal(s[t−1], σ) for t ≥ 1.
import { concat, slice, type Operand } from '../graph/expr.ts';
import { log, square, sum } from '../graph/ops.ts';
import { floored, LOG_2PI, positive, type Distribution, type Expr } from './distribution.ts';

/** `length` is the walk's length T; it may instead come from the param's `shape` option. */
export function GaussianRandomWalk(sigma: Operand, opts: { length?: number } = {}): Distribution {
  const s = positive('GaussianRandomWalk', 'sigma', sigma);
  if (s.size !== 1) throw new Error('[GaussianRandomWalk] sigma must be a scalar');
  const T = opts.length;
  if (T !== undefined && !(Number.isInteger(T) && T >= 1)) throw new Error(`[GaussianRandomWalk] length must be a positive integer, got ${T}`);
  return {
    name: 'GaussianRandomWalk',
    support: { kind: 'real' },
    batchShape: [],
    eventShape: T === undefined ? [] : [T],
    logProb(x: Expr) {
      if (x.ndim !== 1) throw new Error(`[GaussianRandomWalk] the walk must be a vector, got shape [${x.shape}]`);
      const n = x.shape[0]!;
      if (T !== undefined && n !== T) throw new Error(`[GaussianRandomWalk] the walk has length ${n}, but length ${T} was declared`);
      const steps = n > 1 ? concat([slice(x, [0], [1]), slice(x, [1], [n]).sub(slice(x, [0], [n - 1]))]) : x;
      const sf = floored(s.reshape([]));
      return sum(square(steps.div(sf))).mul(-0.5).sub(log(sf).mul(n)).sub(0.5 * n * LOG_2PI);
    },
  };
}
