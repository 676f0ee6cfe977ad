// The summary gather's work on one column of one rank (src/distributed/summaryGather.ts), in three rounds between its
// all_gathers: functions of the column's chains and of what the ranks exchanged before, so that the columns can run
// on worker threads (src/fit/summaryPool.ts mapColumns: about a microsecond per draw and round on one thread, minutes
// for a GPU rank's tens of thousands of chains). Each round sorts what it needs again instead of keeping it.
import { flatten, type Chains } from '../diagnostics/draws.ts';
import { accurateSum, mean, variance } from '../diagnostics/moments.ts';
import { lowerBound, normalScore } from '../diagnostics/rank.ts';
import { splitMoments } from './splitMoments.ts';

/** A rank's knots: the values at positions round(i·(N − 1)/K), i = 0 … K, of its N sorted values. */
function knotsOf(sorted: Float64Array, k: number): Float64Array {
  const n = sorted.length;
  return Float64Array.from({ length: k + 1 }, (_, i) => sorted[Math.round((i * (n - 1)) / k)]!);
}

/** x < v, or x ≤ v (a plain function: this runs for every draw and every other rank). */
function isBelow(x: number, v: number, orEqual: boolean): boolean {
  return orEqual ? x <= v : x < v;
}

/**
 * About how many of a rank's N values (described by its K + 1 knots) lie below v (or at most v): linear between the
 * knots around v. `cursor[slot]` is the last knot below the previous v (−1 at first); v must not decrease between calls.
 */
function countBelow(knots: Float64Array, n: number, v: number, orEqual: boolean, cursor: Int32Array, slot: number): number {
  const k = knots.length - 1;
  let i = cursor[slot]!;
  while (i < k && isBelow(knots[i + 1]!, v, orEqual)) i++;
  cursor[slot] = i;
  if (i < 0) return 0;
  if (i === k) return n;
  const p = Math.round((i * (n - 1)) / k);
  const q = Math.round(((i + 1) * (n - 1)) / k);
  return p + 1 + ((q - p - 1) * (v - knots[i]!)) / (knots[i + 1]! - knots[i]!);
}

/**
 * Normal scores of this rank's draws (`chains`, their values ascending in `sorted`) ranked among every rank's: ranks
 * among its own exact (ties share their mean rank), among another rank's from its knots (ties counting half).
 */
function approximateZ(chains: Chains, sorted: Float64Array, knots: readonly Float64Array[], sizes: readonly number[], self: number): Float64Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const runZ = new Float64Array(sorted.length); // the normal score of the run of equal values starting at each position
  const cursor = new Int32Array(2 * knots.length).fill(-1);
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    const v = sorted[i]!;
    let rank = (i + j + 2) / 2; // as averageRanks (diagnostics/rank.ts)
    for (let rho = 0; rho < knots.length; rho++) {
      if (rho !== self) rank += (countBelow(knots[rho]!, sizes[rho]!, v, false, cursor, 2 * rho) + countBelow(knots[rho]!, sizes[rho]!, v, true, cursor, 2 * rho + 1)) / 2;
    }
    runZ[i] = normalScore(rank, total);
    i = j + 1;
  }
  return chains.map((x) => x.map((v) => runZ[lowerBound(sorted, v)]!));
}

/**
 * The chains without their middle draw when the draws per chain n are odd: rank normalisation ranks the split chains'
 * draws, which leave it out (diagnostics/draws.ts splitChains).
 */
function trimmed(c: Chains): Chains {
  const n = c[0]!.length;
  const h = Math.floor(n / 2);
  return n % 2 === 0 ? c : c.map((x) => Float64Array.of(...x.subarray(0, h), ...x.subarray(n - h)));
}

/** Round 1 of a column: [draws, mean, M2, has NaN (0/1), split moments…, knots of the trimmed draws…], and its sorted draws. */
export function columnRoundOne(c: Chains, a: { knots: number }): { row: Float64Array; sorted: Float64Array } {
  const f = flatten(c);
  const sortedTrimmed = flatten(trimmed(c)).sort();
  const row = Float64Array.of(f.length, mean(f), variance(f) * (f.length - 1), f.some(Number.isNaN) ? 1 : 0, ...splitMoments(c), ...knotsOf(sortedTrimmed, a.knots));
  return { row, sorted: f.sort() };
}

/** What round 2 of a column needs from round 1 of every rank and the quantiles. */
export interface RoundTwoArgs {
  readonly knots: number;
  readonly mean: number;
  /** the normal scores are all NaN (a NaN draw, or posterior's NA rule on the split chains) */
  readonly nanZ: boolean;
  /** q5, q50, q95 and the median */
  readonly q: readonly number[];
  /** every rank's knots of its trimmed draws (round 1), and its trimmed draws' count */
  readonly rankKnots: readonly Float64Array[];
  readonly sizes: readonly number[];
  readonly rank: number;
}

/**
 * Round 2 of a column: [Σ (x − mean)², Σ (x − mean)⁴, split moments of (x − mean)², of x ≤ q5, of x ≤ q95, of the bulk
 * normal scores…, knots of the draws folded at the median…].
 */
export function columnRoundTwo(c: Chains, a: RoundTwoArgs): Float64Array {
  const t = trimmed(c);
  const sortedFolded = flatten(t.map((x) => x.map((v) => Math.abs(v - a.q[3]!)))).sort();
  const sq = c.map((x) => x.map((v) => (v - a.mean) * (v - a.mean)));
  const sqFlat = flatten(sq);
  const z = a.nanZ ? c.map((x) => x.map(() => NaN)) : approximateZ(t, flatten(t).sort(), a.rankKnots, a.sizes, a.rank);
  return Float64Array.of(accurateSum(sqFlat), accurateSum(sqFlat.map((s) => s * s)), ...splitMoments(sq),
    ...splitMoments(c.map((x) => x.map((v) => (v <= a.q[0]! ? 1 : 0)))), ...splitMoments(c.map((x) => x.map((v) => (v <= a.q[2]! ? 1 : 0)))),
    ...splitMoments(z), ...knotsOf(sortedFolded, a.knots));
}

/** What round 3 of a column needs: the median, whether the tail scores are NaN, every rank's knots of its folded draws. */
export interface RoundThreeArgs {
  readonly median: number;
  readonly nanZ: boolean;
  readonly rankKnots: readonly Float64Array[];
  readonly sizes: readonly number[];
  readonly rank: number;
}

/** Round 3 of a column: the split moments of the tail normal scores (draws folded at the median). */
export function columnRoundThree(c: Chains, a: RoundThreeArgs): Float64Array {
  const folded = trimmed(c).map((x) => x.map((v) => Math.abs(v - a.median)));
  return splitMoments(a.nanZ ? folded.map((x) => x.map(() => NaN)) : approximateZ(folded, flatten(folded).sort(), a.rankKnots, a.sizes, a.rank));
}
