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
  return noDrawsText(drawCount(fit), fit.config, Math.max(0, ...warmupDone(fit)), fit.complete);
}

/** noDrawsReason from the draws per chain, the config, the most warmup iterations recorded and completeness. */
function noDrawsText(n: number, config: Pick<FitData['config'], 'draws' | 'warmup'>, warm: number, complete: boolean): string | null {
  if (n > 0) return null;
  if (config.draws === 0) return `no draws: draws = 0 was asked for (warmup only, ${config.warmup} iterations)`;
  if (!complete && warm < config.warmup) return `no draws: stopped during warmup, after ${warm} of ${config.warmup} iterations`;
  if (!complete) return 'no draws: stopped at the end of warmup, before the first draw';
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

/** Non-finite draws of one variable: how many, and the first (chain, draw, 'name = value'); chains from 0. */
export interface NonFiniteCount {
  readonly variable: string;
  readonly kind: 'param' | 'deterministic';
  readonly size: number;
  readonly bad: number;
  readonly first: readonly [number, number, string] | null;
}

/**
 * What the warnings need of a fit's chains, reduced per chain or summed (so that the chains of a run spread over
 * processes can be reduced where they are and merged: src/distributed/warningDigests.ts).
 */
export interface WarningDigest {
  /** Draws per chain looked at (the shortest chain's), and chains. */
  readonly draws: number;
  readonly chains: number;
  /** The most warmup iterations any chain recorded (for 'stopped during warmup'). */
  readonly warmupDone: number;
  readonly divergent: number;
  readonly treedepth: number;
  readonly ebfmi: readonly number[];
  readonly nonFinite: readonly NonFiniteCount[];
  readonly clampHits: number;
  readonly complete: boolean;
  readonly config: Pick<FitData['config'], 'draws' | 'warmup' | 'maxTreeDepth' | 'targetAccept' | 'dtype'>;
}

/**
 * NonFiniteCount per variable from each column's count of non-finite values and its first one as [chain, draw, value]
 * (the earliest chain, then draw, over the variable's columns is the variable's first).
 */
export function nonFiniteByVariable(fit: Pick<FitData, 'variables' | 'columns'>,
  column: (j: number) => { bad: number; first: readonly [number, number, number] | null }): NonFiniteCount[] {
  const out: NonFiniteCount[] = [];
  let col = 0;
  for (const v of fit.variables) {
    const size = v.shape.reduce((a, b) => a * b, 1);
    let bad = 0;
    let first: [number, number, string] | null = null;
    for (let j = col; j < col + size && j < fit.columns.length; j++) {
      const r = column(j);
      bad += r.bad;
      const f = r.first;
      if (f && (first === null || f[0] < first[0] || (f[0] === first[0] && f[1] < first[1]))) first = [f[0], f[1], `${fit.columns[j]} = ${f[2]}`];
    }
    col += size;
    out.push({ variable: v.name, kind: v.kind, size, bad, first });
  }
  return out;
}

/** The digest of a fit's first `n` draws per chain (default: all they share). */
export function warningDigest(fit: FitData, n: number = drawCount(fit)): WarningDigest {
  let div = 0;
  let depth = 0;
  for (const s of fit.stats) {
    for (let i = 0; i < n; i++) {
      if ((s.divergent__?.[i] ?? 0) > 0) div++;
      if ((s.treedepth__?.[i] ?? 0) >= fit.config.maxTreeDepth) depth++;
    }
  }
  const nonFinite = nonFiniteByVariable(fit, (j) => {
    let bad = 0;
    let first: [number, number, number] | null = null;
    fit.values.forEach((chain, c) => {
      const xs = chain[j]!;
      for (let i = 0; i < n; i++) {
        if (Number.isFinite(xs[i]!)) continue;
        bad++;
        if (first === null) first = [c, i, xs[i]!];
      }
    });
    return { bad, first };
  });
  const { draws, warmup, maxTreeDepth, targetAccept, dtype } = fit.config;
  return {
    draws: n, chains: fit.values.length, warmupDone: Math.max(0, ...warmupDone(fit)), divergent: div, treedepth: depth,
    ebfmi: fit.stats.map((s) => (s.energy__ === undefined ? NaN : ebfmi(s.energy__.subarray(0, n)))), nonFinite,
    clampHits: (fit.clampHits ?? []).reduce((a, b) => a + b, 0), complete: fit.complete, config: { draws, warmup, maxTreeDepth, targetAccept, dtype },
  };
}

/**
 * Every warning for a fit, in the order a reader should see them: no draws, divergences, tree depth, E-BFMI below
 * 0.3 (Betancourt 2016; CmdStan's diagnose), R-hat above 1.01 and bulk/tail ESS below 100 per chain (Vehtari et al.
 * 2021), non-finite parameters or deterministics, log-transform clamp hits, an aborted run. Chains are numbered
 * from 0 here, in the plots, on the command line and in `fit.draws(name)[chain]`.
 */
export function fitWarnings(fit: FitData, summary: readonly SummaryRow[] = summaryRows(fit)): Warning[] {
  return digestWarnings(warningDigest(fit), summary);
}

/** fitWarnings from a digest and the summary rows. */
export function digestWarnings(d: WarningDigest, summary: readonly SummaryRow[]): Warning[] {
  const out: Warning[] = [];
  const n = d.draws;
  const chains = d.chains;
  const total = n * chains;
  const none = noDrawsText(n, d.config, d.warmupDone, d.complete);
  if (none !== null) return [{ kind: 'nodraws', message: `${none[0]!.toUpperCase()}${none.slice(1)}: there is nothing to summarise or plot but the warmup.` }];
  const { divergent: div, treedepth: depth } = d;
  if (div > 0) {
    out.push({
      kind: 'divergences',
      message: `${div} of ${total} transitions (${pct(div, total)}) ended with a divergence. The draws may be biased: ` +
        `raise targetAccept above ${d.config.targetAccept} or reparameterise (e.g. non-centred); the pair plot shows where they happen.`,
    });
  }
  if (depth > 0) {
    out.push({
      kind: 'treedepth',
      message: `${depth} of ${total} transitions (${pct(depth, total)}) hit the maximum tree depth of ${d.config.maxTreeDepth}. This is an efficiency concern: raise maxTreeDepth.`,
    });
  }
  d.ebfmi.forEach((e, c) => {
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
  for (const v of d.nonFinite) {
    if (v.bad === 0 || v.first === null) continue;
    const [c, i, what] = v.first;
    out.push({
      kind: 'nonfinite',
      message: `${v.kind === 'deterministic' ? 'Deterministic' : 'Parameter'} '${v.variable}' is not finite in ${v.bad} of ${n * chains * v.size} values ` +
        `(first: chain ${c}, draw ${i}, ${what}); its summary shows NA. Check the expression for log/sqrt/division outside its domain.`,
    });
  }
  if (d.clampHits > 0) {
    out.push({
      kind: 'clamp',
      message: `${d.clampHits} draws touched the log-transform clamp (±${LOG_CLAMP[d.config.dtype === 'float32' ? 'float32' : 'float64']} on the log scale), beyond which the density is flat and differs from the model's: rescale the model or use float64.`,
    });
  }
  if (!d.complete) out.push({ kind: 'incomplete', message: `Sampling was aborted: ${n} of ${d.config.draws} draws per chain.` });
  return out;
}
