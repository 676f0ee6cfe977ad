// Shared pieces of truncation and censoring: bound arguments, log P(L < X ≤ U) from log CDFs, supports, draws.
import { ModelError } from '../base/errors.ts';
import { broadcastTo, type Expr, lift, type Operand } from '../graph/expr.ts';
import { ge, gt, le, minimum, where } from '../graph/ops.ts';
import type { Shape } from '../graph/shape.ts';
import { exponential } from '../random/draws.ts';
import type { Rng } from '../random/rng.ts';
import { allOf, param, type Bound, type Distribution, type Support } from './distribution.ts';
import { log1mexp } from './special.ts';

/** A bound argument: absent (undefined, null, ±Infinity) or a finite constant / expression. */
export function boundArg(family: string, name: string, v: Operand | null | undefined, sign: -1 | 1): Expr | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && v === sign * Infinity) return null;
  return param(family, name, v, (x) => Number.isFinite(x), 'finite (leave it out for no bound)');
}

/** The bound as a Support entry: a plain number when it is a scalar constant. */
function asBound(e: Expr): Bound {
  const c = e.constValue;
  return c && c.length === 1 ? c[0]! : e;
}

/** Requires the CDFs truncation and censoring need. */
export function requireCdf(family: string, d: Distribution): { logCdf: (x: Expr) => Expr; logCcdf: (x: Expr) => Expr } {
  if (!d || typeof d.logProb !== 'function') throw new ModelError(`[${family}] the first argument must be a distribution`);
  if (d.eventShape.length !== 0) throw new ModelError(`[${family}] only scalar families can be truncated or censored, not ${d.name}`);
  if (!d.logCdf || !d.logCcdf) {
    throw new ModelError(`[${family}] ${d.name} has no CDF here (families with one: Normal, HalfNormal, Cauchy, HalfCauchy, ` +
      'Laplace, Logistic, LogNormal, Exponential, Uniform, Weibull, Mixture of those)');
  }
  return { logCdf: d.logCdf, logCcdf: d.logCcdf };
}

/**
 * log P(L < X ≤ U) = log(F(U) − F(L)): log F(U) + log(1 − F(L)/F(U)) when L is below the median, else
 * log S(L) + log(1 − S(U)/S(L)) with S = 1 − F, so that neither tail cancels.
 */
export function logMass(d: Distribution, lower: Expr | null, upper: Expr | null): Expr | null {
  const { logCdf, logCcdf } = requireCdf('Truncated', d);
  if (!lower && !upper) return null;
  if (!upper) return logCcdf(lower!);
  if (!lower) return logCdf(upper);
  const cl = logCdf(lower);
  const cu = logCdf(upper);
  const sl = logCcdf(lower);
  const su = logCcdf(upper);
  const viaCdf = cu.add(log1mexp(minimum(cl.sub(cu), 0)));
  const viaSf = sl.add(log1mexp(minimum(su.sub(sl), 0)));
  return where(gt(cl, -Math.LN2), viaSf, viaCdf);
}

/** The support of `base` restricted to [lower, upper] (constant bounds are intersected on the host). */
export function restrictSupport(family: string, base: Support, lower: Expr | null, upper: Expr | null): Support {
  let lo: Bound | null = lower ? asBound(lower) : null;
  let hi: Bound | null = upper ? asBound(upper) : null;
  const tighter = (a: Bound | null, b: number, pick: (x: number, y: number) => number): Bound =>
    a === null ? b : typeof a === 'number' ? pick(a, b) : a;
  switch (base.kind) {
    case 'real': break;
    case 'positive': lo = tighter(lo, 0, Math.max); break;
    case 'greaterThan': lo = typeof base.lower === 'number' ? tighter(lo, base.lower, Math.max) : lo ?? base.lower; break;
    case 'lessThan': hi = typeof base.upper === 'number' ? tighter(hi, base.upper, Math.min) : hi ?? base.upper; break;
    case 'interval':
      lo = typeof base.lower === 'number' ? tighter(lo, base.lower, Math.max) : lo ?? base.lower;
      hi = typeof base.upper === 'number' ? tighter(hi, base.upper, Math.min) : hi ?? base.upper;
      break;
    default: throw new ModelError(`[${family}] cannot restrict a distribution with ${base.kind} support`);
  }
  if (typeof lo === 'number' && typeof hi === 'number' && !(lo < hi)) {
    throw new ModelError(`[${family}] lower (${lo}) must be below upper (${hi})`);
  }
  if (lo !== null && hi !== null) return { kind: 'interval', lower: lo, upper: hi };
  if (lo !== null) return lo === 0 ? { kind: 'positive' } : { kind: 'greaterThan', lower: lo };
  if (hi !== null) return { kind: 'lessThan', upper: hi };
  return { kind: 'real' };
}

/** True where lower ≤ x ≤ upper (absent bounds are open). */
export function within(x: Expr, lower: Expr | null, upper: Expr | null): Expr | null {
  const conds = [lower ? ge(x, lower) : null, upper ? le(x, upper) : null].filter((c): c is Expr => c !== null);
  return conds.length ? allOf(conds[0]!, ...conds.slice(1)) : null;
}

/** A point inside [lower, upper] for masked-out elements. */
export function insidePoint(lower: Expr | null, upper: Expr | null, g: Expr['g']): Expr {
  if (lower && upper) return lower.add(upper).mul(0.5);
  if (lower) return lower.add(1);
  if (upper) return upper.sub(1);
  return lift('Truncated', 'point', 0, g);
}

/** Broadcasts a bound to `shape` for host draws. */
export function boundShape(e: Expr | null, shape: Shape): Expr | null {
  return e ? broadcastTo(e, [...shape]) : null;
}

/**
 * A standard normal draw restricted to [a, b] (either may be infinite) by the rejection samplers of Robert (1995),
 * "Simulation of truncated normal variables", Statistics and Computing 5: the translated-exponential proposal with
 * rate α* = (a + √(a² + 4))/2 in the tail, a uniform proposal on short intervals, plain rejection otherwise.
 */
export function truncatedStdNormal(rng: Rng, a: number, b: number): number {
  if (!(a < b)) return a === b ? a : NaN;
  if (b <= 0 && a < 0 && a !== -Infinity) return -truncatedStdNormal(rng, -b, -a);
  if (a === -Infinity) return b >= 0 ? normalReject(rng, a, b) : -truncatedStdNormal(rng, -b, Infinity);
  if (a < 0) return b - a >= 2.5 ? normalReject(rng, a, b) : uniformReject(rng, a, b, 0);
  if (a < 0.45) return b - a > 1 ? normalReject(rng, a, b) : uniformReject(rng, a, b, a);
  if (b - a < 1 / a) return uniformReject(rng, a, b, a);
  const alpha = (a + Math.sqrt(a * a + 4)) / 2;
  for (;;) {
    const z = a + exponential(rng) / alpha;
    if (z <= b && rng.uniform() <= Math.exp(-0.5 * (z - alpha) * (z - alpha))) return z;
  }
}

function normalReject(rng: Rng, a: number, b: number): number {
  for (;;) {
    const z = rng.normal();
    if (z >= a && z <= b) return z;
  }
}

/** Uniform proposal on [a, b] accepted with exp((m² − z²)/2), m the point of [a, b] nearest 0. */
function uniformReject(rng: Rng, a: number, b: number, m: number): number {
  for (;;) {
    const z = a + (b - a) * rng.uniform();
    if (rng.uniform() <= Math.exp(0.5 * (m * m - z * z))) return z;
  }
}

