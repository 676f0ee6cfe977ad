// Initial points: uniform(−2, 2) on the unconstrained scale with up to 100 tries (Stan), or user inits.
import { NumericalError } from '../base/errors.ts';
import type { ModelDensity } from '../backend/modelDensity.ts';
import { unconstrainPoint } from '../model/pointValues.ts';
import { GraphInterpreter } from '../backend/reference/interpreter.ts';
import { uniformAt, type ChainStream } from '../random/philox.ts';
import type { PointState } from './kernel.ts';

/** Stan's MAX_INIT_TRIES and init radius (services/util/initialize.hpp). */
export const MAX_INIT_TRIES = 100;
export const INIT_RADIUS = 2;

export type InitValues = Readonly<Record<string, unknown>>;

function finite(s: { logp: number; grad: Float64Array }): boolean {
  return Number.isFinite(s.logp) && s.grad.every(Number.isFinite);
}

/** Which terms of the log density are non-finite at q (evaluated in float64 on the host). */
function badTerms(d: ModelDensity, q: Float64Array): string[] {
  const interp = new GraphInterpreter(d.model.ir);
  const vals = interp.forward(q);
  return d.model.terms.filter((t) => !Number.isFinite(vals[t.node]![0]!)).map((t) => `${t.label} = ${vals[t.node]![0]}`);
}

/**
 * The unconstrained vector for user inits on the constrained scale (checked by unconstrainPoint: names, declared shapes,
 * supports, each error naming the parameter); params not given are drawn as usual.
 */
function fromUser(d: ModelDensity, init: InitValues, draw: (i: number) => number): Float64Array {
  const { q, given } = unconstrainPoint(d.model, init, 'sample', { partial: true });
  for (const p of d.model.params) {
    if (given.has(p.name)) continue;
    for (let i = 0; i < p.size; i++) q[p.offset + i] = draw(p.offset + i);
  }
  return q;
}

/** Finds a starting point for one chain, or throws naming the non-finite terms. */
export function initialPoint(d: ModelDensity, stream: ChainStream, chain: number, init?: InitValues): PointState {
  let lastQ: Float64Array = new Float64Array(d.dim);
  const complete = init !== undefined && d.model.params.every((p) => p.name in init);
  const tries = complete ? 1 : MAX_INIT_TRIES;
  for (let t = 0; t < tries; t++) {
    // coordinate i of attempt t is uniform(−2, 2) from the address (stream, 0, init, t, i)
    const draw = (i: number) => INIT_RADIUS * (2 * uniformAt(stream, 0, 'init', t, i) - 1);
    const q = init ? fromUser(d, init, draw) : new Float64Array(d.dim).map((_, i) => draw(i));
    const r = d.logpGrad(q);
    if (finite(r)) return { q, logp: r.logp, grad: r.grad };
    lastQ = q;
  }
  const bad = badTerms(d, lastQ);
  throw new NumericalError(`[sample] chain ${chain}: initialisation failed after ${tries} attempt(s) (uniform(−2, 2) on the unconstrained scale${init ? ', with the given inits' : ''}): ` +
    (bad.length ? `non-finite terms at the last attempt: ${bad.join('; ')}` : 'the gradient was not finite at the last attempt'));
}
