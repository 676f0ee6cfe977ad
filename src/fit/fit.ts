// Fit: the result of sample() — draws by name, sampler stats, adaptation, summary and Stan-style warnings.
import { concatFloat64 } from '../base/arrays.ts';
import { ModelError, OptionError } from '../base/errors.ts';
import { ebfmi, type SummaryRow } from '../diagnostics/index.ts';
import { fitFromJSON, fitToJSON, writeStanCsv } from '../io/index.ts';
import { simulateObserved } from './predictive.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import { makeRng } from '../random/rng.ts';
import { summaryText } from './format.ts';
import { fitEngine, type EngineReport, type FitEngine } from './engine.ts';
import type { DivergenceInfo, FitData, SamplerStat } from '../io/fitData.ts';
import { digestWarnings, drawCount, fitWarnings, noDrawsReason, summaryRows, type Warning } from './warnings.ts';
import { chainSummaryDigest, chainSummaryRows } from './chainSummaries.ts';
import { poolThreads, summarizeColumns } from './summaryPool.ts';

export interface FitExtras {
  /** The traced model, for posterior predictive simulation. */
  readonly model?: TracedModel;
  /**
   * An error writing the output files after sampling started (a full disk, say): the draws in memory are all here,
   * and what was flushed to the files stays readable.
   */
  readonly outputError?: Error;
  /** What the engine reported while sampling (sample() sets it; read it as fit.engine). */
  readonly engine?: EngineReport;
}

export class Fit {
  /** The last summary of the draws and the draw and chain counts it was made from (summary() and the warnings share it). */
  private summaryMemo: { draws: number; chains: number; rows: readonly SummaryRow[] } | null = null;

  constructor(readonly data: FitData, readonly extras: FitExtras = {}) {}

  /** The engine that ran: its name, native calls per post-warmup draw and its profiles (src/fit/engine.ts). */
  get engine(): FitEngine {
    return fitEngine(this.data.config.engine, this.extras.engine);
  }

  get columns(): readonly string[] {
    return this.data.columns;
  }
  get chains(): number {
    return this.data.values.length;
  }
  get numDraws(): number {
    return this.data.values[0]?.[0]?.length ?? 0;
  }
  get complete(): boolean {
    return this.data.complete;
  }

  /** One Float64Array per chain for a column ('mu', 'theta[0]') or a sampler stat ('lp__', …). */
  draws(name: string): Float64Array[] {
    if (this.data.chainSummaries) {
      throw new OptionError(`[Fit.draws] this fit kept per-chain summaries only (sample's keep: 'summary'), not draws: '${name}' has none; use fit.summary(), or keep: 'draws' (with output to stream every draw to files)`);
    }
    const col = this.data.columns.indexOf(name);
    if (col >= 0) return this.data.values.map((v) => v[col]!);
    if (name in (this.data.stats[0] ?? {})) return this.data.stats.map((s) => s[name as SamplerStat]);
    const v = this.data.variables.find((x) => x.name === name);
    if (v) {
      throw new OptionError(`[Fit.draws] '${name}' has shape [${v.shape}]: ask for one element, e.g. '${name}[${v.shape.map(() => 0).join(',')}]'`);
    }
    throw new OptionError(`[Fit.draws] no column or sampler stat named '${name}' (columns: ${this.data.columns.slice(0, 12).join(', ')}${this.data.columns.length > 12 ? ', …' : ''})`);
  }

  /** All draws of a column, chains concatenated. */
  flat(name: string): Float64Array {
    const parts = this.draws(name);
    return parts.length === 1 ? parts[0]!.slice() : concatFloat64(parts);
  }

  /** One row per column: mean, sd, MCSE of the mean, 5/50/95% quantiles, bulk and tail ESS, R-hat ([] with no draws). */
  summary(): SummaryRow[] {
    const cs = this.data.chainSummaries;
    if (cs) return chainSummaryRows(cs, this.data.columns);
    // made once per draw count: with many chains a summary takes minutes (about 1 µs per draw and column), and the
    // table, the warnings and the caller each ask for it
    return [...(this.keptSummary() ?? this.keepSummary(summaryRows(this.data)))];
  }

  /** The kept summary rows while the draw and chain counts are those they were made from; else null. */
  private keptSummary(): readonly SummaryRow[] | null {
    const m = this.summaryMemo;
    return m !== null && m.draws === drawCount(this.data) && m.chains === this.data.values.length ? m.rows : null;
  }

  private keepSummary(rows: readonly SummaryRow[]): readonly SummaryRow[] {
    this.summaryMemo = { draws: drawCount(this.data), chains: this.data.values.length, rows };
    return rows;
  }

  /**
   * summary() with the columns on worker threads (`threads`, default: the machine's parallelism): the same rows, in a
   * fraction of the time for fits of many chains (a summary costs about 1 µs per draw and column on one thread).
   * summary(), summaryTable() and the warnings use the rows it made.
   */
  async summaryAsync(options: { threads?: number } = {}): Promise<SummaryRow[]> {
    const threads = poolThreads(options.threads, 'Fit.summaryAsync');
    const cs = this.data.chainSummaries;
    if (cs) return chainSummaryRows(cs, this.data.columns);
    const kept = this.keptSummary();
    if (kept) return [...kept];
    const n = drawCount(this.data);
    const rows = n === 0 ? [] : await summarizeColumns(this.data.columns, this.data.columns.map((_, j) => this.data.values.map((c) => c[j]!.subarray(0, n))), threads);
    return [...this.keepSummary(rows)];
  }

