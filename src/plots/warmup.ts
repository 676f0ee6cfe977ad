// Warmup view: step size, and rolling means of tree depth and accept statistic, per chain as adaptation proceeds (fit.warmupStats).
import { OptionError } from '../base/errors.ts';
import type { FitData, SamplerStat } from '../io/fitData.ts';
import { warmupDone } from '../fit/warnings.ts';
import { chainLabel, checkFit, checkPositiveInt, makeSpec, type PlotOptions, round, thinIndices, type VegaLiteSpec } from './spec.ts';

export interface WarmupOptions extends PlotOptions {
  /** At most this many iterations per chain (evenly thinned, default 500). */
  readonly maxDraws?: number;
}

/** Iterations per rolling mean: Stan's first slow adaptation window (25 iterations). */
export const WARMUP_ROLLING_WINDOW = 25;

const PANELS: readonly { stat: SamplerStat; title: string; log: boolean; rolling: boolean }[] = [
  { stat: 'stepsize__', title: 'step size', log: true, rolling: false },
  { stat: 'treedepth__', title: `tree depth (mean of ${WARMUP_ROLLING_WINDOW})`, log: false, rolling: true },
  { stat: 'accept_stat__', title: `accept stat (mean of ${WARMUP_ROLLING_WINDOW})`, log: false, rolling: true },
];

/** Trailing rolling mean over `w` values (fewer at the start), skipping non-finite values. */
export function rollingMean(xs: ArrayLike<number>, w: number): Float64Array {
  const out = new Float64Array(xs.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i]!)) {
      sum += xs[i]!;
      count++;
    }
    const drop = i - w;
    if (drop >= 0 && Number.isFinite(xs[drop]!)) {
      sum -= xs[drop]!;
      count--;
    }
    out[i] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/**
 * Three stacked panels over the warmup iterations, one line per chain. Columnar records per (stat, chain):
 * `stat`, `chain`, `iter[]`, `value[]`, flattened in the spec. Throws when the fit has no warmup statistics.
 */
export function warmupPlot(fit: FitData, opts: WarmupOptions = {}): VegaLiteSpec {
  checkFit('warmupPlot', fit);
  const maxDraws = checkPositiveInt('warmupPlot', 'maxDraws', opts.maxDraws, 500);
  if (!Array.isArray(fit.warmupStats) || fit.warmupStats.length === 0) throw new OptionError('[warmupPlot] fit.warmupStats is empty (no warmup was recorded)');
  const records: Record<string, unknown>[] = [];
  let any = false;
  const done = warmupDone(fit);
  fit.warmupStats.forEach((s, c) => {
    for (const p of PANELS) {
      const raw = s[p.stat]?.subarray(0, done[c]);
      if (raw === undefined || raw.length === 0) continue;
      const xs = p.rolling ? rollingMean(raw, WARMUP_ROLLING_WINDOW) : raw;
      const keep = thinIndices(xs.length, maxDraws).filter((i) => Number.isFinite(xs[i]!) && (!p.log || xs[i]! > 0));
      if (keep.length > 0) any = true;
      records.push({ stat: p.stat, chain: chainLabel(c), iter: keep, value: keep.map((i) => round(xs[i]!, 5)) });
    }
  });
  if (!any) throw new OptionError('[warmupPlot] fit.warmupStats holds no finite step size, tree depth or accept statistic');
  const panel = (p: (typeof PANELS)[number], last: boolean) => ({
    transform: [{ filter: { field: 'stat', equal: p.stat } }],
    width: opts.width ?? 520,
    height: opts.height ?? 90,
    mark: { type: 'line', strokeWidth: 1.2, opacity: 0.9 },
    encoding: {
      x: { field: 'iter', type: 'quantitative', title: last ? 'warmup iteration' : null },
      y: { field: 'value', type: 'quantitative', title: p.title, scale: p.log ? { type: 'log' } : p.stat === 'accept_stat__' ? { domain: [0, 1] } : { zero: true } },
      color: { field: 'chain', type: 'nominal', title: 'chain' },
    },
  });
  return makeSpec(
    {
      data: { values: records },
      transform: [{ flatten: ['iter', 'value'] }],
      vconcat: PANELS.map((p, k) => panel(p, k === PANELS.length - 1)),
      spacing: 8,
    },
    opts.title ?? `Warmup: step size, and tree depth and accept statistic as rolling means of ${WARMUP_ROLLING_WINDOW} iterations`,
  );
}
