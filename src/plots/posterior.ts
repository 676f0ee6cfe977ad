// Posterior density or histogram with central intervals, and the forest plot (intervals per parameter and chain).
import { OptionError } from '../base/errors.ts';
import type { FitData } from '../io/fitData.ts';
import {
  chainLabel,
  checkFit,
  checkPositiveInt,
  checkProb,
  drawsPerChain,
  makeSpec,
  type PlotOptions,
  round,
  selectColumns,
  type VegaLiteSpec,
} from './spec.ts';
import { flatten } from '../diagnostics/draws.ts';
import { mean } from '../diagnostics/moments.ts';
import { quantileSorted } from '../diagnostics/quantile.ts';
import { histogram, kde, sortedFinite } from './stats.ts';

export interface PosteriorOptions extends PlotOptions {
  /** 'density' (Gaussian KDE, default) or 'histogram'. */
  readonly kind?: 'density' | 'histogram';
  /** Probability of the central interval drawn under the curve (default 0.9). */
  readonly prob?: number;
  /** Histogram bins (default 30) or KDE grid points (default 128). */
  readonly bins?: number;
}

/** Central interval [(1−p)/2, (1+p)/2] of sorted values. */
export function centralInterval(sorted: Float64Array, prob: number): [number, number] {
  return [quantileSorted(sorted, (1 - prob) / 2), quantileSorted(sorted, (1 + prob) / 2)];
}

/**
 * Marginal posterior of each parameter (all chains pooled): a density curve or a histogram, the central `prob`
 * interval as a thick bar on the axis and the median as a point. Records carry `part`: 'curve' | 'bin' | 'interval'.
 */
export function posteriorPlot(fit: FitData, opts: PosteriorOptions = {}): VegaLiteSpec {
  checkFit('posteriorPlot', fit);
  const kind = opts.kind ?? 'density';
  if (kind !== 'density' && kind !== 'histogram') throw new OptionError(`[posteriorPlot] kind must be 'density' or 'histogram', got ${String(kind)}`);
  const prob = checkProb('posteriorPlot', 'prob', opts.prob, 0.9);
  const bins = checkPositiveInt('posteriorPlot', 'bins', opts.bins, kind === 'density' ? 128 : 30);
  const cols = selectColumns('posteriorPlot', fit, opts.params, opts.maxParams);
  const n = drawsPerChain(fit);
  const rows: Record<string, unknown>[] = [];
  for (const j of cols) {
    const param = fit.columns[j]!;
    const sorted = sortedFinite(flatten(fit.values.map((c) => c[j]!.subarray(0, n))));
    if (sorted.length === 0) continue;
    const total = sorted.length;
    if (kind === 'density') {
      const { x, density } = kde(sorted, Math.max(bins, 2));
      x.forEach((xv, k) => rows.push({ param, part: 'curve', x: round(xv), density: round(density[k]!) }));
    } else {
      for (const b of histogram(sorted, sorted[0]!, sorted[total - 1]!, bins)) {
        const w = b.end - b.start;
        rows.push({ param, part: 'bin', x: round(b.start), x2: round(b.end), density: round(b.count / (total * w)) });
      }
    }
    const [lo, hi] = centralInterval(sorted, prob);
    rows.push({ param, part: 'interval', lo: round(lo), hi: round(hi), median: round(quantileSorted(sorted, 0.5)), mean: round(mean(sorted)) });
  }
  const names = cols.map((j) => fit.columns[j]!);
  const shape =
    kind === 'density'
      ? {
          transform: [{ filter: "datum.part == 'curve'" }],
          mark: { type: 'area', opacity: 0.35, line: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: null, scale: { zero: false } },
            y: { field: 'density', type: 'quantitative', title: 'density' },
          },
        }
      : {
          transform: [{ filter: "datum.part == 'bin'" }],
          mark: { type: 'rect', opacity: 0.6, stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: null, scale: { zero: false } },
            x2: { field: 'x2' },
            y: { field: 'density', type: 'quantitative', title: 'density' },
            y2: { datum: 0 },
          },
        };
  const pct = Math.round(prob * 100);
  return makeSpec(
    {
      data: { values: rows },
      facet: { field: 'param', type: 'nominal', sort: names, title: null },
      columns: 3,
      spec: {
        width: opts.width ?? 200,
        height: opts.height ?? 110,
        layer: [
          shape,
          {
            transform: [{ filter: "datum.part == 'interval'" }],
            mark: { type: 'rule', strokeWidth: 4, color: '#222' },
            encoding: {
              x: { field: 'lo', type: 'quantitative' },
              x2: { field: 'hi' },
              y: { datum: 0 },
              tooltip: [
                { field: 'lo', type: 'quantitative', title: `${pct}% lower` },
                { field: 'hi', type: 'quantitative', title: `${pct}% upper` },
                { field: 'median', type: 'quantitative' },
                { field: 'mean', type: 'quantitative' },
              ],
            },
          },
          {
            transform: [{ filter: "datum.part == 'interval'" }],
            mark: { type: 'point', filled: true, size: 40, color: 'white', stroke: '#222', strokeWidth: 1.5 },
            encoding: { x: { field: 'median', type: 'quantitative' }, y: { datum: 0 } },
          },
        ],
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    },
    opts.title ?? `Posterior ${kind === 'density' ? 'densities' : 'histograms'} (bar: ${pct}% central interval, point: median)`,
  );
}

