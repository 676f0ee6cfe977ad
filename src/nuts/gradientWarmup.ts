// Warmup with the draw-and-gradient metrics (nutpie; nuts-rs adapt_strategy.rs GlobalStrategy::adapt): every warmup
// draw that moved enters a foreground and a background estimate; the metric is re-estimated from the foreground each
// iteration (the low-rank one every LOW_RANK_UPDATE_EVERY); at a window switch the background becomes the foreground.
// Dual averaging runs through all of warmup, restarted only by the step-size search after the first metric update; the
// last phase adapts the step size alone. Per chain, or pooled: one estimate from every chain's draws, shared.
// The state is plain data (numbers, typed arrays, Welford moments) so that a checkpoint can save it.
import type { Density } from '../backend/density.ts';
import type { ChainStream } from '../random/philox.ts';
import { diagFromGradient, fisherDiag, lowRankEstimate } from './gradientMetric.ts';
import { MIN_METRIC_WARMUP, phaseBounds, type GradientSchedule } from './gradientSchedule.ts';
import { lowRankFactors } from '../kernel/lowRankMetric.ts';
import { lowRankMetric, makeMetric, type Metric } from '../kernel/metric.ts';
import { dualAveragingInit, dualAveragingUpdate, initStepSize } from './stepsize.ts';
import { toPoints } from './transitionKernel.ts';
import type { ChainsState, KernelRun } from '../kernel/seam.ts';
import type { WarmupState } from './warmup.ts';
import { Welford } from './windows.ts';

/**
 * The low-rank estimate costs O(dim³) (two symmetric eigendecompositions), so it is recomputed at each window switch
 * and every this many iterations in between (nuts-rs sampler.rs LowRankNutsSettings::default, mass_matrix_update_freq
 * 20); the diagonal is recomputed every iteration. Every 10 instead: the same median ESS per gradient over 15 models
 * (2.42× rstan's against 2.49×), the funnel's 1.13× against 1.36× over 20 seeds, sv's warmup twice as long.
 */
export const LOW_RANK_UPDATE_EVERY = 20;

/** The estimate of one chain, or of all chains when pooled. */
interface Group {
  readonly chains: readonly number[];
  /** Gradient diagonal: moments of the foreground (since the last-but-one switch) and the background (since the last). */
  fg: { draws: Welford; grads: Welford };
  bg: { draws: Welford; grads: Welford };
  /** Low rank: the foreground's draws and gradients; rows from `split` on are the background's. */
  rows: { q: Float64Array[]; g: Float64Array[]; split: number };
  /** Background size in draws per chain. */
  bgCount: number;
  /** The next main-phase window, in draws per chain. */
  window: number;
  lastUpdate: number;
  adapted: boolean;
}

/** A WarmupState (warmup.ts: step sizes, metrics, dual averaging, counter) with this schedule's estimates. */
export interface GradientWarmupState extends WarmupState {
  readonly adaptation: 'gradient-diag' | 'low-rank';
  readonly pooled: boolean;
  readonly gradientSchedule: GradientSchedule;
  readonly earlyEnd: number;
  readonly finalStart: number;
  readonly adaptMetric: boolean;
  groups: Group[];
  /** Every chain's position before the last transition (a draw that did not move is not used). */
  prevQ: Float64Array;
  counter: number;
}

function moments(dim: number) {
  return { draws: new Welford(dim, 'diag'), grads: new Welford(dim, 'diag') };
}

function addDraw(w: GradientWarmupState, g: Group, s: ChainsState, k: number): void {
  const off = k * s.dim;
  if (w.adaptation === 'gradient-diag') {
    for (const m of [g.fg, g.bg]) {
      m.draws.add(s.q, off);
      m.grads.add(s.grad, off);
    }
  } else {
    g.rows.q.push(s.q.slice(off, off + s.dim));
    g.rows.g.push(s.grad.slice(off, off + s.dim));
  }
}

function switchWindows(w: GradientWarmupState, g: Group, dim: number): void {
  g.fg = g.bg;
  g.bg = moments(dim);
  g.rows.q.splice(0, g.rows.split);
  g.rows.g.splice(0, g.rows.split);
  g.rows.split = g.rows.q.length;
  g.bgCount = 0;
}

function estimate(w: GradientWarmupState, g: Group, dim: number): Metric | null {
  if (w.adaptation === 'low-rank') {
    const f = lowRankEstimate(g.rows.q, g.rows.g, dim);
    return f ? lowRankMetric(f) : null;
  }
  if (g.fg.draws.n < 3) return null;
  return makeMetric('diag', fisherDiag(g.fg.draws, g.fg.grads, w.metrics[g.chains[0]!]!.invMetric));
}

