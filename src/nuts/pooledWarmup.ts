// Pooled warmup for many chains: one metric shared by every chain and estimated from all of their draws (as NumPyro/
// BlackJAX users pool adaptation across chains on GPUs), each chain keeping its own step size. Stan's schedule is
// kept — step-size search, dual averaging per chain, doubling slow windows, the search restarted after each metric
// update — with the first metric sooner (windows 15/15…/50, POOLED_WINDOW_DEFAULTS, not Stan's 75/25…/50), and a
// window's metric comes from chains × window draws instead of one chain's, and each iteration's update
// is O(chains × dim) arithmetic on flat arrays; the shared metric travels to the kernel once per call, not per chain.
// (A step size pooled too — dual averaging on the mean accept statistic — gave 13× Stan's divergences on eight_schools.)
import type { Density } from '../backend/density.ts';
import type { ChainStream } from '../random/philox.ts';
import type { PointState } from './kernel.ts';
import { makeMetric, unitMetric, type Metric, type MetricKind } from '../kernel/metric.ts';
import { DUAL_AVERAGING, POOLED_WINDOW_DEFAULTS } from '../base/defaults.ts';
import { dualAveragingInit, initStepSize } from './stepsize.ts';
import type { ChainsState, KernelRun } from '../kernel/seam.ts';
import type { WarmupState } from './warmup.ts';
import { inSlowWindow, Welford, windowSchedule } from './windows.ts';

export interface PooledWarmupState extends WarmupState {
  readonly pooled: true;
  /** Each chain's draws of the current slow window; merged in chain order at the window's end. */
  moments: Welford[];
  /** Each chain's dual-averaging state as flat arrays (w.dual is written from them after the last iteration). */
  readonly da: { counter: number; sBar: Float64Array; xBar: Float64Array; mu: Float64Array };
}

function restartDual(w: PooledWarmupState): void {
  w.da.counter = 0;
  w.stepSizes.forEach((e, k) => {
    w.da.sBar[k] = 0;
    w.da.xBar[k] = 0;
    w.da.mu[k] = Math.log(10 * e);
  });
}

/** The factors of dual-averaging update m that no chain changes: η = 1/(m + t0), √m, m^-κ (also sent to native warmup). */
export function dualScalars(m: number): { eta: number; root: number; wt: number } {
  const { kappa, t0 } = DUAL_AVERAGING;
  return { eta: 1 / (m + t0), root: Math.sqrt(m), wt: Math.pow(m, -kappa) };
}

/** Stan's dual-averaging update (stepsize.ts dualAveragingUpdate) for every chain at once, without allocation. */
function dualUpdateAll(w: PooledWarmupState, accept: Float64Array): void {
  const { gamma } = DUAL_AVERAGING;
  const da = w.da;
  const m = ++da.counter;
  const { eta, root, wt } = dualScalars(m);
  for (let k = 0; k < da.sBar.length; k++) {
    const a = accept[k]! > 1 ? 1 : accept[k]!;
    const sBar = (1 - eta) * da.sBar[k]! + eta * (w.delta - a);
    const x = da.mu[k]! - (sBar * root) / gamma;
    da.sBar[k] = sBar;
    da.xBar[k] = wt * x + (1 - wt) * da.xBar[k]!;
    w.stepSizes[k] = Math.exp(x);
  }
}

export function writeDual(w: PooledWarmupState): void {
  const da = w.da;
  w.dual = Array.from({ length: da.sBar.length }, (_, k) => ({ counter: da.counter, sBar: da.sBar[k]!, xBar: da.xBar[k]!, mu: da.mu[k]! }));
}

function points(s: ChainsState): PointState[] {
  return Array.from({ length: s.chains }, (_, c) => ({ q: s.q.slice(c * s.dim, (c + 1) * s.dim), logp: s.logp[c]!, grad: s.grad.slice(c * s.dim, (c + 1) * s.dim) }));
}

/** Stan's step-size search for every chain under the shared metric (batched: one density call per round). */
function search(d: Density, s: ChainsState, metric: Metric, streams: readonly ChainStream[], iteration: number, from: readonly number[]): number[] {
  return initStepSize(d, points(s), from.map(() => metric), streams, iteration, from);
}

let windowsOverride: { initBuffer: number; window: number; termBuffer: number } | null = null;
/** Benchmarks and tests only: pooled warmup on other window sizes (null: POOLED_WINDOW_DEFAULTS; bench/warmupLockstep.ts). */
export function setPooledWindowsForTests(sizes: { initBuffer: number; window: number; termBuffer: number } | null): void {
  windowsOverride = sizes;
}

