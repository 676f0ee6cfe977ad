// Small numerical helpers the plots need: quantiles, KDE, histogram bins, autocorrelation per lag, pooled ranks.
// (R-hat, ESS and E-BFMI come from src/diagnostics; these only shape what is drawn.)

/** Finite values of `xs`, sorted ascending. */
export function sortedFinite(xs: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]!)) out.push(xs[i]!);
  return Float64Array.from(out).sort();
}

/** Quantile of sorted data, linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length > 0 ? s / xs.length : NaN;
}

/** Sample variance (n − 1 denominator). */
export function variance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i]! - m) ** 2;
  return s / (n - 1);
}

/** Concatenates chains. */
export function pool(chains: readonly ArrayLike<number>[]): Float64Array {
  const n = chains.reduce((a, c) => a + c.length, 0);
  const out = new Float64Array(n);
  let k = 0;
  for (const c of chains) for (let i = 0; i < c.length; i++) out[k++] = c[i]!;
  return out;
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

/** Autocorrelation of one chain at lags 0..maxLag (biased estimator, as in Stan and ArviZ). */
export function autocorrelation(xs: ArrayLike<number>, maxLag: number): number[] {
  const n = xs.length;
  const m = mean(xs);
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += (xs[i]! - m) ** 2;
  const out: number[] = [];
  for (let k = 0; k <= Math.min(maxLag, n - 1); k++) {
    if (c0 === 0) {
      out.push(k === 0 ? 1 : 0);
      continue;
    }
    let s = 0;
    for (let i = 0; i + k < n; i++) s += (xs[i]! - m) * (xs[i + k]! - m);
    out.push(s / c0);
  }
  return out;
}

/** Ranks (1-based, ties get their average rank) of the pooled values; returned per chain. */
export function pooledRanks(chains: readonly ArrayLike<number>[]): Float64Array[] {
  const all = pool(chains);
  const order = Array.from(all.keys()).sort((a, b) => all[a]! - all[b]!);
  const ranks = new Float64Array(all.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && all[order[j + 1]!] === all[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  const out: Float64Array[] = [];
  let k = 0;
  for (const c of chains) {
    out.push(ranks.slice(k, k + c.length));
    k += c.length;
  }
  return out;
}
