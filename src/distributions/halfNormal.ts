// HalfNormal(sigma) on [0, ∞): log p(x) = log 2 − ½ log 2π − log σ − ½(x/σ)².
import type { Operand } from '../graph/expr.ts';
import { log, lt, square } from '../graph/ops.ts';
import { batchOf, floored, LOG_2PI, outsideSupport, positive, type Distribution, type Expr } from './distribution.ts';

export function HalfNormal(sigma: Operand): Distribution {
  const s = positive('HalfNormal', 'sigma', sigma);
  return {
    name: 'HalfNormal',
    support: { kind: 'positive' },
    batchShape: batchOf('HalfNormal', s),
    eventShape: [],
    logProb(x: Expr) {
      const sf = floored(s);
      const lp = square(x.div(sf)).mul(-0.5).sub(log(sf)).add(Math.LN2 - 0.5 * LOG_2PI);
      return outsideSupport(lt(x, 0), lp);
    },
  };
}
