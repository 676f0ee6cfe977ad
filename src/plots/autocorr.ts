// Autocorrelation plot: per parameter and chain, the sample autocorrelation against the lag.
import { OptionError } from '../base/errors.ts';
import type { FitData } from '../io/fitData.ts';
import { chainLabel, checkFit, checkPositiveInt, drawsPerChain, makeSpec, type PlotOptions, round, selectColumns, type VegaLiteSpec } from './spec.ts';
import { autocorrelation } from '../diagnostics/autocovariance.ts';

export interface AutocorrOptions extends PlotOptions {
  /** Largest lag drawn (default 40, at most draws − 1). */
  readonly maxLag?: number;
}

/** Autocorrelation per parameter (rows) with one line per chain. Columnar records: `param`, `chain`, `lag[]`, `acf[]`. */
export function autocorrelationPlot(fit: FitData, opts: AutocorrOptions = {}): VegaLiteSpec {
  checkFit('autocorrelationPlot', fit);
  const cols = selectColumns('autocorrelationPlot', fit, opts.params, opts.maxParams);
  const n = drawsPerChain(fit);
  if (n < 2) throw new OptionError(`[autocorrelationPlot] fit needs at least 2 draws per chain, got ${n}`);
  const maxLag = Math.min(checkPositiveInt('autocorrelationPlot', 'maxLag', opts.maxLag, 40), n - 1);
  const records: Record<string, unknown>[] = [];
  for (const j of cols) {
    for (let c = 0; c < fit.values.length; c++) {
      // posterior's autocorrelation (by FFT); a constant chain (NaN there) is drawn as 1 at lag 0 and 0 after.
      const full = autocorrelation(fit.values[c]![j]!.subarray(0, n)).subarray(0, maxLag + 1);
      const acf = Array.from(full, (a, k) => (Number.isNaN(a) ? +(k === 0) : a));
      records.push({ param: fit.columns[j], chain: chainLabel(c), lag: acf.map((_, k) => k), acf: acf.map((a) => round(a, 4)) });
    }
  }
  const names = cols.map((j) => fit.columns[j]!);
  return makeSpec(
    {
      data: { values: records },
      transform: [{ flatten: ['lag', 'acf'] }],
      facet: { row: { field: 'param', type: 'nominal', sort: names, title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
      spec: {
        width: opts.width ?? 420,
        height: opts.height ?? 80,
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.2, point: { size: 10 } },
            encoding: {
              x: { field: 'lag', type: 'quantitative', title: 'lag' },
              y: { field: 'acf', type: 'quantitative', title: null, scale: { domain: [-1, 1] } },
              color: { field: 'chain', type: 'nominal', title: 'chain' },
            },
          },
          {
            // One zero line per cell: only the lag-0 records draw it.
            transform: [{ filter: 'datum.lag == 0' }],
            mark: { type: 'rule', color: '#888', strokeDash: [3, 3] },
            encoding: { y: { datum: 0 } },
          },
        ],
      },
    },
    opts.title ?? 'Autocorrelation',
  );
}