export interface ForestOptions extends PlotOptions {
  /** Outer interval probability (default 0.9). */
  readonly prob?: number;
  /** Inner interval probability (default 0.5). */
  readonly innerProb?: number;
  /** Adds an 'all' row per parameter with the chains pooled (default true). */
  readonly combined?: boolean;
}

/** Forest plot: per parameter and chain, the outer (thin) and inner (thick) central intervals and the median. */
export function forestPlot(fit: FitData, opts: ForestOptions = {}): VegaLiteSpec {
  checkFit('forestPlot', fit);
  const prob = checkProb('forestPlot', 'prob', opts.prob, 0.9);
  const inner = checkProb('forestPlot', 'innerProb', opts.innerProb, 0.5);
  if (inner >= prob) throw new OptionError(`[forestPlot] innerProb (${inner}) must be smaller than prob (${prob})`);
  const cols = selectColumns('forestPlot', fit, opts.params, opts.maxParams ?? 40);
  const n = drawsPerChain(fit);
  const rows: Record<string, unknown>[] = [];
  const chainNames: string[] = [];
  for (let c = 0; c < fit.values.length; c++) chainNames.push(chainLabel(c));
  if (opts.combined !== false) chainNames.push('all');
  for (const j of cols) {
    const param = fit.columns[j]!;
    const perChain = fit.values.map((c) => c[j]!.subarray(0, n));
    const groups: ArrayLike<number>[] = opts.combined !== false ? [...perChain, flatten(perChain)] : perChain;
    groups.forEach((g, k) => {
      const s = sortedFinite(g);
      if (s.length === 0) return;
      const [lo, hi] = centralInterval(s, prob);
      const [ilo, ihi] = centralInterval(s, inner);
      rows.push({ param, chain: chainNames[k], lo: round(lo), hi: round(hi), ilo: round(ilo), ihi: round(ihi), median: round(quantileSorted(s, 0.5)) });
    });
  }
  const names = cols.map((j) => fit.columns[j]!);
  const rowHeight = Math.max(8, Math.min(14, Math.round(120 / chainNames.length)));
  const y = { field: 'chain', type: 'nominal', sort: chainNames, title: null, axis: null };
  return makeSpec(
    {
      data: { values: rows },
      facet: {
        row: { field: 'param', type: 'nominal', sort: names, title: null, header: { labelAngle: 0, labelAlign: 'left' } },
      },
      spec: {
        width: opts.width ?? 420,
        height: opts.height ?? rowHeight * chainNames.length,
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 1.2 },
            encoding: {
              x: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false } },
              x2: { field: 'hi' },
              y,
              color: { field: 'chain', type: 'nominal', sort: chainNames, title: 'chain' },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 3.5 },
            encoding: { x: { field: 'ilo', type: 'quantitative' }, x2: { field: 'ihi' }, y, color: { field: 'chain', type: 'nominal', sort: chainNames } },
          },
          {
            mark: { type: 'point', filled: true, size: 22, color: 'white', stroke: '#222', strokeWidth: 1 },
            encoding: {
              x: { field: 'median', type: 'quantitative' },
              y,
              tooltip: [
                { field: 'param', type: 'nominal' },
                { field: 'chain', type: 'nominal' },
                { field: 'median', type: 'quantitative' },
                { field: 'lo', type: 'quantitative' },
                { field: 'hi', type: 'quantitative' },
              ],
            },
          },
        ],
      },
      spacing: 2,
      resolve: { scale: { x: 'shared' } },
    },
    opts.title ?? `Forest plot (${Math.round(prob * 100)}% and ${Math.round(inner * 100)}% central intervals; 'all' pools the chains)`,
  );
}
