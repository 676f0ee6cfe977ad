// Categorical(probs) or Categorical({ logits }) over {0, …, K−1}: log p(y) = log probs[y] = logits[y] − logSumExp(logits).
import { ModelError } from '../base/errors.ts';
import { type Expr, type Operand, take } from '../graph/expr.ts';
import { exp, log, logSumExp } from '../graph/ops.ts';
import { broadcastIndex, broadcastShapes, fmtShape, sizeOf } from '../graph/shape.ts';
import { categorical } from '../random/draws.ts';
import { constantOf, isOptions, oneOf, param, real, type Distribution } from './distribution.ts';
import { checkIntegers } from './discrete.ts';
import { eventDraws } from './sampling.ts';

/** Probabilities in the last axis must be non-negative and sum to 1 (within 1e-6) when they are constants. */
export function checkSimplexRows(family: string, name: string, e: Expr): void {
  const c = e.constValue;
  if (!c) return;
  const K = e.shape[e.shape.length - 1]!;
  for (let r = 0; r < c.length / K; r++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += c[r * K + k]!;
    if (Math.abs(s - 1) > 1e-6) {
      throw new ModelError(`[${family}] ${name} must sum to 1${c.length > K ? ` in every row (row ${r} sums to ${s})` : `, got sum ${s}`}`);
    }
  }
}

/**
 * Categorical(probs) (Stan's categorical, but 0-based: y ∈ {0, …, K−1}) or Categorical({ logits })
 * (categorical_logit). probs / logits have shape [..., K]; the batch is the leading axes. Observed values only.
 */
export function Categorical(probs: Operand | { logits: Operand } | { probs: Operand }): Distribution {
  const opts = (isOptions(probs) ? probs : { probs }) as Record<string, unknown>;
  const key = oneOf('Categorical', opts, ['probs', 'logits']);
  const theta = key === 'logits' ? real('Categorical', 'logits', opts.logits as Operand)
    : param('Categorical', 'probs', opts.probs as Operand, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  if (theta.ndim < 1 || theta.shape[theta.ndim - 1]! < 1) {
    throw new ModelError(`[Categorical] ${key} must have a last axis of categories, got shape ${fmtShape(theta.shape)}`);
  }
  if (key === 'probs') checkSimplexRows('Categorical', 'probs', theta);
  const K = theta.shape[theta.ndim - 1]!;
  const batchShape = theta.shape.slice(0, -1);
  const logp = key === 'logits' ? theta.sub(logSumExp(theta, -1, true)) : log(theta);
  const probsE = key === 'logits' ? exp(logp) : theta; // built here: draws must not add graph nodes
  return {
    name: 'Categorical',
    support: { kind: 'integerInterval', lower: 0, upper: K - 1 },
    batchShape,
    eventShape: [],
    logProb(y: Expr) {
      const yv = constantOf('Categorical', 'the observed value', y);
      const shape = broadcastShapes('Categorical', batchShape, y.shape);
      const mb = broadcastIndex(batchShape, shape);
      const my = broadcastIndex(y.shape, shape);
      const idx = new Array<number>(sizeOf(shape));
      for (let i = 0; i < idx.length; i++) {
        const v = yv[my[i]!]!;
        if (!(Number.isInteger(v) && v >= 0 && v < K)) throw new ModelError(`[Categorical] value ${v} is not an integer in [0, ${K - 1}]`);
        idx[i] = mb[i]! * K + v;
      }
      return take(logp.reshape([sizeOf(batchShape) * K]), idx).reshape(shape);
    },
    checkObserved: (data) => checkIntegers('Categorical', data, 0, K - 1),
    sample: (rng, at, shape) => eventDraws('Categorical', rng, at, batchShape, [], [probsE], [1],
      shape, (r, [w]) => [categorical(r, w!)]),
  };
}
