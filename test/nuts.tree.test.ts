// NUTS bookkeeping with mock densities (in the style of Stan's base_nuts_test): leapfrog counts, weights, U-turns.
import { describe, expect, test } from 'vitest';
import type { Density } from '../src/backend/density.ts';
import { leapfrogs } from '../src/nuts/integrator.ts';
import { transition } from '../src/nuts/kernel.ts';
import { unitMetric } from '../src/kernel/metric.ts';
import { criterion, mergeContinues, type Span } from '../src/nuts/termination.ts';
import { MAX_DELTA_H, POOLED_WINDOW_DEFAULTS } from '../src/base/defaults.ts';
import { buildSubtree } from '../src/nuts/tree.ts';
import { chainStream } from '../src/random/philox.ts';

/** A mock density from a logp(q) and its gradient, evaluated per chain. */
function mock(dim: number, f: (q: Float64Array) => [number, Float64Array]): Density {
  return {
    dim, backend: 'reference', dtype: 'float64',
    logpGrad: (q) => { const [logp, grad] = f(q); return { logp, grad }; },
    logpGradBatch(Q, chains, lp = new Float64Array(chains), g = new Float64Array(chains * dim)) {
      for (let c = 0; c < chains; c++) {
        const [l, gr] = f(Q.subarray(c * dim, (c + 1) * dim));
        lp[c] = l;
        g.set(gr, c * dim);
      }
      return { logp: lp, grad: g };
    },
    dispose() {},
  };
}

const flat = (dim: number) => mock(dim, () => [0, new Float64Array(dim)]);
const v = (...x: number[]) => Float64Array.from(x);
const span = (pBeg: Float64Array, pEnd: Float64Array, rho: Float64Array): Span => ({ pBeg, pEnd, pSharpBeg: pBeg, pSharpEnd: pEnd, rho });

describe('tree bookkeeping', () => {
  test('a flat density never U-turns: the tree reaches max depth with 2^depth − 1 leapfrogs and accept stat 1', () => {
    for (const maxDepth of [1, 3, 6]) {
      const d = flat(2);
      const r = transition(d, [{ q: v(0, 0), logp: 0, grad: v(0, 0) }], [{ stepSize: 0.1, metric: unitMetric('diag', 2) }],
        [chainStream(3, 0)], 0, maxDepth);
      expect(r.info[0]!.treeDepth).toBe(maxDepth);
      expect(r.info[0]!.nLeapfrog).toBe(2 ** maxDepth - 1);
      expect(r.info[0]!.acceptStat).toBe(1);
      expect(r.info[0]!.divergent).toBe(false);
    }
  });

  test('a subtree over equal-energy leaves has log-sum-weight log 2^depth and counts every leaf', () => {
    const d = flat(1);
    const metric = unitMetric('diag', 1);
    const t = leapfrogs(d, v(0), v(1), v(0), v(0.1), [metric], 8, 1);
    const ctr = { nLeapfrog: 0, sumMetroProb: 0, divergent: false };
    const sub = buildSubtree(t, 0, 0, 3, 0.5, metric, { stream: chainStream(1, 0), iteration: 0, doubling: 3 }, ctr); // H = ½·1² = H0 at every leaf
    expect(sub.valid).toBe(true);
    expect(sub.logSumWeight).toBeCloseTo(Math.log(8), 12);
    expect(ctr.nLeapfrog).toBe(8);
    expect(ctr.sumMetroProb).toBe(8);
    expect(Array.from(sub.span!.rho)).toEqual([8]);
  });

  test('a divergent first leaf stops the tree at once: one leapfrog, depth 0, divergent', () => {
    const d = mock(1, (q) => [-1e6 * q[0]! * q[0]!, v(-2e6 * q[0]!)]);
    const r = transition(d, [{ q: v(0.5), logp: -2.5e5, grad: v(-1e6) }], [{ stepSize: 1, metric: unitMetric('diag', 1) }],
      [chainStream(1, 0)], 0, 10);
    expect(r.info[0]!.divergent).toBe(true);
    expect(r.info[0]!.nLeapfrog).toBe(1);
    expect(r.info[0]!.treeDepth).toBe(0);
    expect(Array.from(r.states[0]!.q)).toEqual([0.5]); // the initial point is kept
    expect(MAX_DELTA_H).toBe(1000);
  });

  test('NaN log densities are divergent leaves, not crashes', () => {
    const d = mock(1, (q) => [q[0]! > 0.05 ? NaN : -0.5 * q[0]! ** 2, v(-q[0]!)]);
    const r = transition(d, [{ q: v(0), logp: 0, grad: v(0) }], [{ stepSize: 0.2, metric: unitMetric('diag', 1) }],
      [chainStream(2, 0)], 0, 10);
    // the kept state is never in the NaN region q > 0.05, and its log density is finite
    expect(Number.isFinite(r.states[0]!.logp)).toBe(true);
    expect(r.states[0]!.q[0]!).toBeLessThanOrEqual(0.05);
    expect(r.info[0]!.nLeapfrog).toBeGreaterThanOrEqual(1);
    // NaN everywhere but the start: the first leaf is a divergence, whichever the direction
    const nanAway = mock(1, (q) => (q[0] === 0.04 ? [0, v(0)] : [NaN, v(NaN)]));
    const into = transition(nanAway, [{ q: v(0.04), logp: 0, grad: v(0) }], [{ stepSize: 0.5, metric: unitMetric('diag', 1) }],
      [chainStream(2, 0)], 0, 10);
    expect(into.info[0]).toMatchObject({ divergent: true, nLeapfrog: 1, treeDepth: 0 });
    expect(into.states[0]!.q[0]).toBe(0.04);
  });
});

