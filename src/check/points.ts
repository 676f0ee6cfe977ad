// The points check() evaluates at (the initial point and seeded random ones) and the names of their coordinates.
import { OptionError } from '../base/errors.ts';
import { toHostTensor } from '../graph/constant.ts';
import type { TracedModel } from '../model/traced.ts';
import { sizeOf } from '../graph/shape.ts';
import { makeRng } from '../random/rng.ts';

/** Stan's init radius: random points are uniform(−2, 2) on the unconstrained scale (services/util/initialize.hpp). */
export const RANDOM_RADIUS = 2;

export interface CheckPoint {
  /** 'initial', 'random 1', …, or 'given 0', … */
  readonly label: string;
  readonly q: Float64Array;
}

/** `name[i,j]` for each unconstrained coordinate (0-based, row-major), with the transform when it is not the identity. */
export function coordinateNames(t: TracedModel): string[] {
  const names = new Array<string>(t.ir.dim);
  for (const p of t.params) {
    const natural = p.size === sizeOf(p.shape);
    const strides = p.shape.map((_, k) => sizeOf(p.shape.slice(k + 1)));
    for (let i = 0; i < p.size; i++) {
      const idx = !natural ? `[${i}]` : p.shape.length === 0 ? '' :
        `[${strides.map((s, k) => Math.floor(i / s) % p.shape[k]!).join(',')}]`;
      const tr = p.transform.name === 'identity' ? '' : ` (${p.transform.name})`;
      names[p.offset + i] = `${p.name}${idx}${tr}`;
    }
  }
  return names;
}

/**
 * The initial point: the unconstrained image of `init` (constrained values by parameter name), 0 for parameters
 * it does not give (the centre of the unconstrained space: the median of a log- or logit-transformed parameter).
 */
export function initialPoint(t: TracedModel, init?: Readonly<Record<string, unknown>>): Float64Array {
  const q = new Float64Array(t.ir.dim);
  if (!init) return q;
  const known = new Set(t.params.map((p) => p.name));
  for (const k of Object.keys(init)) {
    if (!known.has(k)) throw new OptionError(`[check] init names '${k}', which is not a parameter of '${t.name}' (parameters: ${[...known].join(', ')})`);
  }
  for (const p of t.params) {
    if (!(p.name in init)) continue;
    const v = toHostTensor(init[p.name], `[check] init.${p.name}`);
    if (v.data.length !== sizeOf(p.shape)) throw new OptionError(`[check] init.${p.name} has ${v.data.length} values, but the parameter has shape [${p.shape}]`);
    q.set(p.transform.inverse(v.data, p.shape), p.offset);
  }
  return q;
}

/** `count` points uniform(−2, 2) in every coordinate, from the seeded stream (seed, 0). */
export function randomPoints(dim: number, count: number, seed: number): Float64Array[] {
  const rng = makeRng(seed, 0);
  return Array.from({ length: count }, () => new Float64Array(dim).map(() => RANDOM_RADIUS * (2 * rng.uniform() - 1)));
}

export function checkPoints(t: TracedModel, opts: { points?: readonly Float64Array[]; init?: Readonly<Record<string, unknown>>;
  randomPoints: number; seed: number }): CheckPoint[] {
  const dim = t.ir.dim;
  if (opts.points) {
    return opts.points.map((q, i) => {
      if (!(q instanceof Float64Array) || q.length !== dim) throw new OptionError(`[check] points[${i}] must be a Float64Array of length ${dim}`);
      return { label: `given ${i}`, q };
    });
  }
  if (!Number.isInteger(opts.randomPoints) || opts.randomPoints < 0) throw new OptionError(`[check] randomPoints must be a non-negative integer, got ${opts.randomPoints}`);
  return [{ label: 'initial', q: initialPoint(t, opts.init) },
    ...randomPoints(dim, opts.randomPoints, opts.seed).map((q, i) => ({ label: `random ${i + 1}`, q }))];
}
