// What every family provides: parameter checks, support, log density in graph ops, CDFs where known, host draws.
import { ModelError } from '../base/errors.ts';
import type { HostTensor } from '../graph/constant.ts';
import { Expr, lift, where, type Operand } from '../graph/expr.ts';
import { gt, maximum } from '../graph/ops.ts';
import { broadcastShapes, fmtShape, type Shape } from '../graph/shape.ts';
import { SCALE_FLOOR } from '../precision/policy.ts';
import type { Rng } from '../random/rng.ts';

/** A support bound: a number, or an expression of the model's parameters (e.g. Uniform(0, tau)). */
export type Bound = number | Expr;

/** Where a family puts its mass; src/model/transformFor.ts maps each kind to its unconstraining transform. */
export type Support =
  | { readonly kind: 'real' }
  | { readonly kind: 'positive' }
  | { readonly kind: 'interval'; readonly lower: Bound; readonly upper: Bound }
  | { readonly kind: 'greaterThan'; readonly lower: Bound }
  | { readonly kind: 'lessThan'; readonly upper: Bound }
  | { readonly kind: 'simplex' }
  | { readonly kind: 'ordered' }
  | { readonly kind: 'positiveOrdered' }
  | { readonly kind: 'corrCholesky' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'count' }
  | { readonly kind: 'integerInterval'; readonly lower: number; readonly upper: number }
  | { readonly kind: 'censored' };

/** The float64 value of any expression of the model at the point being simulated (prior or posterior draw). */
export type Evaluate = (e: Expr) => Float64Array;

export interface Distribution {
  readonly name: string;
  readonly support: Support;
  /** Shape of the broadcast parameters (the batch of independent draws). */
  readonly batchShape: Shape;
  /** Shape of one draw (empty for scalar families; [K] for MvNormal and Dirichlet; [K, K] for LKJCholesky). */
  readonly eventShape: Shape;
  /** Log density of x, summed over the event dimensions; shape = broadcast of batchShape and x's batch shape. */
  logProb(x: Expr): Expr;
  /** Checks observed data before it enters the graph (integers, ranges); throws naming the family and value. */
  checkObserved?(data: HostTensor): void;
  /** log P(X ≤ x) in graph ops, for Censored and Truncated (scalar families with a closed-form CDF). */
  logCdf?(x: Expr): Expr;
  /** log P(X > x) in graph ops, accurate in the upper tail. */
  logCcdf?(x: Expr): Expr;
  /**
   * Random draws on the host (float64) at the parameter values `at` gives: an array of `shape` (default
   * [...batchShape, ...eventShape]; it must broadcast the batch shape and end with the event shape), row-major.
   */
  sample?(rng: Rng, at: Evaluate, shape?: Shape): Float64Array;
}

/** Lifts a parameter and, when it is a constant, checks it at once, naming the family and the parameter. */
export function param(family: string, name: string, v: Operand, check?: (x: number) => boolean, what?: string): Expr {
  if (v === undefined || v === null) throw new ModelError(`[${family}] ${name} is missing`);
  const e = lift(family, name, v);
  const c = e.constValue;
  if (c) {
    c.forEach((x, i) => {
      if (Number.isNaN(x)) throw new ModelError(`[${family}] ${name} is NaN${c.length > 1 ? ` at position ${i}` : ''}`);
      if (check && !check(x)) {
        throw new ModelError(`[${family}] ${name} must be ${what}, got ${x}${c.length > 1 ? ` at position ${i}` : ''}`);
      }
    });
  }
  return e;
}

export const positive = (family: string, name: string, v: Operand): Expr =>
  param(family, name, v, (x) => x > 0 && Number.isFinite(x), 'positive and finite');

export const real = (family: string, name: string, v: Operand): Expr =>
  param(family, name, v, (x) => Number.isFinite(x), 'finite');

export const probability = (family: string, name: string, v: Operand): Expr =>
  param(family, name, v, (x) => x >= 0 && x <= 1, 'in [0, 1]');

/** A scale floored at SCALE_FLOOR (1e-30) before any division (src/precision). */
export function floored(scale: Expr): Expr {
  return maximum(scale, SCALE_FLOOR);
}

/** The broadcast shape of named parameters; the error names the family and every parameter's shape. */
export function batchOf(family: string, params: Readonly<Record<string, Expr>>): Shape {
  const entries = Object.entries(params);
  try {
    return broadcastShapes(family, ...entries.map(([, p]) => p.shape));
  } catch {
    throw new ModelError(`[${family}] parameter shapes ${entries.map(([k, p]) => `${k} ${fmtShape(p.shape)}`).join(', ')} ` +
      'cannot be broadcast together');
  }
}

/** −∞ where `outside` holds, else lp (a value outside the support has log density −∞, never NaN). */
export function outsideSupport(outside: Expr, lp: Expr): Expr {
  return where(outside, -Infinity, lp);
}

/**
 * lp evaluated at x where `inside` holds and at the harmless point `safe` elsewhere, then −∞ outside: neither the
 * value nor the gradient sees a log(0) or 0·∞ from the masked branch (the "double where" pattern).
 */
export function onSupport(x: Expr, inside: Expr, safe: number, lp: (xs: Expr) => Expr): Expr {
  const xs = where(inside, x, safe);
  return where(inside, lp(xs), -Infinity);
}

/** Elementwise logical and of boolean expressions (comparisons). */
export function allOf(first: Expr, ...rest: Expr[]): Expr {
  if (rest.length === 0) return first;
  let v = where(first, 1, 0);
  for (const c of rest) v = where(c, v, 0);
  return gt(v, 0.5);
}

/** Elementwise logical or of boolean expressions (comparisons). */
export function anyOf(first: Expr, ...rest: Expr[]): Expr {
  if (rest.length === 0) return first;
  let v = where(first, 1, 0);
  for (const c of rest) v = where(c, 1, v);
  return gt(v, 0.5);
}

export function checkValues(family: string, data: HostTensor, ok: (v: number) => boolean, what: string): void {
  data.data.forEach((v, i) => {
    if (!ok(v)) throw new ModelError(`[${family}] observed value ${v} at position ${i} is not ${what}`);
  });
}

/** True for a plain options object such as { logits } (not an expression, array or typed array). */
export function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Expr) && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Exactly one of `keys` must be present in an options object; returns it. */
export function oneOf(family: string, opts: Record<string, unknown>, keys: readonly string[]): string {
  const present = keys.filter((k) => opts[k] !== undefined);
  if (present.length !== 1) {
    throw new ModelError(`[${family}] give exactly one of ${keys.join(', ')}; got ${present.length ? present.join(', ') : 'none'}`);
  }
  return present[0]!;
}

/** The constant data behind `e`, seeing through reshapes (observed data arrive reshaped), or null. */
export function constData(e: Expr): Float64Array | null {
  let n = e.node;
  while (n.op === 'reshape') n = e.g.nodes[n.inputs[0]!]!;
  return n.op === 'const' && n.dtype === 'float' ? (n.data as Float64Array) : null;
}

/** Rejects a parameter that must be a known constant (e.g. Binomial's n), naming the family and the parameter. */
export function constantOf(family: string, name: string, e: Expr): Float64Array {
  const c = constData(e);
  if (!c) throw new ModelError(`[${family}] ${name} must be a constant (numbers or arrays), not an expression of parameters`);
  return c;
}
