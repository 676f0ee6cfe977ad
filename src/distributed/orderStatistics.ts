// Order statistics of values spread over ranks, exact, without moving the values: bisection on float64 bit patterns
// mapped to unsigned integers in the numbers' order (at most 64 rounds), each round one all_gather of every rank's
// count of values ≤ the midpoint; then R's type-7 quantiles and median from them, by the formulas of
// src/diagnostics/quantile.ts.
import { median, quantileSorted } from '../diagnostics/quantile.ts';
import { allGatherF64 } from './gather.ts';
import type { RankGroup } from './group.ts';

const SIGN = 1n << 63n;
const MASK = (1n << 64n) - 1n;

/** The unsigned integer whose order is that of the float64 `x` (−Inf lowest, +Inf highest; −0 just below +0). */
export function sortKey(x: number): bigint {
  const b = new BigUint64Array(Float64Array.of(x).buffer)[0]!;
  return b & SIGN ? ~b & MASK : b | SIGN;
}

/** The float64 of a sortKey. */
export function fromKey(k: bigint): number {
  const b = k & SIGN ? k & ~SIGN : ~k & MASK;
  return new Float64Array(BigUint64Array.of(b).buffer)[0]!;
}

/** How many values of ascending `sorted` are ≤ v. */
function countAtMost(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The k-th smallest (0-based) value of column `col` over every rank. */
export interface OrderTarget { readonly col: number; readonly k: number }

/**
 * The order statistics `targets` of columns whose values are spread over the ranks (`sorted[col]`: this rank's values
 * of a column, ascending, no NaN). Every rank passes the same targets and gets the same values back.
 */
export async function orderStatistics(g: RankGroup, sorted: readonly Float64Array[], targets: readonly OrderTarget[]): Promise<number[]> {
  const ends = new Float64Array(sorted.length * 2);
  sorted.forEach((s, c) => {
    ends[2 * c] = s.length > 0 ? s[0]! : Infinity;
    ends[2 * c + 1] = s.length > 0 ? s[s.length - 1]! : -Infinity;
  });
  const parts = await allGatherF64(g, ends, 'summary: the columns\' ranges');
  const lo = targets.map((t) => sortKey(Math.min(...parts.map((p) => p[2 * t.col]!))));
  const hi = targets.map((t) => sortKey(Math.max(...parts.map((p) => p[2 * t.col + 1]!))));
  for (let round = 0; round < 65 && lo.some((l, i) => l < hi[i]!); round++) {
    const mid = lo.map((l, i) => (l + hi[i]!) >> 1n);
    const counts = Float64Array.from(targets, (t, i) => countAtMost(sorted[t.col]!, fromKey(mid[i]!)));
    const all = await allGatherF64(g, counts, 'summary: counting for the quantiles');
    targets.forEach((t, i) => {
      if (lo[i]! >= hi[i]!) return;
      const n = all.reduce((a, p) => a + p[i]!, 0);
      if (n >= t.k + 1) hi[i] = mid[i]!;
      else lo[i] = mid[i]! + 1n;
    });
  }
  return lo.map(fromKey);
}

/** The order statistics a type-7 quantile at `prob` of `size` values needs (0-based), and how to combine them. */
export function type7Targets(size: number, prob: number): { ks: [number, number]; value: (a: number, b: number) => number } {
  const index = 1 + Math.max(size - 1, 0) * Math.max(0, Math.min(1, prob));
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  // quantileSorted reads exactly positions lo − 1 and hi − 1: a sparse view with those two is the whole array to it
  return { ks: [lo - 1, hi - 1], value: (a, b) => quantileSorted({ length: size, [lo - 1]: a, [hi - 1]: b } as ArrayLike<number>, prob) };
}

/** R's median of `size` values from its middle order statistics (0-based positions, and how to combine them). */
export function medianTargets(size: number): { ks: [number, number]; value: (a: number, b: number) => number } {
  const half = Math.floor((size + 1) / 2);
  return size % 2 === 1 ? { ks: [half - 1, half - 1], value: (a) => a } : { ks: [half - 1, half], value: (a, b) => median(Float64Array.of(a, b)) };
}
