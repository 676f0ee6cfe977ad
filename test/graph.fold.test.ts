// Constant folding at graph-build time, and the two ways GaussianRandomWalk takes its steps.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { logDensitySync, model, Normal } from 'mlx-nuts';
import { foldBinary } from '../src/graph/fold.ts';
import { maxRelErrVec, relErr } from './helpers.ts';

describe('constant folding', () => {
  test('ops on constants become one constant node with the float64 value', () => {
    const mdl = model('fold', (m) => {
      const x = m.param('x', Normal(0, 1));
      const c = M.exp(M.reshape([0.5, 1, 1.5, 2], [2, 2])).sub([[1], [2]]).sum(); // all constant up to sum
      m.factor(c.mul(x));
    });
    const ir = mdl.trace().ir;
    const ops = ir.nodes.map((n) => n.op);
    expect(ops).not.toContain('exp');
    expect(ops).not.toContain('reshape');
    const folded = ir.nodes.findLast((n) => n.op === 'const' && n.shape.length === 2); // the inputs stay as dead nodes
    expect(Array.from(folded!.data!)).toEqual([Math.exp(0.5) - 1, Math.exp(1) - 1, Math.exp(1.5) - 2, Math.exp(2) - 2]);
    const want = Math.exp(0.5) + Math.exp(1) - 2 + Math.exp(1.5) + Math.exp(2) - 4;
    for (const backend of ['reference', 'mlx'] as const) {
      const d = logDensitySync(mdl, { backend, dtype: 'float64' });
      const { logp, grad } = d.logpGrad(Float64Array.of(0.3));
      expect(relErr(grad[0]!, want - 0.3, 1)).toBeLessThan(1e-12); // d/dx (c·x − x²/2)
      expect(relErr(logp, want * 0.3 - 0.045 - 0.5 * Math.log(2 * Math.PI), 1)).toBeLessThan(1e-12);
      d.dispose();
    }
  });

  test('binary folding broadcasts like numpy', () => {
    const r = foldBinary('add', Float64Array.of(1, 2), [2, 1], Float64Array.of(10, 20, 30), [3], [2, 3]);
    expect(Array.from(r)).toEqual([11, 21, 31, 12, 22, 32]);
    const s = foldBinary('mul', Float64Array.of(2), [], Float64Array.of(1, 2, 3, 4), [2, 2], [2, 2]);
    expect(Array.from(s)).toEqual([2, 4, 6, 8]);
  });
});

describe('GaussianRandomWalk: difference matrix (short walks) and slices (long walks) agree with the formula', () => {
  for (const T of [100, 300]) {
    test(`length ${T}`, () => {
      const sigma = 0.7;
      const mdl = model(`grw_${T}`, (m) => {
        m.param('s', M.GaussianRandomWalk(sigma, { length: T }));
      });
      const q = Float64Array.from({ length: T }, (_, t) => Math.sin(0.37 * t) + 0.01 * t);
      let lp = -T * (Math.log(sigma) + 0.5 * Math.log(2 * Math.PI));
      const g = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        const step = q[t]! - (t > 0 ? q[t - 1]! : 0);
        lp -= (0.5 * step * step) / (sigma * sigma);
        g[t]! -= step / (sigma * sigma);
        if (t > 0) g[t - 1]! += step / (sigma * sigma);
      }
      for (const backend of ['reference', 'mlx'] as const) {
        const d = logDensitySync(mdl, { backend, dtype: 'float64' });
        const r = d.logpGrad(q);
        expect(relErr(r.logp, lp, 1)).toBeLessThan(1e-12);
        expect(maxRelErrVec(r.grad, g, 1)).toBeLessThan(1e-12);
        d.dispose();
      }
    });
  }
});
