// Potential scale reduction R-hat: rank-normalised split R-hat with folding (posterior's `rhat`, `rhat_basic`).
//
// Vehtari et al. (2021), Bayesian Analysis 16(2); posterior's R/convergence.R
// (`.rhat`, `rhat`, `rhat_basic`; unchanged from 1.4.0 to 1.7.1).
import { checkChains, shouldReturnNaN, splitChains, type Chains } from './draws.ts';
import { foldDraws } from './quantile.ts';
import { mean, plainMean, variance, varianceAbout } from './moments.ts';
import { zScale } from './rank.ts';

/**
 * posterior's `.rhat` on columns taken as they are: with N draws per column,
 * B = N·var(column means), W = mean of the column variances, R̂ = √((B/W + N − 1)/N).
 * NaN when `should_return_NA` holds (non-finite or constant), or when a variance is undefined
 * (one draw per column, or a single column).
 */
export function rhatOfColumns(columns: Chains): number {
  if (shouldReturnNaN(columns)) return NaN;
  const n = columns[0]?.length ?? 0;
  const chainMeans = columns.map((column) => plainMean(column)); // matrixStats::colMeans2, as posterior
  const chainVars = columns.map((column, c) => varianceAbout(column, chainMeans[c]!));
  return rhatFromMoments(n, variance(chainMeans), mean(chainVars));
}

/** R̂ from N draws per column, the variance of the column means and the mean of the column variances (rhatOfColumns). */
export function rhatFromMoments(n: number, varOfMeans: number, meanOfVars: number): number {
  return Math.sqrt((n * varOfMeans / meanOfVars + n - 1) / n);
}

/** Classic split R-hat (posterior's `rhat_basic`): no rank normalisation; `split = false` skips splitting. */
export function rhatBasic(chains: Chains, split: boolean = true): number {
  checkChains('rhatBasic', chains);
  return rhatOfColumns(split ? splitChains(chains) : chains);
}

/**
 * Rank-normalised split R-hat (posterior's `rhat`; Vehtari et al. 2021): the larger of the bulk R-hat
 * (rank-normalised split chains) and the tail R-hat (the same on draws folded about the median).
 * NaN if either is NaN (R's `max` with an NA).
 *
 * Non-finite draws: ±Inf draws are ranked like any other (posterior's `z_scale` keeps them), so R-hat stays
 * finite unless the median itself is infinite; any NaN draw makes it NaN.
 */
export function rhat(chains: Chains): number {
  checkChains('rhat', chains);
  return rankRhat(zScale(splitChains(chains)), foldDraws(chains));
}

/** rhat from the rank-normalised split chains and the draws folded about the median, for callers that have them. */
export function rankRhat(bulkZ: Chains, folded: Chains): number {
  const bulk = rhatOfColumns(bulkZ);
  const tail = rhatOfColumns(zScale(splitChains(folded)));
  return Number.isNaN(bulk) || Number.isNaN(tail) ? NaN : Math.max(bulk, tail);
}
