// Run-time checks of parameter-dependent arguments: a scale, rate or bound outside its support gives −∞ (never NaN).
import { Expr, where } from '../graph/expr.ts';
import { ge, gt, le, lt } from '../graph/ops.ts';
import { allOf, positive, probability, type Distribution } from './distribution.ts';
import type { Operand } from '../graph/expr.ts';

/**
 * Collects, for one distribution, the conditions its parameter-dependent arguments must meet (a constant argument is
 * checked when the model is built and costs nothing here). Each checked argument is replaced by a harmless value
 * where its condition fails, so neither the value nor the gradient of the log density sees a log of a negative
 * number or a division by zero there ("double where"); `wrap` then makes logProb, logCdf and logCcdf −∞ at those
 * points. The sampler treats −∞ as a rejected point (a divergence), the same on every backend.
 */
export class ArgChecks {
  private readonly conds: Expr[] = [];

  constructor(readonly family: string) {}

  /** `e` where ok(e) holds, `safe` elsewhere; records ok(e) unless `e` is a constant. */
  require(e: Expr, ok: (e: Expr) => Expr, safe: Operand): Expr {
    if (e.constValue) return e;
    const cond = ok(e);
    this.conds.push(cond);
    return where(cond, e, safe);
  }

  /** A scale, rate or shape: positive and finite. */
  positive(name: string, v: Operand): Expr {
    return this.require(positive(this.family, name, v), (e) => allOf(gt(e, 0), lt(e, Infinity)), 1);
  }

  /** A non-negative finite rate or mean (Poisson, NegativeBinomial). */
  nonNegative(e: Expr): Expr {
    return this.require(e, (x) => allOf(ge(x, 0), lt(x, Infinity)), 1);
  }

  /** A probability in [0, 1]. */
  probability(name: string, v: Operand): Expr {
    return this.require(probability(this.family, name, v), (e) => allOf(ge(e, 0), le(e, 1)), 0.5);
  }

  /** Bounds with lower < upper (either may depend on parameters); returns the upper bound, safe where they cross. */
  ordered(lower: Expr, upper: Expr): Expr {
    if (lower.constValue && upper.constValue) return upper;
    const cond = lt(lower, upper);
    this.conds.push(cond);
    return where(cond, upper, lower.add(1));
  }

  /** One condition per batch element: conditions over event dimensions (Dirichlet's alpha) must all hold. */
  private valid(eventDims: number): Expr | null {
    if (this.conds.length === 0) return null;
    const reduced = this.conds.map((c) => {
      const k = Math.min(eventDims, c.ndim);
      if (k === 0) return c;
      const axes = Array.from({ length: k }, (_, i) => c.ndim - k + i);
      return lt(where(c, 0, 1).sum(axes), 0.5);
    });
    return allOf(reduced[0]!, ...reduced.slice(1));
  }

  /** The distribution with its log density and log CDFs set to −∞ wherever a checked argument is invalid. */
  wrap<D extends Distribution>(d: D): D {
    const ok = this.valid(d.eventShape.length);
    if (ok === null) return d;
    const guard = (lp: Expr): Expr => where(ok, lp, -Infinity);
    const { logCdf, logCcdf } = d;
    return {
      ...d,
      logProb: (x: Expr) => guard(d.logProb(x)),
      ...(logCdf ? { logCdf: (x: Expr) => guard(logCdf(x)) } : {}),
      ...(logCcdf ? { logCcdf: (x: Expr) => guard(logCcdf(x)) } : {}),
    };
  }
}
