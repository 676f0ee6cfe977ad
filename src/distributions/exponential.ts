// Exponential(rate) on [0, ∞): log p(x) = log λ − λx.
import type { Expr, Operand } from '../graph/expr.ts';
import { gt, log, lt, where } from '../graph/ops.ts';
import { exponential } from '../random/draws.ts';
import { batchOf, onSupport, outsideSupport, positive, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { log1mexp } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Exponential(λ) (Stan's exponential, rate parameterisation): mean 1/λ. CDF: 1 − e^(−λx). */
export function Exponential(rate: Operand): Distribution {
  const ck = new ArgChecks('Exponential');
  const r = ck.positive('rate', rate);
  const batchShape = batchOf('Exponential', { rate: r });
  return ck.wrap({
    name: 'Exponential',
    support: { kind: 'positive' },
    batchShape,
    eventShape: [],
    logProb: (x: Expr) => outsideSupport(lt(x, 0), log(r).sub(r.mul(x))),
    logCdf: (x) => onSupport(x, gt(x, 0), 1, (xs) => log1mexp(r.mul(xs).neg())),
    logCcdf: (x) => where(lt(x, 0), 0, r.mul(x).neg()),
    sample: (rng, at, shape) => scalarDraws('Exponential', rng, at, batchShape, [r], shape, (g, [rv]) => exponential(g) / rv!),
  });
}
