// Special functions in graph ops for log densities and CDFs: log Φ, log(1 − eˣ), atan, xlogy, lbeta, folded lgamma.
import { lgamma as hostLgamma } from '../backend/reference/special.ts';
import { constant, Expr, where } from '../graph/expr.ts';
import { div, erf, exp, expm1, gt, le, lgamma, log, log1p, maximum, minimum, sqrt, square } from '../graph/ops.ts';
import { constData, HALF_LOG_2PI } from './distribution.ts';

/** lgamma that folds a constant argument on the host in float64 (keeps normalising constants exact in float32). */
export function lgammaC(x: Expr): Expr {
  const c = constData(x);
  if (c) return constant(x.g, c.map(hostLgamma), '[lgamma]').reshape(x.shape);
  return lgamma(x);
}

// Stirling's series for δ(x) = lgamma(x) − ((x − ½)log x − x + ½ log 2π) (Abramowitz & Stegun 6.1.40): seven terms
// at x ≥ 10 leave an error below 3e-17 (checked against mpmath.loggamma).
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];
const STIRLING_FROM = 10;

/** δ(x) for x ≥ 10 (callers clamp the argument there). */
function stirlingDiff(x: Expr): Expr {
  const r = div(1, x);
  const r2 = square(r);
  let s = r2.mul(STIRLING[6]!).add(STIRLING[5]!);
  for (let i = 4; i >= 0; i--) s = r2.mul(s).add(STIRLING[i]!);
  return s.mul(r);
}

/**
 * log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b) without the cancellation of large lgammas: with x = min, y = max,
 * lgamma directly when y < 10; lgamma(x) + δ(y) − δ(x+y) + (y − ½)·log1p(−x/(x+y)) + x·(1 − log(x+y)) when only y is
 * large; δ(x) + δ(y) − δ(x+y) + (x − ½)·log(x/(x+y)) + y·log1p(−x/(x+y)) + ½ log 2π − ½ log y when both are (the
 * Stirling expansions of the three lgammas, subtracted analytically; the same split as Stan's lbeta). Constant
 * arguments are folded on the host.
 */
export function lbeta(a: Expr, b: Expr): Expr {
  const ca = constData(a);
  const cb = constData(b);
  if (ca && cb && ca.length === 1 && cb.length === 1) {
    const v = hostLgamma(ca[0]!) + hostLgamma(cb[0]!) - hostLgamma(ca[0]! + cb[0]!);
    return constant(a.g, v, '[lbeta]');
  }
  const aSmaller = gt(b, a);
  const x = where(aSmaller, a, b); // where, not min/max: at a tie each argument keeps its own gradient
  const y = where(aSmaller, b, a);
  const yBig = gt(y, STIRLING_FROM);
  const xBig = gt(x, STIRLING_FROM);
  const small = lgammaC(a).add(lgammaC(b)).sub(lgammaC(a.add(b)));
  const ys = maximum(y, STIRLING_FROM);
  const xs = maximum(x, STIRLING_FROM);
  const xm = minimum(x, STIRLING_FROM); // x where only y is large
  const oneBig = lgamma(xm).add(stirlingDiff(ys)).sub(stirlingDiff(xm.add(ys)))
    .add(ys.sub(0.5).mul(log1p(xm.div(xm.add(ys)).neg()))).add(xm.mul(log(xm.add(ys)).neg().add(1)));
  const bothBig = stirlingDiff(xs).add(stirlingDiff(ys)).sub(stirlingDiff(xs.add(ys)))
    .add(xs.sub(0.5).mul(log(xs.div(xs.add(ys))))).add(ys.mul(log1p(xs.div(xs.add(ys)).neg())))
    .add(HALF_LOG_2PI).sub(log(ys).mul(0.5));
  return where(yBig, where(xBig, bothBig, oneBig), small);
}

/** x·log y with 0·log 0 = 0 (and no NaN gradient where x = 0). */
export function xlogy(x: Expr, y: Expr): Expr {
  const zero = le(x, 0);
  return where(zero, 0, x.mul(log(where(zero, 1, y))));
}

/** x·log(1 + y) with 0·log 0 = 0. */
export function xlog1py(x: Expr, y: Expr): Expr {
  const zero = le(x, 0);
  return where(zero, 0, x.mul(log1p(where(zero, 0, y))));
}

/**
 * log(1 − eᵃ) for a ≤ 0, switching at −log 2 between log(−expm1 a) and log1p(−eᵃ) (Mächler 2012,
 * "Accurately computing log(1 − exp(−|a|))", CRAN Rmpfr vignette). Each branch sees only its own range.
 */
export function log1mexp(a: Expr): Expr {
  const near = gt(a, -Math.LN2);
  const a1 = maximum(a, -Math.LN2);
  const a2 = minimum(a, -Math.LN2);
  return where(near, log(expm1(a1).neg()), log1p(exp(a2).neg()));
}

