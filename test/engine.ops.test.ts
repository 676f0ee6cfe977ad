// Every op of the model language: reference vs finite differences, MLX float64 and float32 vs reference.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { logDensitySync, model, Normal, precision, type Expr } from 'mlx-nuts';
import { fdGrad, maxRelErrVec, norm, relErr, testPoint } from './helpers.ts';

const { TOLERANCE } = precision;
const A = [[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]];

/** Each case maps a parameter vector x (shape [3], values in about (-0.7, 0.7)) to a term added to the density. */
const OPS: Record<string, (x: Expr) => Expr> = {
  add: (x) => x.add(1.5).add(x).sum(),
  sub: (x) => x.sub([1, 2, 3]).sum(),
  mul: (x) => x.mul(x).mul(-0.5).sum(),
  div: (x) => x.div(M.exp(x)).sum(),
  neg: (x) => x.neg().sum(),
  pow: (x) => M.exp(x).pow(1.7).sum().add(M.pow(2, x).sum()),
  sum: (x) => x.sum(),
  exp: (x) => M.exp(x).sum(),
  log: (x) => M.log(x.add(2)).sum(),
  log1p: (x) => M.log1p(x).sum(),
  expm1: (x) => M.expm1(x).sum(),
  sqrt: (x) => M.sqrt(x.add(1)).sum(),
  square: (x) => M.square(x).sum(),
  abs: (x) => M.abs(x.add(0.05)).sum(),
  sigmoid: (x) => M.sigmoid(x.mul(3)).sum(),
  logSigmoid: (x) => M.logSigmoid(x.mul(4)).sum(),
  softplus: (x) => M.softplus(x.mul(5)).sum(),
  tanh: (x) => M.tanh(x).sum(),
  lgamma: (x) => M.lgamma(M.exp(x).mul(3)).sum().add(M.lgamma(x.add(0.9)).sum()),
  digamma: (x) => M.digamma(M.exp(x).add(0.5)).sum(),
  // the three branches of the Stirling split: both < 10, only one ≥ 10, both ≥ 10
  lbeta: (x) => M.lbeta(M.exp(x).add(0.3), M.exp(x.neg()).mul(2)).sum()
    .add(M.lbeta(M.exp(x).mul(30), 0.5).sum()).add(M.lbeta(M.exp(x).mul(15), M.exp(x.neg()).mul(40)).sum()),
  erf: (x) => M.erf(x.mul(2)).sum(),
  logSumExp: (x) => M.logSumExp(x.mul(3)),
  'logSumExp(axis)': (x) => M.logSumExp(M.stack([x, x.mul(2)]), 0).sum(),
  mean: (x) => M.mean(M.square(x)),
  cumsum: (x) => M.cumsum(x).mul([1, -2, 3]).sum().add(M.cumsum(x, 0, true).mul([0.5, 1, 2]).sum()),
  matmul: (x) => M.matmul(A, x).mul([1, -1]).sum().add(M.matmul(x, M.transpose(A)).sum()),
  'matmul(2d)': (x) => M.matmul(M.reshape(M.concat([x, x]), [2, 3]), M.transpose(A)).square().sum(),
  dot: (x) => M.dot(x, [0.1, 0.2, 0.3]),
  take: (x) => M.take(x, [2, 0, 0, 1]).mul([1, 2, 3, 4]).sum(),
  where: (x) => M.where(M.gt(x, 0), x.mul(2), M.square(x)).sum(),
  maximum: (x) => M.maximum(x, 0.1).sum(),
  minimum: (x) => M.minimum(x, [0.2, 0.2, -0.3]).sum(),
  clamp: (x) => M.clamp(x.mul(2), -0.5, 0.5).mul([1, 2, 3]).sum(),
  concat: (x) => M.concat([x, M.square(x)]).mul([1, 2, 3, 4, 5, 6]).sum(),
  stack: (x) => M.stack([x, M.exp(x)], 1).mul([[1, 2], [3, 4], [5, 6]]).sum(),
  reshape: (x) => M.reshape(M.concat([x, x.mul(2)]), [3, 2]).mul([[1, 2], [3, 4], [5, 6]]).sum(),
  transpose: (x) => M.transpose(M.stack([x, x.mul(x)])).mul([[1, 2], [3, 4], [5, 6]]).sum(),
  slice: (x) => M.slice(x, [1], [3]).mul([3, 5]).sum(),
  broadcastTo: (x) => M.broadcastTo(x, [2, 3]).mul([[1, 2, 3], [4, 5, 6]]).sum(),
  max: (x) => M.max(x.mul([1, 2, 3])),
  logAddExp: (x) => M.logAddExp(x, x.mul(-2)).sum(),
  sinCos: (x) => M.sin(x).add(M.cos(x)).sum(),
  'get (element)': (x) => x.get(1).mul(3),
};

function opModel(name: string, f: (x: Expr) => Expr) {
  return model(`op_${name}`, (m) => {
    const x = m.param('x', Normal(0, 1), { shape: [3] });
    m.factor(f(x));
  });
}

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
