// Effective sample size: Geyer's initial monotone sequence over multi-chain autocorrelations (posterior's ess_*).
//
// Formulas from Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding, and
// localization: an improved R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2),
// as posterior implements them (R/convergence.R: `.ess`, `ess_bulk`, `ess_tail`,
// `ess_quantile`, `ess_mean`, `ess_sd`, `ess_basic`; unchanged from 1.4.0 to 1.7.1). The truncation is Geyer's
// initial positive and initial monotone sequence estimators (Geyer 1992, "Practical Markov chain Monte Carlo",
// Statistical Science 7(4)).
import { autocovarianceSum } from './autocovariance.ts';
import { checkChains, checkProb, flatten, mapDraws, shouldReturnNaN, splitChains, type Chains } from './draws.ts';
import { accurateSum, mean, plainMean, variance } from './moments.ts';
import { quantile7, quantileSorted, sortedOrNull } from './quantile.ts';
import { zScale } from './rank.ts';

/**
 * posterior's `.ess` on a draw matrix whose columns are taken as they are (no splitting here):
 *
 * 1. acov_t = mean over chains of each chain's autocovariance; W = acov_0·N/(N − 1) (mean within-chain
 *    variance); var⁺ = W·(N − 1)/N + var(chain means) (the last term only with more than one chain).
 * 2. ρ̂_t = 1 − (W − acov_t)/var⁺. Geyer's initial positive sequence: add pairs
 *    (ρ̂_{2k}, ρ̂_{2k+1}) while their sum is positive and t < N − 5; the last even ρ̂ is kept if positive
 *    (the "improved estimate" for antithetic chains).
 * 3. Geyer's initial monotone sequence: a pair larger than the pair before is replaced by the earlier mean.
 * 4. τ̂ = −1 + 2·Σ_{t<T} ρ̂_t + ρ̂_T, bounded below by 1/log10(M·N) so that ESS ≤ M·N·log10(M·N) (posterior
 *    warns "The ESS has been capped"; we cap silently). ESS = M·N/τ̂.
 *
 * NaN (R's NA) for fewer than 3 draws per column or when `should_return_NA` holds (non-finite or constant).
 * Where the loop stops at once (T = 0), R's `rho_hat_t[1:max_t]` is `rho_hat_t[1:0]` = ρ̂_0, so
 * τ̂ = −1 + 2ρ̂_0 + ρ̂_0 = 2; we reproduce that indexing quirk.
 */
export function essOfColumns(columns: Chains): number {
  const nChains = columns.length;
  const n = columns[0]?.length ?? 0;
  if (n < 3 || shouldReturnNaN(columns)) return NaN;
  return essFromAcov(autocovarianceSum(columns), nChains, nChains > 1 ? variance(columns.map((column) => plainMean(column))) : 0); // matrixStats::colMeans2
}

/**
 * Steps 1–4 of essOfColumns from what they need of the columns: the sum over the columns of their autocovariances
 * (lags 0 … N − 1), the number of columns and the variance of the column means (0 for one column). A run spread over
 * processes sums its parts' autocovariances (src/distributed/summaryGather.ts). The caller applies the NaN rules.
 */
