// Every op of the model language: reference vs finite differences, MLX float64 and float32 vs reference.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { logDensitySync, model, Normal, precision } from 'mlx-nuts';
import { OPS, opModel } from './ops.cases.ts';
import { fdGrad, maxRelErrVec, norm, relErr, testPoint } from './helpers.ts';

const { TOLERANCE } = precision;
describe('ops: reference backend against central finite differences', () => {
  for (const [name, f] of Object.entries(OPS)) {
    test(name, () => {
      const d = logDensitySync(opModel(name, f), { backend: 'reference' });
      for (const phase of [1, 2.3]) {
        const q = testPoint(3, phase);
        const { logp, grad } = d.logpGrad(q);
        expect(Number.isFinite(logp)).toBe(true);
        expect(maxRelErrVec(grad, fdGrad(d, q), 1e-2)).toBeLessThan(TOLERANCE.finiteDifference);
      }
    });
  }
});

describe('ops: MLX float64 and float32 against the reference', () => {
  for (const [name, f] of Object.entries(OPS)) {
    test(name, () => {
      const mdl = opModel(name, f);
      const ref = logDensitySync(mdl, { backend: 'reference' });
      const m64 = logDensitySync(mdl, { backend: 'mlx', dtype: 'float64' });
      const m32 = logDensitySync(mdl, { backend: 'mlx', dtype: 'float32' });
      for (const phase of [1, 2.3]) {
        const q = testPoint(3, phase);
        const r = ref.logpGrad(q);
        const a = m64.logpGrad(q);
        const b = m32.logpGrad(q);
        expect(relErr(a.logp, r.logp, 1)).toBeLessThan(TOLERANCE.float64VsReference);
        expect(maxRelErrVec(a.grad, r.grad, 1)).toBeLessThan(TOLERANCE.float64VsReference);
        expect(relErr(b.logp, r.logp, 1)).toBeLessThan(TOLERANCE.float32VsReference);
        expect(relErr(norm(b.grad), norm(r.grad), 1)).toBeLessThan(TOLERANCE.float32VsReference);
      }
      m64.dispose();
      m32.dispose();
    });
  }
});

describe('clamp gradient', () => {
  test('is 1 strictly inside the bounds and 0 outside, on both backends', () => {
    const mdl = model('clamp_grad', (m) => {
      const x = m.param('x', Normal(0, 1), { shape: [3] });
      m.factor(M.clamp(x, -1, 1).sum());
      m.factor(M.square(x).mul(0.5).sum()); // cancels the Normal prior's gradient −x
    });
    const q = Float64Array.from([-3, 0.25, 2]);
    for (const backend of ['reference', 'mlx'] as const) {
      const { grad } = logDensitySync(mdl, { backend }).logpGrad(q);
      expect(Array.from(grad).map((g) => Math.round(g * 1e5) / 1e5)).toEqual([0, 1, 0]);
    }
  });
});

describe('ops: a batch of chains (leading batch axis) equals single calls', () => {
  for (const [name, f] of Object.entries(OPS)) {
    test(name, () => {
      const d = logDensitySync(opModel(name, f), { backend: 'mlx', dtype: 'float64' });
      const chains = 3;
      const Q = new Float64Array(chains * 3);
      for (let c = 0; c < chains; c++) Q.set(testPoint(3, 1 + 0.7 * c), 3 * c);
      const { logp, grad } = d.logpGradBatch(Q, chains);
      for (let c = 0; c < chains; c++) {
        const one = d.logpGrad(Q.slice(3 * c, 3 * c + 3));
        expect(relErr(logp[c]!, one.logp, 1)).toBeLessThan(1e-12);
        expect(maxRelErrVec(grad.subarray(3 * c, 3 * c + 3), one.grad, 1)).toBeLessThan(1e-12);
      }
      d.dispose();
    });
  }
});

describe('lbeta at large arguments (B(a, 1) = 1/a, so d/da log B(a, 1) = −1/a exactly)', () => {
  // lbeta(e^y, 1) = −y with gradient −1: a float32 difference ψ(a) − ψ(a + 1) of two values near log a would lose
  // every digit of −1/a; the op subtracts the asymptotic series analytically and rounds once.
  const mdl = model('lbeta_large', (m) => {
    const y = m.param('y', Normal(0, 1));
    m.factor(M.lbeta(M.exp(y), 1));
    m.factor(M.square(y).mul(0.5)); // cancels the prior's −y²/2 and its gradient
  });
  for (const [backend, dtype, tol] of [['reference', 'float64', 1e-12], ['mlx', 'float64', 1e-12], ['mlx', 'float32', 1e-6]] as const) {
    test(`${backend} ${dtype}`, () => {
      const d = logDensitySync(mdl, { backend, dtype });
      for (const a of [1e3, 1e6, 1e9]) {
        const y = Math.log(a);
        const { logp, grad } = d.logpGrad(Float64Array.of(y));
        expect(relErr(logp, -y - 0.5 * Math.log(2 * Math.PI), 1), `logp at a = ${a}`).toBeLessThan(tol);
        expect(relErr(grad[0]!, -1, 1), `gradient at a = ${a}`).toBeLessThan(tol);
      }
      d.dispose();
    });
  }
});
