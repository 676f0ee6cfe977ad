// Exponential(rate) on [0, ∞): log p(x) = log λ − λx.
import type { Operand } from '../graph/expr.ts';
import { log, lt } from '../graph/ops.ts';
import { batchOf, outsideSupport, positive, type Distribution, type Expr } from './distribution.ts';

export function Exponential(rate: Operand): Distribution {
  const r = positive('Exponential', 'rate', rate);
  return {
    name: 'Exponential',
    support: { kind: 'positive' },
    batchShape: batchOf('Exponential', r),
    eventShape: [],
    logProb(x: Expr) {
      return outsideSupport(lt(x, 0), log(r).sub(r.mul(x)));
    },
  };
}
