// Pooled warmup run by the kernel itself (the GPU engine): instead of one native call per warmup iteration, one call
// runs many, each chain's dual averaging and Welford moments advanced between its transitions inside the kernel. Calls
// end where the host has work the chains share — the end of a slow window (moments pooled across chains, the metric
// replaced, every ε searched again: pooledWarmup.ts) — so the result is the per-iteration path's, arithmetic for
// arithmetic: the host sends η, √m and m^-κ of each update (dualScalars) and pools the moments in chain order.
import type { Density } from '../backend/density.ts';
import type { DivergenceLog } from './divergences.ts';
import { SEGMENT_STAT_ROWS } from './fitBlocks.ts';
import { SAMPLER_STATS, type SamplerStat } from '../io/fitData.ts';
import type { ChainStream } from '../random/philox.ts';
import type { TransitionInfo } from './kernel.ts';
import { dualScalars, pooledWindowEnd, writeDual, type GatherMoments, type PooledWarmupState, type StepSizeSearcher } from './pooledWarmup.ts';
import { DUAL_AVERAGING } from '../base/defaults.ts';
import { stepSizeSearchFailure } from './stepsize.ts';
import type { ChainsState, TransitionKernel } from '../kernel/seam.ts';
import { inSlowWindow } from './windows.ts';

/** Doubles per chain of a warmup segment's state, and statistics per iteration (src/codegen/cuda.ts, mode 3). */
const width = (dim: number) => 4 * dim + 6;
const SEG_STATS = 7;
/**
 * The first call covers this many iterations (up to the first window's end: 30 with pooled warmup's windows); later
 * calls double while a call takes under TARGET_MS (or the kernel's callMs). A warp waits, per launch, for its chain
 * with the most leapfrogs in it (src/codegen/nutsSource.ts mn_run), and the early iterations' trees vary most: one
 * launch of 30 instead of 8 + 16 + 6 cuts stress's warmup leapfrogs per warp 10 % (10,904 → 9,857; eight_schools 3 %),
 * counted on the CPU engine's statistics as bench/warmupLockstep.ts counts them.
 */
export const FIRST_COUNT = 32;
const TARGET_MS = 50;

export interface NativeWarmupHooks {
  /** Stan's per-iteration statistics of chain k are written into warmupStats[k] rows. */
  readonly warmupStats: Record<SamplerStat, Float64Array>[];
  /** When warmupStats are views of one block (src/nuts/fitBlocks.ts), the kernel writes them there itself. */
  readonly warmupStatsBlock?: Float64Array | null;
  /** After each call: the last iteration done (1-based count) and every chain's last transition. */
  readonly progress?: (done: number, info: TransitionInfo[], stepSizes: readonly number[]) => void;
  readonly aborted?: () => boolean;
  readonly yieldToLoop?: () => Promise<void>;
  readonly gather?: GatherMoments;
  /** Where the warmup's divergent transitions go (cause and position), when the kernel reports them. */
  readonly divergences?: DivergenceLog;
}

let enabled = true;
/** Tests only: make sample() take the per-iteration path even where the kernel runs warmup natively. */
export function setNativeWarmupForTests(on: boolean): void {
  enabled = on;
}

/** Whether `kernel` can run this warmup natively: pooled, diagonal metric, and no warmup draws to keep. */
export function canRunNativeWarmup(kernel: TransitionKernel, w: { metrics: readonly { kind: string }[] } | null, keepDraws: boolean): boolean {
  return enabled && kernel.warmupSegment !== undefined && w !== null && w.metrics[0]?.kind === 'diag' && !keepDraws;
}

/** The next call's last iteration + 1: never past a window's end or the warmup's end. */
function segmentEnd(w: PooledWarmupState, from: number, want: number): number {
  const end = w.schedule.windowEnds.find((e) => e >= from);
  return Math.min(from + want, end === undefined ? w.numWarmup : end + 1, w.numWarmup);
}

/**
 * Every chain's step-size search in one kernel launch (TransitionKernel.searchStepSizes: Stan's search, the CPU
 * engine's path bit for bit), or undefined when the kernel has none (then pooledWarmup.ts searches in rounds of
 * batched density calls). Used at the start of pooled warmup and at each window's end.
 */
export function kernelSearcher(kernel: TransitionKernel, n: number, dim: number): StepSizeSearcher | undefined {
  if (!enabled || !kernel.searchStepSizes) return undefined;
  const sw = width(dim);
  let st: Float64Array | null = null; // one buffer for every search of the run (what a search does not read keeps the last one's values)
  return (s, metric, iteration, from) => {
    st ??= new Float64Array(n * sw);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < dim; i++) {
        st[k * sw + i] = s.q[k * dim + i]!;
        st[k * sw + dim + i] = s.grad[k * dim + i]!;
      }
      st[k * sw + 2 * dim] = s.logp[k]!;
      st[k * sw + 2 * dim + 1] = from[k]!;
    }
    const status = kernel.searchStepSizes!(st, metric.invMetric, iteration);
    const out = st;
    return Array.from({ length: n }, (_, k) => {
      if (status[k] === 1 || status[k] === 2) throw stepSizeSearchFailure(k, status[k] as 1 | 2);
      return out[k * sw + 2 * dim + 1]!;
    });
  };
}

