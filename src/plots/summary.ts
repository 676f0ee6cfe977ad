// The report's summary table (the diagnostics module's summarize per column) and its Stan-style warnings.
import type { FitData } from '../fit/types.ts';
import { EBFMI_THRESHOLD, summarize, type SummaryRow } from '../diagnostics/index.ts';
import { drawsPerChain } from './spec.ts';
import { chainEbfmi } from './energy.ts';

/** A table row the report can show: a name and any numeric or text columns (e.g. diagnostics' SummaryRow). */
export type TableRow = { readonly name: string };

/** Per column: mean, sd, MCSE, 5/50/95% quantiles, bulk and tail ESS, rank-normalised R-hat (src/diagnostics). */
export function fitSummary(fit: FitData): SummaryRow[] {
  const n = drawsPerChain(fit);
  return fit.columns.map((name, j) => summarize(name, fit.values.map((c) => c[j]!.subarray(0, n))));
}

export interface Warning {
  readonly kind: 'divergences' | 'treedepth' | 'ebfmi' | 'rhat' | 'incomplete' | 'clamp';
  readonly message: string;
}

/** The R-hat of a summary row under any of the usual spellings. */
function rhatOf(row: TableRow): number | undefined {
  for (const key of ['rhat', 'r_hat', 'R_hat', 'Rhat']) {
    const v = (row as Record<string, unknown>)[key];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

function pct(k: number, total: number): string {
  return `${((100 * k) / Math.max(total, 1)).toFixed(1)}%`;
}

/**
 * Stan-style warnings: divergent transitions, maximum tree depth hits, E-BFMI below 0.3 (Betancourt 2016;
 * Stan's check_energy), R-hat above 1.01 (Vehtari et al. 2021), an aborted run and log-transform clamp hits.
 */
export function fitWarnings(fit: FitData, summary: readonly TableRow[] = fitSummary(fit)): Warning[] {
  const out: Warning[] = [];
  const n = drawsPerChain(fit);
  const total = n * fit.values.length;
  let div = 0;
  let depth = 0;
  for (const s of fit.stats) {
    for (let i = 0; i < n; i++) {
      if ((s.divergent__?.[i] ?? 0) > 0) div++;
      if ((s.treedepth__?.[i] ?? 0) >= fit.config.maxTreeDepth) depth++;
    }
  }
  if (div > 0) {
    out.push({
      kind: 'divergences',
      message:
        `${div} of ${total} transitions (${pct(div, total)}) ended with a divergence. The draws may be biased: ` +
        `raise targetAccept above ${fit.config.targetAccept} or reparameterise (e.g. non-centred); the pair plot shows where they happen.`,
    });
  }
  if (depth > 0) {
    out.push({
      kind: 'treedepth',
      message: `${depth} of ${total} transitions (${pct(depth, total)}) hit the maximum tree depth of ${fit.config.maxTreeDepth}. This is an efficiency concern: raise maxTreeDepth.`,
    });
  }
  chainEbfmi(fit).forEach((e, c) => {
    if (e < EBFMI_THRESHOLD) {
      out.push({
        kind: 'ebfmi',
        message: `Chain ${c + 1}: E-BFMI = ${e.toFixed(3)}, below ${EBFMI_THRESHOLD}. The sampler may not explore the posterior's tails; reparameterise.`,
      });
    }
  });
  const bad = summary
    .map((r) => ({ name: r.name, rhat: rhatOf(r) }))
    .filter((r): r is { name: string; rhat: number } => r.rhat !== undefined && (r.rhat > 1.01 || Number.isNaN(r.rhat)));
  if (bad.length > 0) {
    const list = bad.slice(0, 10).map((r) => `${r.name} (${Number.isFinite(r.rhat) ? r.rhat.toFixed(3) : String(r.rhat)})`);
    out.push({
      kind: 'rhat',
      message: `R-hat above 1.01 for ${bad.length} column${bad.length === 1 ? '' : 's'}: ${list.join(', ')}${bad.length > 10 ? ', …' : ''}. The chains have not mixed: run longer or reparameterise.`,
    });
  }
  if (!fit.complete) {
    out.push({ kind: 'incomplete', message: `Sampling was aborted: ${n} of ${fit.config.draws} draws per chain.` });
  }
  const clamps = (fit.clampHits ?? []).reduce((a, b) => a + b, 0);
  if (clamps > 0) {
    out.push({
      kind: 'clamp',
      message: `${clamps} draws touched the log-transform clamp (the density is flat beyond it): rescale the model or use float64.`,
    });
  }
  return out;
}