export function essFromAcov(acovSum: Float64Array, nChains: number, varOfMeans: number): number {
  const n = acovSum.length;
  const acovMeans = acovSum.map((a) => a / nChains);
  const meanVar = (acovMeans[0]! * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (nChains > 1) varPlus += varOfMeans;
  const rho = new Float64Array(n);
  const rhoAt = (t: number): number => 1 - (meanVar - acovMeans[t]!) / varPlus;

  // Geyer's initial positive sequence.
  let t = 0;
  let rhoEven = 1;
  let rhoOdd = rhoAt(1);
  rho[0] = rhoEven;
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = rhoAt(t);
    rhoOdd = rhoAt(t + 1);
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (Number.isNaN(rhoEven)) return NaN; // posterior's `if (rho_hat_even > 0)` would stop with an error
  if (rhoEven > 0) rho[maxT] = rhoEven;

  // Geyer's initial monotone sequence.
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t]! + rho[t + 1]! > rho[t - 2]! + rho[t - 1]!) {
      rho[t] = (rho[t - 2]! + rho[t - 1]!) / 2;
      rho[t + 1] = rho[t]!;
    }
  }

  const total = nChains * n;
  const head = maxT === 0 ? rho[0]! : accurateSum(rho.subarray(0, maxT));
  let tau = -1 + 2 * head + rho[maxT]!;
  // Cap from posterior's `.ess`: "Safety check for negative values and with max ess equal to ess*log10(ess)".
  const tauBound = 1 / Math.log10(total);
  if (tau < tauBound) tau = tauBound;
  return total / tau;
}

/** ESS of the draws as given (posterior's `ess_basic`): split chains first unless `split` is false. */
export function essBasic(chains: Chains, split: boolean = true): number {
  checkChains('essBasic', chains);
  return essOfColumns(split ? splitChains(chains) : chains);
}

/** ESS of the mean (posterior's `ess_mean`): the basic ESS of the split chains. */
export function essMean(chains: Chains): number {
  checkChains('essMean', chains);
  return essOfColumns(splitChains(chains));
}

/** Bulk ESS (posterior's `ess_bulk`; Vehtari et al. 2021): ESS of the rank-normalised split chains. */
export function essBulk(chains: Chains): number {
  checkChains('essBulk', chains);
  return essOfColumns(zScale(splitChains(chains)));
}

/** ESS of the indicator I(x ≤ Q(prob)) over split chains (posterior's `ess_quantile`; Vehtari et al. 2021). */
export function essQuantile(chains: Chains, prob: number): number {
  checkChains('essQuantile', chains);
  checkProb('essQuantile', prob);
  return essQuantileUnchecked(chains, prob);
}

/** essQuantile without the input checks (for callers that already made them). */
export function essQuantileUnchecked(chains: Chains, prob: number): number {
  if (shouldReturnNaN(chains)) return NaN;
  let p = prob;
  if (p === 1) {
    // posterior: for prob = 1 use (S − 0.5)/S, so the indicator is not constant by construction.
    const size = chains.length * chains[0]!.length;
    p = (size - 0.5) / size;
  }
  return indicatorEss(chains, quantile7(flatten(chains), p));
}

/** ESS of the indicator I(x ≤ q) over split chains. */
function indicatorEss(chains: Chains, q: number): number {
  return essOfColumns(splitChains(mapDraws(chains, (v) => (v <= q ? 1 : 0))));
}

/**
 * Tail ESS (posterior's `ess_tail`; Vehtari et al. 2021): the smaller of the ESS of the 5% and the
 * 95% quantile indicators. NaN if either is NaN (R's `min` with an NA).
 */
export function essTail(chains: Chains): number {
  checkChains('essTail', chains);
  return essTailSorted(chains, sortedOrNull(flatten(chains)));
}

/** essTail with all draws already sorted (sortedOrNull: null when one is NaN), for callers that sorted them anyway. */
export function essTailSorted(chains: Chains, sorted: Float64Array | null): number {
  if (shouldReturnNaN(chains)) return NaN;
  const at = (p: number) => (sorted === null ? NaN : quantileSorted(sorted, p));
  const low = indicatorEss(chains, at(0.05)); // 5% and 95%: posterior's ess_tail, Vehtari et al. 2021
  const high = indicatorEss(chains, at(0.95));
  return Number.isNaN(low) || Number.isNaN(high) ? NaN : Math.min(low, high);
}

/** ESS of |x − mean(x)| over split chains (posterior's `ess_sd`). */
export function essSd(chains: Chains): number {
  checkChains('essSd', chains);
  const m = mean(flatten(chains));
  return essOfColumns(splitChains(mapDraws(chains, (v) => Math.abs(v - m))));
}
