// Rank normalisation (Vehtari et al. 2021): average ranks over all draws mapped to normal scores.
//
// posterior's `z_scale`: r = rank of each draw among all draws (ties get their average rank, R's
// `rank(ties.method = "average")`), u = (r − c)/(S − 2c + 1) with S the number of draws and Blom's offset
// c = 3/8 (Blom 1958; posterior's `backtransform_ranks` default), z = Φ⁻¹(u). NaN draws get NaN.
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { flatten, type Chains } from './draws.ts';

/** Blom's fractional offset c = 3/8 (Blom 1958; posterior's `backtransform_ranks(r, c = 3/8)`). */
export const BLOM_OFFSET = 3 / 8;

/** Index of the first element of ascending `sorted` that is not below `v`. */
export function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The order of `values` ascending (NaNs excluded; equal values in index order): an LSD radix sort over the float64
 * bit patterns, mapped so that unsigned order is numeric order (sign bit flipped for positives, all bits for
 * negatives; −0 and +0 become equal), in four passes of 16 bits. O(n), where a comparison sort of indices, or a sorted
 * copy searched once per draw, cost seconds for the millions of draws of many-chain GPU fits.
 * Returns the order with the keys in that order (hi, lo: equal values have equal keys).
 */
function ascendingOrder(values: ArrayLike<number>): { order: Uint32Array; hi: Uint32Array; lo: Uint32Array } {
  const n = values.length;
  const f = new Float64Array(1);
  const w = new Uint32Array(f.buffer);
  // the keys travel with their indices through the passes, so each pass reads them in order
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  let idx = new Uint32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    f[0] = v === 0 ? 0 : v;
    const h = w[1]!;
    const l = w[0]!;
    if (h & 0x80000000) {
      hi[m] = ~h >>> 0;
      lo[m] = ~l >>> 0;
    } else {
      hi[m] = (h | 0x80000000) >>> 0;
      lo[m] = l;
    }
    idx[m++] = i;
  }
  hi = hi.subarray(0, m);
  lo = lo.subarray(0, m);
  idx = idx.subarray(0, m);
  let hi2 = new Uint32Array(m);
  let lo2 = new Uint32Array(m);
  let idx2 = new Uint32Array(m);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let j = 0; j < m; j++) count[(key[j]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let j = 0; j < m; j++) {
      const at = count[(key[j]! >>> shift) & 0xffff]!++;
      hi2[at] = hi[j]!;
      lo2[at] = lo[j]!;
      idx2[at] = idx[j]!;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [idx, idx2] = [idx2, idx];
  }
  return { order: idx, hi, lo };
}

/**
 * Average ranks (1-based) of `values`, ties sharing their mean rank (R's `rank(ties.method = "average")`);
 * NaN values get NaN and are not ranked. A run of equal values at sorted positions i … j (0-based) has the
 * rank (i + j + 2)/2.
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const { order, hi, lo } = ascendingOrder(values);
  const ranks = new Float64Array(n).fill(NaN);
  const m = order.length;
  for (let i = 0; i < m; ) {
    let j = i;
    while (j + 1 < m && hi[j + 1] === hi[i] && lo[j + 1] === lo[i]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** The normal score of average rank `r` among `size` draws: Φ⁻¹((r − c)/(size − 2c + 1)), c = BLOM_OFFSET. */
export function normalScore(r: number, size: number): number {
  return normalQuantile((r - BLOM_OFFSET) / (size - 2 * BLOM_OFFSET + 1), 0, 1);
}

/** Rank-normalised draws (posterior's `z_scale`), ranked jointly over all chains, returned chain by chain. */
export function zScale(chains: Chains): Float64Array[] {
  const n = chains[0]?.length ?? 0;
  const ranks = averageRanks(flatten(chains));
  const size = ranks.length;
  const z = ranks.map((r) => normalScore(r, size));
  return chains.map((_, c) => z.slice(c * n, (c + 1) * n));
}
