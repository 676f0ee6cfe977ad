// MCMC convergence diagnostics matching the R package posterior: R-hat, ESS, MCSE, quantiles, E-BFMI, summary.
//
// Input everywhere: draws of one scalar as `readonly Float64Array[]`, one array per chain, equal lengths
// (a malformed input throws `[function] chains …`). Formulas: Vehtari et al. (2021), "Rank-normalization,
// folding, and localization: an improved R-hat", Bayesian Analysis 16(2); numbers: posterior 1.4.0, whose
// formulas are unchanged in 1.7.1 (tests compare to its output to 1e-8, test/fixtures/diagnostics/).
//
// Edge cases, all as posterior (its NA is NaN here):
// - constant draws (max − min < 2^−52, an absolute tolerance): R-hat, every ESS and every MCSE are NaN; the
//   mean, sd (0) and quantiles are defined.
// - any NaN draw: everything is NaN, quantiles included.
// - ±Inf draws: rhat and essBulk stay finite (ranks are finite), unless the median is infinite; the basic,
//   mean, sd, quantile and tail ESS and every MCSE are NaN; the mean is ±Inf, the sd NaN.
// - short chains: the ESS needs ≥ 3 draws per split chain (4 or 5 draws per chain give NaN), R-hat ≥ 2; with
//   3–5 draws per split chain Geyer's loop never runs and τ̂ = 2. With 2 or 3 draws per chain posterior's split
//   degenerates into two columns holding the first and the last draw of every chain (see `splitChains`); we
//   return what posterior returns then (3 chains × 3 draws: ESS 3). One draw per chain: NaN.
// - one chain: split R-hat and ESS work on its two halves; unsplit R-hat (`rhatBasic(c, false)`) is NaN.
// - very anticorrelated chains: τ̂ is bounded below by 1/log10(M·N), so ESS ≤ M·N·log10(M·N).
export { autocorrelation, autocovariance, autocovarianceSum } from './autocovariance.ts';
export { incompleteBeta, logGamma, qbeta } from './beta.ts';
export { splitChains, type Chains } from './draws.ts';
export { EBFMI_THRESHOLD, ebfmi, ebfmiPerChain } from './ebfmi.ts';
export { essBasic, essBulk, essFromAcov, essMean, essOfColumns, essQuantile, essSd, essTail } from './ess.ts';
export { mcseMean, mcseQuantile, mcseSd } from './mcse.ts';
export { foldDraws, median, quantile2, quantile7 } from './quantile.ts';
export { averageRanks, zScale } from './rank.ts';
export { rhat, rhatBasic, rhatFromMoments, rhatOfColumns } from './rhat.ts';
export { summarize, type SummaryRow } from './summary.ts';
