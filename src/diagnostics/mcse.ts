// Monte Carlo standard errors of the mean, the sd and quantiles (posterior's mcse_mean, mcse_sd, mcse_quantile).
//
// posterior's R/convergence.R (unchanged from 1.4.0 to 1.7.1); Vehtari et al. (2021) for quantiles.
import { qbeta } from './beta.ts';
import { checkChains, checkProb, flatten, mapDraws, type Chains } from './draws.ts';
import { essMean, essQuantileUnchecked } from './ess.ts';
import { mean, sd } from './moments.ts';

/** MCSE of the mean (posterior's `mcse_mean`): sd(all draws)/√ESS_mean. NaN where the ESS is NaN. */
export function mcseMean(chains: Chains): number {
  checkChains('mcseMean', chains);
  return sd(flatten(chains)) / Math.sqrt(essMean(chains));
}

/**
 * MCSE of the sd (posterior's `mcse_sd`): with centred draws c = x − mean(x), E = mean(c²) and
 * ESS = ESS_mean(c²), Var(var) ≈ (mean(c⁴) − E²)/ESS (Kenney & Keeping 1951, p. 141), and by the first-order
 * Taylor expansion of √· the MCSE is √(Var(var)/E/4). NaN where that ESS is NaN (constant or non-finite draws).
 */
export function mcseSd(chains: Chains): number {
  checkChains('mcseSd', chains);
  const m = mean(flatten(chains));
  const squared = mapDraws(chains, (v) => (v - m) * (v - m));
  const ess = essMean(squared);
  const flatSquared = flatten(squared);
  return mcseSdFrom(mean(flatSquared), mean(flatSquared.map((s) => s * s)), ess);
}

/** mcseSd from E = mean(c²), mean(c⁴) and ESS_mean(c²) (what a run spread over processes sums: src/distributed/). */
export function mcseSdFrom(expectedVar: number, fourth: number, ess: number): number {
  const varVar = (fourth - expectedVar * expectedVar) / ess;
  return Math.sqrt(varVar / expectedVar / 4);
}

/**
 * Φ(−1) and Φ(1) to 7 digits, the probabilities of a ±1 sd normal interval: posterior's `.mcse_quantile`
 * uses `p <- c(0.1586553, 0.8413447)` literally; we use the same literals so the results match.
 */
const ONE_SD_PROBS = [0.1586553, 0.8413447] as const;

/**
 * MCSE of the `prob` quantile (posterior's `mcse_quantile`; Vehtari et al. 2021): with S = ESS of the
 * quantile indicator, the Beta(S·p + 1, S·(1 − p) + 1) quantiles a₁, a₂ at Φ(∓1) pick the sorted draws
 * th₁ = x_(max(⌊a₁·N⌋, 1)) and th₂ = x_(min(⌈a₂·N⌉, N)) out of all N draws; the MCSE is (th₂ − th₁)/2.
 * NaN where the quantile ESS is NaN.
 */
export function mcseQuantile(chains: Chains, prob: number): number {
  checkChains('mcseQuantile', chains);
  checkProb('mcseQuantile', prob);
  const ess = essQuantileUnchecked(chains, prob);
  if (Number.isNaN(ess)) return NaN;
  const a1 = qbeta(ONE_SD_PROBS[0], ess * prob + 1, ess * (1 - prob) + 1);
  const a2 = qbeta(ONE_SD_PROBS[1], ess * prob + 1, ess * (1 - prob) + 1);
  const sorted = flatten(chains).sort();
  const size = sorted.length;
  const th1 = sorted[Math.max(Math.floor(a1 * size), 1) - 1]!;
  const th2 = sorted[Math.min(Math.ceil(a2 * size), size) - 1]!;
  return (th2 - th1) / 2;
}
