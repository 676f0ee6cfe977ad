// InverseGamma(shape, scale) on (0, ∞): log p(x) = α log β − lgamma(α) − (α + 1) log x − β/x.
import type { Operand } from '../graph/expr.ts';
import { gt, log } from '../graph/ops.ts';
import { standardGamma } from '../random/draws.ts';
import { batchOf, onSupport, positive, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { lgammaC } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** InverseGamma(α, β) (Stan's inv_gamma): 1/X for X ~ Gamma(α, β); mean β/(α − 1) for α > 1. No CDF here. */
export function InverseGamma(shape: Operand, scale: Operand): Distribution {
  const ck = new ArgChecks('InverseGamma');
  const a = ck.positive('shape', shape);
  const b = ck.positive('scale', scale);
  const batchShape = batchOf('InverseGamma', { shape: a, scale: b });
  return ck.wrap({
    name: 'InverseGamma',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb: (x) => onSupport(x, gt(x, 0), 1, (xs) =>
      a.mul(log(b)).sub(lgammaC(a)).sub(a.add(1).mul(log(xs))).sub(b.div(xs))),
    sample: (rng, at, sh) => scalarDraws('InverseGamma', rng, at, batchShape, [a, b], sh,
      (r, [av, bv]) => bv! / standardGamma(r, av!)),
  });
}
