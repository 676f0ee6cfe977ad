// HalfNormal(sigma) on [0, ∞): log p(x) = log 2 − ½ log 2π − log σ − ½(x/σ)².
import type { Expr, Operand } from '../graph/expr.ts';
import { erf, gt, log, lt, maximum, minimum, square, where } from '../graph/ops.ts';
import { batchOf, floored, onSupport, outsideSupport, positive, type Distribution } from './distribution.ts';
import { HALF_LOG_2PI } from '../math/constants.ts';
import { scalarDraws } from './sampling.ts';
import { erfSmall, log1mexp, logNdtr } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** HalfNormal(σ): |X| for X ~ Normal(0, σ). CDF: erf(x / (σ√2)) = 1 − 2Φ(−x/σ). */
export function HalfNormal(sigma: Operand): Distribution {
  const ck = new ArgChecks('HalfNormal');
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('HalfNormal', { sigma: s });
  const z = (x: Expr) => x.div(floored(s));
  const logCcdf = (x: Expr) => where(lt(x, 0), 0, logNdtr(z(x).neg()).add(Math.LN2));
  return ck.wrap({
    name: 'HalfNormal',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb(x: Expr) {
      const lp = square(z(x)).mul(-0.5).sub(log(floored(s))).add(Math.LN2 - HALF_LOG_2PI);
      return outsideSupport(lt(x, 0), lp);
    },
    logCdf(x: Expr) {
      // erf by its series below z = 0.7 (relative accuracy near 0), the primitive up to 1, 1 − 2Φ(−z) in the tail
      return onSupport(z(x), gt(x, 0), 1, (zz) => {
        const w = zz.mul(Math.SQRT1_2);
        const viaSeries = log(erfSmall(minimum(w, 0.5)));
        const viaErf = log(erf(minimum(maximum(w, 0.5), Math.SQRT1_2)));
        const viaTail = log1mexp(logNdtr(maximum(zz, 1).neg()).add(Math.LN2));
        return where(lt(w, 0.5), viaSeries, where(lt(zz, 1), viaErf, viaTail));
      });
    },
    logCcdf,
    sample: (rng, at, shape) => scalarDraws('HalfNormal', rng, at, batchShape, [s], shape, (r, [sv]) => Math.abs(sv! * r.normal())),
  });
}
