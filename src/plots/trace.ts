// Trace plot (per chain, divergences marked) and rank plot (rank histograms per chain) as vega-lite specs.
import type { FitData } from '../io/fitData.ts';
import {
  chainLabel,
  checkFit,
  checkPositiveInt,
  DIVERGENT_COLOR,
  drawsPerChain,
  makeSpec,
  type PlotOptions,
  round,
  selectColumns,
  thinIndices,
  type VegaLiteSpec,
} from './spec.ts';
import { histogram, pooledRanks } from './stats.ts';

export interface TraceOptions extends PlotOptions {
  /** At most this many draws per chain are drawn (evenly thinned); divergent draws are always kept. Default 400. */
  readonly maxDraws?: number;
}

/** Indices of the divergent draws of one chain (among the first n). */
export function divergentIndices(fit: FitData, chain: number, n = drawsPerChain(fit)): number[] {
  const div = fit.stats[chain]?.divergent__;
  const out: number[] = [];
  if (div === undefined) return out;
  for (let i = 0; i < Math.min(n, div.length); i++) if (div[i]! > 0) out.push(i);
  return out;
}

/** Merges two ascending index lists without duplicates. */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
  }
  return out;
}

/**
 * Trace plot: one row per parameter, one line per chain, divergent transitions as red points.
 * Data is columnar, one record per (parameter, chain) with arrays `draw`, `value`, `div`, flattened in the spec.
 */
export function tracePlot(fit: FitData, opts: TraceOptions = {}): VegaLiteSpec {
  checkFit('tracePlot', fit);
  const cols = selectColumns('tracePlot', fit, opts.params, opts.maxParams);
  const maxDraws = checkPositiveInt('tracePlot', 'maxDraws', opts.maxDraws, 400);
  const n = drawsPerChain(fit);
  const records: Record<string, unknown>[] = [];
  for (const j of cols) {
    for (let c = 0; c < fit.values.length; c++) {
      const divs = divergentIndices(fit, c, n);
      const idx = mergeSorted(thinIndices(n, maxDraws), divs);
      const xs = fit.values[c]![j]!;
      const divSet = new Set(divs);
      const keep = idx.filter((i) => Number.isFinite(xs[i]!));
      records.push({
        param: fit.columns[j],
        chain: chainLabel(c),
        draw: keep,
        value: keep.map((i) => round(xs[i]!)),
        div: keep.map((i) => (divSet.has(i) ? 1 : 0)),
      });
    }
  }
  const names = cols.map((j) => fit.columns[j]!);
  return makeSpec(
    {
      data: { values: records },
      transform: [{ flatten: ['draw', 'value', 'div'] }],
      facet: { row: { field: 'param', type: 'nominal', sort: names, title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
      spec: {
        width: opts.width ?? 520,
        height: opts.height ?? 90,
        layer: [
          {
            mark: { type: 'line', strokeWidth: 0.8, opacity: 0.8, clip: true },
            encoding: {
              x: { field: 'draw', type: 'quantitative', title: 'draw' },
              y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
              color: { field: 'chain', type: 'nominal', title: 'chain' },
              detail: { field: 'chain', type: 'nominal' },
            },
          },
          {
            transform: [{ filter: 'datum.div == 1' }],
            mark: { type: 'point', shape: 'triangle-up', filled: true, size: 30, color: DIVERGENT_COLOR },
            encoding: {
              x: { field: 'draw', type: 'quantitative' },
              y: { field: 'value', type: 'quantitative' },
              tooltip: [
                { field: 'chain', type: 'nominal' },
                { field: 'draw', type: 'quantitative' },
                { field: 'value', type: 'quantitative' },
              ],
            },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    },
    opts.title ?? `Trace (${fit.modelName}; red: divergent transitions)`,
  );
}

export interface RankOptions extends PlotOptions {
  /** Number of rank bins (default 20). */
  readonly bins?: number;
}

/**
 * Rank plot (Vehtari et al. 2021, "Rank-normalization, folding, and localization", §4.2): draws of all chains are
 * ranked together and each chain's ranks are binned; well-mixed chains give flat histograms near the dashed line.
 */
export function rankPlot(fit: FitData, opts: RankOptions = {}): VegaLiteSpec {
  checkFit('rankPlot', fit);
  const cols = selectColumns('rankPlot', fit, opts.params, opts.maxParams);
  const bins = checkPositiveInt('rankPlot', 'bins', opts.bins, 20);
  const n = drawsPerChain(fit);
  const total = n * fit.values.length;
  const rows: Record<string, unknown>[] = [];
  for (const j of cols) {
    const ranks = pooledRanks(fit.values.map((chain) => chain[j]!.subarray(0, n)));
    ranks.forEach((r, c) => {
      for (const b of histogram(r, 0.5, total + 0.5, bins)) {
        rows.push({ param: fit.columns[j], chain: chainLabel(c), start: round(b.start), end: round(b.end), count: b.count });
      }
    });
  }
  const names = cols.map((j) => fit.columns[j]!);
  return makeSpec(
    {
      data: { values: rows },
      facet: {
        row: { field: 'param', type: 'nominal', sort: names, title: null, header: { labelAngle: 0, labelAlign: 'left' } },
        column: { field: 'chain', type: 'nominal', title: 'chain' },
      },
      spec: {
        width: opts.width ?? 130,
        height: opts.height ?? 70,
        layer: [
          {
            mark: { type: 'rect', opacity: 0.85, stroke: 'white', strokeWidth: 0.5 },
            encoding: {
              x: { field: 'start', type: 'quantitative', title: 'rank', scale: { domain: [0, total] } },
              x2: { field: 'end' },
              y: { field: 'count', type: 'quantitative', title: null },
              y2: { datum: 0 },
              color: { field: 'chain', type: 'nominal', legend: null },
            },
          },
          {
            // One rule per cell: only the first bin's record (start = 0.5) draws it.
            transform: [{ filter: 'datum.start < 1' }],
            mark: { type: 'rule', strokeDash: [4, 3], color: '#333' },
            encoding: { y: { datum: n / bins } },
          },
        ],
      },
    },
    opts.title ?? 'Rank histograms (flat = chains mix)',
  );
}
