// The TypeScript transition behind the kernel seam (src/kernel/seam.ts), the oracle every engine is tested against,
// and per-chain views of a ChainsState.
import type { Density } from '../backend/density.ts';
import { DIVERGENCE_CAUSES, emptyStats, type ChainsState, type TransitionKernel } from '../kernel/seam.ts';
import { chainStream, type ChainStream } from '../random/philox.ts';
import { transition, type PointState } from './kernel.ts';

/** Per-chain views of a state (no copies: a kernel never writes to the state it returned). */
export function toPoints(s: ChainsState): PointState[] {
  return Array.from({ length: s.chains }, (_, c) => ({
    q: s.q.subarray(c * s.dim, (c + 1) * s.dim), logp: s.logp[c]!, grad: s.grad.subarray(c * s.dim, (c + 1) * s.dim),
  }));
}

export function fromPoints(points: readonly PointState[], dim: number): ChainsState {
  const chains = points.length;
  const q = new Float64Array(chains * dim);
  const grad = new Float64Array(chains * dim);
  const logp = new Float64Array(chains);
  points.forEach((p, c) => {
    q.set(p.q, c * dim);
    grad.set(p.grad, c * dim);
    logp[c] = p.logp;
  });
  return { chains, dim, q, logp, grad };
}

/** The TypeScript transition (src/nuts/kernel.ts) behind the kernel seam: the oracle every engine is tested against. */
export function typescriptKernel(d: Density, seed: number, chainIds: readonly number[], maxTreeDepth: number): TransitionKernel {
  const streams: ChainStream[] = chainIds.map((c) => chainStream(seed, c));
  return {
    name: 'typescript',
    run(state, params, iteration, count) {
      const chains = state.chains;
      const dim = state.dim;
      const stats = emptyStats(count * chains);
      const q = new Float64Array(count * chains * dim);
      const divergence = new Float64Array(count * chains * (dim + 1)); // KernelRun.divergence's rows
      let points = toPoints(state);
      for (let it = 0; it < count; it++) {
        const kp = points.map((_, k) => ({ stepSize: params.stepSizes[k]!, metric: params.metrics[k]! }));
        const r = transition(d, points, kp, streams, iteration + it, maxTreeDepth);
        points = r.states;
        r.info.forEach((info, k) => {
          const i = it * chains + k;
          stats.lp[i] = points[k]!.logp;
          stats.acceptStat[i] = info.acceptStat;
          stats.treeDepth[i] = info.treeDepth;
          stats.nLeapfrog[i] = info.nLeapfrog;
          stats.divergent[i] = info.divergent ? 1 : 0;
          stats.energy[i] = info.energy;
          q.set(points[k]!.q, i * dim);
          if (info.divergence) {
            divergence[i * (dim + 1)] = DIVERGENCE_CAUSES.indexOf(info.divergence.cause);
            divergence.set(info.divergence.q, i * (dim + 1) + 1);
          }
        });
      }
      return { state: fromPoints(points, dim), q, stats, divergence };
    },
  };
}
