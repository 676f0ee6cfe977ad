// The summary of a spread run without gathering its draws (`gather: 'summary'`): each rank reduces its own chains to
// what the diagnostics need and the ranks exchange only that (a few all_gathers per column whose size does not grow
// with the chains). Exact up to rounding: mean, sd, mcse (mean and sd), ess_tail, and the quantiles q5/q50/q95 (the
// order statistics themselves, found by bisection: orderStatistics.ts). ess_bulk and R-hat rank every draw among all
// chains (Vehtari et al. 2021's rank normalisation): a rank's draws are ranked among another rank's through that
// rank's sorted draws, all of them when it holds at most MAX_KNOTS + 1 per column (exact), else MAX_KNOTS + 1 evenly
// spaced order statistics with linear interpolation between them (approximate). Columns with a non-finite draw have
// NA for those two (one process ranks ±Inf draws like any other).
import { flatten, type Chains } from '../diagnostics/draws.ts';
import { mcseSdFrom } from '../diagnostics/mcse.ts';
import { accurateSum, mean, variance } from '../diagnostics/moments.ts';
import { lowerBound, normalScore } from '../diagnostics/rank.ts';
import type { SummaryRow } from '../diagnostics/summary.ts';
import type { FitData } from '../io/fitData.ts';
import { drawCount } from '../fit/warnings.ts';
import { allGatherF64 } from './gather.ts';
import type { RankGroup } from './group.ts';
import { medianTargets, orderStatistics, type7Targets, type OrderTarget } from './orderStatistics.ts';
import { combineSplitMoments, essOfSplit, rhatOfSplit, splitMoments } from './splitMoments.ts';

/**
 * At most this many + 1 order statistics per rank and column stand for its draws when the others rank theirs
 * (ess_bulk, R-hat): a rank with no more draws per column sends them all, and the ranks are exact.
 */
export const MAX_KNOTS = 1 << 14;

/** What the summary gather gives every rank. */
export interface SpreadSummary {
  readonly rows: SummaryRow[];
  /** Chains of the whole run and draws per chain summarised (the shortest chain's, for a run stopped early). */
  readonly chains: number;
  readonly draws: number;
  /** What is approximate in the rows (APPROXIMATE_NOTE), or null when every column is exact up to rounding. */
  readonly approximate: string | null;
}

/** What the summary says of its ess_bulk and rhat columns when a rank held more draws per column than MAX_KNOTS + 1. */
export const APPROXIMATE_NOTE = `ess_bulk and rhat are approximate: each draw is ranked among another rank's draws by interpolating between ${MAX_KNOTS + 1} of their order statistics (every other column is exact up to rounding)`;

/** Cuts `flat` (several equal-length rows) into its rows. */
const rows = (flat: Float64Array, width: number) => Array.from({ length: flat.length / width }, (_, i) => flat.subarray(i * width, (i + 1) * width));

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
 * The summary rows of every column over every rank's chains, the same on every rank; null when the chains hold
 * fewer than 4 draws (the split-chain statistics need 2 per half: gather the draws instead).
 */
