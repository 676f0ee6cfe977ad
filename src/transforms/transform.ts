// The bijector interface: unconstrained y ↦ constrained x with log|det J|, in graph ops and on the host.
import type { Dtype } from '../base/types.ts';
import type { Expr } from '../graph/expr.ts';
import type { Shape } from '../graph/shape.ts';

export interface TransformContext {
  readonly dtype: Dtype;
}

export interface Transform {
  readonly name: string;
  /** Length of the unconstrained vector for a constrained value of `shape` (defaults to its size). */
  unconstrainedSize?(shape: Shape): number;
  /** y (flat, unconstrained) ↦ x with `shape`. */
  forward(y: Expr, shape: Shape, ctx: TransformContext): Expr;
  /** log|det ∂x/∂y| as a scalar expression. */
  logDetJacobian(y: Expr, x: Expr, ctx: TransformContext): Expr;
  /** x ↦ y on the host (float64), for user inits; throws when x is outside the support. */
  inverse(x: Float64Array, shape: Shape): Float64Array;
}