/** Stan's start: unit metric shared by all chains, each chain's step-size search, μ = log(10 ε) per chain. */
export function pooledWarmupInit(d: Density, s: ChainsState, streams: readonly ChainStream[], numWarmup: number, delta: number,
  kind: MetricKind, stepSize = 1, searcher?: StepSizeSearcher): PooledWarmupState {
  const metric = unitMetric(kind, d.dim);
  const eps = (searcher ?? ((st, m, it, from) => search(d, st, m, streams, it, from)))(s, metric, 0, new Array<number>(s.chains).fill(stepSize));
  const n = s.chains;
  const w: PooledWarmupState = {
    pooled: true, numWarmup, delta, schedule: windowSchedule(numWarmup, windowsOverride ?? POOLED_WINDOW_DEFAULTS), stepSizes: eps,
    metrics: new Array<Metric>(n).fill(metric), dual: eps.map((e) => dualAveragingInit(e)), estimators: [], counter: 0,
    moments: freshMoments(n, d.dim, kind),
    da: { counter: 0, sBar: new Float64Array(n), xBar: new Float64Array(n), mu: new Float64Array(n) },
  };
  restartDual(w);
  return w;
}

/**
 * Every chain's window moments in global chain order: this process's own (the default), or every rank's when the
 * chains are spread over processes (src/distributed/). Merging per-chain estimators in chain order makes the metric
 * the same bits however the chains are split.
 */
export type GatherMoments = (local: readonly Welford[]) => Promise<readonly Welford[]>;

function freshMoments(chains: number, dim: number, kind: MetricKind): Welford[] {
  return Array.from({ length: chains }, () => new Welford(dim, kind));
}

/**
 * After a warmup transition of every chain: each chain's dual averaging on its own accept statistic (as Stan), every
 * chain's draw into its window moments; at a window's end one metric for all (the chains' moments merged in chain
 * order, gathered from every rank with `gather`) and each chain's ε searched again. Returns a promise only when it
 * gathers.
 */
export function pooledWarmupUpdate(w: PooledWarmupState, d: Density, s: ChainsState, r: KernelRun, streams: readonly ChainStream[],
  gather?: GatherMoments): Promise<void> | void {
  const c = w.counter;
  dualUpdateAll(w, r.stats.acceptStat);
  if (inSlowWindow(w.schedule, c, w.numWarmup)) for (let k = 0; k < s.chains; k++) w.moments[k]!.add(s.q, k * d.dim);
  if (!w.schedule.windowEnds.includes(c)) return advance(w);
  if (gather) return gather(w.moments).then((all) => endWindow(w, d, s, streams, all));
  endWindow(w, d, s, streams, w.moments);
}

/**
 * The end of the slow window at iteration w.counter, after its dual-averaging and moment updates were made elsewhere
 * (the native warmup of src/nuts/nativeWarmup.ts): what pooledWarmupUpdate does at a window's end, counter advanced.
 */
export function pooledWindowEnd(w: PooledWarmupState, d: Density, s: ChainsState, streams: readonly ChainStream[],
  gather?: GatherMoments, searcher?: StepSizeSearcher): Promise<void> | void {
  if (gather) return gather(w.moments).then((all) => endWindow(w, d, s, streams, all, searcher));
  endWindow(w, d, s, streams, w.moments, searcher);
}

/** Every chain's step-size search under one metric before transition `iteration`, from step sizes `from`. */
export type StepSizeSearcher = (s: ChainsState, metric: Metric, iteration: number, from: readonly number[]) => number[];

function endWindow(w: PooledWarmupState, d: Density, s: ChainsState, streams: readonly ChainStream[], all: readonly Welford[],
  searcher?: StepSizeSearcher): void {
  const merged = Welford.merge(all);
  const metric = makeMetric(merged.kind, merged.regularised());
  // the next window's moments: the same estimators emptied (at 16,384 chains, new ones cost three arrays each per window)
  if (w.moments.length === s.chains && w.moments.every((m) => m.kind === merged.kind && m.dim === d.dim)) for (const m of w.moments) m.reset();
  else w.moments = freshMoments(s.chains, d.dim, merged.kind);
  w.metrics = new Array<Metric>(s.chains).fill(metric);
  w.stepSizes = (searcher ?? ((st, m, it, from) => search(d, st, m, streams, it, from)))(s, metric, w.counter + 1, w.stepSizes);
  restartDual(w);
  advance(w);
}

function advance(w: PooledWarmupState): void {
  w.counter++;
  // warmupFinal (warmup.ts) reads w.dual: write it once, after the last warmup iteration
  if (w.counter >= w.numWarmup) writeDual(w);
}
