// Poisson(rate) or Poisson({ logRate }): log p(k) = k·log λ − λ − log k!.
import type { Expr, Operand } from '../graph/expr.ts';
import { exp, lt } from '../graph/ops.ts';
import { poisson } from '../random/draws.ts';
import { anyOf, batchOf, isOptions, oneOf, outsideSupport, param, real, type Distribution } from './distribution.ts';
import { checkIntegers, negLogFactorial, nonInteger } from './discrete.ts';
import { scalarDraws } from './sampling.ts';
import { xlogy } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Poisson(λ) (Stan's poisson) or Poisson({ logRate }) (Stan's poisson_log), for observed counts. Mean = variance = λ. */
export function Poisson(rate: Operand | { logRate: Operand } | { rate: Operand }): Distribution {
  const opts = (isOptions(rate) ? rate : { rate }) as Record<string, unknown>;
  const key = oneOf('Poisson', opts, ['rate', 'logRate']);
  const ck = new ArgChecks('Poisson');
  const theta = key === 'logRate' ? real('Poisson', 'logRate', opts.logRate as Operand)
    : ck.nonNegative(param('Poisson', 'rate', opts.rate as Operand, (v) => v >= 0 && Number.isFinite(v), 'non-negative and finite'));
  const batchShape = batchOf('Poisson', { [key]: theta });
  return ck.wrap({
    name: 'Poisson',
    support: { kind: 'count' },
    batchShape,
    eventShape: [],
    logProb(k: Expr) {
      const lp = key === 'logRate' ? k.mul(theta).sub(exp(theta)) : xlogy(k, theta).sub(theta);
      return outsideSupport(anyOf(lt(k, 0), nonInteger(k)), lp.add(negLogFactorial(k)));
    },
    checkObserved: (data) => checkIntegers('Poisson', data, 0, Infinity),
    sample: (rng, at, shape) => scalarDraws('Poisson', rng, at, batchShape, [theta], shape,
      (r, [t]) => poisson(r, key === 'logRate' ? Math.exp(t!) : t!)),
  });
}
