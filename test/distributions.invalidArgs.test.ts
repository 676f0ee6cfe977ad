// A scale, rate or bound that depends on parameters and leaves its support gives logp = −∞ with a finite gradient,
// never NaN and never a huge finite value, on the reference backend and on MLX in float64 and float32.
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import type { Distribution, Expr } from 'mlx-nuts';

type Build = (s: Expr) => { dist: Distribution; x?: number | number[] | number[][]; observed?: number[] };

/** s is an unconstrained (Flat) parameter set to `bad`; x a Flat parameter at the given value, or observed data. */
const CASES: [string, number, Build][] = [
  ['Normal sigma', -1, (s) => ({ dist: M.Normal(0, s), x: 0.5 })],
  ['Normal sigma = 0', 0, (s) => ({ dist: M.Normal(0, s), x: 0.5 })],
  ['HalfNormal sigma', -2, (s) => ({ dist: M.HalfNormal(s), x: 0.5 })],
  ['Cauchy sigma', -1, (s) => ({ dist: M.Cauchy(0, s), x: 0.5 })],
  ['HalfCauchy sigma', -1, (s) => ({ dist: M.HalfCauchy(s), x: 0.5 })],
  ['StudentT sigma', -1, (s) => ({ dist: M.StudentT(3, 0, s), x: 0.5 })],
  ['StudentT nu', -3, (s) => ({ dist: M.StudentT(s, 0, 1), x: 0.5 })],
  ['HalfStudentT sigma', -1, (s) => ({ dist: M.HalfStudentT(3, s), x: 0.5 })],
  ['Laplace b', -1, (s) => ({ dist: M.Laplace(0, s), x: 0.5 })],
  ['Logistic s', -1, (s) => ({ dist: M.Logistic(0, s), x: 0.5 })],
  ['LogNormal sigma', -1, (s) => ({ dist: M.LogNormal(0, s), x: 1.5 })],
  ['Exponential rate', -1, (s) => ({ dist: M.Exponential(s), x: 1 })],
  ['Gamma shape', -1, (s) => ({ dist: M.Gamma(s, 1), x: 1 })],
  ['Gamma rate', -1, (s) => ({ dist: M.Gamma(2, s), x: 1 })],
  ['InverseGamma shape', -1, (s) => ({ dist: M.InverseGamma(s, 1), x: 1 })],
  ['Beta a', -1, (s) => ({ dist: M.Beta(s, 2), x: 0.5 })],
  ['Weibull scale', -1, (s) => ({ dist: M.Weibull(2, s), x: 1 })],
  ['TruncatedNormal sigma', -1, (s) => ({ dist: M.TruncatedNormal(0, s, -1, 1), x: 0.5 })],
  ['GaussianRandomWalk sigma', -1, (s) => ({ dist: M.GaussianRandomWalk(s), x: [0.1, 0.2, 0.3] })],
  ['Dirichlet alpha', -1, (s) => ({ dist: M.Dirichlet(M.stack([s, 1, 1])), x: [0.2, 0.3, 0.5] })],
  ['LKJCholesky eta', -1, (s) => ({ dist: M.LKJCholesky(2, s), x: [[1, 0], [0.6, 0.8]] })],
  ['Uniform upper below lower', -1, (s) => ({ dist: M.Uniform(0, s), x: 0.5 })],
  ['Uniform lower above upper', 2, (s) => ({ dist: M.Uniform(s, 1), x: 0.5 })],
  ['Poisson rate', -1, (s) => ({ dist: M.Poisson(s), observed: [1, 2] })],
  ['NegativeBinomial mu', -1, (s) => ({ dist: M.NegativeBinomial(s, 2), observed: [1, 2] })],
  ['NegativeBinomial phi', -1, (s) => ({ dist: M.NegativeBinomial(2, s), observed: [1, 2] })],
  ['Bernoulli p', 1.5, (s) => ({ dist: M.Bernoulli(s), observed: [0, 1] })],
  ['Binomial p', -0.2, (s) => ({ dist: M.Binomial(3, s), observed: [1] })],
];

/** Every case in one model (one compilation per engine): case k has parameters s{k} (the argument) and x{k} (the point). */
const all = M.model('invalid_args', (m) => {
  CASES.forEach(([, , build], k) => {
    const s = m.param(`s${k}`, M.Flat());
    const probe = build(s);
    if (probe.observed) m.observe(probe.dist, probe.observed, `y${k}`);
    else {
      const x = probe.x!;
      const shape = Array.isArray(x) ? (Array.isArray(x[0]) ? [x.length, (x[0] as number[]).length] : [x.length]) : [];
      m.factor(probe.dist.logProb(m.param(`x${k}`, M.Flat(), { shape })).sum());
    }
  });
});

/** A valid value of each case's argument. */
const good = (name: string) => (name.startsWith('Uniform lower') ? -1 : name.startsWith('Bernoulli') || name.startsWith('Binomial') ? 0.4 : 1.3);

/** The unconstrained point with every argument valid, then case `bad` (if any) set outside its support. */
function point(d: M.ModelDensity, bad: number | null): Float64Array {
  const q = new Float64Array(d.dim);
  const traced = d.model;
  CASES.forEach(([name, badValue, build], k) => {
    const s = traced.params.find((p) => p.name === `s${k}`)!;
    q[s.offset] = k === bad ? badValue : good(name);
    const x = traced.params.find((p) => p.name === `x${k}`);
    if (x) {
      let values: number[] = [];
      M.model('probe', (b) => { values = String(build(b.param('s', M.Flat())).x).split(',').map(Number); }).trace();
      q.set(values, x.offset);
    }
  });
  return q;
}

const ENGINES = [
  { backend: 'reference', dtype: 'float64' },
  { backend: 'mlx', dtype: 'float64' },
  { backend: 'mlx', dtype: 'float32' },
] as const;

describe('parameter-dependent arguments outside their support', () => {
  for (const e of ENGINES) {
    test(`every family: −∞ with a finite gradient, finite when valid (${e.backend} ${e.dtype})`, () => {
      const d = M.logDensitySync(all, e);
      const ok = d.logpGrad(point(d, null));
      expect(Number.isFinite(ok.logp), 'all arguments valid').toBe(true);
      CASES.forEach(([name], k) => {
        const r = d.logpGrad(point(d, k));
        expect(r.logp, name).toBe(-Infinity);
        expect(Array.from(r.grad).every(Number.isFinite), `${name}: gradient ${Array.from(r.grad).filter((g) => !Number.isFinite(g))}`).toBe(true);
      });
      d.dispose();
    });
  }

  test("the issue's cases: Normal(0, s) and Uniform(0, s) with s ~ Normal(0, 1) give −∞ below 0, never NaN or −8.9e59", () => {
    const scale = M.model('scale', (m) => { const s = m.param('s', M.Normal(0, 1)); m.param('x', M.Normal(0, s)); });
    const bound = M.model('bound', (m) => { const s = m.param('s', M.Normal(0, 1)); m.param('u', M.Uniform(0, s)); });
    for (const e of ENGINES) {
      for (const m of [scale, bound]) {
        const d = M.logDensitySync(m, e);
        const r = d.logpGrad(Float64Array.from([-0.5, 0.3]));
        expect(r.logp, `${m.name} ${e.backend} ${e.dtype}`).toBe(-Infinity);
        expect(Array.from(r.grad).every(Number.isFinite)).toBe(true);
        expect(Number.isFinite(d.logpGrad(Float64Array.from([0.5, 0.3])).logp)).toBe(true);
        d.dispose();
      }
    }
  });
});
