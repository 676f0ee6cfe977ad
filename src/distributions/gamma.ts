// Gamma(shape, rate) on (0, ∞): log p(x) = α log β − lgamma(α) + (α − 1) log x − βx.
import type { Operand } from '../graph/expr.ts';
import { gt, log } from '../graph/ops.ts';
import { standardGamma } from '../random/draws.ts';
import { batchOf, onSupport, positive, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { lgammaC } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Gamma(α, β) (Stan's gamma: shape α, rate β): mean α/β, variance α/β². x ≤ 0 has density 0. No CDF here. */
export function Gamma(shape: Operand, rate: Operand): Distribution {
  const ck = new ArgChecks('Gamma');
  const a = ck.positive('shape', shape);
  const b = ck.positive('rate', rate);
  const batchShape = batchOf('Gamma', { shape: a, rate: b });
  return ck.wrap({
    name: 'Gamma',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb: (x) => onSupport(x, gt(x, 0), 1, (xs) =>
      a.mul(log(b)).sub(lgammaC(a)).add(a.sub(1).mul(log(xs))).sub(b.mul(xs))),
    sample: (rng, at, sh) => scalarDraws('Gamma', rng, at, batchShape, [a, b], sh, (r, [av, bv]) => standardGamma(r, av!) / bv!),
  });
}
