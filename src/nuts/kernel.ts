// One NUTS transition for a batch of chains in lockstep: batched trajectory calls per tree doubling, O(depth) states kept.
import type { Density } from '../backend/density.ts';
import { uniformAt, type ChainStream } from '../random/philox.ts';
import { leapfrogs } from './integrator.ts';
import { kinetic, sampleMomentum, velocity, type Metric } from '../kernel/metric.ts';
import { mergeContinues, type Span } from './termination.ts';
import { joinSpans, logAddExp, reversed, SubtreeBuilder, type Divergence, type SubtreeCounters } from './tree.ts';

/** A chain's position with its log density and gradient. */
export interface PointState {
  readonly q: Float64Array;
  readonly logp: number;
  readonly grad: Float64Array;
}

export interface TransitionInfo {
  readonly acceptStat: number;
  readonly treeDepth: number;
  readonly nLeapfrog: number;
  readonly divergent: boolean;
  readonly energy: number;
  /** A divergent transition's cause and position (src/nuts/tree.ts). */
  readonly divergence?: Divergence;
}

export interface KernelParams {
  readonly stepSize: number;
  readonly metric: Metric;
}

interface End {
  q: Float64Array;
  p: Float64Array;
  grad: Float64Array;
}

interface Work extends SubtreeCounters {
  readonly k: number;
  readonly H0: number;
  fwd: End;
  bck: End;
  span: Span;
  logSumWeight: number;
  sample: PointState;
  sampleP: Float64Array;
  depth: number;
  done: boolean;
}

/**
 * Bytes of leapfrog states (position, momentum, gradient) one trajectory call may return: a doubling longer than
 * that is integrated in blocks, each continuing from the last state of the one before, and each leaf goes into the
 * tree as it comes. Small models keep one call per doubling (10 parameters × 4 chains: 16k steps fit); a
 * 10⁵-parameter model holds one step at a time instead of 2^depth (issue 15: 2.8 GB at 4 chains before).
 */
export const TRAJECTORY_BLOCK_BYTES = 16 * 1024 * 1024;

/** Steps per trajectory call for `chains` chains of `dim` coordinates, out of a doubling of `steps`. */
export function blockSteps(steps: number, chains: number, dim: number, bytes = TRAJECTORY_BLOCK_BYTES): number {
  return Math.max(1, Math.min(steps, Math.floor(bytes / (3 * 8 * chains * dim))));
}

/**
 * Multinomial NUTS (Stan base_nuts.hpp): biased progressive sampling at the top level, uniform within subtrees,
 * the three U-turn checks at every merge, divergence at H − H₀ > 1000. Chains that finish are masked out of
 * later doublings. Every random number is addressed by (the chain's stream, `iteration`, purpose, index)
 * (src/random/philox.ts), so a chain's path does not depend on its batch, and the fused kernel walks the same path.
 * `blockBytes` bounds the leapfrog states one trajectory call returns (TRAJECTORY_BLOCK_BYTES); the draws do not depend on it.
 */
export function transition(d: Density, states: readonly PointState[], params: readonly KernelParams[],
  streams: readonly ChainStream[], iteration: number, maxTreeDepth: number, blockBytes = TRAJECTORY_BLOCK_BYTES): { states: PointState[]; info: TransitionInfo[] } {
  const dim = d.dim;
  const work: Work[] = states.map((s, k) => {
    const m = params[k]!.metric;
    const p = new Float64Array(dim);
    sampleMomentum(m, { stream: streams[k]!, iteration, purpose: 'momentum', sub: 0 }, p);
    const ps = velocity(m, p, new Float64Array(dim));
    const end = { q: s.q, p, grad: s.grad };
    return {
      k, H0: -s.logp + kinetic(m, p), fwd: end, bck: end,
      span: { pBeg: p, pEnd: p, pSharpBeg: ps, pSharpEnd: ps, rho: Float64Array.from(p) },
      logSumWeight: 0, sample: s, sampleP: p, depth: 0, done: maxTreeDepth <= 0,
      nLeapfrog: 0, sumMetroProb: 0, divergent: false,
    };
  });
  for (let depth = 0; depth < maxTreeDepth; depth++) {
    const active = work.filter((w) => !w.done);
    if (active.length === 0) break;
    const n = active.length;
    const q0 = new Float64Array(n * dim);
    const p0 = new Float64Array(n * dim);
    const g0 = new Float64Array(n * dim);
    const eps = new Float64Array(n);
    const forward = active.map((w, i) => {
      const fwd = uniformAt(streams[w.k]!, iteration, 'direction', 0, depth) > 0.5;
      const from = fwd ? w.fwd : w.bck;
      q0.set(from.q, i * dim);
      p0.set(from.p, i * dim);
      g0.set(from.grad, i * dim);
      eps[i] = fwd ? params[w.k]!.stepSize : -params[w.k]!.stepSize;
      return fwd;
    });
    const steps = 1 << depth;
    const builders = active.map((w) => new SubtreeBuilder(depth, w.H0, params[w.k]!.metric, { stream: streams[w.k]!, iteration, doubling: depth }, w));
    const block = blockSteps(steps, n, dim, blockBytes);
    let q: Float64Array = q0;
    let p: Float64Array = p0;
    let g: Float64Array = g0;
    for (let s0 = 0; s0 < steps; s0 += block) {
      const m = Math.min(block, steps - s0);
      const traj = leapfrogs(d, q, p, g, eps, active.map((w) => params[w.k]!.metric), m, n);
      let open = 0;
      builders.forEach((b, i) => {
        for (let s = 0; s < m && !b.add(traj, s, i); s++);
        if (b.result === null) open++;
      });
      // every chain's subtree is finished early (divergent or turned): the rest of the doubling would never be read
      if (open === 0 && s0 + m < steps) break;
      // the next block starts from this one's last step (views: a trajectory is never written after it is returned)
      const last = (m - 1) * n * dim;
      q = traj.q.subarray(last, last + n * dim);
      p = traj.p.subarray(last, last + n * dim);
      g = traj.grad.subarray(last, last + n * dim);
    }
    active.forEach((w, i) => {
      const stream = streams[w.k]!;
      const sub = builders[i]!.result!;
      if (!sub.valid) {
        w.done = true;
        return;
      }
      w.depth++;
      const prop = sub.proposal;
      if (sub.logSumWeight > w.logSumWeight ||
        uniformAt(stream, iteration, 'topMerge', 0, depth) < Math.exp(sub.logSumWeight - w.logSumWeight)) {
        w.sample = { q: prop.q, logp: prop.logp, grad: prop.grad };
        w.sampleP = prop.p;
      }
      w.logSumWeight = logAddExp(w.logSumWeight, sub.logSumWeight);
      const o = i * dim;
      const lastEnd = { q: q.slice(o, o + dim), p: p.slice(o, o + dim), grad: g.slice(o, o + dim) };
      const [left, right] = forward[i] ? [w.span, sub.span!] : [reversed(sub.span!), w.span];
      if (forward[i]) w.fwd = lastEnd;
      else w.bck = lastEnd;
      w.span = joinSpans(left, right);
      if (!mergeContinues(left, right)) w.done = true;
    });
  }
  return {
    states: work.map((w) => w.sample),
    info: work.map((w) => ({
      acceptStat: w.nLeapfrog > 0 ? w.sumMetroProb / w.nLeapfrog : 0,
      treeDepth: w.depth,
      nLeapfrog: w.nLeapfrog,
      divergent: w.divergent,
      energy: -w.sample.logp + kinetic(params[w.k]!.metric, w.sampleP),
      ...(w.divergence ? { divergence: w.divergence } : {}),
    })),
  };
}
