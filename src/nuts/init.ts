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

/** The error of a chain whose `tries` attempts all failed, naming the non-finite terms at its last attempt. */
function initFailure(d: ModelDensity, chain: number, tries: number, init: InitValues | undefined, lastQ: Float64Array): NumericalError {
  const bad = badTerms(d, lastQ);
  return new NumericalError(`[sample] chain ${chain}: initialisation failed after ${tries} attempt(s) (uniform(−2, 2) on the unconstrained scale${init ? ', with the given inits' : ''}): ` +
    (bad.length ? `non-finite terms at the last attempt: ${bad.join('; ')}` : 'the gradient was not finite at the last attempt'));
}

/** Attempt t of a chain: coordinate i is uniform(−2, 2) from the address (stream, 0, init, t, i), user inits kept. */
function attempt(d: ModelDensity, stream: ChainStream, t: number, init?: InitValues): Float64Array {
  const draw = (i: number) => INIT_RADIUS * (2 * uniformAt(stream, 0, 'init', t, i) - 1);
  return init ? fromUser(d, init, draw) : new Float64Array(d.dim).map((_, i) => draw(i));
}

const triesFor = (d: ModelDensity, init?: InitValues) =>
  init !== undefined && d.model.params.every((p) => p.name in init) ? 1 : MAX_INIT_TRIES;

/**
 * A starting point for every chain (Stan: up to MAX_INIT_TRIES attempts each), or an error naming the first failing
 * chain's non-finite terms. Each attempt of all chains still looking is evaluated in one batch (one GPU launch, not
 * one per chain); attempt t of chain c has the same random address whatever the batch.
 */
export function initialPoints(d: ModelDensity, streams: readonly ChainStream[], firstChain: number,
  inits: readonly (InitValues | undefined)[]): PointState[] {
  const n = streams.length;
  const dim = d.dim;
  const found: (PointState | undefined)[] = new Array(n);
  const last: Float64Array[] = new Array(n);
  let pending = Array.from({ length: n }, (_, c) => c);
  for (let t = 0; pending.length > 0; t++) {
    const now = pending.filter((c) => t < triesFor(d, inits[c]));
    const failed = pending.find((c) => t >= triesFor(d, inits[c]));
    if (failed !== undefined) throw initFailure(d, firstChain + failed, triesFor(d, inits[failed]), inits[failed], last[failed]!);
    const Q = new Float64Array(now.length * dim);
    now.forEach((c, j) => {
      last[c] = attempt(d, streams[c]!, t, inits[c]);
      Q.set(last[c]!, j * dim);
    });
    const r = d.logpGradBatch(Q, now.length);
    pending = [];
    now.forEach((c, j) => {
      const s = { logp: r.logp[j]!, grad: r.grad.slice(j * dim, (j + 1) * dim) };
      if (finite(s)) found[c] = { q: last[c]!, ...s };
      else pending.push(c);
    });
  }
  return found as PointState[];
}
