// Every transform: inverse ∘ forward = id, log|det J| = log-determinant of the autodiff Jacobian, FD gradients, registry.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { Flat, logDensitySync, makeRng, model, type Expr, type Transform } from 'mlx-nuts';

interface Spec {
  readonly t: Transform;
  /** Constrained shape for an unconstrained dimension n (null: n not supported). */
  readonly shape: (n: number) => number[] | null;
  /** Flat indices of the constrained value that the Jacobian is taken with respect to. */
  readonly free: (shape: number[]) => number[];
  /** Spread of the random unconstrained points. */
  readonly scale: number;
}

const all = (s: number[]) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => i);
const vec = (n: number) => [n];
const corrK = (n: number) => {
  const K = (1 + Math.sqrt(1 + 8 * n)) / 2;
  return Number.isInteger(K) ? [K, K] : null;
};

const SPECS: Record<string, Spec> = {
  identity: { t: M.identityTransform, shape: vec, free: all, scale: 3 },
  log: { t: M.logTransform, shape: vec, free: all, scale: 3 },
  'lowerBound(-2)': { t: M.lowerBound(-2), shape: vec, free: all, scale: 3 },
  'upperBound(3)': { t: M.upperBound(3), shape: vec, free: all, scale: 3 },
  'interval(-1, 4)': { t: M.interval(-1, 4), shape: vec, free: all, scale: 3 },
  'interval as a matrix': { t: M.interval(0, 1), shape: (n) => (n % 2 === 0 ? [2, n / 2] : null), free: all, scale: 3 },
  simplex: { t: M.simplexTransform, shape: (n) => [n + 1], free: (s) => all([s[0]! - 1]), scale: 2 },
  'simplex rows': { t: M.simplexTransform, shape: (n) => (n % 2 === 0 ? [2, n / 2 + 1] : null),
    free: (s) => all(s).filter((i) => i % s[1]! !== s[1]! - 1), scale: 2 },
  ordered: { t: M.orderedTransform, shape: vec, free: all, scale: 2 },
  positiveOrdered: { t: M.positiveOrderedTransform, shape: vec, free: all, scale: 2 },
  corrCholesky: { t: M.corrCholeskyTransform, shape: corrK,
    free: (s) => all(s).filter((i) => i % s[1]! < Math.floor(i / s[1]!)), scale: 1.5 },
};

const ctx = { dtype: 'float64' as const };

/** A model of the unconstrained y whose log density is f(x = forward(y)) plus, optionally, the log-Jacobian. */
function through(t: Transform, n: number, shape: number[], f: (x: Expr, y: Expr) => Expr) {
  return model('transform', (m) => {
    const y = m.param('y', Flat(), { shape: [n] });
    // + 0·Σy keeps the output live: the reference backend cannot differentiate a constant log density (identity's
    // log-Jacobian is the constant 0)
    m.factor(f(t.forward(y, shape, ctx), y).add(y.sum().mul(0)));
  });
}

/** log|det A| by LU with partial pivoting. */
function logAbsDet(a: Float64Array[], n: number): number {
  const m = a.map((r) => Float64Array.from(r));
  let s = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    [m[k], m[p]] = [m[p]!, m[k]!];
    const piv = m[k]![k]!;
    s += Math.log(Math.abs(piv));
    for (let i = k + 1; i < n; i++) {
      const f = m[i]![k]! / piv;
      for (let j = k; j < n; j++) m[i]![j]! -= f * m[k]![j]!;
    }
  }
  return s;
}

