// One summary row per scalar quantity: mean, sd, their MCSEs, 5/50/95% quantiles, bulk/tail ESS and R-hat.
import { OptionError } from '../base/errors.ts';
import { checkChains, flatten, mapDraws, splitChains, type Chains } from './draws.ts';
import { essOfColumns, essTailSorted } from './ess.ts';
import { mcseMean, mcseSd } from './mcse.ts';
import { mean, sd } from './moments.ts';
import { medianSorted, quantileSorted, sortedOrNull } from './quantile.ts';
import { zScale } from './rank.ts';
import { rankRhat } from './rhat.ts';

/** The summary of one scalar quantity (the columns of posterior's `summarise_draws` that Stan users read). */
export interface SummaryRow {
  readonly name: string;
  readonly mean: number;
  readonly sd: number;
  readonly mcseMean: number;
  readonly mcseSd: number;
  readonly q5: number;
  readonly q50: number;
  readonly q95: number;
  readonly essBulk: number;
  readonly essTail: number;
  readonly rhat: number;
}

/**
 * Summarises one quantity's draws (one Float64Array per chain, equal lengths). Every field follows the
 * posterior function of the same name (`mean`, `sd`, `mcse_mean`, `mcse_sd`, `quantile2` at 5/50/95%,
 * `ess_bulk`, `ess_tail`, `rhat`); a diagnostic posterior reports as NA is NaN here (constant or non-finite
 * draws, too few draws: see the functions for the cases).
 */
export function summarize(name: string, chains: Chains): SummaryRow {
  if (typeof name !== 'string') throw new OptionError('[summarize] name must be a string');
  checkChains('summarize', chains);
  const all = flatten(chains);
  // what quantile2, essBulk, essTail and rhat would each compute again, computed once: the sorted draws (quantiles,
  // the tail indicators' thresholds, the median of the folded draws) and the rank-normalised split chains (bulk ESS
  // and bulk R-hat); the same arithmetic, so the same values (many-chain fits have millions of draws per column)
  const sorted = sortedOrNull(all);
  const at = (p: number) => (sorted === null ? NaN : quantileSorted(sorted, p));
  const bulkZ = zScale(splitChains(chains));
  const m = medianSorted(sorted);
  return {
    name,
    mean: mean(all),
    sd: sd(all),
    mcseMean: mcseMean(chains),
    mcseSd: mcseSd(chains),
    q5: at(0.05),
    q50: at(0.5),
    q95: at(0.95),
    essBulk: essOfColumns(bulkZ),
    essTail: essTailSorted(chains, sorted),
    rhat: rankRhat(bulkZ, mapDraws(chains, (v) => Math.abs(v - m))),
  };
}
