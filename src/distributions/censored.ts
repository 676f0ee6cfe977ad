// Censored(dist, lower?, upper?): log p(y) = log F(L) for y ≤ L, log(1 − F(U)) for y ≥ U, log p_dist(y) between.
import { ModelError } from '../base/errors.ts';
import type { Expr, Operand } from '../graph/expr.ts';
import { clamp, ge, le, where } from '../graph/ops.ts';
import { broadcastShapes, sizeOf } from '../graph/shape.ts';
import type { Distribution } from './distribution.ts';
import { broadcastValues, drawShape } from './sampling.ts';
import { boundArg, requireCdf } from './truncation.ts';

/**
 * Censored(dist, lower?, upper?) for observations recorded at a detection limit (Stan's censored-data idiom):
 * a value at or beyond a bound stands for "somewhere beyond it" and contributes the tail probability. Needs a
 * scalar family with a CDF. Draws are dist's draws clamped to [lower, upper]. It can be observed, not sampled.
 */
export function Censored(dist: Distribution, lower?: Operand | null, upper?: Operand | null): Distribution {
  const { logCdf, logCcdf } = requireCdf('Censored', dist);
  const lo = boundArg('Censored', 'lower', lower, -1);
  const hi = boundArg('Censored', 'upper', upper, 1);
  if (!lo && !hi) throw new ModelError('[Censored] give a lower or an upper bound');
  const lc = lo?.constValue;
  const hc = hi?.constValue;
  if (lc && hc && lc.length === 1 && hc.length === 1 && !(lc[0]! < hc[0]!)) {
    throw new ModelError(`[Censored] lower (${lc[0]}) must be below upper (${hc[0]})`);
  }
  const batchShape = broadcastShapes('Censored', dist.batchShape, lo?.shape ?? [], hi?.shape ?? []);
  return {
    name: `Censored(${dist.name})`,
    support: { kind: 'censored' },
    batchShape,
    eventShape: [],
    logProb(y: Expr) {
      let lp = dist.logProb(clamp(y, lo ?? -Infinity, hi ?? Infinity));
      if (hi) lp = where(ge(y, hi), logCcdf(hi), lp);
      if (lo) lp = where(le(y, lo), logCdf(lo), lp);
      return lp;
    },
    checkObserved: dist.checkObserved?.bind(dist),
    sample: dist.sample ? (rng, at, shape) => {
      const out = drawShape('Censored', batchShape, [], shape);
      const draw = dist.sample!(rng, at, out);
      const bounds = [lo, hi].filter((e): e is Expr => e !== null);
      const bv = broadcastValues(at, bounds, out);
      for (let i = 0; i < sizeOf(out); i++) {
        if (lo) draw[i] = Math.max(draw[i]!, bv(0, i));
        if (hi) draw[i] = Math.min(draw[i]!, bv(lo ? 1 : 0, i));
      }
      return draw;
    } : undefined,
  };
}