describe.each(Object.entries(SPECS))('%s', (_name, spec) => {
  const dims = Array.from({ length: 10 }, (_, i) => i + 1).filter((n) => spec.shape(n) !== null);
  const rng = makeRng(4, dims.length);

  test.each(dims)('n = %i: inverse(forward(y)) = y, log|det J| = log|det ∂x/∂y| (autodiff), FD gradient', (n) => {
    const shape = spec.shape(n)!;
    const free = spec.free(shape);
    expect(free.length).toBe(n);
    for (let trial = 0; trial < 3; trial++) {
      const y = new Float64Array(n).map(() => spec.scale * rng.normal());
      // forward on the reference backend (the constrained value through constrain), then back on the host
      const fwd = model('fwd', (m) => {
        const yy = m.param('y', Flat(), { shape: [n] });
        m.deterministic('x', spec.t.forward(yy, shape, ctx));
      });
      const x = logDensitySync(fwd, { backend: 'reference' }).constrain(y).x!;
      const back = spec.t.inverse(x, shape);
      back.forEach((v, i) => expect(Math.abs(v - y[i]!), `inverse at ${i}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(y[i]!))));
      // the Jacobian of y ↦ x[free], row by row from reverse-mode gradients of each output
      const J = free.map((j) => {
        const d = logDensitySync(through(spec.t, n, shape, (xx) => M.take(xx.reshape([-1]), [j]).sum()), { backend: 'reference' });
        return Float64Array.from(d.logpGrad(y).grad);
      });
      const ld = logDensitySync(through(spec.t, n, shape, (xx, yy) => spec.t.logDetJacobian(yy, xx, ctx)), { backend: 'reference' });
      const { logp, grad } = ld.logpGrad(y);
      expect(Math.abs(logp - logAbsDet(J, n))).toBeLessThan(1e-9 * Math.max(1, Math.abs(logp)));
      // finite differences of log|J| + a linear functional of x (gradients through forward and the Jacobian term)
      const w = Float64Array.from(all(shape), (i) => Math.sin(i + 1));
      const dd = logDensitySync(through(spec.t, n, shape, (xx, yy) => spec.t.logDetJacobian(yy, xx, ctx).add(xx.reshape([-1]).mul(w).sum())),
        { backend: 'reference' });
      const g = dd.logpGrad(y).grad;
      for (let i = 0; i < n; i++) {
        const h = 1e-5;
        const yp = Float64Array.from(y);
        const ym = Float64Array.from(y);
        yp[i]! += h;
        ym[i]! -= h;
        const fd = (dd.logpGrad(yp).logp - dd.logpGrad(ym).logp) / (2 * h);
        expect(Math.abs(fd - g[i]!), `d/dy[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(g[i]!)));
      }
      expect(grad.length).toBe(n);
    }
  });
});

describe('registry: m.param picks the transform from the support', () => {
  const cases: [string, () => M.Distribution, string, number][] = [
    ['Normal', () => M.Normal(0, 1), 'identity', 1],
    ['HalfCauchy', () => M.HalfCauchy(1), 'log', 1],
    ['Beta', () => M.Beta(2, 2), 'interval(0, 1)', 1],
    ['Uniform(-1, 3)', () => M.Uniform(-1, 3), 'interval(-1, 3)', 1],
    ['TruncatedNormal lower 2', () => M.TruncatedNormal(0, 1, 2), 'lower(2)', 1],
    ['TruncatedNormal upper 0', () => M.TruncatedNormal(0, 1, null, 0), 'upper(0)', 1],
    ['Truncated(Exponential, 0, 5)', () => M.Truncated(M.Exponential(1), 0, 5), 'interval(0, 5)', 1],
    ['Dirichlet K = 4', () => M.Dirichlet([1, 1, 1, 1]), 'simplex', 3],
    ['LKJCholesky K = 4', () => M.LKJCholesky(4, 2), 'corrCholesky', 6],
    ['MvNormal k = 3', () => M.MvNormal([0, 0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), 'identity', 3],
  ];
  test.each(cases)('%s → %s', (_n, make, name, dim) => {
    const t = model('reg', (m) => { m.param('p', make()); }).trace();
    expect(t.params[0]!.transform.name).toBe(name);
    expect(t.ir.dim).toBe(dim);
  });

  test('a Uniform with parameter bounds gets an interval transform over those expressions', () => {
    const mdl = model('ub', (m) => {
      const lo = m.param('lo', M.Normal(0, 1));
      const x = m.param('x', M.Uniform(lo, lo.add(2)));
      m.deterministic('gap', x.sub(lo));
    });
    const d = logDensitySync(mdl, { backend: 'reference' });
    const v = d.constrain(Float64Array.from([0.3, -0.4]));
    expect(v.gap![0]).toBeGreaterThan(0);
    expect(v.gap![0]).toBeLessThan(2);
    expect(Number.isFinite(d.logpGrad(Float64Array.from([0.3, -0.4])).logp)).toBe(true);
  });

  test('declared bounds and an explicit transform override the support; discrete families cannot be params', () => {
    const t = model('ov', (m) => {
      m.param('a', M.Normal(0, 1), { lower: 0 });
      m.param('b', M.Normal(0, 1), { transform: M.orderedTransform, shape: [3] });
    }).trace();
    expect(t.params.map((p) => p.transform.name)).toEqual(['log', 'ordered']);
    expect(() => model('bad', (m) => { m.param('k', M.Poisson(3)); }).trace()).toThrow(/\[param\] Poisson is a discrete distribution/);
    expect(() => model('bad', (m) => { m.param('k', M.Censored(M.Normal(0, 1), 0)); }).trace()).toThrow(/\[param\] Censored\(Normal\)/);
  });
});
