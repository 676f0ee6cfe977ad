// Normal(mu, sigma): log p(x) = −½((x−μ)/σ)² − log σ − ½ log 2π.
import type { Operand } from '../graph/expr.ts';
import { log, square } from '../graph/ops.ts';
import { batchOf, floored, LOG_2PI, positive, real, type Distribution, type Expr } from './distribution.ts';

export function Normal(mu: Operand, sigma: Operand): Distribution {
  const m = real('Normal', 'mu', mu);
  const s = positive('Normal', 'sigma', sigma);
  return {
    name: 'Normal',
    support: { kind: 'real' },
    batchShape: batchOf('Normal', m, s),
    eventShape: [],
    logProb(x: Expr) {
      const sf = floored(s);
      return square(x.sub(m).div(sf)).mul(-0.5).sub(log(sf)).sub(0.5 * LOG_2PI);
    },
  };
}
