// Logistic(mu, s): log p(x) = log σ(z) + log σ(−z) − log s with z = (x − μ)/s and σ the logistic sigmoid.
import type { Expr, Operand } from '../graph/expr.ts';
import { log, logSigmoid } from '../graph/ops.ts';
import { openUniform } from '../random/draws.ts';
import { batchOf, floored, positive, real, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { ArgChecks } from './argChecks.ts';

/** Logistic(μ, s) (Stan's logistic): mean μ, variance s²π²/3. CDF: σ((x − μ)/s). */
export function Logistic(mu: Operand, s: Operand): Distribution {
  const ck = new ArgChecks('Logistic');
  const m = real('Logistic', 'mu', mu);
  const sc = ck.positive('s', s);
  const batchShape = batchOf('Logistic', { mu: m, s: sc });
  const z = (x: Expr) => x.sub(m).div(floored(sc));
  return ck.wrap({
    name: 'Logistic',
    support: { kind: 'real' },
    batchShape,
    eventShape: [],
    logProb: (x) => {
      const zz = z(x);
      return logSigmoid(zz).add(logSigmoid(zz.neg())).sub(log(floored(sc)));
    },
    logCdf: (x) => logSigmoid(z(x)),
    logCcdf: (x) => logSigmoid(z(x).neg()),
    // inversion: μ + s·logit(U)
    sample: (rng, at, shape) => scalarDraws('Logistic', rng, at, batchShape, [m, sc], shape, (r, [mv, sv]) => {
      const u = openUniform(r);
      return mv! + sv! * (Math.log(u) - Math.log1p(-u));
    }),
  });
}
