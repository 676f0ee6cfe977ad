// Prior predictive simulation and simulateObserved (the building block of Fit.posteriorPredictive).
import { describe, expect, test } from 'vitest';
import * as M from 'mlx-nuts';
import { makeRng, model, priorPredictive, simulateObserved } from 'mlx-nuts';

const hier = model('hier', (m) => {
  const mu = m.param('mu', M.Normal(0, 1));
  const sigma = m.param('sigma', M.HalfNormal(1));
  const theta = m.deterministic('theta', mu.mul(2));
  m.observe(M.Normal(theta, sigma), [0.1, -0.3, 0.4], 'y');
  m.observe(M.Poisson(M.exp(mu)), [1, 0, 2, 5], 'k');
  const w = m.param('w', M.Dirichlet([1, 2, 3]));
  m.observe(M.Categorical(w), [0, 2, 2], 'c');
});

function meanVar(xs: ArrayLike<number>, stride = 1, offset = 0): [number, number] {
  let s = 0;
  let n = 0;
  for (let i = offset; i < xs.length; i += stride, n++) s += xs[i]!;
  const m = s / n;
  let v = 0;
  for (let i = offset; i < xs.length; i += stride) v += (xs[i]! - m) ** 2;
  return [m, v / (n - 1)];
}

describe('priorPredictive', () => {
  const draws = 20_000;
  const pp = priorPredictive(hier, { draws, seed: 7 });

  test('parameters follow their priors, observed nodes their families given the parameters', () => {
    expect(pp.params.mu!.length).toBe(draws);
    expect(pp.params.w!.length).toBe(3 * draws);
    expect(pp.observed.y!.length).toBe(3 * draws);
    const [mm, mv] = meanVar(pp.params.mu!);
    expect(Math.abs(mm) / Math.sqrt(1 / draws)).toBeLessThan(5);
    expect(Math.abs(mv - 1)).toBeLessThan(5 * Math.sqrt(2 / draws));
    // y = 2μ + σε: mean 0, variance 4·1 + E[σ²] = 5
    const [ym, yv] = meanVar(pp.observed.y!, 3, 1);
    expect(Math.abs(ym) / Math.sqrt(5 / draws)).toBeLessThan(5);
    expect(Math.abs(yv - 5) / 5).toBeLessThan(0.05);
    // k ~ Poisson(e^μ): E[k] = E[e^μ] = e^½
    const [km] = meanVar(pp.observed.k!, 4, 0);
    expect(Math.abs(km - Math.exp(0.5)) / Math.exp(0.5)).toBeLessThan(0.05);
    expect(pp.observed.k!.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(pp.observed.c!.every((v) => v === 0 || v === 1 || v === 2)).toBe(true);
    for (let d = 0; d < 10; d++) {
      const row = pp.params.w!.subarray(3 * d, 3 * d + 3);
      expect(Math.abs(row[0]! + row[1]! + row[2]! - 1)).toBeLessThan(1e-12);
    }
  });

  test('is reproducible for a seed', () => {
    const again = priorPredictive(hier, { draws: 5, seed: 7 });
    expect(Array.from(again.observed.y!)).toEqual(Array.from(pp.observed.y!.subarray(0, 15)));
  });

  test('redraws a parameter that falls outside its declared bounds', () => {
    const bounded = model('bounded', (m) => {
      const a = m.param('a', M.Normal(0, 1), { lower: 0.5 });
      m.observe(M.Normal(a, 1), [1], 'y');
    });
    const r = priorPredictive(bounded, { draws: 2000, seed: 1 });
    expect(r.params.a!.every((v) => v > 0.5)).toBe(true);
  });

  test('an improper prior cannot be simulated', () => {
    const flat = model('flat', (m) => { m.observe(M.Normal(m.param('a', M.Flat()), 1), [1], 'y'); });
    expect(() => priorPredictive(flat, { draws: 1, seed: 1 })).toThrow(/^\[Flat\] is improper/);
  });
});

describe('simulateObserved', () => {
  test('draws the observed nodes at given constrained values (through deterministics)', () => {
    const traced = hier.trace();
    const rng = makeRng(3, 0);
    const sims = Array.from({ length: 2000 }, () => simulateObserved(traced, { mu: [1.5], sigma: [0.01], w: [0, 0, 1] }, rng));
    const y = Float64Array.from(sims.flatMap((s) => Array.from(s.y!)));
    const [ym] = meanVar(y);
    expect(Math.abs(ym - 3)).toBeLessThan(0.01);
    const [km] = meanVar(Float64Array.from(sims.flatMap((s) => Array.from(s.k!))));
    expect(Math.abs(km - Math.exp(1.5)) / Math.exp(1.5)).toBeLessThan(0.05);
    expect(sims.every((s) => Array.from(s.c!).every((v) => v === 2))).toBe(true);
  });

  test('names a missing parameter', () => {
    expect(() => simulateObserved(hier.trace(), { mu: [0] }, makeRng(1))).toThrow(/^\[simulateObserved\] no value for parameter 'sigma'/);
  });
});
