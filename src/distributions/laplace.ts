// Laplace(mu, b): log p(x) = −log(2b) − |x − μ|/b (Stan's double_exponential).
import type { Expr, Operand } from '../graph/expr.ts';
import { abs, exp, log, log1p, lt, maximum, minimum, where } from '../graph/ops.ts';
import { exponential } from '../random/draws.ts';
import { batchOf, floored, positive, real, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { ArgChecks } from './argChecks.ts';

/** log P(Z ≤ z) for the standard Laplace: z − log 2 below 0, log(1 − ½e^(−z)) above. */
function laplaceLogCdf(z: Expr): Expr {
  return where(lt(z, 0), minimum(z, 0).sub(Math.LN2), log1p(exp(maximum(z, 0).neg()).mul(-0.5)));
}

/** Laplace(μ, b): mean μ, variance 2b². CDF: ½e^z below μ, 1 − ½e^(−z) above, z = (x − μ)/b. */
export function Laplace(mu: Operand, b: Operand): Distribution {
  const ck = new ArgChecks('Laplace');
  const m = real('Laplace', 'mu', mu);
  const s = ck.positive('b', b);
  const batchShape = batchOf('Laplace', { mu: m, b: s });
  const z = (x: Expr) => x.sub(m).div(floored(s));
  return ck.wrap({
    name: 'Laplace',
    support: { kind: 'real' },
    batchShape,
    eventShape: [],
    logProb: (x) => abs(z(x)).neg().sub(log(floored(s))).sub(Math.LN2),
    logCdf: (x) => laplaceLogCdf(z(x)),
    logCcdf: (x) => laplaceLogCdf(z(x).neg()),
    sample: (rng, at, shape) => scalarDraws('Laplace', rng, at, batchShape, [m, s], shape,
      (r, [mv, sv]) => mv! + sv! * (r.uniform() < 0.5 ? -1 : 1) * exponential(r)),
  });
}
