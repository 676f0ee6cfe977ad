// Stan's windowed adaptation schedule (windowed_adaptation.hpp) and the regularised metric estimate.
import { NumericalError } from '../base/errors.ts';
import { WINDOW_DEFAULTS } from '../base/defaults.ts';
import type { MetricKind } from '../kernel/metric.ts';

export interface WindowSchedule {
  readonly adaptMetric: boolean;
  readonly initBuffer: number;
  readonly termBuffer: number;
  readonly baseWindow: number;
  /** Iterations (0-based warmup counters) that end a slow window: the metric is updated after them. */
  readonly windowEnds: readonly number[];
}

/**
 * The slow windows for `numWarmup` iterations: below 20 iterations no metric adaptation; if the buffers and first
 * window (Stan's by default; pooled warmup's are POOLED_WINDOW_DEFAULTS) do not fit, buffers become 15% / 75% / 10%
 * of warmup; windows double, and the last one stretches to the term buffer.
 */
export function windowSchedule(numWarmup: number,
  sizes: { readonly initBuffer: number; readonly window: number; readonly termBuffer: number } = WINDOW_DEFAULTS): WindowSchedule {
  let { initBuffer, window: base, termBuffer } = sizes;
  if (numWarmup < 20) return { adaptMetric: false, initBuffer: 0, termBuffer: 0, baseWindow: 0, windowEnds: [] };
  if (initBuffer + base + termBuffer > numWarmup) {
    initBuffer = Math.trunc(0.15 * numWarmup);
    termBuffer = Math.trunc(0.1 * numWarmup);
    base = numWarmup - (initBuffer + termBuffer);
  }
  const ends: number[] = [];
  let size = base;
  let next = initBuffer + base - 1;
  const last = numWarmup - termBuffer - 1;
  for (let counter = 0; counter < numWarmup; counter++) {
    if (counter === next && counter !== numWarmup) {
      ends.push(counter);
      if (next === last) break;
      size *= 2;
      next = counter + size;
      if (next !== last && next + 2 * size >= numWarmup - termBuffer) next = last;
    }
  }
  return { adaptMetric: true, initBuffer, termBuffer, baseWindow: base, windowEnds: ends };
}

/** Whether iteration `counter` contributes a draw to the metric estimate. */
export function inSlowWindow(s: WindowSchedule, counter: number, numWarmup: number): boolean {
  return s.adaptMetric && counter >= s.initBuffer && counter < numWarmup - s.termBuffer && counter !== numWarmup;
}

/** Welford accumulator of the mean and (co)variance of unconstrained draws. */
export class Welford {
  n = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  /** Scratch for the update (one per estimator: no allocation per draw). */
  private readonly delta: Float64Array;

  constructor(readonly dim: number, readonly kind: MetricKind) {
    this.mean = new Float64Array(dim);
    this.delta = new Float64Array(dim);
    this.m2 = new Float64Array(kind === 'diag' ? dim : dim * dim);
  }


  /** Back to no draws (what a new estimator has), keeping its arrays. */
  reset(): void {
    this.n = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }

  /** Adds the draw q[off … off + dim). */
  add(q: Float64Array, off = 0): void {
    this.n++;
    const d = this.dim;
    const delta = this.delta;
    for (let i = 0; i < d; i++) {
      delta[i] = q[off + i]! - this.mean[i]!;
      this.mean[i]! += delta[i]! / this.n;
    }
    if (this.kind === 'diag') for (let i = 0; i < d; i++) this.m2[i]! += delta[i]! * (q[off + i]! - this.mean[i]!);
    else for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) this.m2[i * d + j]! += delta[i]! * (q[off + j]! - this.mean[j]!);
  }

  /**
   * The estimator of all parts' draws together, merged one part at a time in the order given (Chan, Golub & LeVeque
   * 1979, the pairwise update): the same parts in the same order give the same bits however they were computed.
   */
  static merge(parts: readonly Welford[]): Welford {
    const first = parts[0];
    if (first === undefined) throw new Error('[Welford.merge] needs at least one part');
    const out = new Welford(first.dim, first.kind);
    const d = out.dim;
    for (const b of parts) {
      if (b.n === 0) continue;
      const na = out.n;
      const n = na + b.n;
      const f = (na * b.n) / n;
      for (let i = 0; i < d; i++) out.delta[i] = b.mean[i]! - out.mean[i]!;
      if (out.kind === 'diag') for (let i = 0; i < d; i++) out.m2[i]! += b.m2[i]! + out.delta[i]! * out.delta[i]! * f;
      else for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out.m2[i * d + j]! += b.m2[i * d + j]! + out.delta[i]! * out.delta[j]! * f;
      for (let i = 0; i < d; i++) out.mean[i]! += (out.delta[i]! * b.n) / n;
      out.n = n;
    }
    return out;
  }

  /**
   * Stan's regularised estimate (var_adaptation.hpp / covar_adaptation.hpp):
   * M⁻¹ = n/(n+5)·S + 1e-3·5/(n+5) (times I for the dense metric), S the sample (co)variance with divisor n − 1.
   */
  regularised(): Float64Array {
    const n = this.n;
    const d = this.dim;
    const out = new Float64Array(this.m2.length);
    for (let i = 0; i < out.length; i++) out[i] = (n / (n + 5)) * (this.m2[i]! / (n - 1));
    if (this.kind === 'diag') for (let i = 0; i < d; i++) out[i]! += 1e-3 * (5 / (n + 5));
    else for (let i = 0; i < d; i++) out[i * d + i]! += 1e-3 * (5 / (n + 5));
    if (!out.every(Number.isFinite)) throw new NumericalError('[sample] numerical overflow in metric adaptation: the posterior variance is not finite; check the model');
    return out;
  }
}
