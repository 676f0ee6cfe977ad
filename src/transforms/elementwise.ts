// Elementwise transforms: identity, log (positive), lower bound, upper bound and interval (affine + logit).
import { clamp, Expr, lift } from '../graph/expr.ts';
import { exp, logSigmoid, sigmoid, sum } from '../graph/ops.ts';
import { logClamp } from '../precision/policy.ts';
import type { Transform, TransformContext } from './transform.ts';

function shaped(y: Expr, shape: readonly number[]): Expr {
  return y.shape.length === shape.length && y.shape.every((d, i) => d === shape[i]) ? y : y.reshape(shape);
}

function checkAll(name: string, x: Float64Array, ok: (v: number) => boolean, what: string): void {
  x.forEach((v, i) => {
    if (!ok(v)) throw new Error(`[${name}] init value ${v} at position ${i} is outside the support (${what})`);
  });
}

export const identity: Transform = {
  name: 'identity',
  forward: (y, shape) => shaped(y, shape),
  logDetJacobian: (y) => lift('identity', 'y', 0, y.g),
  inverse: (x) => Float64Array.from(x),
};

/** The log-scale input, clamped to ±LOG_CLAMP for the dtype (src/precision: the clamp changes the density beyond it). */
function clampedLog(y: Expr, ctx: TransformContext): Expr {
  const L = logClamp(ctx.dtype);
  return clamp(y, -L, L);
}

/** x = exp(y) for positive parameters; log|J| = y (both use the clamped y). */
export const log: Transform = {
  name: 'log',
  forward: (y, shape, ctx) => shaped(exp(clampedLog(y, ctx)), shape),
  logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
  inverse: (x) => {
    checkAll('log', x, (v) => v > 0, 'x > 0');
    return x.map(Math.log);
  },
};

/** x = lower + exp(y). */
export function lowerBound(lower: number): Transform {
  return {
    name: `lower(${lower})`,
    forward: (y, shape, ctx) => shaped(exp(clampedLog(y, ctx)).add(lower), shape),
    logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
    inverse: (x) => {
      checkAll('lowerBound', x, (v) => v > lower, `x > ${lower}`);
      return x.map((v) => Math.log(v - lower));
    },
  };
}

/** x = upper − exp(y). */
export function upperBound(upper: number): Transform {
  return {
    name: `upper(${upper})`,
    forward: (y, shape, ctx) => shaped(lift('upperBound', 'upper', upper, y.g).sub(exp(clampedLog(y, ctx))), shape),
    logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
    inverse: (x) => {
      checkAll('upperBound', x, (v) => v < upper, `x < ${upper}`);
      return x.map((v) => Math.log(upper - v));
    },
  };
}

/** x = lower + (upper − lower)·σ(y); log|J| = log(upper − lower) + log σ(y) + log σ(−y). */
export function interval(lower: number, upper: number): Transform {
  if (!(Number.isFinite(lower) && Number.isFinite(upper) && lower < upper)) {
    throw new Error(`[interval] needs finite lower < upper, got (${lower}, ${upper})`);
  }
  const width = upper - lower;
  return {
    name: `interval(${lower}, ${upper})`,
    forward: (y, shape) => shaped(sigmoid(y).mul(width).add(lower), shape),
    logDetJacobian: (y) => sum(logSigmoid(y).add(logSigmoid(y.neg()))).add(y.size * Math.log(width)),
    inverse: (x) => {
      checkAll('interval', x, (v) => v > lower && v < upper, `${lower} < x < ${upper}`);
      return x.map((v) => {
        const u = (v - lower) / width;
        return Math.log(u) - Math.log1p(-u);
      });
    },
  };
}

/** Picks the transform for declared bounds (either may be ±Infinity or absent). */
export function boundsTransform(lower?: number, upper?: number): Transform {
  const lo = lower ?? -Infinity;
  const hi = upper ?? Infinity;
  if (Number.isFinite(lo) && Number.isFinite(hi)) return interval(lo, hi);
  if (Number.isFinite(lo)) return lo === 0 ? log : lowerBound(lo);
  if (Number.isFinite(hi)) return upperBound(hi);
  return identity;
}