/** log(eᵃ − eᵇ) for a ≥ b. */
export function logDiffExp(a: Expr, b: Expr): Expr {
  return a.add(log1mexp(minimum(b.sub(a), 0)));
}

/**
 * erf(w) for |w| ≤ ½ by its Maclaurin series (2/√π)·Σ (−1)ⁿ w²ⁿ⁺¹/(n!(2n+1)) (Abramowitz & Stegun 7.1.5), 12 terms
 * (truncation below 2e-16 relative). Unlike the erf primitive (about 1e-7 absolute on the MLX backend, float64
 * included) it keeps relative accuracy as w → 0.
 */
export function erfSmall(w: Expr): Expr {
  const u = square(w);
  const c = (n: number): number => {
    let f = 1;
    for (let k = 2; k <= n; k++) f *= k;
    return (n % 2 === 0 ? 1 : -1) / (f * (2 * n + 1));
  };
  let s = u.mul(c(11)).add(c(10));
  for (let n = 9; n >= 0; n--) s = u.mul(s).add(c(n));
  return w.mul(s).mul(2 / Math.sqrt(Math.PI));
}

// log Φ(z): the erf form for z ≥ −T, the continued fraction of Mills' ratio below (T = 2.5, depth 60). Measured
// against scipy.special.log_ndtr: the fraction R(t) = 1/(t + 1/(t + 2/(t + 3/(t + …)))) (Abramowitz & Stegun
// 26.2.14) truncated at depth 60 has relative error ≤ 6e-16 for t ≥ 2.5, and at z = −2.5 the erf form loses
// only |δerf| / (2Φ) ≈ 4e-14 (float64) or ≈ 1e-5 absolute (float32).
const NDTR_SWITCH = 2.5;
const NDTR_DEPTH = 60;

/** log Φ(z) for z ≤ 0 (the lower tail, accurate in relative terms). */
function logNdtrLower(z: Expr): Expr {
  const far = gt(z.neg(), NDTR_SWITCH);
  const zn = maximum(z, -NDTR_SWITCH); // erf branch input
  const t = maximum(z.neg(), NDTR_SWITCH); // continued-fraction branch input
  const viaErf = log(erf(zn.mul(Math.SQRT1_2)).mul(0.5).add(0.5));
  let f = t;
  for (let n = NDTR_DEPTH; n >= 1; n--) f = t.add(div(n, f));
  const viaCf = square(t).mul(-0.5).sub(HALF_LOG_2PI).sub(log(f));
  return where(far, viaCf, viaErf);
}

/** log Φ(z), the standard normal log CDF, accurate in both tails (log1p(−Φ(−z)) above 0). */
export function logNdtr(z: Expr): Expr {
  const neg = le(z, 0);
  const lower = logNdtrLower(minimum(z, 0));
  const upper = log1p(exp(logNdtrLower(minimum(z.neg(), 0))).neg());
  return where(neg, lower, upper);
}

// atan from graph ops: two half-angle reductions atan(w) = 2·atan(w / (1 + √(1 + w²))) take |w| ≤ 1 to
// |w| ≤ tan(π/16) ≈ 0.199, where the Maclaurin series Σ (−1)ⁿ w²ⁿ⁺¹/(2n+1) truncated after 13 terms has
// error below 0.0396¹³/27 ≈ 3e-20 relative (Abramowitz & Stegun 4.4.42 for the series, 4.4.34 for the halving).
const ATAN_TERMS = 13;

/** atan(w) for |w| ≤ 1. */
export function atanCore(w: Expr): Expr {
  let v = w;
  for (let k = 0; k < 2; k++) v = v.div(sqrt(square(v).add(1)).add(1));
  const u = square(v);
  const c = (n: number): number => (n % 2 === 0 ? 1 : -1) / (2 * n + 1);
  let s = u.mul(c(ATAN_TERMS - 1)).add(c(ATAN_TERMS - 2)); // Horner in u = v²
  for (let n = ATAN_TERMS - 3; n >= 0; n--) s = u.mul(s).add(c(n));
  return v.mul(s).mul(4);
}

/** atan(x) for any real x. */
export function atan(x: Expr): Expr {
  const big = gt(square(x), 1);
  const xs = where(big, x, 1);
  const r = atanCore(where(big, div(1, xs), x));
  return where(big, where(gt(x, 0), Math.PI / 2, -Math.PI / 2).sub(r), r);
}

/** atan(1/t) = π/2 − atan(t) for t ≥ 0, without cancellation for large t. */
export function acot(t: Expr): Expr {
  const big = gt(t, 1);
  const small = atanCore(minimum(t, 1));
  const large = atanCore(div(1, maximum(t, 1)));
  return where(big, large, small.neg().add(Math.PI / 2));
}
