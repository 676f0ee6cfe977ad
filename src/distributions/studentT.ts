// StudentT(nu, mu, sigma): log p(x) = lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) − log σ − (ν+1)/2 · log(1 + z²/ν).
import type { Operand } from '../graph/expr.ts';
import { lgamma, log, log1p, square } from '../graph/ops.ts';
import { batchOf, floored, LOG_PI, positive, real, type Distribution, type Expr } from './distribution.ts';

export function StudentT(nu: Operand, mu: Operand, sigma: Operand): Distribution {
  const n = positive('StudentT', 'nu', nu);
  const m = real('StudentT', 'mu', mu);
  const s = positive('StudentT', 'sigma', sigma);
  return {
    name: 'StudentT',
    support: { kind: 'real' },
    batchShape: batchOf('StudentT', n, m, s),
    eventShape: [],
    logProb(x: Expr) {
      const sf = floored(s);
      const z2 = square(x.sub(m).div(sf));
      const half = n.add(1).mul(0.5);
      return lgamma(half).sub(lgamma(n.mul(0.5))).sub(log(n).add(LOG_PI).mul(0.5)).sub(log(sf))
        .sub(half.mul(log1p(z2.div(n))));
    },
  };
}
