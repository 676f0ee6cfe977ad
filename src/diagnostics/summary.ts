// One summary row per scalar quantity: mean, sd, their MCSEs, 5/50/95% quantiles, bulk/tail ESS and R-hat.
import { OptionError } from '../base/errors.ts';
import { checkChains, flatten, type Chains } from './draws.ts';
import { essBulk, essTail } from './ess.ts';
import { mcseMean, mcseSd } from './mcse.ts';
import { mean, sd } from './moments.ts';
import { quantile2 } from './quantile.ts';
import { rhat } from './rhat.ts';

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
  const [q5, q50, q95] = quantile2(chains, [0.05, 0.5, 0.95]) as [number, number, number];
  return {
    name,
    mean: mean(all),
    sd: sd(all),
    mcseMean: mcseMean(chains),
    mcseSd: mcseSd(chains),
    q5,
    q50,
    q95,
    essBulk: essBulk(chains),
    essTail: essTail(chains),
    rhat: rhat(chains),
  };
}
