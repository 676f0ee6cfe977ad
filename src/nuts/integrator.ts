// The batched leapfrog: n steps for a batch of chains, each with its own signed step size and metric.
import type { Density } from '../backend/density.ts';
import { velocity, type Metric } from '../kernel/metric.ts';

/** States along a trajectory: step s, chain c at offset (s·chains + c)·dim (logp at s·chains + c). */
export interface Trajectory {
  readonly steps: number;
  readonly chains: number;
  readonly dim: number;
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly grad: Float64Array;
  readonly logp: Float64Array;
}

/** A density that can run whole trajectories in one native call (the MLX backend). */
export interface TrajectoryDensity extends Density {
  trajectory(q0: Float64Array, p0: Float64Array, g0: Float64Array, stepSizes: Float64Array, metrics: readonly Metric[],
    steps: number, chains: number): Trajectory;
}

export function hasTrajectory(d: Density): d is TrajectoryDensity {
  return typeof (d as Partial<TrajectoryDensity>).trajectory === 'function';
}

/** Counts native calls, for the "calls per draw" statistic. */
export const callCounter = { calls: 0 };

/**
 * Leapfrog (Stan's expl_leapfrog): p ← p + ε/2·∇logp(q); q ← q + ε·M⁻¹p; p ← p + ε/2·∇logp(q), repeated `steps` times.
 * q0, p0, g0 are chains × dim; stepSizes holds one signed ε per chain (negative integrates backward in time).
 */
export function leapfrogs(d: Density, q0: Float64Array, p0: Float64Array, g0: Float64Array, stepSizes: Float64Array,
  metrics: readonly Metric[], steps: number, chains: number): Trajectory {
  if (hasTrajectory(d) && metrics.every((m) => !m.lowRank)) { // the MLX trajectory knows diagonal and dense
    callCounter.calls++;
    return d.trajectory(q0, p0, g0, stepSizes, metrics, steps, chains);
  }
  const dim = d.dim;
  const n = chains * dim;
  const out: Trajectory = {
    steps, chains, dim, q: new Float64Array(steps * n), p: new Float64Array(steps * n),
    grad: new Float64Array(steps * n), logp: new Float64Array(steps * chains),
  };
  const q = Float64Array.from(q0);
  const p = Float64Array.from(p0);
  let g: Float64Array = Float64Array.from(g0);
  const v = new Float64Array(dim);
  for (let s = 0; s < steps; s++) {
    for (let c = 0; c < chains; c++) {
      const eps = stepSizes[c]!;
      const o = c * dim;
      for (let i = 0; i < dim; i++) p[o + i]! += 0.5 * eps * g[o + i]!;
      velocity(metrics[c]!, p, v, o, 0);
      for (let i = 0; i < dim; i++) q[o + i]! += eps * v[i]!;
    }
    callCounter.calls++;
    const r = d.logpGradBatch(q, chains, out.logp.subarray(s * chains, (s + 1) * chains), out.grad.subarray(s * n, (s + 1) * n));
    g = r.grad;
    for (let c = 0; c < chains; c++) {
      const eps = stepSizes[c]!;
      const o = c * dim;
      for (let i = 0; i < dim; i++) p[o + i]! += 0.5 * eps * g[o + i]!;
    }
    out.q.set(q, s * n);
    out.p.set(p, s * n);
  }
  return out;
}
