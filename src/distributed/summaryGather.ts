// The summary of a spread run without gathering its draws (`gather: 'summary'`): each rank reduces its own chains to
// what the diagnostics need and the ranks exchange only that (a few all_gathers per column whose size does not grow
// with the chains). Exact up to rounding: mean, sd, mcse (mean and sd), ess_tail, and the quantiles q5/q50/q95 (the
// order statistics themselves, found by bisection: orderStatistics.ts). ess_bulk and R-hat rank every draw among all
// chains (Vehtari et al. 2021's rank normalisation): a rank's draws are ranked among another rank's through that
// rank's sorted draws, all of them when it holds at most MAX_KNOTS + 1 per column (exact), else MAX_KNOTS + 1 evenly
// spaced order statistics with linear interpolation between them (approximate). Columns with a non-finite draw have
// NA for those two (one process ranks ±Inf draws like any other).
import { availableParallelism } from 'node:os';
import type { Chains } from '../diagnostics/draws.ts';
import { mcseSdFrom } from '../diagnostics/mcse.ts';
import type { SummaryRow } from '../diagnostics/summary.ts';
import type { FitData } from '../io/fitData.ts';
import { drawCount } from '../fit/warnings.ts';
import { allGatherF64 } from './gather.ts';
import type { RankGroup } from './group.ts';
import { medianTargets, orderStatistics, type7Targets, type OrderTarget } from './orderStatistics.ts';
import { combineSplitMoments, essOfSplit, rhatOfSplit } from './splitMoments.ts';
import { mapColumns, orOnThisThread, POOL_MIN_DRAWS, srcModule } from '../fit/summaryPool.ts';
import { columnRoundOne, columnRoundThree, columnRoundTwo, type RoundThreeArgs, type RoundTwoArgs } from './summaryColumns.ts';

/** The rounds of summaryColumns.ts by name (the name is what the workers look up). */
const COLUMN_ROUNDS = { columnRoundOne, columnRoundTwo, columnRoundThree };

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

/**
 * The summary rows of every column over every rank's chains, the same on every rank; null when the chains hold
 * fewer than 4 draws (the split-chain statistics need 2 per half: gather the draws instead). The columns' work runs on
 * up to `threads` worker threads when the rank's columns hold at least `minDraws` draws.
 */
export async function gatherSummary(g: RankGroup, d: FitData, threads = availableParallelism(), minDraws = POOL_MIN_DRAWS): Promise<SpreadSummary | null> {
  const local = Float64Array.of(drawCount(d), d.values.length);
  const counts = await allGatherF64(g, local, 'summary: draws per rank');
  const n = Math.min(...counts.map((c) => c[0]!));
  const chains = counts.reduce((a, c) => a + c[1]!, 0);
  if (n < 4) return null;
  const size = chains * n;
  const cols = d.columns.map((_, j) => d.values.map((c) => c[j]!.subarray(0, n)));
  // rank normalisation ranks the split chains' draws, which leave out the middle draw of an odd n (draws.ts splitChains)
  const h = Math.floor(n / 2);
  const sizes = counts.map((c) => c[1]! * 2 * h);
  const knots = Math.min(MAX_KNOTS, Math.max(...sizes) - 1); // + 1 order statistics per rank and column
  // each round's work on a column is a function of the column and what the ranks exchanged (summaryColumns.ts), run
  // on worker threads when the columns hold many draws
  const perColumn = <T>(fn: keyof typeof COLUMN_ROUNDS, args: readonly unknown[]): Promise<T[]> => {
    const here = () => cols.map((c, j) => (COLUMN_ROUNDS[fn] as (c: Chains, a: unknown) => T)(c, args[j]));
    return Math.min(threads, cols.length) <= 1 || cols.length * d.values.length * n < minDraws ? Promise.resolve(here())
      : orOnThisThread(mapColumns<T>({ module: srcModule('distributed/summaryColumns'), fn, named: false }, d.columns, cols, threads, args), here);
  };
  // round 1: moments of all draws, split moments of x, knots of x
  const one = await perColumn<{ row: Float64Array; sorted: Float64Array }>('columnRoundOne', cols.map(() => ({ knots })));
  const m1 = one.map((o) => o.row);
  const sorted = one.map((o) => o.sorted);
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
  const m2 = await perColumn<Float64Array>('columnRoundTwo', cols.map((_, j): RoundTwoArgs => {
    const mj = moments[j]!;
    return { knots, mean: mj.mean, nanZ: mj.nan || mj.split[6] === 1, q: q[j]!, rankKnots: mj.knots.map((k) => Float64Array.from(k)), sizes, rank: g.rank };
  }));
  const w2 = m2[0]?.length ?? 0;
  const r2 = (await allGatherF64(g, concat(m2), 'summary: transformed moments')).map((p) => rows(p, w2));
  const ws = (w2 - 2 - (knots + 1)) / 4;
  const part = (j: number, i: number) => combineSplitMoments(r2.map((p) => p[j]!.subarray(2 + i * ws, 2 + (i + 1) * ws)));
  // round 3: tail normal scores (draws folded at the median)
  const m3 = await perColumn<Float64Array>('columnRoundThree', cols.map((_, j): RoundThreeArgs => ({ median: q[j]![3]!,
    nanZ: moments[j]!.nan || moments[j]!.split[6] === 1, rankKnots: r2.map((p) => Float64Array.from(p[j]!.subarray(w2 - (knots + 1)))), sizes, rank: g.rank })));
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
