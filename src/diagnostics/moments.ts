// Sample moments as R computes them: a mean with a correction pass, the n − 1 variance and sd.
//
// R sums in long double (80-bit on x86) and then adds a second pass of residuals to the mean (R's
// src/main/summary.c, `real_mean`; src/library/stats/src/cov.c for var). JavaScript has no long double, so
// the sums here are Neumaier-compensated, which is at least as accurate; the difference from R is in the
// last bit or two, far below the 1e-8 the tests ask for.

/** Σ values, compensated (Neumaier 1974). Non-finite sums come back as the plain sum (Inf, −Inf or NaN). */
export function accurateSum(values: ArrayLike<number>): number {
  return neumaier(values.length, (i) => values[i]!);
}

/** Neumaier-compensated Σ term(i) for i < n (the running-compensation loop both sums share). */
function neumaier(n: number, term: (i: number) => number): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const v = term(i);
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + comp : sum;
}

/** Mean with R's correction pass (mean = s + Σ(x − s)/n with s = Σx/n). NaN for an empty input. */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = accurateSum(values) / n;
  if (!Number.isFinite(s)) return s;
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]! - s;
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return s + (sum + comp) / n;
}

/**
 * Mean as matrixStats' `colMeans2` computes it: a plain running double sum divided by n. posterior takes its
 * chain means this way (in `.rhat` and `.ess`), and under heavy cancellation (draws like 1e6 ± 0.01) they
 * differ from the correctly rounded means by a few ulps, enough to move R-hat and ESS at the 1e-8 level. We
 * reproduce it there so results match posterior; everywhere else the accurate `mean` is used.
 */
export function plainMean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Σ (x − center)² / divisor, compensated. */
function sumSquaredDeviations(values: ArrayLike<number>, center: number): number {
  return neumaier(values.length, (i) => {
    const d = values[i]! - center;
    return d * d;
  });
}

/** Sample variance with divisor n − 1 (R's `var`); NaN for fewer than 2 values (R's NA). */
export function variance(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return NaN;
  return sumSquaredDeviations(values, mean(values)) / (n - 1);
}

/** Variance about a given centre with divisor n − 1 (matrixStats' `colVars(x, center = …)`). */
export function varianceAbout(values: ArrayLike<number>, center: number): number {
  const n = values.length;
  if (n < 2) return NaN;
  return sumSquaredDeviations(values, center) / (n - 1);
}

/** Sample standard deviation (R's `sd`): √variance. */
export function sd(values: ArrayLike<number>): number {
  return Math.sqrt(variance(values));
}
