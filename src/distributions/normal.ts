// Normal(mu, sigma): log p(x) = −½((x−μ)/σ)² − log σ − ½ log 2π.
import type { Expr, Operand } from '../graph/expr.ts';
import { log, square } from '../graph/ops.ts';
import { batchOf, floored, positive, real, type Distribution } from './distribution.ts';
import { HALF_LOG_2PI } from '../math/constants.ts';
import { scalarDraws } from './sampling.ts';
import { logNdtr } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Normal(μ, σ) on the real line (Stan's normal). CDF: Φ((x − μ)/σ), evaluated as a log accurately in both tails. */
export function Normal(mu: Operand, sigma: Operand): Distribution {
  const ck = new ArgChecks('Normal');
  const m = real('Normal', 'mu', mu);
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('Normal', { mu: m, sigma: s });
  const z = (x: Expr) => x.sub(m).div(floored(s));
  return ck.wrap({
    name: 'Normal',
    support: { kind: 'real' },
    batchShape,
    eventShape: [],
    logProb: (x) => square(z(x)).mul(-0.5).sub(log(floored(s))).sub(HALF_LOG_2PI),
    logCdf: (x) => logNdtr(z(x)),
    logCcdf: (x) => logNdtr(z(x).neg()),
    sample: (rng, at, shape) => scalarDraws('Normal', rng, at, batchShape, [m, s], shape, (r, [mv, sv]) => mv! + sv! * r.normal()),
  });
}
