// Shared pieces of every plot: the spec type, the v5 schema and config, column selection and thinning.
import { OptionError } from '../base/errors.ts';
import type { FitData } from '../io/fitData.ts';
import { flatNames } from '../io/fitData.ts';

/** A vega-lite spec as plain JSON (kept within vega-lite v5 features so JupyterLab's renderer accepts it). */
export type VegaLiteSpec = { $schema: string } & Record<string, unknown>;

/** The schema every spec declares: JupyterLab renders `application/vnd.vegalite.v5+json`, and has no v6 type. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** The notebook MIME type of these specs. */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
/** One font for text, so that SVG and PNG output do not depend on the machine's default font. */
export const PLOT_FONT = 'DejaVu Sans';

/** Chain colours (Tableau 10, vega's default categorical scheme) and the divergence colour. */
export const DIVERGENT_COLOR = '#d62728';

export interface PlotOptions {
  /** Columns ('theta[0]') or variable names ('theta' → every element). Default: the first `maxParams` columns. */
  readonly params?: readonly string[];
  /** At most this many columns when `params` is not given (default 6). */
  readonly maxParams?: number;
  /** Width of one panel in pixels. */
  readonly width?: number;
  /** Height of one panel in pixels. */
  readonly height?: number;
  /** A title for the whole chart. */
  readonly title?: string;
}

/** Wraps a chart body with the schema, the title and the shared config. */
export function makeSpec(body: Record<string, unknown>, title?: string): VegaLiteSpec {
  const spec: VegaLiteSpec = { $schema: VEGA_LITE_SCHEMA };
  if (title !== undefined) spec['title'] = title;
  Object.assign(spec, body);
  spec['config'] = {
    font: PLOT_FONT,
    view: { stroke: '#ddd' },
    axis: { labelFontSize: 10, titleFontSize: 11 },
    header: { labelFontSize: 11, titleFontSize: 11 },
    legend: { labelFontSize: 10, titleFontSize: 11 },
  };
  return spec;
}

/** Checks the basic shape of a FitData so every plot fails with a clear message, not deep inside a loop. */
export function checkFit(fn: string, fit: FitData): void {
  if (fit === null || typeof fit !== 'object') throw new OptionError(`[${fn}] fit must be a FitData object`);
  if (!Array.isArray(fit.values) || fit.values.length === 0) throw new OptionError(`[${fn}] fit.values has no chains`);
  if (!Array.isArray(fit.stats) || fit.stats.length !== fit.values.length) {
    throw new OptionError(`[${fn}] fit.stats must have one entry per chain (${fit.values.length}), got ${fit.stats?.length}`);
  }
  for (let c = 0; c < fit.values.length; c++) {
    if (fit.values[c]!.length !== fit.columns.length) {
      throw new OptionError(`[${fn}] fit.values[${c}] has ${fit.values[c]!.length} columns, fit.columns has ${fit.columns.length}`);
    }
  }
}

/** Draws per chain (the shortest chain, for an incomplete fit). */
export function drawsPerChain(fit: FitData): number {
  let n = Infinity;
  for (const chain of fit.values) n = Math.min(n, chain[0]?.length ?? 0);
  for (const s of fit.stats) n = Math.min(n, s.lp__?.length ?? n);
  return Number.isFinite(n) ? n : 0;
}

/** Resolves `params` (column or variable names) to column indices, in the order given. */
export function selectColumns(fn: string, fit: FitData, params: readonly string[] | undefined, maxParams = 6): number[] {
  if (params === undefined) {
    const n = Math.min(fit.columns.length, Math.max(1, maxParams));
    return Array.from({ length: n }, (_, i) => i);
  }
  if (!Array.isArray(params) || params.length === 0) throw new OptionError(`[${fn}] params must be a non-empty array of names`);
  const out: number[] = [];
  for (const name of params) {
    const direct = fit.columns.indexOf(name);
    if (direct >= 0) {
      out.push(direct);
      continue;
    }
    const v = fit.variables.find((x) => x.name === name);
    if (v === undefined) throw new OptionError(`[${fn}] params: no column or variable named '${name}' (columns: ${fit.columns.slice(0, 12).join(', ')}…)`);
    for (const col of flatNames(v.name, v.shape)) {
      const i = fit.columns.indexOf(col);
      if (i < 0) throw new OptionError(`[${fn}] params: variable '${name}' has no column '${col}'`);
      out.push(i);
    }
  }
  return out;
}

/** Indices 0..n-1 thinned evenly to at most `max` (always keeps the first and the last). */
export function thinIndices(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max || max < 2) return Array.from({ length: Math.min(n, Math.max(max, 1)) }, (_, i) => i);
  const out: number[] = [];
  const step = (n - 1) / (max - 1);
  let last = -1;
  for (let k = 0; k < max; k++) {
    const i = Math.round(k * step);
    if (i !== last) out.push(i);
    last = i;
  }
  return out;
}

/**
 * The chain label used in every legend: chains are numbered from 0, as in fit.draws(name)[chain], fit.warnings(),
 * the progress bars and the sampler's errors (only the Stan CSV files keep CmdStan's 1-based `-1.csv` and `id`).
 */
export function chainLabel(c: number): string {
  return `${c}`;
}

/** Rounds for JSON: keeps specs small without visible loss. */
export function round(x: number, digits = 6): number {
  if (!Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/** Positive-integer option check. */
export function checkPositiveInt(fn: string, name: string, x: number | undefined, fallback: number): number {
  if (x === undefined) return fallback;
  if (!Number.isInteger(x) || x <= 0) throw new OptionError(`[${fn}] ${name} must be a positive integer, got ${x}`);
  return x;
}

/** Probability option check (0 < p < 1). */
export function checkProb(fn: string, name: string, x: number | undefined, fallback: number): number {
  if (x === undefined) return fallback;
  if (!(x > 0 && x < 1)) throw new OptionError(`[${fn}] ${name} must be in (0, 1), got ${x}`);
  return x;
}
