// HalfStudentT(nu, sigma) on [0, ∞): log p(x) = log 2 + StudentT(ν, 0, σ) log density at x.
import type { Expr, Operand } from '../graph/expr.ts';
import { log, lt } from '../graph/ops.ts';
import { batchOf, floored, outsideSupport, positive, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { studentTDraw, studentTKernel } from './studentT.ts';
import { ArgChecks } from './argChecks.ts';

/** HalfStudentT(ν, σ): |X| for X ~ StudentT(ν, 0, σ). No CDF here. */
export function HalfStudentT(nu: Operand, sigma: Operand): Distribution {
  const ck = new ArgChecks('HalfStudentT');
  const n = ck.positive('nu', nu);
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('HalfStudentT', { nu: n, sigma: s });
  return ck.wrap({
    name: 'HalfStudentT',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb(x: Expr) {
      const lp = studentTKernel(n, x.div(floored(s))).sub(log(floored(s))).add(Math.LN2);
      return outsideSupport(lt(x, 0), lp);
    },
    sample: (rng, at, shape) => scalarDraws('HalfStudentT', rng, at, batchShape, [n, s], shape,
      (r, [nv, sv]) => Math.abs(sv! * studentTDraw(r, nv!))),
  });
}
