// Which plots the report shows and for which columns: all of them or a stated subset, sampler statistics, the lowest-ESS pairs.
import { OptionError } from '../base/errors.ts';
import type { FitData, SamplerStat } from '../io/fitData.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import type { SummaryRow } from '../diagnostics/index.ts';
import { drawCount, noDrawsReason, summaryRows, warmupDone } from '../fit/warnings.ts';
import { autocorrelationPlot } from './autocorr.ts';
import { energyPlot } from './energy.ts';
import { pairPlot } from './pair.ts';
import { forestPlot, posteriorPlot } from './posterior.ts';
import { selectColumns, type VegaLiteSpec } from './spec.ts';
import { rankPlot, tracePlot } from './trace.ts';
import { unconstrainedView } from './unconstrained.ts';
import { warmupPlot } from './warmup.ts';

export interface ReportPlotOptions {
  /** Variables ('theta') or columns ('theta[0]') for the trace, rank, density and autocorrelation plots. */
  readonly vars?: readonly string[];
  /** The same as vars (the earlier name). */
  readonly params?: readonly string[];
  /** Without vars, at most this many columns are plotted, and the report says how many it left out (default 24). */
  readonly maxParams?: number;
  /** Two to eight columns for the pair plot (default: the parameters with the lowest bulk ESS, at most 4). */
  readonly pairParams?: readonly string[];
  /** The model: the pair plot is then drawn on the sampler's unconstrained scale (log tau, …), where funnels show. */
  readonly model?: Model | TracedModel;
  /** Thinning limits: draws per chain in traces (default 400), points in the pair plot (default 1000). */
  readonly maxDraws?: number;
  readonly maxPoints?: number;
}

/** One plot of the report: the element id, a heading, the spec and a line of text under the heading. */
export interface ReportPlot {
  readonly id: string;
  readonly heading: string;
  readonly spec: VegaLiteSpec;
  readonly note?: string;
}

/** The columns the per-parameter plots show, and the sentence saying so when that is not all of them. */
export function plottedColumns(fit: FitData, opts: ReportPlotOptions): { columns: string[]; note: string | null } {
  const vars = opts.vars ?? opts.params;
  const total = fit.columns.length;
  if (vars !== undefined) {
    const columns = selectColumns('writeReport', fit, vars).map((j) => fit.columns[j]!);
    return { columns, note: columns.length < total ? `Showing ${columns.length} of ${total} columns, as chosen with vars: ${vars.join(', ')}.` : null };
  }
  const max = opts.maxParams ?? 24;
  if (!Number.isInteger(max) || max < 1) throw new OptionError(`[writeReport] maxParams must be a positive integer, got ${String(max)}`);
  const columns = fit.columns.slice(0, max);
  const note = columns.length < total
    ? `Showing ${columns.length} of ${total} columns (${columns[0]} … ${columns[columns.length - 1]}): pass vars to choose others, ` +
      `e.g. writeReport(fit, path, { vars: ['${fit.variables[fit.variables.length - 1]?.name ?? 'name'}'] }) or --vars on the command line.`
    : null;
  return { columns, note };
}

const STAT_TRACES: readonly SamplerStat[] = ['lp__', 'accept_stat__', 'stepsize__', 'treedepth__', 'n_leapfrog__'];

/** The sampler statistics as the columns of a FitData-shaped view, for the trace plot. */
export function statsView(fit: FitData): FitData {
  return {
    ...fit,
    variables: STAT_TRACES.map((name) => ({ name, shape: [], kind: 'param' as const })),
    columns: [...STAT_TRACES],
    values: fit.stats.map((s) => STAT_TRACES.map((k) => s[k])),
  };
}

