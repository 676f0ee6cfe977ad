// Bernoulli(p) or Bernoulli({ logits }): log p(y) = y·log p + (1−y)·log(1−p), with log σ(±logit) for logits.
import type { Expr, Operand } from '../graph/expr.ts';
import { eq, log, log1p, logSigmoid, ne, where } from '../graph/ops.ts';
import { sigmoid } from '../math/special.ts';
import { allOf, batchOf, checkValues, isOptions, oneOf, outsideSupport, probability, real, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { ArgChecks } from './argChecks.ts';

/** Bernoulli(p) (Stan's bernoulli) or Bernoulli({ logits }) (Stan's bernoulli_logit), for observed 0/1 data. */
export function Bernoulli(p: Operand | { logits: Operand } | { p: Operand }): Distribution {
  const opts = (isOptions(p) ? p : { p }) as Record<string, unknown>;
  const key = oneOf('Bernoulli', opts, ['p', 'logits']);
  const ck = new ArgChecks('Bernoulli');
  const theta = key === 'logits' ? real('Bernoulli', 'logits', opts.logits as Operand) : ck.probability('p', opts.p as Operand);
  const batchShape = batchOf('Bernoulli', { [key]: theta });
  const logP = key === 'logits' ? logSigmoid(theta) : null;
  return ck.wrap({
    name: 'Bernoulli',
    support: { kind: 'binary' },
    batchShape,
    eventShape: [],
    logProb(y: Expr) {
      const one = eq(y, 1);
      const lp = key === 'logits' ? where(one, logP!, logSigmoid(theta.neg())) : where(one, log(theta), log1p(theta.neg()));
      return outsideSupport(allOf(ne(y, 0), ne(y, 1)), lp);
    },
    checkObserved: (data) => checkValues('Bernoulli', data, (v) => v === 0 || v === 1, '0 or 1'),
    sample: (rng, at, shape) => scalarDraws('Bernoulli', rng, at, batchShape, [theta], shape, (r, [t]) =>
      (r.uniform() < (key === 'logits' ? sigmoid(t!) : t!) ? 1 : 0)),
  });
}
