// Copying a sampling call's draws and statistics into the fit's per-chain arrays: the host's main cost when
// thousands of chains run on the GPU, so it lives in small functions (monomorphic, no allocation) that V8 optimises.
import type { SamplerStat } from '../io/fitData.ts';
import type { KernelRun } from '../kernel/seam.ts';
import type { TransitionInfo } from './kernel.ts';

export interface RecordTarget {
  readonly stats: readonly Record<SamplerStat, Float64Array>[];
  readonly values: readonly (readonly Float64Array[])[];
  readonly stepSizes: Float64Array;
  readonly clampHits: number[];
  /** Unconstrained slices whose magnitude reaching `clamp` counts as a clamp hit. */
  readonly clamped: readonly { readonly offset: number; readonly size: number }[];
  readonly clamp: number;
  readonly dim: number;
}

/**
 * Rows of transitions 0 … count − 1 of `r` (either layout, its constrained columns present) whose sampling index
 * `done + j` is a multiple of `thin` go to row (done + j) / thin − base of each chain's arrays (base: the first kept draw
 * a bounded summary window holds); what per-draw recording does.
 */
export function recordChunk(t: RecordTarget, r: KernelRun, count: number, done: number, thin: number, base = 0): void {
  const chains = t.stats.length;
  const cols = t.values[0]?.length ?? 0;
  const C = r.constrained!;
  const s = r.stats;
  const q = r.q;
  const dim = t.dim;
  // chain by chain: each destination array is written in order (iteration-major loops touch a new cache line per write)
  for (let k = 0; k < chains; k++) {
    const st = t.stats[k]!;
    const vk = t.values[k]!;
    const eps = t.stepSizes[k]!;
    let hits = 0;
    for (let j = 0; j < count; j++) {
      const iter = done + j;
      if (iter % thin !== 0) continue;
      const it = iter / thin - base;
      const e = r.chainMajor ? k * count + j : j * chains + k;
      st.lp__[it] = s.lp[e]!;
      st.accept_stat__[it] = s.acceptStat[e]!;
      st.stepsize__[it] = eps;
      st.treedepth__[it] = s.treeDepth[e]!;
      st.n_leapfrog__[it] = s.nLeapfrog[e]!;
      st.divergent__[it] = s.divergent[e]!;
      st.energy__[it] = s.energy[e]!;
      const ro = e * cols;
      for (let c = 0; c < cols; c++) vk[c]![it] = C[ro + c]!;
      const qo = e * dim;
      let hit = false;
      for (const p of t.clamped) for (let i = qo + p.offset; i < qo + p.offset + p.size; i++) if (Math.abs(q[i]!) >= t.clamp) hit = true;
      if (hit) hits++;
    }
    t.clampHits[k]! += hits;
  }
}

/** Copies transition `j` of a kernel run into row i of a chain's statistics (the step size it used: eps). */
export function record(stats: Record<SamplerStat, Float64Array>, i: number, r: KernelRun, j: number, eps: number): void {
  stats.lp__[i] = r.stats.lp[j]!;
  stats.accept_stat__[i] = r.stats.acceptStat[j]!;
  stats.stepsize__[i] = eps;
  stats.treedepth__[i] = r.stats.treeDepth[j]!;
  stats.n_leapfrog__[i] = r.stats.nLeapfrog[j]!;
  stats.divergent__[i] = r.stats.divergent[j]!;
  stats.energy__[i] = r.stats.energy[j]!;
}

/** The TransitionInfo of entry j of a run (what warmup and progress consume). */
export function infoAt(r: KernelRun, j: number): TransitionInfo {
  return {
    acceptStat: r.stats.acceptStat[j]!, treeDepth: r.stats.treeDepth[j]!, nLeapfrog: r.stats.nLeapfrog[j]!,
    divergent: r.stats.divergent[j] === 1, energy: r.stats.energy[j]!,
  };
}
