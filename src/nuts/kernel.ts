// One NUTS transition for a batch of chains in lockstep: one batched trajectory call per tree doubling.
import type { Density } from '../backend/density.ts';
import { uniformAt, type ChainStream } from '../random/philox.ts';
import { leapfrogs } from './integrator.ts';
import { kinetic, sampleMomentum, velocity, type Metric } from './metric.ts';
import { mergeContinues, type Span } from './termination.ts';
import { buildSubtree, joinSpans, logAddExp, reversed, type SubtreeCounters } from './tree.ts';

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

function read(t: { q: Float64Array; p: Float64Array; grad: Float64Array; logp: Float64Array; chains: number; dim: number },
  s: number, k: number) {
  const off = (s * t.chains + k) * t.dim;
  return {
    q: t.q.slice(off, off + t.dim), p: t.p.slice(off, off + t.dim), grad: t.grad.slice(off, off + t.dim),
    logp: t.logp[s * t.chains + k]!,
  };
}

/**
 * Multinomial NUTS (Stan base_nuts.hpp): biased progressive sampling at the top level, uniform within subtrees,
 * the three U-turn checks at every merge, divergence at H − H₀ > 1000. Chains that finish are masked out of
 * later doublings. Every random number is addressed by (the chain's stream, `iteration`, purpose, index)
 * (src/random/philox.ts), so a chain's path does not depend on its batch, and the fused kernel walks the same path.
 */
export function transition(d: Density, states: readonly PointState[], params: readonly KernelParams[],
  streams: readonly ChainStream[], iteration: number, maxTreeDepth: number): { states: PointState[]; info: TransitionInfo[] } {
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
    const traj = leapfrogs(d, q0, p0, g0, eps, active.map((w) => params[w.k]!.metric), steps, n);
    active.forEach((w, i) => {
      const stream = streams[w.k]!;
      const sub = buildSubtree(traj, i, 0, depth, w.H0, params[w.k]!.metric, { stream, iteration, doubling: depth }, w);
      if (!sub.valid) {
        w.done = true;
        return;
      }
      w.depth++;
      const prop = read(traj, sub.proposal, i);
      if (sub.logSumWeight > w.logSumWeight ||
        uniformAt(stream, iteration, 'topMerge', 0, depth) < Math.exp(sub.logSumWeight - w.logSumWeight)) {
        w.sample = { q: prop.q, logp: prop.logp, grad: prop.grad };
        w.sampleP = prop.p;
      }
      w.logSumWeight = logAddExp(w.logSumWeight, sub.logSumWeight);
      const last = read(traj, steps - 1, i);
      const lastEnd = { q: last.q, p: last.p, grad: last.grad };
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
    })),
  };
}
