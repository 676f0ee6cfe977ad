// Ordered and positive-ordered vectors (Stan reference manual, "Ordered vector"): cumulative sums of exp steps.
import { ModelError, OptionError } from '../base/errors.ts';
import { concat, lift, slice, type Expr } from '../graph/expr.ts';
import { cumsum, exp, sum } from '../graph/ops.ts';
import { fmtShape, sizeOf, type Shape } from '../graph/shape.ts';
import { clampedLog } from './elementwise.ts';
import type { Transform, TransformContext } from './transform.ts';

function rows(name: string, y: Expr, shape: Shape): { m: number; K: number; ys: Expr } {
  const K = shape[shape.length - 1];
  if (shape.length === 0 || K === undefined || K < 1) throw new ModelError(`[${name}] needs a vector shape, got ${fmtShape(shape)}`);
  const m = sizeOf(shape) / K;
  return { m, K, ys: y.reshape([m, K]) };
}

/** The entries that pass through exp, clamped as the log transform clamps (src/precision). */
function steps(ys: Expr, m: number, K: number, ctx: TransformContext): Expr {
  return clampedLog(slice(ys, [0, 1], [m, K]), ctx);
}

/** x_0 = y_0, x_k = x_{k−1} + exp(y_k) along the last axis; log|J| = Σ_{k≥1} y_k. */
export const ordered: Transform = {
  name: 'ordered',
  forward(y, shape, ctx) {
    const { m, K, ys } = rows('ordered', y, shape);
    if (K === 1) return ys.reshape([...shape]);
    return cumsum(concat([slice(ys, [0, 0], [m, 1]), exp(steps(ys, m, K, ctx))], 1), 1).reshape([...shape]);
  },
  logDetJacobian(y, x, ctx) {
    const { m, K, ys } = rows('ordered', y, x.shape);
    if (K === 1) return lift('ordered', 'logDetJacobian', 0, y.g);
    return sum(steps(ys, m, K, ctx));
  },
  inverse(x, shape) {
    const K = shape[shape.length - 1]!;
    return x.map((v, i) => {
      if (i % K === 0) return v;
      const d = v - x[i - 1]!;
      if (!(d > 0)) throw new OptionError(`[ordered] init value ${v} at position ${i} is outside the support (strictly increasing)`);
      return Math.log(d);
    });
  },
};

/** x_k = Σ_{j≤k} exp(y_j) along the last axis: 0 < x_0 < x_1 < …; log|J| = Σ y_k. */
export const positiveOrdered: Transform = {
  name: 'positiveOrdered',
  forward(y, shape, ctx) {
    const { ys } = rows('positiveOrdered', y, shape);
    return cumsum(exp(clampedLog(ys, ctx)), 1).reshape([...shape]);
  },
  logDetJacobian: (y, _x, ctx) => sum(clampedLog(y, ctx)),
  inverse(x, shape) {
    const K = shape[shape.length - 1]!;
    return x.map((v, i) => {
      const d = i % K === 0 ? v : v - x[i - 1]!;
      if (!(d > 0)) throw new OptionError(`[positiveOrdered] init value ${v} at position ${i} is outside the support (positive, strictly increasing)`);
      return Math.log(d);
    });
  },
};