export async function gatherSummary(g: RankGroup, d: FitData): Promise<SpreadSummary | null> {
  const local = Float64Array.of(drawCount(d), d.values.length);
  const counts = await allGatherF64(g, local, 'summary: draws per rank');
  const n = Math.min(...counts.map((c) => c[0]!));
  const chains = counts.reduce((a, c) => a + c[1]!, 0);
  if (n < 4) return null;
  const size = chains * n;
  const cols = d.columns.map((_, j) => d.values.map((c) => c[j]!.subarray(0, n)));
  const flats = cols.map((c) => flatten(c));
  const sorted = flats.map((f) => Float64Array.from(f).sort());
  // rank normalisation ranks the split chains' draws, which leave out the middle draw of an odd n (draws.ts splitChains)
  const h = Math.floor(n / 2);
  const trim = (x: Float64Array) => (n % 2 === 0 ? x : Float64Array.of(...x.subarray(0, h), ...x.subarray(n - h)));
  const trimmed = cols.map((c) => c.map(trim));
  const sortedTrimmed = trimmed.map((c) => flatten(c).sort());
  const sizes = counts.map((c) => c[1]! * 2 * h);
  const knots = Math.min(MAX_KNOTS, Math.max(...sizes) - 1); // + 1 order statistics per rank and column
  // round 1: moments of all draws, split moments of x, knots of x
  const m1 = cols.map((c, j) => {
    const f = flats[j]!;
    return Float64Array.of(f.length, mean(f), variance(f) * (f.length - 1), f.some(Number.isNaN) ? 1 : 0, ...splitMoments(c), ...knotsOf(sortedTrimmed[j]!, knots));
  });
  const w1 = m1[0]?.length ?? 0;
  const r1 = (await allGatherF64(g, concat(m1), 'summary: moments and knots')).map((p) => rows(p, w1));
  const head = (j: number, rho: number) => r1[rho]![j]!;
  const moments = cols.map((_, j) => {
    let [cnt, mu, m2] = [0, 0, 0];
    r1.forEach((_, rho) => { // Chan et al.'s pairwise combination of means and M2
      const [nb, mb, m2b] = [head(j, rho)[0]!, head(j, rho)[1]!, head(j, rho)[2]!];
      const dlt = mb - mu;
      const t = cnt + nb;
      m2 += m2b + (dlt * dlt * cnt * nb) / t;
      mu += (dlt * nb) / t;
      cnt = t;
    });
    const nan = r1.some((_, rho) => head(j, rho)[3] === 1);
    const split = combineSplitMoments(r1.map((_, rho) => head(j, rho).subarray(4, w1 - (knots + 1))));
    return { mean: mu, sd: Math.sqrt(m2 / (cnt - 1)), nan, split, knots: r1.map((_, rho) => head(j, rho).subarray(w1 - (knots + 1))) };
  });
  // the quantiles and the median, exactly (columns with a NaN draw have none: posterior's quantile2 gives NA)
  const wanted = [type7Targets(size, 0.05), type7Targets(size, 0.5), type7Targets(size, 0.95), medianTargets(size)];
  const exact = cols.map((_, j) => j).filter((j) => !moments[j]!.nan);
  const targets: OrderTarget[] = exact.flatMap((col) => wanted.flatMap((w) => w.ks.map((k) => ({ col, k }))));
  const stats = await orderStatistics(g, sorted, targets);
  const q = cols.map(() => [NaN, NaN, NaN, NaN]);
  exact.forEach((col, e) => wanted.forEach((w, i) => (q[col]![i] = w.value(stats[8 * e + 2 * i]!, stats[8 * e + 2 * i + 1]!))));
  // round 2: (x − mean)², the quantile indicators, bulk normal scores; knots of the draws folded at the median
  const folded = trimmed.map((c, j) => c.map((x) => x.map((v) => Math.abs(v - q[j]![3]!))));
  const sortedFolded = folded.map((c) => flatten(c).sort());
  const m2 = cols.map((c, j) => {
    const mj = moments[j]!;
    const sq = c.map((x) => x.map((v) => (v - mj.mean) * (v - mj.mean)));
    const sqFlat = flatten(sq);
    const z = mj.nan || mj.split[6] === 1 ? c.map((x) => x.map(() => NaN)) : approximateZ(trimmed[j]!, sortedTrimmed[j]!, mj.knots, sizes, g.rank);
    return Float64Array.of(accurateSum(sqFlat), accurateSum(sqFlat.map((s) => s * s)), ...splitMoments(sq),
      ...splitMoments(c.map((x) => x.map((v) => (v <= q[j]![0]! ? 1 : 0)))), ...splitMoments(c.map((x) => x.map((v) => (v <= q[j]![2]! ? 1 : 0)))),
      ...splitMoments(z), ...knotsOf(sortedFolded[j]!, knots));
  });
  const w2 = m2[0]?.length ?? 0;
  const r2 = (await allGatherF64(g, concat(m2), 'summary: transformed moments')).map((p) => rows(p, w2));
  const ws = (w2 - 2 - (knots + 1)) / 4;
  const part = (j: number, i: number) => combineSplitMoments(r2.map((p) => p[j]!.subarray(2 + i * ws, 2 + (i + 1) * ws)));
  // round 3: tail normal scores (draws folded at the median)
  const m3 = folded.map((f, j) => {
    const nanTail = moments[j]!.nan || moments[j]!.split[6] === 1;
    return splitMoments(nanTail ? f.map((x) => x.map(() => NaN)) : approximateZ(f, sortedFolded[j]!, r2.map((p) => p[j]!.subarray(w2 - (knots + 1))), sizes, g.rank));
  });
  const w3 = m3[0]?.length ?? 0;
  const r3 = (await allGatherF64(g, concat(m3), 'summary: tail normal scores')).map((p) => rows(p, w3));
  const out = d.columns.map((name, j): SummaryRow => {
    const mj = moments[j]!;
    const sum = (i: number) => r2.reduce((a, p) => a + p[j]![i]!, 0);
    const essMean = essOfSplit(mj.split);
    const [low, high] = [essOfSplit(part(j, 1)), essOfSplit(part(j, 2))];
    const bulk = rhatOfSplit(part(j, 3));
    const tail = rhatOfSplit(combineSplitMoments(r3.map((p) => p[j]!)));
    const nanX = mj.split[6] === 1 || Math.abs(mj.split[5]! - mj.split[4]!) < Number.EPSILON; // should_return_NA of x
    return {
      name, mean: mj.mean, sd: mj.sd, mcseMean: mj.sd / Math.sqrt(essMean), mcseSd: mcseSdFrom(sum(0) / size, sum(1) / size, essOfSplit(part(j, 0))),
      q5: q[j]![0]!, q50: q[j]![1]!, q95: q[j]![2]!, essBulk: essOfSplit(part(j, 3)),
      essTail: nanX || Number.isNaN(low) || Number.isNaN(high) ? NaN : Math.min(low, high),
      rhat: Number.isNaN(bulk) || Number.isNaN(tail) ? NaN : Math.max(bulk, tail),
    };
  });
  return { rows: out, chains, draws: n, approximate: knots < Math.max(...sizes) - 1 ? APPROXIMATE_NOTE : null };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}