/** Runs the rest of the pooled warmup `w` natively; returns the chains' state after it and whether it was stopped. */
export async function nativePooledWarmup(w: PooledWarmupState, d: Density, state: ChainsState, streams: readonly ChainStream[],
  kernel: TransitionKernel, hooks: NativeWarmupHooks): Promise<{ state: ChainsState; aborted: boolean }> {
  const n = state.chains;
  const dim = state.dim;
  const sw = width(dim);
  let want = FIRST_COUNT;
  const searcher = kernelSearcher(kernel, n, dim);
  // The segments' buffers, allocated once: at 65,536 chains fresh ones per segment (tens of MB each) kept V8's
  // collector busy, and each collection walks the fit's millions of per-chain views (bench/gpuHost.ts under
  // --cpu-prof: 24 of 42 s in the collector for logistic). The chains' state alternates between two sets, so that
  // the state a segment starts from is never the one it writes.
  const st = new Float64Array(n * sw);
  const sets = [0, 1].map(() => ({ q: new Float64Array(n * dim), grad: new Float64Array(n * dim), logp: new Float64Array(n) }));
  let segments = 0;
  while (w.counter < w.numWarmup) {
    const from = w.counter;
    const to = segmentEnd(w, from, want);
    const count = to - from;
    const scalars = new Float64Array(2 + 4 * count);
    scalars[0] = w.delta;
    scalars[1] = DUAL_AVERAGING.gamma;
    for (let j = 0; j < count; j++) {
      const s = dualScalars(w.da.counter + 1 + j);
      scalars.set([s.eta, s.root, s.wt, inSlowWindow(w.schedule, from + j, w.numWarmup) ? 1 : 0], 2 + 4 * j);
    }
    // per-chain loops, not subarray views: at 16,384 chains the views' allocation and collection cost more than the copies
    for (let k = 0; k < n; k++) {
      const o = k * sw;
      const m = w.moments[k]!;
      for (let i = 0; i < dim; i++) {
        st[o + i] = state.q[k * dim + i]!;
        st[o + dim + i] = state.grad[k * dim + i]!;
        st[o + 2 * dim + 6 + i] = m.mean[i]!;
        st[o + 3 * dim + 6 + i] = m.m2[i]!;
      }
      st[o + 2 * dim] = state.logp[k]!;
      st[o + 2 * dim + 1] = w.stepSizes[k]!;
      st[o + 2 * dim + 2] = w.da.sBar[k]!;
      st[o + 2 * dim + 3] = w.da.xBar[k]!;
      st[o + 2 * dim + 4] = w.da.mu[k]!;
      st[o + 2 * dim + 5] = m.n;
    }
    const t0 = performance.now();
    const into = hooks.warmupStatsBlock
      ? { stats: hooks.warmupStatsBlock, statCount: SAMPLER_STATS.length, statRows: SEGMENT_STAT_ROWS, total: w.numWarmup, offset: from } : undefined;
    const seg = await kernel.warmupSegment!({ iteration: from, count, invMetric: w.metrics[0]!.invMetric, state: st, scalars, into });
    const stats = seg.stats;
    if (seg.divergenceRows?.length) hooks.divergences?.addRows(seg.divergenceRows, from);
    const ms = performance.now() - t0;
    const { q, grad, logp } = sets[segments++ % 2]!;
    for (let k = 0; k < n; k++) {
      const o = k * sw;
      const m = w.moments[k]!;
      for (let i = 0; i < dim; i++) {
        q[k * dim + i] = st[o + i]!;
        grad[k * dim + i] = st[o + dim + i]!;
        m.mean[i] = st[o + 2 * dim + 6 + i]!;
        m.m2[i] = st[o + 3 * dim + 6 + i]!;
      }
      logp[k] = st[o + 2 * dim]!;
      w.stepSizes[k] = st[o + 2 * dim + 1]!;
      w.da.sBar[k] = st[o + 2 * dim + 2]!;
      w.da.xBar[k] = st[o + 2 * dim + 3]!;
      m.n = st[o + 2 * dim + 5]!;
      const rows = hooks.warmupStats[k]!;
      for (let j = 0; j < count && !into; j++) {
        const b = (k * count + j) * SEG_STATS;
        const it = from + j;
        rows.lp__[it] = stats[b]!;
        rows.accept_stat__[it] = stats[b + 1]!;
        rows.treedepth__[it] = stats[b + 2]!;
        rows.n_leapfrog__[it] = stats[b + 3]!;
        rows.divergent__[it] = stats[b + 4]!;
        rows.energy__[it] = stats[b + 5]!;
        rows.stepsize__[it] = stats[b + 6]!;
      }
    }
    state = { chains: n, dim, q, logp, grad };
    w.da.counter += count;
    w.counter = to - 1;
    if (w.schedule.windowEnds.includes(to - 1)) await pooledWindowEnd(w, d, state, streams, hooks.gather, searcher);
    else {
      w.counter = to;
      if (w.counter >= w.numWarmup) writeDual(w);
    }
    if (hooks.progress) {
      hooks.progress(to, Array.from({ length: n }, (_, k) => {
        const r = hooks.warmupStats[k]!;
        const i = to - 1;
        return { acceptStat: r.accept_stat__[i]!, treeDepth: r.treedepth__[i]!, nLeapfrog: r.n_leapfrog__[i]!, divergent: r.divergent__[i] === 1, energy: r.energy__[i]! };
      }), w.stepSizes);
    }
    if (ms < (kernel.callMs ?? TARGET_MS)) want *= 2;
    await hooks.yieldToLoop?.();
    if (hooks.aborted?.()) return { state, aborted: true };
  }
  return { state, aborted: false };
}