/** The pair plot: its view of the fit (unconstrained when the model is given), columns and a note on the choice. */
function pairSpec(fit: FitData, summary: readonly SummaryRow[], opts: ReportPlotOptions): ReportPlot | null {
  const view = opts.model !== undefined ? unconstrainedView(fit, opts.model) : null;
  const target = view?.fit ?? fit;
  const ess = new Map(summary.map((r) => [r.name, r.essBulk]));
  let cols: string[];
  let why: string;
  if (opts.pairParams !== undefined) {
    cols = [...opts.pairParams];
    why = 'the columns chosen with pairParams';
  } else {
    const params = new Set(fit.variables.filter((v) => v.kind === 'param').map((v) => v.name));
    const candidates = (view ? target.columns.map((c, k) => ({ c, src: view.source[k]! })) : fit.columns.map((c) => ({ c, src: c })))
      .filter(({ src }) => params.has(src.replace(/\[.*$/, '')))
      .map(({ c, src }) => ({ c, ess: ess.get(src) ?? NaN }))
      .sort((a, b) => (Number.isNaN(a.ess) ? 1 : Number.isNaN(b.ess) ? -1 : a.ess - b.ess));
    cols = candidates.slice(0, 4).map((x) => x.c);
    why = `the ${cols.length} parameter${cols.length === 1 ? '' : 's'} with the lowest bulk ESS`;
  }
  if (cols.length < 2) return null;
  const scale = view ? 'on the unconstrained scale the sampler moves on' : 'on the constrained scale (pass the model to writeReport for the unconstrained scale)';
  const spec = pairPlot(target, { params: cols, maxParams: 8, maxPoints: opts.maxPoints, divergedAt: view?.divergedAt });
  return { id: 'plot-pair', heading: 'Pair plot', spec, note: `${why[0]!.toUpperCase()}${why.slice(1)}, ${scale}; divergent transitions in red${view && view.divergedAt.length > 0 ? ', the points where they diverged as orange crosses' : ''}.` };
}

/**
 * The plots a report shows. With draws: traces of the chosen columns and of lp__ and the sampler statistics, rank
 * histograms, densities, a forest plot, the pair plot, energy, autocorrelation; the warmup view whenever warmup
 * statistics were recorded (also for a fit stopped during warmup, which gets nothing else).
 */
export function reportPlots(fit: FitData, opts: ReportPlotOptions = {}, summary: readonly SummaryRow[] = summaryRows(fit)): ReportPlot[] {
  const plots: ReportPlot[] = [];
  const n = drawCount(fit);
  if (noDrawsReason(fit) === null) {
    const { columns, note } = plottedColumns(fit, opts);
    const p = { params: columns };
    const sel = note ?? undefined;
    plots.push({ id: 'plot-trace', heading: 'Trace', spec: tracePlot(fit, { ...p, maxDraws: opts.maxDraws }), note: sel });
    plots.push({
      id: 'plot-stats', heading: 'lp__ and sampler statistics',
      spec: tracePlot(statsView(fit), { maxParams: STAT_TRACES.length, maxDraws: opts.maxDraws, title: 'lp__ and sampler statistics per draw (red: divergent transitions)' }),
    });
    plots.push({ id: 'plot-rank', heading: 'Rank plot', spec: rankPlot(fit, p), note: sel });
    plots.push({ id: 'plot-posterior', heading: 'Posterior densities', spec: posteriorPlot(fit, p), note: sel });
    plots.push({ id: 'plot-forest', heading: 'Forest plot', spec: forestPlot(fit, { params: columns.slice(0, 40) }) });
    const pair = fit.columns.length >= 2 ? pairSpec(fit, summary, opts) : null;
    if (pair) plots.push(pair);
    plots.push({ id: 'plot-energy', heading: 'Energy', spec: energyPlot(fit) });
    if (n >= 2) plots.push({ id: 'plot-autocorr', heading: 'Autocorrelation', spec: autocorrelationPlot(fit, p), note: sel });
  }
  if (warmupDone(fit).some((k) => k > 0)) {
    plots.push({ id: 'plot-warmup', heading: 'Warmup', spec: warmupPlot(fit, { maxDraws: opts.maxDraws }) });
  }
  return plots;
}
