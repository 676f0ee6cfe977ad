// Truncated(dist, lower?, upper?): log p(x) = log p_dist(x) − log(F(U) − F(L)) on [L, U], −∞ outside.
import { ModelError } from '../base/errors.ts';
import type { Expr, Operand } from '../graph/expr.ts';
import { where } from '../graph/ops.ts';
import { broadcastShapes, sizeOf } from '../graph/shape.ts';
import type { Distribution, Evaluate } from './distribution.ts';
import { drawShape, broadcastValues } from './sampling.ts';
import { boundArg, insidePoint, logMass, requireCdf, restrictSupport, within } from './truncation.ts';

/** Most proposals a rejection draw of a truncated family may use per element before giving up. */
const MAX_TRIES = 100_000;

/**
 * Truncated(dist, lower?, upper?): `dist` restricted to [lower, upper] and renormalised (Stan's `T[L, U]`), for
 * scalar families with a CDF (see requireCdf). Bounds may be constants or expressions of parameters; leave one out
 * (or pass ±Infinity) for a one-sided truncation. Draws reject proposals of `dist` outside the bounds.
 */
export function Truncated(dist: Distribution, lower?: Operand | null, upper?: Operand | null, name?: string): Distribution {
  const family = name ?? 'Truncated';
  requireCdf(family, dist);
  const lo = boundArg(family, 'lower', lower, -1);
  const hi = boundArg(family, 'upper', upper, 1);
  if (!lo && !hi) throw new ModelError(`[${family}] give a lower or an upper bound`);
  const batchShape = broadcastShapes(family, dist.batchShape, lo?.shape ?? [], hi?.shape ?? []);
  const support = restrictSupport(family, dist.support, lo, hi);
  const logZ = logMass(dist, lo, hi)!;
  return {
    name: name ?? `Truncated(${dist.name})`,
    support,
    batchShape,
    eventShape: [],
    logProb(x: Expr) {
      const inside = within(x, lo, hi)!;
      const xs = where(inside, x, insidePoint(lo, hi, x.g));
      return where(inside, dist.logProb(xs).sub(logZ), -Infinity);
    },
    checkObserved: dist.checkObserved?.bind(dist),
    sample: dist.sample ? (rng, at, shape) => {
      const out = drawShape(family, batchShape, [], shape);
      const bounds = [lo, hi].filter((e): e is Expr => e !== null);
      const bv = broadcastValues(at, bounds, out);
      const n = sizeOf(out);
      const res = new Float64Array(n);
      const pending = new Set(Array.from({ length: n }, (_, i) => i));
      const limit = (i: number) => [lo ? bv(0, i) : -Infinity, hi ? bv(lo ? 1 : 0, i) : Infinity] as const;
      for (let t = 0; t < MAX_TRIES && pending.size > 0; t++) {
        const draw = dist.sample!(rng, at as Evaluate, out);
        for (const i of [...pending]) {
          const [l, u] = limit(i);
          if (draw[i]! >= l && draw[i]! <= u) {
            res[i] = draw[i]!;
            pending.delete(i);
          }
        }
      }
      if (pending.size > 0) throw new ModelError(`[${family}] the truncated mass is too small to draw by rejection`);
      return res;
    } : undefined,
  };
}
