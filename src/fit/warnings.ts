// The fit's warnings, one function for Fit.warnings(), the CLI and the report: Stan's checks plus this library's own.
import { EBFMI_THRESHOLD, ebfmi, summarize, type SummaryRow } from '../diagnostics/index.ts';
import type { FitData } from '../io/fitData.ts';
import { LOG_CLAMP } from '../precision/policy.ts';

export interface Warning {
  readonly kind: 'nodraws' | 'divergences' | 'treedepth' | 'ebfmi' | 'rhat' | 'ess' | 'nonfinite' | 'clamp' | 'incomplete';
  readonly message: string;
}

/** R-hat above this flags a column (Vehtari et al. 2021, "Rank-normalization, folding, and localization", §4). */
export const RHAT_THRESHOLD = 1.01;
/** Bulk and tail ESS below this many per chain flag a column (Vehtari et al. 2021 recommend 100 per chain). */
export const ESS_PER_CHAIN = 100;

/** Draws per chain (the shortest chain, for a run stopped part-way). */
export function drawCount(fit: FitData): number {
  if (fit.values.length === 0) return 0;
  let n = Infinity;
  for (const chain of fit.values) n = Math.min(n, chain[0]?.length ?? 0);
  for (const s of fit.stats) n = Math.min(n, s.lp__?.length ?? n);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Warmup iterations recorded per chain: the leading entries with a positive step size (a recorded iteration always
 * has one; a run stopped early may leave the rest of its preallocated warmup statistics at 0).
 */
export function warmupDone(fit: FitData): number[] {
  return fit.warmupStats.map((s) => {
    const eps = s.stepsize__;
    if (eps === undefined) return 0;
    let k = 0;
    while (k < eps.length && eps[k]! > 0) k++;
    return k;
  });
}

/** Why a fit has no post-warmup draws ('no draws: …'), or null when it has some. */
export function noDrawsReason(fit: FitData): string | null {
  if (drawCount(fit) > 0) return null;
  if (fit.config.draws === 0) return `no draws: draws = 0 was asked for (warmup only, ${fit.config.warmup} iterations)`;
  const warm = Math.max(0, ...warmupDone(fit));
  if (!fit.complete && warm < fit.config.warmup) return `no draws: stopped during warmup, after ${warm} of ${fit.config.warmup} iterations`;
  if (!fit.complete) return 'no draws: stopped at the end of warmup, before the first draw';
  return 'no draws: the fit holds none';
}

/** The summary of every column over the draws all chains share; [] for a fit with no draws. */
export function summaryRows(fit: FitData): SummaryRow[] {
  const n = drawCount(fit);
  if (n === 0) return [];
  return fit.columns.map((name, j) => summarize(name, fit.values.map((c) => c[j]!.subarray(0, n))));
}

function pct(k: number, total: number): string {
  return `${((100 * k) / Math.max(total, 1)).toFixed(1)}%`;
}

function list(names: readonly string[], max = 8): string {
  return `${names.slice(0, max).join(', ')}${names.length > max ? `, … (${names.length - max} more)` : ''}`;
}

/** Non-finite draws per variable: how many, and the first (chain, draw). Chains and draws are numbered from 0. */
function nonFinite(fit: FitData, n: number): Warning[] {
  const out: Warning[] = [];
  let col = 0;
  for (const v of fit.variables) {
    const size = v.shape.reduce((a, b) => a * b, 1);
    let bad = 0;
    let first: [number, number, string] | null = null;
    for (let j = col; j < col + size && j < fit.columns.length; j++) {
      fit.values.forEach((chain, c) => {
        const xs = chain[j]!;
        for (let i = 0; i < n; i++) {
          if (Number.isFinite(xs[i]!)) continue;
          bad++;
          if (first === null || c < first[0] || (c === first[0] && i < first[1])) first = [c, i, `${fit.columns[j]} = ${xs[i]}`];
        }
      });
    }
    col += size;
    if (bad > 0 && first !== null) {
      const [c, i, what] = first as [number, number, string];
      out.push({
        kind: 'nonfinite',
        message: `${v.kind === 'deterministic' ? 'Deterministic' : 'Parameter'} '${v.name}' is not finite in ${bad} of ${n * fit.values.length * size} values ` +
          `(first: chain ${c}, draw ${i}, ${what}); its summary shows NA. Check the expression for log/sqrt/division outside its domain.`,
      });
    }
  }
  return out;
}

/**
 * Every warning for a fit, in the order a reader should see them: no draws, divergences, tree depth, E-BFMI below
 * 0.3 (Betancourt 2016; CmdStan's diagnose), R-hat above 1.01 and bulk/tail ESS below 100 per chain (Vehtari et al.
 * 2021), non-finite parameters or deterministics, log-transform clamp hits, an aborted run. Chains are numbered
 * from 0 here, in the plots, on the command line and in `fit.draws(name)[chain]`.
 */
export function fitWarnings(fit: FitData, summary: readonly SummaryRow[] = summaryRows(fit)): Warning[] {
  const out: Warning[] = [];
  const n = drawCount(fit);
  const chains = fit.values.length;
  const total = n * chains;
  const none = noDrawsReason(fit);
  if (none !== null) return [{ kind: 'nodraws', message: `${none[0]!.toUpperCase()}${none.slice(1)}: there is nothing to summarise or plot but the warmup.` }];
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
      message: `${div} of ${total} transitions (${pct(div, total)}) ended with a divergence. The draws may be biased: ` +
        `raise targetAccept above ${fit.config.targetAccept} or reparameterise (e.g. non-centred); the pair plot shows where they happen.`,
    });
  }
  if (depth > 0) {
    out.push({
      kind: 'treedepth',
      message: `${depth} of ${total} transitions (${pct(depth, total)}) hit the maximum tree depth of ${fit.config.maxTreeDepth}. This is an efficiency concern: raise maxTreeDepth.`,
    });
  }
  fit.stats.forEach((s, c) => {
    const e = s.energy__ === undefined ? NaN : ebfmi(s.energy__.subarray(0, n));
    if (e < EBFMI_THRESHOLD) {
      out.push({ kind: 'ebfmi', message: `Chain ${c}: E-BFMI = ${e.toFixed(3)}, below ${EBFMI_THRESHOLD}. The sampler may not explore the posterior's tails; reparameterise.` });
    }
  });
  const badR = summary.filter((r) => r.rhat > RHAT_THRESHOLD).sort((a, b) => b.rhat - a.rhat);
  if (badR.length > 0) {
    out.push({
      kind: 'rhat',
      message: `R-hat above ${RHAT_THRESHOLD} for ${badR.length} column${badR.length === 1 ? '' : 's'}: ${list(badR.map((r) => `${r.name} (${r.rhat.toFixed(3)})`))}. ` +
        'The chains have not mixed: run longer or reparameterise.',
    });
  }
  const minEss = ESS_PER_CHAIN * chains;
  const lowEss = summary
    .map((r) => ({ name: r.name, ess: Math.min(r.essBulk, r.essTail), bulk: r.essBulk, tail: r.essTail }))
    .filter((r) => r.ess < minEss)
    .sort((a, b) => a.ess - b.ess);
  if (lowEss.length > 0) {
    out.push({
      kind: 'ess',
      message: `Bulk or tail ESS below ${minEss} (${ESS_PER_CHAIN} per chain) for ${lowEss.length} column${lowEss.length === 1 ? '' : 's'}: ` +
        `${list(lowEss.map((r) => `${r.name} (bulk ${Math.round(r.bulk)}, tail ${Math.round(r.tail)})`))}. Estimates may be unreliable: run longer or reparameterise.`,
    });
  }
  out.push(...nonFinite(fit, n));
  const clamps = (fit.clampHits ?? []).reduce((a, b) => a + b, 0);
  if (clamps > 0) {
    out.push({
      kind: 'clamp',
      message: `${clamps} draws touched the log-transform clamp (±${LOG_CLAMP[fit.config.dtype === 'float32' ? 'float32' : 'float64']} on the log scale), beyond which the density is flat and differs from the model's: rescale the model or use float64.`,
    });
  }
  if (!fit.complete) out.push({ kind: 'incomplete', message: `Sampling was aborted: ${n} of ${fit.config.draws} draws per chain.` });
  return out;
}
