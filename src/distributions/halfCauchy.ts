// HalfCauchy(sigma) on [0, ∞): log p(x) = log(2/π) − log σ − log(1 + (x/σ)²).
import type { Operand } from '../graph/expr.ts';
import { log, log1p, lt, square } from '../graph/ops.ts';
import { batchOf, floored, LOG_PI, outsideSupport, positive, type Distribution, type Expr } from './distribution.ts';

export function HalfCauchy(sigma: Operand): Distribution {
  const s = positive('HalfCauchy', 'sigma', sigma);
  return {
    name: 'HalfCauchy',
    support: { kind: 'positive' },
    batchShape: batchOf('HalfCauchy', s),
    eventShape: [],
    logProb(x: Expr) {
      const sf = floored(s);
      const lp = log1p(square(x.div(sf))).neg().sub(log(sf)).add(Math.LN2 - LOG_PI);
      return outsideSupport(lt(x, 0), lp);
    },
  };
}