describe('the three U-turn checks', () => {
  test('criterion is p♯₊·ρ > 0 and p♯₋·ρ > 0', () => {
    expect(criterion(v(1, 0), v(1, 0), v(2, 0))).toBe(true);
    expect(criterion(v(1, 0), v(-1, 0), v(0.5, 0))).toBe(false);
  });

  test('each check can end a merge on its own', () => {
    // whole span fails: the right end points back against the summed momentum
    expect(mergeContinues(span(v(1, 0), v(1, 0), v(1, 0)), span(v(1, 0), v(-3, 0), v(-2.5, 0)))).toBe(false);
    // whole span and check 3 pass, check 2 (left span extended by the right's first state) fails
    const a = span(v(1, 0), v(1, 0), v(2, 0));
    const b = span(v(-3, 1), v(1, 1), v(1, 5));
    expect(criterion(a.pSharpBeg, b.pSharpEnd, v(3, 5))).toBe(true);
    expect(criterion(a.pSharpEnd, b.pSharpEnd, v(2, 5))).toBe(true);
    expect(criterion(a.pSharpBeg, b.pSharpBeg, v(-1, 1))).toBe(false);
    expect(mergeContinues(a, b)).toBe(false);
    // the mirror image: only check 3 (right span extended by the left's last state) fails
    const a3 = span(v(1, 1), v(-3, 1), v(1, 5));
    const b3 = span(v(1, 0), v(1, 0), v(2, 0));
    expect(criterion(a3.pSharpBeg, b3.pSharpEnd, v(3, 5))).toBe(true);
    expect(criterion(a3.pSharpBeg, b3.pSharpBeg, v(2, 5))).toBe(true);
    expect(criterion(a3.pSharpEnd, b3.pSharpEnd, v(-1, 1))).toBe(false);
    expect(mergeContinues(a3, b3)).toBe(false);
    // all pass
    expect(mergeContinues(span(v(1, 0), v(1, 0.1), v(2, 0.1)), span(v(1, 0.2), v(1, 0.3), v(2, 0.5)))).toBe(true);
  });
});

describe('windowed adaptation schedule', async () => {
  const { windowSchedule } = await import('../src/nuts/windows.ts');
  test('matches Stan for 1000, 500, 150, 100 and 10 warmup iterations', () => {
    expect(windowSchedule(1000).windowEnds).toEqual([99, 149, 249, 449, 949]);
    expect(windowSchedule(500).windowEnds).toEqual([99, 149, 249, 449]);
    expect(windowSchedule(150).windowEnds).toEqual([99]);
    const s100 = windowSchedule(100);
    expect([s100.initBuffer, s100.baseWindow, s100.termBuffer]).toEqual([15, 75, 10]);
    expect(s100.windowEnds).toEqual([89]);
    expect(windowSchedule(10).adaptMetric).toBe(false);
    // pooled warmup's: the first estimate after iteration 30 (POOLED_WINDOW_DEFAULTS)
    expect(windowSchedule(500, POOLED_WINDOW_DEFAULTS).windowEnds).toEqual([29, 59, 119, 449]);
    expect(windowSchedule(1000, POOLED_WINDOW_DEFAULTS).windowEnds).toEqual([29, 59, 119, 239, 949]);
    expect(windowSchedule(150, POOLED_WINDOW_DEFAULTS).windowEnds).toEqual([29, 99]);
  });
});