/** The first metric from the initial gradient (pooled: from every chain's, as one estimate would), then Stan's ε search. */
export function gradientWarmupInit(d: Density, s: ChainsState, streams: readonly ChainStream[], numWarmup: number, delta: number,
  adaptation: 'gradient-diag' | 'low-rank', pooled: boolean, schedule: GradientSchedule): GradientWarmupState {
  const dim = d.dim;
  const n = s.chains;
  const adaptMetric = numWarmup >= MIN_METRIC_WARMUP;
  const ids = Array.from({ length: n }, (_, k) => k);
  const groups: Group[] = (pooled ? [ids] : ids.map((k) => [k])).map((chains) => ({
    chains, fg: moments(dim), bg: moments(dim), rows: { q: [], g: [], split: 0 }, bgCount: 0, window: schedule.firstWindow,
    lastUpdate: 0, adapted: false,
  }));
  const metrics = new Array<Metric>(n);
  for (const g of groups) {
    const inv = new Float64Array(dim).fill(adaptMetric ? 0 : 1);
    if (adaptMetric) for (const k of g.chains) diagFromGradient(s.grad, k * dim, dim).forEach((v, i) => { inv[i]! += v / g.chains.length; });
    // every chain of a run has the same kind of metric: the low-rank one starts at rank 0
    const m = adaptation === 'low-rank' ? lowRankMetric(lowRankFactors(inv.map(Math.sqrt), new Float64Array(0), new Float64Array(0))) : makeMetric('diag', inv);
    for (const k of g.chains) metrics[k] = m;
  }
  const bounds = phaseBounds(schedule, numWarmup);
  const w: GradientWarmupState = {
    adaptation, pooled, numWarmup, delta, gradientSchedule: schedule, ...bounds, adaptMetric,
    // Stan's window fields, for code that reads any warmup: no fixed window ends (switches follow the draws' count)
    schedule: { adaptMetric, initBuffer: 0, termBuffer: numWarmup - bounds.finalStart, baseWindow: schedule.earlySwitch, windowEnds: [] },
    estimators: [], stepSizes: [], metrics, dual: [], groups, prevQ: Float64Array.from(s.q), counter: 0,
  };
  if (adaptMetric) for (const g of groups) for (const k of g.chains) addDraw(w, g, s, k); // nuts-rs init adds the start
  w.stepSizes = initStepSize(d, toPoints(s), metrics, streams, 0, new Array<number>(n).fill(1));
  w.dual = w.stepSizes.map((e) => dualAveragingInit(e));
  return w;
}

/** After warmup transition w.counter of every chain (its draws, gradients and accept statistics in s and r). */
export function gradientWarmupUpdate(w: GradientWarmupState, d: Density, s: ChainsState, r: KernelRun, streams: readonly ChainStream[]): void {
  const c = w.counter;
  const dim = s.dim;
  for (let k = 0; k < s.chains; k++) {
    const u = dualAveragingUpdate(w.dual[k]!, r.stats.acceptStat[k]!, w.delta);
    w.dual[k] = u.state;
    w.stepSizes[k] = u.stepSize;
  }
  const restart: number[] = [];
  if (w.adaptMetric && c < w.finalStart) {
    const sched = w.gradientSchedule;
    const early = c < w.earlyEnd;
    for (const g of w.groups) {
      let good = 0;
      for (const k of g.chains) {
        let moved = false;
        for (let i = k * dim; i < (k + 1) * dim && !moved; i++) moved = s.q[i] !== w.prevQ[i];
        // nuts-rs DrawGradCollector keeps a draw that left the trajectory's start (divergent ones from 5 steps away)
        if (moved) { addDraw(w, g, s, k); good++; }
      }
      g.bgCount += good / g.chains.length;
      if (c === w.earlyEnd) g.window = Math.max(g.window, g.bgCount);
      const freq = early ? sched.earlySwitch : g.window;
      const next = early ? sched.earlySwitch : Math.max(g.window + 1, Math.round(g.window * sched.growth));
      const late = next + c > w.finalStart;
      let force = false;
      if (g.bgCount >= freq && !late) {
        switchWindows(w, g, dim);
        force = true;
        if (!early) g.window = next;
      }
      const due = w.adaptation === 'gradient-diag' || c - g.lastUpdate >= LOW_RANK_UPDATE_EVERY || !g.adapted;
      if (!force && !due) continue;
      const m = estimate(w, g, dim);
      if (!m) continue;
      for (const k of g.chains) w.metrics[k] = m;
      g.lastUpdate = c;
      if (!g.adapted) {
        g.adapted = true;
        restart.push(...g.chains);
      }
    }
  }
  if (restart.length) { // nuts-rs: the first metric update searches ε again from the current point
    const pts = toPoints(s);
    const eps = initStepSize(d, restart.map((k) => pts[k]!), restart.map((k) => w.metrics[k]!), restart.map((k) => streams[k]!),
      c + 1, restart.map((k) => w.stepSizes[k]!));
    restart.forEach((k, i) => {
      w.stepSizes[k] = eps[i]!;
      w.dual[k] = dualAveragingInit(eps[i]!);
    });
  }
  // No restart when the step-size-only phase begins (nuts-rs adapt_strategy.rs: one dual averaging from the first metric
  // update to warmup's end). Stan's restart after its last window, tried here, gave smaller final step sizes: 4 chains ×
  // 5 seeds, ESS per sampling gradient ÷ rstan's, median over 6 models 1.08 with it, 1.22 without (bench/adaptation.ts).
  w.prevQ.set(s.q);
  w.counter++;
}
// the adapted step sizes are warmup.ts warmupFinal's: exp(x̄) of each chain's dual averaging
