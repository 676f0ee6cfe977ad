// Quantiles as posterior::quantile2 computes them: R's `quantile(type = 7)` over all draws, the median, and draws folded at it.
//
// R's type 7 (Hyndman & Fan 1996, definition 7; R's src/library/stats/R/quantile.R): with the draws sorted
// as x[1] ≤ … ≤ x[n], index = 1 + (n − 1)·p, lo = ⌊index⌋, hi = ⌈index⌉, h = index − lo, and
// Q(p) = (1 − h)·x[lo] + h·x[hi], the interpolation skipped when h = 0 or x[hi] = x[lo] (so ties and infinite
// values stay exact). posterior::quantile2 returns NA for every probability when any draw is NA/NaN.
import { checkChains, checkProb, flatten, mapDraws, type Chains } from './draws.ts';
import { mean } from './moments.ts';

/** Type-7 quantile of ascending `sorted` (no NaN) at `prob` ∈ [0, 1]. NaN for an empty array. */
export function quantileSorted(sorted: ArrayLike<number>, prob: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const p = Math.max(0, Math.min(1, prob));
  const index = 1 + Math.max(n - 1, 0) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qLo = sorted[lo - 1]!;
  const xHi = sorted[hi - 1]!;
  if (index > lo && xHi !== qLo) {
    const h = index - lo;
    return (1 - h) * qLo + h * xHi;
  }
  return qLo;
}

/** Sorted copy of all values; `null` when any is NaN (R's `quantile` and `median` then give NA). */
export function sortedOrNull(values: ArrayLike<number>): Float64Array | null {
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i]!)) return null;
  return out.sort();
}

/** Type-7 quantile of unsorted values; NaN if any value is NaN. */
export function quantile7(values: ArrayLike<number>, prob: number): number {
  const sorted = sortedOrNull(values);
  return sorted === null ? NaN : quantileSorted(sorted, prob);
}

/** R's `median`: the middle draw, or the mean of the two middle draws; NaN if any value is NaN or none. */
export function median(values: ArrayLike<number>): number {
  return medianSorted(sortedOrNull(values));
}

/** median() of values already sorted by sortedOrNull (null: some value was NaN). */
export function medianSorted(sorted: Float64Array | null): number {
  const n = sorted?.length ?? 0;
  if (sorted === null || n === 0) return NaN;
  const half = Math.floor((n + 1) / 2); // 1-based, as in R's median.default
  if (n % 2 === 1) return sorted[half - 1]!;
  return mean([sorted[half - 1]!, sorted[half]!]);
}

/**
 * posterior::quantile2 over all chains: one type-7 quantile per probability (default the 5% and 95%
 * quantiles, posterior's default `probs = c(0.05, 0.95)`). All NaN when any draw is NaN.
 */
export function quantile2(chains: Chains, probs: readonly number[] = [0.05, 0.95]): number[] {
  checkChains('quantile2', chains);
  probs.forEach((p) => checkProb('quantile2', p));
  const sorted = sortedOrNull(flatten(chains));
  return probs.map((p) => (sorted === null ? NaN : quantileSorted(sorted, p)));
}

/** |x − median(x)| over all draws (posterior's `fold_draws`; Vehtari et al. 2021). */
export function foldDraws(chains: Chains): Float64Array[] {
  const m = median(flatten(chains));
  return mapDraws(chains, (v) => Math.abs(v - m));
}
