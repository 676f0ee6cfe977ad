// Mixture(weights, components): log p(x) = logSumExp_k (log w_k + log p_k(x)).
import { ModelError } from '../base/errors.ts';
import { broadcastTo, type Expr, type Operand, stack, take } from '../graph/expr.ts';
import { log, logSumExp } from '../graph/ops.ts';
import { broadcastShapes, fmtShape, sizeOf, type Shape } from '../graph/shape.ts';
import { categorical } from '../random/draws.ts';
import { param, type Distribution, type Support } from './distribution.ts';
import { checkSimplexRows } from './categorical.ts';
import { broadcastValues, drawShape } from './sampling.ts';

function sameSupport(a: Support, b: Support): boolean {
  if (a.kind !== b.kind) return false;
  const ka = a as Record<string, unknown>;
  const kb = b as Record<string, unknown>;
  return ['lower', 'upper'].every((k) => ka[k] === kb[k]);
}

/**
 * Mixture(weights, components): a finite mixture with weights w (shape [K], on the simplex) of K components that
 * share a support and an event shape. The log density is the log-sum-exp of the weighted component densities;
 * its CDF is the weighted sum of theirs when every component has one. Draws pick a component by weight.
 */
export function Mixture(weights: Operand, components: readonly Distribution[]): Distribution {
  if (!Array.isArray(components) || components.length === 0) throw new ModelError('[Mixture] components must be a non-empty array of distributions');
  components.forEach((c, i) => {
    if (!c || typeof c.logProb !== 'function') throw new ModelError(`[Mixture] components[${i}] is not a distribution`);
  });
  const w = param('Mixture', 'weights', weights, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  const K = components.length;
  if (w.ndim !== 1 || w.shape[0] !== K) {
    throw new ModelError(`[Mixture] weights must have shape [${K}] (one per component), got ${fmtShape(w.shape)}`);
  }
  checkSimplexRows('Mixture', 'weights', w);
  const first = components[0]!;
  components.forEach((c, i) => {
    if (!sameSupport(c.support, first.support)) throw new ModelError(`[Mixture] components[${i}] (${c.name}) has a different support from components[0] (${first.name})`);
    if (fmtShape(c.eventShape) !== fmtShape(first.eventShape)) throw new ModelError(`[Mixture] components[${i}] has event shape ${fmtShape(c.eventShape)}, components[0] has ${fmtShape(first.eventShape)}`);
  });
  const batchShape = broadcastShapes('Mixture', ...components.map((c) => c.batchShape));
  const logW = log(w);
  const mix = (terms: (c: Distribution) => Expr): Expr => {
    const parts = components.map((c, k) => terms(c).add(take(logW, [k]).reshape([])));
    const shape = broadcastShapes('Mixture', ...parts.map((p) => p.shape));
    return logSumExp(stack(parts.map((p) => broadcastTo(p, shape)), 0), 0);
  };
  const all = <K extends 'logCdf' | 'logCcdf'>(key: K) => components.every((c) => typeof c[key] === 'function');
  return {
    name: `Mixture(${components.map((c) => c.name).join(', ')})`,
    support: first.support,
    batchShape,
    eventShape: first.eventShape,
    logProb: (x) => mix((c) => c.logProb(x)),
    logCdf: all('logCdf') ? (x) => mix((c) => c.logCdf!(x)) : undefined,
    logCcdf: all('logCcdf') ? (x) => mix((c) => c.logCcdf!(x)) : undefined,
    checkObserved: first.checkObserved ? (data) => components.forEach((c) => c.checkObserved?.(data)) : undefined,
    sample: components.every((c) => c.sample) ? (rng, at, shape) => {
      const out = drawShape('Mixture', batchShape, first.eventShape, shape);
      const es = sizeOf(first.eventShape);
      const nb = sizeOf(out) / es;
      const draws = components.map((c) => c.sample!(rng, at, out));
      const wv = broadcastValues(at, [w], [K] as Shape);
      const wa = Array.from({ length: K }, (_, k) => wv(0, k));
      const res = new Float64Array(nb * es);
      for (let i = 0; i < nb; i++) {
        const k = categorical(rng, wa);
        res.set(draws[k]!.subarray(i * es, (i + 1) * es), i * es);
      }
      return res;
    } : undefined,
  };
}
