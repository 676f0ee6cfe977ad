// Host-side drawing helpers shared by the families: output shapes, broadcast parameter values, per-element draws.
import { ModelError } from '../base/errors.ts';
import { broadcastIndex, broadcastShapes, fmtShape, sizeOf, type Shape } from '../graph/shape.ts';
import type { Rng } from '../random/rng.ts';
import type { Evaluate } from './distribution.ts';
import type { Expr } from '../graph/expr.ts';

/** The shape of a draw: `shape` (default batch ++ event), checked to end with the event shape and broadcast the batch. */
export function drawShape(family: string, batch: Shape, event: Shape, shape?: Shape): number[] {
  const out = shape ? [...shape] : [...batch, ...event];
  const ne = event.length;
  const tail = out.slice(out.length - ne);
  if (out.length < ne || tail.some((d, i) => d !== event[i])) {
    throw new ModelError(`[${family}] cannot draw shape ${fmtShape(out)}: it must end with the event shape ${fmtShape(event)}`);
  }
  const head = out.slice(0, out.length - ne);
  let b: number[];
  try {
    b = broadcastShapes(family, batch, head);
  } catch {
    b = [];
  }
  if (b.length !== head.length || b.some((d, i) => d !== head[i])) {
    throw new ModelError(`[${family}] cannot draw shape ${fmtShape(out)}: its batch part does not contain the batch shape ${fmtShape(batch)}`);
  }
  return out;
}

/** Parameter values broadcast to `shape`: value(k, i) is parameter k at flat element i. */
export function broadcastValues(at: Evaluate, params: readonly Expr[], shape: Shape): (k: number, i: number) => number {
  const vals = params.map((p) => at(p));
  const maps = params.map((p) => broadcastIndex(p.shape, shape));
  return (k, i) => vals[k]![maps[k]![i]!]!;
}

/** Independent scalar draws: element i uses the parameters broadcast to it. */
export function scalarDraws(family: string, rng: Rng, at: Evaluate, batch: Shape, params: readonly Expr[],
  shape: Shape | undefined, draw: (rng: Rng, p: number[]) => number): Float64Array {
  const out = drawShape(family, batch, [], shape);
  const n = sizeOf(out);
  const v = broadcastValues(at, params, out);
  const res = new Float64Array(n);
  const p = new Array<number>(params.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < params.length; k++) p[k] = v(k, i);
    res[i] = draw(rng, p);
  }
  return res;
}

/**
 * Draws of an event-shaped family: `params` carry `eventDims[k]` trailing event axes each; for every batch element
 * `draw` gets each parameter's block (a copy, row-major) and returns one event of `eventSize` values.
 */
export function eventDraws(family: string, rng: Rng, at: Evaluate, batch: Shape, event: Shape, params: readonly Expr[],
  eventDims: readonly number[], shape: Shape | undefined, draw: (rng: Rng, blocks: Float64Array[]) => ArrayLike<number>): Float64Array {
  const out = drawShape(family, batch, event, shape);
  const head = out.slice(0, out.length - event.length);
  const nb = sizeOf(head);
  const es = sizeOf(event);
  const vals = params.map((p) => at(p));
  const maps = params.map((p, k) => broadcastIndex(p.shape.slice(0, p.shape.length - eventDims[k]!), head));
  const bs = params.map((p, k) => sizeOf(p.shape.slice(p.shape.length - eventDims[k]!)));
  const res = new Float64Array(nb * es);
  for (let i = 0; i < nb; i++) {
    const blocks = vals.map((v, k) => v.slice(maps[k]![i]! * bs[k]!, (maps[k]![i]! + 1) * bs[k]!));
    res.set(draw(rng, blocks), i * es);
  }
  return res;
}
