// LogNormal(mu, sigma) on (0, ∞): log p(x) = −log x − log σ − ½ log 2π − ½((log x − μ)/σ)².
import type { Expr, Operand } from '../graph/expr.ts';
import { gt, log, square, where } from '../graph/ops.ts';
import { batchOf, floored, onSupport, positive, real, type Distribution } from './distribution.ts';
import { HALF_LOG_2PI } from '../math/constants.ts';
import { scalarDraws } from './sampling.ts';
import { logNdtr } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** LogNormal(μ, σ) (Stan's lognormal): log X ~ Normal(μ, σ). CDF: Φ((log x − μ)/σ). x ≤ 0 has density 0. */
export function LogNormal(mu: Operand, sigma: Operand): Distribution {
  const ck = new ArgChecks('LogNormal');
  const m = real('LogNormal', 'mu', mu);
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('LogNormal', { mu: m, sigma: s });
  const z = (xs: Expr) => log(xs).sub(m).div(floored(s));
  return ck.wrap({
    name: 'LogNormal',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb: (x) => onSupport(x, gt(x, 0), 1, (xs) =>
      square(z(xs)).mul(-0.5).sub(log(xs)).sub(log(floored(s))).sub(HALF_LOG_2PI)),
    logCdf: (x) => onSupport(x, gt(x, 0), 1, (xs) => logNdtr(z(xs))),
    logCcdf: (x) => where(gt(x, 0), logNdtr(z(where(gt(x, 0), x, 1)).neg()), 0),
    sample: (rng, at, shape) => scalarDraws('LogNormal', rng, at, batchShape, [m, s], shape,
      (r, [mv, sv]) => Math.exp(mv! + sv! * r.normal())),
  });
}
