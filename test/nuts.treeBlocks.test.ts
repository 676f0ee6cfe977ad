// The TypeScript transition in O(depth) memory: doublings integrated in blocks of bounded size give the same draws as
// one trajectory call per doubling, bit for bit, and no trajectory call returns more steps than the budget allows.
import { describe, expect, test } from 'vitest';
import { logDensitySync, model, Normal, HalfCauchy } from 'mlx-nuts';
import type { Density } from '../src/backend/density.ts';
import { leapfrogs, type TrajectoryDensity } from '../src/nuts/integrator.ts';
import { blockSteps, transition, type PointState, type TransitionInfo } from '../src/nuts/kernel.ts';
import { unitMetric, type Metric } from '../src/kernel/metric.ts';
import { chainStream } from '../src/random/philox.ts';

const schools = model('schools', (m) => {
  const mu = m.param('mu', Normal(0, 5));
  const tau = m.param('tau', HalfCauchy(5));
  const th = m.param('theta_tilde', Normal(0, 1), { shape: [8] });
  m.observe(Normal(mu.add(tau.mul(th)), [15, 10, 16, 11, 9, 11, 10, 18]), [28, 8, -3, 7, -1, 1, 18, 12]);
});

/** `d` behind a trajectory() method (as the MLX backend has) that records steps × chains of each call. */
function recording(d: Density): { d: TrajectoryDensity; steps: number[] } {
  const steps: number[] = [];
  const plain: Density = { ...d, logpGradBatch: d.logpGradBatch.bind(d), logpGrad: d.logpGrad.bind(d) };
  return {
    steps,
    d: {
      ...plain,
      trajectory(q0: Float64Array, p0: Float64Array, g0: Float64Array, eps: Float64Array, metrics: readonly Metric[], n: number, chains: number) {
        steps.push(n * chains);
        return leapfrogs(plain, q0, p0, g0, eps, metrics, n, chains);
      },
    },
  };
}

/** `iterations` transitions of 3 chains from the same start; every state and statistic of every iteration. */
function run(d: Density, stepSize: number, iterations: number, blockBytes?: number): { q: number[][]; info: TransitionInfo[][] } {
  const chains = 3;
  const streams = Array.from({ length: chains }, (_, c) => chainStream(21, c));
  let states: PointState[] = streams.map((_, c) => {
    const q = Float64Array.from({ length: d.dim }, (_, i) => 0.3 * Math.sin(i + c));
    const r = d.logpGrad(q);
    return { q, logp: r.logp, grad: r.grad };
  });
  const params = states.map(() => ({ stepSize, metric: unitMetric('diag', d.dim) }));
  const out = { q: [] as number[][], info: [] as TransitionInfo[][] };
  for (let it = 0; it < iterations; it++) {
    const r = transition(d, states, params, streams, it, 8, blockBytes);
    states = r.states;
    out.q.push(states.flatMap((s) => [...s.q, s.logp]));
    out.info.push(r.info);
  }
  return out;
}

/** Trajectory calls of the same run with the default budget (one per doubling). */
function roomyCalls(d: Density): number {
  const r = recording(d);
  run(r.d, 0.25, 20);
  return r.steps.length;
}

describe('trajectory blocks', () => {
  const ref = logDensitySync(schools, { backend: 'reference' });
  const oneStep = 3 * 8 * 3 * ref.dim; // the bytes of one step of 3 chains

  test.each([
    ['one step per call', oneStep],
    ['3 steps per call (blocks across subtree boundaries)', 3 * oneStep],
  ])('%s: the same draws and statistics as one call per doubling, bit for bit', (_, bytes) => {
    for (const stepSize of [0.25, 4]) { // 4 diverges often: subtrees end early inside blocks
      const whole = run(ref, stepSize, 40);
      const blocks = run(ref, stepSize, 40, bytes);
      expect(blocks.q).toEqual(whole.q);
      expect(blocks.info).toEqual(whole.info);
      if (stepSize === 4) expect(whole.info.flat().some((i) => i.divergent)).toBe(true);
      else expect(Math.max(...whole.info.flat().map((i) => i.treeDepth))).toBeGreaterThanOrEqual(3);
    }
  });

  test('no trajectory call returns more steps than the budget allows; one call per doubling when it fits', () => {
    const small = recording(ref);
    run(small.d, 0.25, 20, 2 * oneStep);
    expect(Math.max(...small.steps)).toBeLessThanOrEqual(2 * 3); // 2 steps of 3 chains, or 6 of the last chain left
    expect(small.steps.length).toBeGreaterThan(roomyCalls(ref));
    const roomy = recording(ref);
    run(roomy.d, 0.25, 20);
    expect(Math.max(...roomy.steps)).toBeGreaterThanOrEqual(8 * 3); // whole doublings of depth ≥ 3, 3 chains
    expect(blockSteps(1024, 4, 100_000)).toBe(1);
    expect(blockSteps(1024, 4, 10)).toBe(1024);
  });
});
