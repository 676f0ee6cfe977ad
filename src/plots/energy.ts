// Energy plot: marginal energy vs energy transition histograms, with each chain's E-BFMI in the title.
import { OptionError } from '../base/errors.ts';
import type { FitData } from '../io/fitData.ts';
import { checkFit, checkPositiveInt, drawsPerChain, makeSpec, type PlotOptions, round, type VegaLiteSpec } from './spec.ts';
import { ebfmi } from '../diagnostics/index.ts';
import { mean } from '../diagnostics/moments.ts';
import { histogram, sortedFinite } from './stats.ts';

/** E-BFMI per chain from the `energy__` sampler statistic (Stan warns below 0.3). */
export function chainEbfmi(fit: FitData): number[] {
  const n = drawsPerChain(fit);
  return fit.stats.map((s) => (s.energy__ === undefined ? NaN : ebfmi(s.energy__.subarray(0, n))));
}

export interface EnergyOptions extends PlotOptions {
  /** Histogram bins (default 40). */
  readonly bins?: number;
}

/**
 * Energy plot (Betancourt 2016): the distribution of the energy, centred per chain, against the distribution of its
 * change between successive draws. When the transition histogram is much narrower than the marginal one, the
 * sampler explores the energy levels slowly (low E-BFMI). Records: `kind`, `start`, `end`, `density`.
 */
export function energyPlot(fit: FitData, opts: EnergyOptions = {}): VegaLiteSpec {
  checkFit('energyPlot', fit);
  const bins = checkPositiveInt('energyPlot', 'bins', opts.bins, 40);
  const n = drawsPerChain(fit);
  const marginal: number[] = [];
  const transition: number[] = [];
  for (const s of fit.stats) {
    const e = s.energy__;
    if (e === undefined) throw new OptionError('[energyPlot] fit.stats has no energy__ statistic');
    const m = mean(e.subarray(0, n));
    for (let i = 0; i < n; i++) {
      if (Number.isFinite(e[i]!)) marginal.push(e[i]! - m);
      if (i > 0 && Number.isFinite(e[i]! - e[i - 1]!)) transition.push(e[i]! - e[i - 1]!);
    }
  }
  const all = sortedFinite([...marginal, ...transition]);
  const lo = all[0] ?? -1;
  const hi = all[all.length - 1] ?? 1;
  const rows: Record<string, unknown>[] = [];
  const kinds = ['marginal energy (E − mean E)', 'energy transition (E[t] − E[t−1])'] as const;
  for (const [kind, xs] of [
    [kinds[0], marginal],
    [kinds[1], transition],
  ] as const) {
    for (const b of histogram(xs, lo, hi, bins)) {
      const d = xs.length > 0 ? b.count / (xs.length * (b.end - b.start)) : 0;
      rows.push({ kind, start: round(b.start), end: round(b.end), density: round(d) });
    }
  }
  const values = chainEbfmi(fit);
  const fmt = values.map((v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a')).join(', ');
  const low = values.some((v) => v < 0.3);
  return makeSpec(
    {
      data: { values: rows },
      width: opts.width ?? 480,
      height: opts.height ?? 220,
      mark: { type: 'rect', opacity: 0.55 },
      encoding: {
        x: { field: 'start', type: 'quantitative', title: 'energy (centred)' },
        x2: { field: 'end' },
        y: { field: 'density', type: 'quantitative', title: 'density', stack: null },
        y2: { datum: 0 },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          sort: kinds,
          scale: { range: ['#4c78a8', '#f58518'] },
          legend: { orient: 'top', labelLimit: 320 },
        },
      },
    },
    opts.title ?? `Energy — E-BFMI per chain: ${fmt}${low ? ' (below 0.3: poor exploration)' : ''}`,
  );
}
