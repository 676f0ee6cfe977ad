// Pair plot: scatter of chosen parameters against each other, every divergent transition highlighted.
import { OptionError } from '../base/errors.ts';
import type { FitData } from '../io/fitData.ts';
import { chainLabel, checkFit, checkPositiveInt, DIVERGENT_COLOR, drawsPerChain, makeSpec, type PlotOptions, round, selectColumns, thinIndices, type VegaLiteSpec } from './spec.ts';
import { divergentIndices } from './trace.ts';

/** The colour of the points where trajectories diverged. */
const DIVERGED_AT_COLOR = '#f58518';

export interface PairOptions extends PlotOptions {
  /** At most this many non-divergent draws in total (evenly thinned per chain); divergent draws are all kept. Default 1000. */
  readonly maxPoints?: number;
  /**
   * Points where trajectories diverged, one value per column of `fit` (as unconstrainedView's divergedAt gives them
   * from fit.divergenceInfo()): drawn as orange crosses beside the red divergent draws.
   */
  readonly divergedAt?: readonly { readonly chain: number; readonly position: ArrayLike<number> }[];
}

/**
 * Pair plot. Data is the named dataset 'draws', one record per kept draw: `chain`, `draw` (0-based, per chain),
 * `divergent` (true for a divergent transition) and one field per parameter, named `p0, p1, …` in the order given
 * (the real names are the axis titles; vega-lite would read 'theta[0]' as a nested field). For two parameters it is a
 * single scatter; for more, the lower triangle of a scatter matrix with histograms on the diagonal.
 */
export function pairPlot(fit: FitData, opts: PairOptions = {}): VegaLiteSpec {
  checkFit('pairPlot', fit);
  const cols = selectColumns('pairPlot', fit, opts.params, Math.min(opts.maxParams ?? 2, 8));
  if (cols.length < 2) throw new OptionError(`[pairPlot] params must name at least two columns, got ${cols.length}`);
  if (cols.length > 8) throw new OptionError(`[pairPlot] params: at most 8 columns in a pair plot, got ${cols.length}`);
  const maxPoints = checkPositiveInt('pairPlot', 'maxPoints', opts.maxPoints, 1000);
  const n = drawsPerChain(fit);
  const perChain = Math.max(2, Math.floor(maxPoints / fit.values.length));
  const rows: Record<string, unknown>[] = [];
  for (let c = 0; c < fit.values.length; c++) {
    const divs = new Set(divergentIndices(fit, c, n));
    const keep = new Set<number>(thinIndices(n, perChain).filter((i) => !divs.has(i)));
    for (const i of divs) keep.add(i);
    for (const i of [...keep].sort((a, b) => a - b)) {
      const row: Record<string, unknown> = { chain: chainLabel(c), draw: i, divergent: divs.has(i) };
      let finite = true;
      cols.forEach((j, k) => {
        const v = fit.values[c]![j]![i]!;
        if (!Number.isFinite(v)) finite = false;
        row[`p${k}`] = round(v);
      });
      if (finite) rows.push(row);
    }
  }
  for (const x of opts.divergedAt ?? []) {
    const row: Record<string, unknown> = { chain: chainLabel(x.chain), divergent: false, at: true };
    cols.forEach((j, k) => (row[`p${k}`] = round(x.position[j]!)));
    if (cols.every((j) => Number.isFinite(x.position[j]!))) rows.push(row);
  }
  const names = cols.map((j) => fit.columns[j]!);
  const w = opts.width ?? (cols.length === 2 ? 360 : Math.max(110, Math.round(520 / cols.length)));
  const h = opts.height ?? w;
  const scatter = (x: number, y: number, axes: { x: boolean; y: boolean }) => ({
    data: { name: 'draws' },
    width: w,
    height: h,
    layer: [
      {
        transform: [{ filter: '!datum.divergent && !datum.at' }],
        mark: { type: 'circle', size: 9, opacity: 0.35, color: '#4c78a8' },
        encoding: {
          x: { field: `p${x}`, type: 'quantitative', title: axes.x ? names[x] : null, scale: { zero: false } },
          y: { field: `p${y}`, type: 'quantitative', title: axes.y ? names[y] : null, scale: { zero: false } },
        },
      },
      {
        transform: [{ filter: 'datum.divergent' }],
        mark: { type: 'circle', size: 24, opacity: 0.9, color: DIVERGENT_COLOR },
        encoding: {
          x: { field: `p${x}`, type: 'quantitative' },
          y: { field: `p${y}`, type: 'quantitative' },
          tooltip: [
            { field: 'chain', type: 'nominal' },
            { field: 'draw', type: 'quantitative' },
            { field: `p${x}`, type: 'quantitative', title: names[x] },
            { field: `p${y}`, type: 'quantitative', title: names[y] },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.at' }],
        mark: { type: 'point', shape: 'cross', size: 40, opacity: 0.9, color: DIVERGED_AT_COLOR },
        encoding: { x: { field: `p${x}`, type: 'quantitative' }, y: { field: `p${y}`, type: 'quantitative' } },
      },
    ],
  });
  const divCount = rows.filter((r) => r['divergent']).length;
  const atCount = rows.filter((r) => r['at']).length;
  const title = opts.title ?? `Pair plot (red: ${divCount} divergent transition${divCount === 1 ? '' : 's'}` +
    `${atCount > 0 ? `; orange crosses: where ${atCount === 1 ? 'it' : 'they'} diverged` : ''})`;
  const datasets = { draws: rows };
  if (cols.length === 2) return makeSpec({ datasets, ...scatter(0, 1, { x: true, y: true }) }, title);
  const k = cols.length;
  const gridRows: Record<string, unknown>[] = [];
  for (let r = 0; r < k; r++) {
    const cells: Record<string, unknown>[] = [];
    for (let c = 0; c <= r; c++) {
      if (c === r) {
        cells.push({
          data: { name: 'draws' },
          width: w,
          height: h,
          transform: [{ filter: '!datum.at' }],
          mark: { type: 'bar', color: '#9ab' },
          encoding: {
            x: { field: `p${c}`, type: 'quantitative', bin: { maxbins: 25 }, title: r === k - 1 ? names[c] : null },
            y: { aggregate: 'count', type: 'quantitative', title: null, axis: null },
          },
        });
      } else {
        cells.push(scatter(c, r, { x: r === k - 1, y: c === 0 }));
      }
    }
    gridRows.push({ hconcat: cells, spacing: 6 });
  }
  return makeSpec({ datasets, vconcat: gridRows, spacing: 6 }, title);
}
