// Beta(a, b) on (0, 1): log p(x) = (a − 1) log x + (b − 1) log(1 − x) − log B(a, b).
import type { Operand } from '../graph/expr.ts';
import { gt, log, log1p, lt } from '../graph/ops.ts';
import { beta } from '../random/draws.ts';
import { allOf, batchOf, onSupport, positive, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { lbeta } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Beta(a, b) (Stan's beta): mean a/(a + b). Density 0 at and outside 0 and 1. No CDF here. */
export function Beta(a: Operand, b: Operand): Distribution {
  const ck = new ArgChecks('Beta');
  const pa = ck.positive('a', a);
  const pb = ck.positive('b', b);
  const batchShape = batchOf('Beta', { a: pa, b: pb });
  return ck.wrap({
    name: 'Beta',
    support: { kind: 'interval', lower: 0, upper: 1 },
    batchShape,
    eventShape: [],
    logProb: (x) => onSupport(x, allOf(gt(x, 0), lt(x, 1)), 0.5, (xs) =>
      pa.sub(1).mul(log(xs)).add(pb.sub(1).mul(log1p(xs.neg()))).sub(lbeta(pa, pb))),
    sample: (rng, at, sh) => scalarDraws('Beta', rng, at, batchShape, [pa, pb], sh, (r, [av, bv]) => beta(r, av!, bv!)),
  });
}
