// What every family provides: parameter checks, support, default transform, log density in graph ops.
import type { HostTensor } from '../graph/constant.ts';
import { Expr, lift, where, type Operand } from '../graph/expr.ts';
import { maximum } from '../graph/ops.ts';
import { broadcastShapes, type Shape } from '../graph/shape.ts';
import { SCALE_FLOOR } from '../precision/policy.ts';

export type Support =
  | { readonly kind: 'real' }
  | { readonly kind: 'positive' }
  | { readonly kind: 'interval'; readonly lower: number; readonly upper: number }
  | { readonly kind: 'binary' }
  | { readonly kind: 'count' };

export interface Distribution {
  readonly name: string;
  readonly support: Support;
  /** Shape of the broadcast parameters (the batch of independent draws). */
  readonly batchShape: Shape;
  /** Shape of one draw (empty for scalar families; [T] for a random walk). */
  readonly eventShape: Shape;
  /** Log density of x, summed over the event dimensions; shape = broadcast of batchShape and x's batch shape. */
  logProb(x: Expr): Expr;
  /** Checks observed data before it enters the graph (integers, ranges); throws naming the family and value. */
  checkObserved?(data: HostTensor): void;
}

export const LOG_2PI = Math.log(2 * Math.PI);
export const LOG_PI = Math.log(Math.PI);

/** Lifts a parameter and, when it is a constant, checks it at once, naming the family and the parameter. */
export function param(family: string, name: string, v: Operand, check?: (x: number) => boolean, what?: string): Expr {
  const e = lift(family, name, v);
  const c = e.constValue;
  if (c) {
    c.forEach((x, i) => {
      if (Number.isNaN(x)) throw new Error(`[${family}] ${name} is NaN${c.length > 1 ? ` at position ${i}` : ''}`);
      if (check && !check(x)) {
        throw new Error(`[${family}] ${name} must be ${what}, got ${x}${c.length > 1 ? ` at position ${i}` : ''}`);
      }
    });
  }
  return e;
}

export const positive = (family: string, name: string, v: Operand): Expr =>
  param(family, name, v, (x) => x > 0 && Number.isFinite(x), 'positive and finite');

export const real = (family: string, name: string, v: Operand): Expr =>
  param(family, name, v, (x) => Number.isFinite(x), 'finite');

/** A scale floored at SCALE_FLOOR (1e-30) before any division (src/precision). */
export function floored(scale: Expr): Expr {
  return maximum(scale, SCALE_FLOOR);
}

export function batchOf(family: string, ...params: Expr[]): Shape {
  return broadcastShapes(family, ...params.map((p) => p.shape));
}

/** −∞ where `outside` holds, else lp (a value outside the support has log density −∞, never NaN). */
export function outsideSupport(outside: Expr, lp: Expr): Expr {
  return where(outside, -Infinity, lp);
}

export function checkValues(family: string, data: HostTensor, ok: (v: number) => boolean, what: string): void {
  data.data.forEach((v, i) => {
    if (!ok(v)) throw new Error(`[${family}] observed value ${v} at position ${i} is not ${what}`);
  });
}

export type { Expr };
