// Benchmark comparison chart: ESS per second of each sampler/backend relative to a baseline, per model.
import { OptionError } from '../base/errors.ts';
import { makeSpec, round, type VegaLiteSpec } from './spec.ts';
import { quantileSorted } from '../diagnostics/quantile.ts';

/** One benchmark run, as the bench runner records it. */
export interface BenchmarkRecord {
  readonly model: string;
  readonly config: string;
  readonly sampler: string;
  readonly backend: string;
  readonly dtype: string;
  readonly chains: number;
  readonly seed: number;
  readonly samplingSeconds: number;
  readonly minEssBulk: number;
  readonly essPerSecond: number;
  readonly divergences: number;
  readonly gradientEvaluations: number;
}

export interface BenchmarkOptions {
  /** The baseline: a label `sampler (backend, dtype)` or a sampler name. Default: sampler 'stan' if present, else the first label. */
  readonly baseline?: string;
  readonly width?: number;
  readonly title?: string;
}

/** The label a record is grouped and coloured by. */
export function benchmarkLabel(r: BenchmarkRecord): string {
  return `${r.sampler} (${r.backend}, ${r.dtype})`;
}

function median(xs: number[]): number {
  return quantileSorted(Float64Array.from(xs).sort(), 0.5);
}

/**
 * Rows of the chart: per (model · config, label) the median ESS/s over seeds divided by the baseline's median for
 * the same model and config (`kind: 'median'`), and each seed's own ratio (`kind: 'seed'`). Groups without a
 * baseline run are left out.
 */
export function benchmarkRatios(records: readonly BenchmarkRecord[], baseline?: string): { baseline: string; rows: Record<string, unknown>[] } {
  if (!Array.isArray(records) || records.length === 0) throw new OptionError('[benchmarkPlot] records must be a non-empty array');
  records.forEach((r, i) => {
    for (const key of ['model', 'config', 'sampler', 'backend', 'dtype'] as const) {
      if (typeof r[key] !== 'string') throw new OptionError(`[benchmarkPlot] records[${i}].${key} must be a string`);
    }
    if (typeof r.essPerSecond !== 'number') throw new OptionError(`[benchmarkPlot] records[${i}].essPerSecond must be a number`);
  });
  const labels = [...new Set(records.map(benchmarkLabel))];
  let base: string | undefined;
  if (baseline !== undefined) {
    base = labels.includes(baseline) ? baseline : records.find((r) => r.sampler === baseline) && benchmarkLabel(records.find((r) => r.sampler === baseline)!);
    if (base === undefined) throw new OptionError(`[benchmarkPlot] baseline '${baseline}' matches no label or sampler (labels: ${labels.join('; ')})`);
  } else {
    const stan = records.find((r) => r.sampler.toLowerCase() === 'stan');
    base = stan !== undefined ? benchmarkLabel(stan) : labels[0]!;
  }
  const groups = new Map<string, Map<string, BenchmarkRecord[]>>();
  for (const r of records) {
    if (!(r.essPerSecond > 0 && Number.isFinite(r.essPerSecond))) continue;
    const g = `${r.model} · ${r.config}`;
    const byLabel = groups.get(g) ?? new Map<string, BenchmarkRecord[]>();
    groups.set(g, byLabel);
    const l = benchmarkLabel(r);
    byLabel.set(l, [...(byLabel.get(l) ?? []), r]);
  }
  const rows: Record<string, unknown>[] = [];
  for (const [group, byLabel] of groups) {
    const baseRuns = byLabel.get(base);
    if (baseRuns === undefined) continue;
    const baseMedian = median(baseRuns.map((r) => r.essPerSecond));
    for (const [label, runs] of byLabel) {
      const m = median(runs.map((r) => r.essPerSecond));
      rows.push({
        group,
        label,
        kind: 'median',
        ratio: round(m / baseMedian, 4),
        essPerSecond: round(m, 4),
        divergences: runs.reduce((a, r) => a + r.divergences, 0),
        gradientEvaluations: round(median(runs.map((r) => r.gradientEvaluations)), 6),
        seeds: runs.length,
      });
      for (const r of runs) rows.push({ group, label, kind: 'seed', seed: r.seed, ratio: round(r.essPerSecond / baseMedian, 4) });
    }
  }
  return { baseline: base, rows };
}

/** The comparison chart: one row per model · config, a point per sampler label at its median ESS/s ratio (log x). */
export function benchmarkPlot(records: readonly BenchmarkRecord[], opts: BenchmarkOptions = {}): VegaLiteSpec {
  const { baseline, rows } = benchmarkRatios(records, opts.baseline);
  if (rows.length === 0) throw new OptionError(`[benchmarkPlot] no model has a run of the baseline '${baseline}' with a positive ESS/s`);
  const labels = [...new Set(rows.map((r) => r['label'] as string))];
  const groups = [...new Set(rows.map((r) => r['group'] as string))];
  const y = { field: 'label', type: 'nominal', sort: labels, title: null, axis: null };
  const x = { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: `ESS/s relative to ${baseline} (log scale)` };
  return makeSpec(
    {
      data: { values: rows },
      facet: { row: { field: 'group', type: 'nominal', sort: groups, title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
      spec: {
        width: opts.width ?? 420,
        height: Math.max(20, 14 * labels.length),
        layer: [
          {
            transform: [{ filter: "datum.kind == 'seed'" }],
            mark: { type: 'tick', thickness: 1, opacity: 0.6 },
            encoding: { x, y, color: { field: 'label', type: 'nominal', sort: labels, title: 'sampler (backend, dtype)', legend: { labelLimit: 360, titleLimit: 360 } } },
          },
          {
            transform: [{ filter: "datum.kind == 'median'" }],
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              x,
              y,
              color: { field: 'label', type: 'nominal', sort: labels },
              tooltip: [
                { field: 'label', type: 'nominal', title: 'sampler' },
                { field: 'ratio', type: 'quantitative', title: 'ESS/s ratio' },
                { field: 'essPerSecond', type: 'quantitative', title: 'median ESS/s' },
                { field: 'divergences', type: 'quantitative' },
                { field: 'gradientEvaluations', type: 'quantitative', title: 'median gradient evals' },
                { field: 'seeds', type: 'quantitative' },
              ],
            },
          },
          {
            transform: [{ filter: `datum.kind == 'median' && datum.label == ${JSON.stringify(baseline)}` }],
            mark: { type: 'rule', strokeDash: [4, 3], color: '#666' },
            encoding: { x: { datum: 1 } },
          },
        ],
      },
      spacing: 4,
    },
    opts.title ?? `ESS per second relative to ${baseline} (points: median over seeds; ticks: single seeds)`,
  );
}
