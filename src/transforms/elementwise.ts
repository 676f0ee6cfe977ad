// Elementwise transforms: identity, log (positive), lower bound, upper bound and interval (affine + logit).
import { ModelError, OptionError } from '../base/errors.ts';
import { Expr, lift } from '../graph/expr.ts';
import { exp, maximum, minimum, log, logSigmoid, sigmoid, sum } from '../graph/ops.ts';
import { fmtShape, sizeOf } from '../graph/shape.ts';
import { logClamp } from '../precision/policy.ts';
import type { Transform, TransformContext } from './transform.ts';

/** A bound: a number, or an expression of other parameters (then the host inverse needs it to be a constant). */
export type TransformBound = number | Expr;

export function shaped(y: Expr, shape: readonly number[]): Expr {
  return y.shape.length === shape.length && y.shape.every((d, i) => d === shape[i]) ? y : y.reshape(shape);
}

export function checkAll(name: string, x: Float64Array, ok: (v: number, i: number) => boolean, what: string): void {
  x.forEach((v, i) => {
    if (!ok(v, i)) throw new OptionError(`[${name}] init value ${v} at position ${i} is outside the support (${what})`);
  });
}

/** The host value of a bound at flat position i (constants only). */
function boundAt(name: string, b: TransformBound): (i: number) => number {
  if (typeof b === 'number') return () => b;
  const c = b.constValue;
  if (!c) throw new ModelError(`[${name}] the bound depends on other parameters, so values cannot be mapped back on the host`);
  return (i) => c[c.length === 1 ? 0 : i]!;
}

function label(b: TransformBound): string {
  return typeof b === 'number' ? String(b) : b.constValue?.length === 1 ? String(b.constValue[0]) : 'expr';
}

/** Sums a per-element log-Jacobian, refusing a bound whose shape would repeat elements of the parameter. */
function sumOver(name: string, term: Expr, shape: readonly number[]): Expr {
  if (term.size !== sizeOf(shape)) {
    throw new ModelError(`[${name}] a bound of shape ${fmtShape(term.shape)} does not fit the parameter's shape ${fmtShape(shape)}`);
  }
  return sum(term);
}

export const identity: Transform = {
  name: 'identity',
  forward: (y, shape) => shaped(y, shape),
  logDetJacobian: (y) => lift('identity', 'y', 0, y.g),
  inverse: (x) => Float64Array.from(x),
};

/** The log-scale input, clamped to ±LOG_CLAMP for the dtype (src/precision: the clamp changes the density beyond it). */
export function clampedLog(y: Expr, ctx: TransformContext): Expr {
  const L = logClamp(ctx.dtype);
  // min(max(y, −L), L): the gradient is 1 inside and 0 outside, like clamp, with fewer device kernels
  return minimum(maximum(y, -L), L);
}

/** x = exp(y) for positive parameters; log|J| = y (both use the clamped y). */
export const log_: Transform = {
  name: 'log',
  forward: (y, shape, ctx) => shaped(exp(clampedLog(y, ctx)), shape),
  logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
  inverse: (x) => {
    checkAll('log', x, (v) => v > 0, 'x > 0');
    return x.map(Math.log);
  },
};
export { log_ as log };

/** x = lower + exp(y); log|J| = y (clamped as for the log transform). */
export function lowerBound(lower: TransformBound): Transform {
  const name = `lower(${label(lower)})`;
  return {
    name,
    forward: (y, shape, ctx) => exp(clampedLog(shaped(y, shape), ctx)).add(lower),
    logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
    inverse: (x) => {
      const lo = boundAt('lowerBound', lower);
      checkAll('lowerBound', x, (v, i) => v > lo(i), `x > ${label(lower)}`);
      return x.map((v, i) => Math.log(v - lo(i)));
    },
  };
}

/** x = upper − exp(y); log|J| = y (clamped). */
export function upperBound(upper: TransformBound): Transform {
  return {
    name: `upper(${label(upper)})`,
    forward: (y, shape, ctx) => lift('upperBound', 'upper', upper, y.g).sub(exp(clampedLog(shaped(y, shape), ctx))),
    logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
    inverse: (x) => {
      const hi = boundAt('upperBound', upper);
      checkAll('upperBound', x, (v, i) => v < hi(i), `x < ${label(upper)}`);
      return x.map((v, i) => Math.log(hi(i) - v));
    },
  };
}

/** x = lower + (upper − lower)·σ(y); log|J| = log(upper − lower) + log σ(y) + log σ(−y). */
export function interval(lower: TransformBound, upper: TransformBound): Transform {
  if (typeof lower === 'number' && typeof upper === 'number' && !(Number.isFinite(lower) && Number.isFinite(upper) && lower < upper)) {
    throw new ModelError(`[interval] needs finite lower < upper, got (${lower}, ${upper})`);
  }
  const name = `interval(${label(lower)}, ${label(upper)})`;
  const width = (g: Expr['g']) => lift('interval', 'upper', upper, g).sub(lower);
  return {
    name,
    forward: (y, shape) => sigmoid(shaped(y, shape)).mul(width(y.g)).add(lower),
    logDetJacobian: (y, x) => {
      const ys = shaped(y, x.shape);
      const w = width(y.g);
      if (typeof lower === 'number' && typeof upper === 'number') {
        return sum(logSigmoid(ys).add(logSigmoid(ys.neg()))).add(ys.size * Math.log(upper - lower));
      }
      return sumOver('interval', logSigmoid(ys).add(logSigmoid(ys.neg())).add(log(w)), x.shape);
    },
    inverse: (x) => {
      const lo = boundAt('interval', lower);
      const hi = boundAt('interval', upper);
      checkAll('interval', x, (v, i) => v > lo(i) && v < hi(i), `${label(lower)} < x < ${label(upper)}`);
      return x.map((v, i) => {
        const u = (v - lo(i)) / (hi(i) - lo(i));
        return Math.log(u) - Math.log1p(-u);
      });
    },
  };
}

/** Picks the transform for declared bounds (either may be ±Infinity or absent). */
export function boundsTransform(lower?: TransformBound, upper?: TransformBound): Transform {
  const fin = (b: TransformBound | undefined): b is TransformBound => b !== undefined && (typeof b !== 'number' || Number.isFinite(b));
  if (fin(lower) && fin(upper)) return interval(lower, upper);
  if (fin(lower)) return lower === 0 ? log_ : lowerBound(lower);
  if (fin(upper)) return upperBound(upper);
  return identity;
}