  /** Total divergent transitions after warmup, per chain. */
  divergences(): number[] {
    if (this.data.chainSummaries) return Array.from(this.data.chainSummaries.divergent);
    return this.data.stats.map((s) => s.divergent__.reduce((a, b) => a + b, 0));
  }

  /**
   * Every divergent transition with its cause ('energy': H − H₀ > 1000; 'nonfinite': NaN or ±∞ log density or gradient)
   * and the unconstrained position where the trajectory diverged, warmup included. Empty for fits read from files
   * (they keep only divergent__, counted by divergences()).
   */
  divergenceInfo(): readonly DivergenceInfo[] {
    return this.data.divergences ?? [];
  }

  /** E-BFMI per chain from the energy series. */
  ebfmi(): number[] {
    if (this.data.chainSummaries) return Array.from(this.data.chainSummaries.ebfmi);
    return this.data.stats.map((s) => ebfmi(s.energy__));
  }

  /**
   * Stan-style warnings (src/fit/warnings.ts, the same list the report and the CLI show): no draws, divergences,
   * tree-depth hits, E-BFMI < 0.3, R-hat > 1.01, low ESS, non-finite values, clamp hits, an aborted run.
   */
  warnings(): string[] {
    return this.warningList().map((w) => w.message);
  }

  /** The warnings with their kinds ('divergences', 'ess', …). */
  warningList(): Warning[] {
    const cs = this.data.chainSummaries;
    if (cs) return digestWarnings(chainSummaryDigest(this.data, cs), this.summary());
    return fitWarnings(this.data, this.summary());
  }

  /** Why this fit has no post-warmup draws ('no draws: stopped during warmup, …'), or null when it has some. */
  get noDraws(): string | null {
    if (this.data.chainSummaries && this.data.chainSummaries.draws > 0) return null;
    return noDrawsReason(this.data);
  }

  /** The summary as an aligned text table (R-hat with 3 decimals, ESS as integers); a fit with no draws says so. */
  summaryTable(): string {
    return summaryText(this.summary(), this.noDraws ?? 'no columns');
  }

  /**
   * Posterior predictive draws of every observed node: for each chain, one simulated data set per posterior draw,
   * draw-major (draw d occupies [d·size, (d+1)·size)). Seeded streams per chain: (seed, 1000 + chain).
   */
  posteriorPredictive(opts: { seed?: number; model?: Model | TracedModel } = {}): Record<string, Float64Array[]> {
    const traced = opts.model !== undefined ? modelFor(this.data, opts.model) : this.extras.model;
    if (!traced) {
      throw new OptionError('[Fit.posteriorPredictive] this fit does not carry its model (it was loaded from a file): pass it again, posteriorPredictive({ model })');
    }
    const seed = opts.seed ?? this.data.config.seed;
    const out: Record<string, Float64Array[]> = {};
    const sizes = traced.observed.map((o) => o.data.data.length);
    const n = drawCount(this.data);
    traced.observed.forEach((o, k) => (out[o.name] = this.data.values.map(() => new Float64Array(n * sizes[k]!))));
    const starts = traced.params.map((p) => this.data.columns.indexOf(flatFirst(p.name, p.shape)));
    this.data.values.forEach((cols, c) => {
      const rng = makeRng(seed, 1000 + c);
      for (let d = 0; d < n; d++) {
        const values: Record<string, Float64Array> = {};
        traced.params.forEach((p, k) => {
          const size = p.shape.reduce((a, b) => a * b, 1);
          values[p.name] = Float64Array.from({ length: size }, (_, i) => cols[starts[k]! + i]![d]!);
        });
        const sim = simulateObserved(traced, values, rng);
        traced.observed.forEach((o, k) => out[o.name]![c]!.set(sim[o.name]!, d * sizes[k]!));
      }
    });
    return out;
  }

  writeStanCsv(dir: string): string[] {
    return writeStanCsv(this.data, dir);
  }

  toJSON(): unknown {
    return fitToJSON(this.data);
  }

  /** A fit from fitToJSON's output (object or text); pass the model to get posterior predictive checks back. */
  static fromJSON(json: unknown, opts: { model?: Model | TracedModel } = {}): Fit {
    const data = fitFromJSON(json);
    return new Fit(data, { model: opts.model !== undefined ? modelFor(data, opts.model, 'Fit.fromJSON') : undefined });
  }
}

/** Traces `model` (float64) and checks that its parameters are the fit's, by name and shape. */
export function modelFor(fit: FitData, model: Model | TracedModel, fn = 'Fit.posteriorPredictive'): TracedModel {
  const traced: TracedModel = 'ir' in model ? model : (model as Model).trace('float64');
  for (const p of traced.params) {
    const v = fit.variables.find((x) => x.name === p.name);
    if (v === undefined) {
      throw new ModelError(`[${fn}] the model's parameter '${p.name}' is not in this fit (its variables: ${fit.variables.map((x) => x.name).join(', ')}): is it the same model?`);
    }
    if (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i])) {
      throw new ModelError(`[${fn}] the model's parameter '${p.name}' has shape [${p.shape}], the fit's has [${v.shape}]: is it the same model and data?`);
    }
  }
  return traced;
}

function flatFirst(name: string, shape: readonly number[]): string {
  return shape.length === 0 ? name : `${name}[${shape.map(() => 0).join(',')}]`;
}
