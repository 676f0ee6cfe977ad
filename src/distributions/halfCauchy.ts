// HalfCauchy(sigma) on [0, ∞): log p(x) = log(2/π) − log σ − log(1 + (x/σ)²).
import type { Expr, Operand } from '../graph/expr.ts';
import { gt, log, log1p, lt, maximum, minimum, square, where } from '../graph/ops.ts';
import { batchOf, floored, onSupport, outsideSupport, positive, type Distribution } from './distribution.ts';
import { LOG_PI } from '../math/constants.ts';
import { scalarDraws } from './sampling.ts';
import { acot, atanCore } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** HalfCauchy(σ): |X| for X ~ Cauchy(0, σ). CDF: (2/π)·atan(x/σ); survival (2/π)·atan(σ/x). */
export function HalfCauchy(sigma: Operand): Distribution {
  const ck = new ArgChecks('HalfCauchy');
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('HalfCauchy', { sigma: s });
  const z = (x: Expr) => x.div(floored(s));
  const LOG_2_PI = Math.LN2 - LOG_PI;
  return ck.wrap({
    name: 'HalfCauchy',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb(x: Expr) {
      const lp = log1p(square(z(x))).neg().sub(log(floored(s))).add(LOG_2_PI);
      return outsideSupport(lt(x, 0), lp);
    },
    logCdf: (x) => onSupport(z(x), gt(x, 0), 1, (zz) => {
      const small = lt(zz, 1);
      return where(small, log(atanCore(minimum(zz, 1))).add(LOG_2_PI), log1p(acot(maximum(zz, 1)).mul(-2 / Math.PI)));
    }),
    logCcdf: (x) => where(lt(x, 0), 0, log(acot(maximum(z(x), 0))).add(LOG_2_PI)),
    sample: (rng, at, shape) => scalarDraws('HalfCauchy', rng, at, batchShape, [s], shape,
      (r, [sv]) => sv! * Math.tan((Math.PI / 2) * r.uniform())),
  });
}
