// Fit: the result of sample() — draws by name, sampler stats, adaptation, summary and Stan-style warnings.
import { ebfmi, summarize, type SummaryRow } from '../diagnostics/index.ts';
import { fitToJSON, writeStanCsv } from '../io/index.ts';
import { simulateObserved } from '../distributions/predictive.ts';
import type { TracedModel } from '../graph/model.ts';
import { makeRng } from '../random/rng.ts';
import type { FitData, SamplerStat } from './types.ts';

export interface FitExtras {
  /** Native (device) calls per post-warmup draw, summed over the batch of chains. */
  readonly nativeCallsPerDraw: number;
  /** Where post-warmup sampling time went, in seconds (MLX backend; absent on the reference backend). */
  readonly profile?: SamplingProfile;
  /** The traced model, for posterior predictive simulation. */
  readonly model?: TracedModel;
}

/** Post-warmup sampling time split (seconds), for the MLX backend. */
export interface SamplingProfile {
  /** Compiled value-and-grad: nativeGraphBuild + nativeEval. */
  readonly nativeValueAndGrad: number;
  /** The compiled function's call (MLX builds this call's graph from its compiled tape) and releasing that graph. */
  readonly nativeGraphBuild: number;
  /** mx::eval: scheduling each primitive and running its kernel on MLX's stream thread (the two overlap). */
  readonly nativeEval: number;
  /** Host⇄device copies (building input arrays, reading results back). */
  readonly hostDeviceCopies: number;
  /** Leapfrog position/momentum updates on the host inside the native trajectory call. */
  readonly nativeLeapfrog: number;
  /** Constraining each draw and storing it with its sampler statistics. */
  readonly recordDraws: number;
  /** The rest, in TypeScript: tree building, U-turn checks, step bookkeeping. */
  readonly typescript: number;
  readonly gradientCalls: number;
  /** MLX primitives in one value-and-grad call's graph (each is scheduled separately). */
  readonly primitivesPerCall: number;
}

export class Fit {
  constructor(readonly data: FitData, readonly extras: FitExtras = { nativeCallsPerDraw: 0 }) {}

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
    const col = this.data.columns.indexOf(name);
    if (col >= 0) return this.data.values.map((v) => v[col]!);
    if (name in (this.data.stats[0] ?? {})) return this.data.stats.map((s) => s[name as SamplerStat]);
    const v = this.data.variables.find((x) => x.name === name);
    if (v) {
      throw new Error(`[Fit.draws] '${name}' has shape [${v.shape}]: ask for one element, e.g. '${name}[${v.shape.map(() => 0).join(',')}]'`);
    }
    throw new Error(`[Fit.draws] no column or sampler stat named '${name}' (columns: ${this.data.columns.slice(0, 12).join(', ')}${this.data.columns.length > 12 ? ', …' : ''})`);
  }

  /** All draws of a column, chains concatenated. */
  flat(name: string): Float64Array {
    const parts = this.draws(name);
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** One row per column: mean, sd, MCSE of the mean, 5/50/95% quantiles, bulk and tail ESS, R-hat. */
  summary(): SummaryRow[] {
    return this.data.columns.map((c) => summarize(c, this.draws(c)));
  }

  /** Total divergent transitions after warmup, per chain. */
  divergences(): number[] {
    return this.data.stats.map((s) => s.divergent__.reduce((a, b) => a + b, 0));
  }

  /** E-BFMI per chain from the energy series. */
  ebfmi(): number[] {
    return this.data.stats.map((s) => ebfmi(s.energy__));
  }

  /** Stan-style warnings: divergences, tree-depth hits, low E-BFMI, R-hat > 1.01, low ESS, clamp hits, incomplete. */
  warnings(): string[] {
    const out: string[] = [];
    const n = this.numDraws * this.chains;
    const div = this.divergences().reduce((a, b) => a + b, 0);
    if (div > 0) out.push(`${div} of ${n} (${((100 * div) / n).toFixed(1)}%) transitions ended with a divergence. Consider a higher targetAccept or reparameterising the model.`);
    const maxDepth = this.data.config.maxTreeDepth;
    const hits = this.data.stats.reduce((a, s) => a + s.treedepth__.filter((d) => d >= maxDepth).length, 0);
    if (hits > 0) out.push(`${hits} of ${n} transitions hit the maximum tree depth of ${maxDepth}.`);
    this.ebfmi().forEach((e, c) => {
      if (e < 0.3) out.push(`Chain ${c}: E-BFMI = ${e.toFixed(3)}, which is below 0.3 and may indicate poor exploration of the posterior.`);
    });
    const rows = this.summary();
    const badR = rows.filter((r) => r.rhat > 1.01);
    if (badR.length) out.push(`R-hat above 1.01 for ${badR.map((r) => r.name).slice(0, 8).join(', ')}${badR.length > 8 ? ', …' : ''}: the chains have not mixed.`);
    const lowEss = rows.filter((r) => r.essBulk < 100 * this.chains || r.essTail < 100 * this.chains);
    if (lowEss.length) out.push(`Bulk or tail ESS below ${100 * this.chains} (100 per chain) for ${lowEss.map((r) => r.name).slice(0, 8).join(', ')}${lowEss.length > 8 ? ', …' : ''}: estimates may be unreliable.`);
    const clamp = this.data.clampHits.reduce((a, b) => a + b, 0);
    if (clamp > 0) out.push(`${clamp} draws touched the log-transform clamp (±${this.data.config.dtype === 'float32' ? 20 : 200} on the log scale): the density there differs from the model's.`);
    if (!this.data.complete) out.push(`Sampling was aborted: ${this.numDraws} of ${this.data.config.draws} draws per chain.`);
    return out;
  }

  /** The summary as an aligned text table. */
  summaryTable(): string {
    const rows = this.summary();
    const head = ['name', 'mean', 'sd', 'mcse', 'q5', 'q50', 'q95', 'ess_bulk', 'ess_tail', 'rhat'];
    const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'NA');
    const body = rows.map((r) => [r.name, fmt(r.mean), fmt(r.sd), fmt(r.mcseMean), fmt(r.q5), fmt(r.q50), fmt(r.q95),
      fmt(r.essBulk, 0), fmt(r.essTail, 0), fmt(r.rhat, 3)]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    return [line(head), ...body.map(line)].join('\n');
  }

  /**
   * Posterior predictive draws of every observed node: for each chain, one simulated data set per posterior draw,
   * draw-major (draw d occupies [d·size, (d+1)·size)). Seeded streams per chain: (seed, 1000 + chain).
   */
  posteriorPredictive(opts: { seed?: number } = {}): Record<string, Float64Array[]> {
    const traced = this.extras.model;
    if (!traced) throw new Error('[Fit.posteriorPredictive] this fit does not carry its model (it was not made by sample())');
    const seed = opts.seed ?? this.data.config.seed;
    const out: Record<string, Float64Array[]> = {};
    const sizes = traced.observed.map((o) => o.data.data.length);
    traced.observed.forEach((o, k) => (out[o.name] = this.data.values.map(() => new Float64Array(this.numDraws * sizes[k]!))));
    const starts = traced.params.map((p) => this.data.columns.indexOf(flatFirst(p.name, p.shape)));
    this.data.values.forEach((cols, c) => {
      const rng = makeRng(seed, 1000 + c);
      for (let d = 0; d < this.numDraws; d++) {
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
}

function flatFirst(name: string, shape: readonly number[]): string {
  return shape.length === 0 ? name : `${name}[${shape.map(() => 0).join(',')}]`;
}
