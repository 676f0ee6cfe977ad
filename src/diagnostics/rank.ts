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
 * Average ranks (1-based) of `values`, ties sharing their mean rank (R's `rank(ties.method = "average")`);
 * NaN values get NaN and are not ranked. A run of equal values at sorted positions i … j (0-based) has the
 * rank (i + j + 2)/2.
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const sorted = Float64Array.from(values).filter((v) => !Number.isNaN(v)).sort();
  const runRank = new Float64Array(sorted.length); // the average rank of the run starting at each position
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    runRank[i] = (i + j + 2) / 2;
    i = j + 1;
  }
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    ranks[i] = Number.isNaN(v) ? NaN : runRank[lowerBound(sorted, v)]!;
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
