// What only the plots need: KDE, histogram bins, finite sorted values, ranks pooled over chains. Means, variances,
// quantiles, autocorrelations and ranks themselves come from src/diagnostics (one copy of each, posterior's semantics).
import { flatten } from '../diagnostics/draws.ts';
import { variance } from '../diagnostics/moments.ts';
import { quantileSorted } from '../diagnostics/quantile.ts';
import { averageRanks } from '../diagnostics/rank.ts';

/** Finite values of `xs`, sorted ascending. */
export function sortedFinite(xs: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]!)) out.push(xs[i]!);
  return Float64Array.from(out).sort();
}

/** Gaussian kernel density on an even grid over [lo, hi] of sorted data; bandwidth by Silverman's rule of thumb. */
export function kde(sorted: Float64Array, points = 128): { x: number[]; density: number[] } {
  const n = sorted.length;
  if (n === 0) return { x: [], density: [] };
  const sd = Math.sqrt(variance(sorted));
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  // Silverman (1986), eq. 3.31: h = 0.9 · min(sd, IQR/1.34) · n^(−1/5).
  let spread = Math.min(sd, iqr / 1.34);
  if (!(spread > 0)) spread = sd > 0 ? sd : Math.abs(sorted[0]!) * 1e-3 || 1e-3;
  const h = 0.9 * spread * n ** -0.2;
  const lo = sorted[0]! - 3 * h;
  const hi = sorted[n - 1]! + 3 * h;
  const x: number[] = [];
  const density: number[] = [];
  const norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
  // Only points within 6h contribute noticeably; walk a window over the sorted data.
  let start = 0;
  for (let g = 0; g < points; g++) {
    const xg = lo + ((hi - lo) * g) / (points - 1);
    while (start < n && sorted[start]! < xg - 6 * h) start++;
    let s = 0;
    for (let i = start; i < n && sorted[i]! <= xg + 6 * h; i++) {
      const u = (xg - sorted[i]!) / h;
      s += Math.exp(-0.5 * u * u);
    }
    x.push(xg);
    density.push(s * norm);
  }
  return { x, density };
}

export interface Bin {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/** Even bins over [lo, hi]; values outside are dropped. */
export function histogram(xs: ArrayLike<number>, lo: number, hi: number, bins: number): Bin[] {
  if (!(hi > lo)) {
    const c = lo === 0 ? 0.5 : Math.abs(lo) * 1e-3;
    lo -= c;
    hi += c;
  }
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!(x >= lo && x <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((x - lo) / w))]!++;
  }
  return counts.map((count, k) => ({ start: lo + k * w, end: lo + (k + 1) * w, count }));
}

/** Average ranks (1-based, ties share their mean rank) of the pooled values of every chain, returned per chain. */
export function pooledRanks(chains: readonly ArrayLike<number>[]): Float64Array[] {
  const ranks = averageRanks(flatten(chains.map((c) => Float64Array.from(c))));
  let k = 0;
  return chains.map((c) => ranks.slice(k, (k += c.length)));
}
