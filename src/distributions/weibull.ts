// Weibull(shape, scale) on (0, ∞): log p(x) = log k − log λ + (k − 1) log(x/λ) − (x/λ)^k.
import type { Expr, Operand } from '../graph/expr.ts';
import { exp, gt, log, where } from '../graph/ops.ts';
import { exponential } from '../random/draws.ts';
import { batchOf, floored, onSupport, positive, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { log1mexp } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Weibull(k, λ) (Stan's weibull: shape k, scale λ): mean λΓ(1 + 1/k). CDF: 1 − exp(−(x/λ)^k). */
export function Weibull(shape: Operand, scale: Operand): Distribution {
  const ck = new ArgChecks('Weibull');
  const k = ck.positive('shape', shape);
  const l = ck.positive('scale', scale);
  const batchShape = batchOf('Weibull', { shape: k, scale: l });
  const logZ = (xs: Expr) => log(xs.div(floored(l)));
  return ck.wrap({
    name: 'Weibull',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb: (x) => onSupport(x, gt(x, 0), 1, (xs) => {
      const lz = logZ(xs);
      return log(k).sub(log(floored(l))).add(k.sub(1).mul(lz)).sub(exp(k.mul(lz)));
    }),
    logCdf: (x) => onSupport(x, gt(x, 0), 1, (xs) => log1mexp(exp(k.mul(logZ(xs))).neg())),
    logCcdf: (x) => where(gt(x, 0), exp(k.mul(logZ(where(gt(x, 0), x, 1)))).neg(), 0),
    sample: (rng, at, sh) => scalarDraws('Weibull', rng, at, batchShape, [k, l], sh,
      (r, [kv, lv]) => lv! * Math.pow(exponential(r), 1 / kv!)),
  });
}
