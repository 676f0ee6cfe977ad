// Binomial(n, p) or Binomial(n, { logits }): log p(k) = log C(n, k) + k·log p + (n − k)·log(1 − p).
import { ModelError } from '../base/errors.ts';
import { sigmoid } from '../math/special.ts';
import type { Expr, Operand } from '../graph/expr.ts';
import { gt, logSigmoid, lt } from '../graph/ops.ts';
import { broadcastIndex, broadcastShapes } from '../graph/shape.ts';
import { binomial } from '../random/draws.ts';
import { anyOf, batchOf, constantOf, isOptions, oneOf, outsideSupport, param, probability, real, type Distribution } from './distribution.ts';
import { checkIntegers, logChoose, nonInteger } from './discrete.ts';
import { scalarDraws } from './sampling.ts';
import { xlog1py, xlogy } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/**
 * Binomial(n, p) (Stan's binomial) or Binomial(n, { logits }) (Stan's binomial_logit): successes in n trials.
 * n is a constant non-negative integer (or array of them); observed counts must be integers in [0, n].
 */
export function Binomial(n: Operand, p: Operand | { logits: Operand } | { p: Operand }): Distribution {
  const ck = new ArgChecks('Binomial');
  const ne = param('Binomial', 'n', n, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
  const nv = constantOf('Binomial', 'n', ne);
  const opts = (isOptions(p) ? p : { p }) as Record<string, unknown>;
  const key = oneOf('Binomial', opts, ['p', 'logits']);
  const theta = key === 'logits' ? real('Binomial', 'logits', opts.logits as Operand) : ck.probability('p', opts.p as Operand);
  const batchShape = batchOf('Binomial', { n: ne, [key]: theta });
  return ck.wrap({
    name: 'Binomial',
    support: { kind: 'count' },
    batchShape,
    eventShape: [],
    logProb(k: Expr) {
      const rest = ne.sub(k);
      const lp = key === 'logits'
        ? k.mul(logSigmoid(theta)).add(rest.mul(logSigmoid(theta.neg())))
        : xlogy(k, theta).add(xlog1py(rest, theta.neg()));
      return outsideSupport(anyOf(lt(k, 0), gt(k, ne), nonInteger(k)), logChoose(ne, k).add(lp));
    },
    checkObserved(data) {
      checkIntegers('Binomial', data, 0, Infinity);
      const shape = broadcastShapes('Binomial', ne.shape, data.shape);
      const mn = broadcastIndex(ne.shape, shape);
      const md = broadcastIndex(data.shape, shape);
      for (let i = 0; i < mn.length; i++) {
        const k = data.data[md[i]!]!;
        const nn = nv[mn[i]!]!;
        if (k > nn) throw new ModelError(`[Binomial] observed value ${k} at position ${md[i]} is more than n = ${nn}`);
      }
    },
    sample: (rng, at, shape) => scalarDraws('Binomial', rng, at, batchShape, [ne, theta], shape,
      (r, [nn, t]) => binomial(r, nn!, key === 'logits' ? sigmoid(t!) : t!)),
  });
}
