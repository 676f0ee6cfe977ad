// Cauchy(mu, sigma): log p(x) = −log π − log σ − log(1 + ((x−μ)/σ)²).
import type { Expr, Operand } from '../graph/expr.ts';
import { ge, log, log1p, maximum, square, where } from '../graph/ops.ts';
import { batchOf, floored, positive, real, type Distribution } from './distribution.ts';
import { LOG_PI } from '../math/constants.ts';
import { scalarDraws } from './sampling.ts';
import { acot } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** log P(Z > z) for a standard Cauchy: log(acot(z)/π) for z ≥ 0, log(1 − acot(−z)/π) below (no cancellation). */
export function cauchyLogSf(z: Expr): Expr {
  const pos = ge(z, 0);
  const upper = log(acot(maximum(z, 0))).sub(LOG_PI);
  const lower = log1p(acot(maximum(z.neg(), 0)).mul(-1 / Math.PI));
  return where(pos, upper, lower);
}

/** Cauchy(μ, σ) (Stan's cauchy): no moments. CDF: ½ + atan((x − μ)/σ)/π. */
export function Cauchy(mu: Operand, sigma: Operand): Distribution {
  const ck = new ArgChecks('Cauchy');
  const m = real('Cauchy', 'mu', mu);
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('Cauchy', { mu: m, sigma: s });
  const z = (x: Expr) => x.sub(m).div(floored(s));
  return ck.wrap({
    name: 'Cauchy',
    support: { kind: 'real' },
    batchShape,
    eventShape: [],
    logProb: (x) => log1p(square(z(x))).neg().sub(log(floored(s))).sub(LOG_PI),
    logCdf: (x) => cauchyLogSf(z(x).neg()),
    logCcdf: (x) => cauchyLogSf(z(x)),
    // inversion: μ + σ·tan(π(U − ½))
    sample: (rng, at, shape) => scalarDraws('Cauchy', rng, at, batchShape, [m, s], shape,
      (r, [mv, sv]) => mv! + sv! * Math.tan(Math.PI * (r.uniform() - 0.5))),
  });
}
