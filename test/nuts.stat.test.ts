// Statistical recovery with fixed seeds; tolerances are multiples of Monte Carlo standard errors (4 MCSE).
import { describe, expect, test } from 'vitest';
import { essBulk, exp, mcseMean, mcseSd, model, MvNormalTestModel, Normal, sample, type Fit } from './nuts.models.ts';

/** |estimate − truth| ≤ 4 MCSE for the mean and for E[x²] (the variance check). */
function checkMoments(fit: Fit, name: string, mean: number, variance: number): void {
  const chains = fit.draws(name);
  const m = chains.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0) / (chains.length * chains[0]!.length);
  expect(Math.abs(m - mean), `${name} mean ${m}`).toBeLessThan(4 * mcseMean(chains));
  const sq = chains.map((c) => c.map((x) => (x - mean) ** 2));
  const v = sq.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0) / (sq.length * sq[0]!.length);
  expect(Math.abs(v - variance), `${name} variance ${v}`).toBeLessThan(4 * mcseMean(sq));
}

describe('standard normal', () => {
  for (const [dim, backend, metricAdaptation] of [[1, 'reference', 'stan'], [10, 'reference', 'stan'], [100, 'mlx', 'stan'], [1, 'fused', 'stan'],
    [100, 'fused', 'stan'], [100, 'fused', 'gradient-diag'], [100, 'fused', 'low-rank']] as const) {
    test(`${dim} dimension(s), ${backend} backend, ${metricAdaptation} adaptation: means and variances within 4 MCSE`, async () => {
      const m = model(`std_normal_${dim}`, (b) => { b.param('x', Normal(0, 1), { shape: [dim] }); });
      const fit = await sample(m, 1000, { chains: 4, warmup: 1000, seed: 11 + dim, backend, metricAdaptation });
      for (let i = 0; i < dim; i++) checkMoments(fit, `x[${i}]`, 0, 1);
      expect(fit.divergences().reduce((a, b) => a + b, 0)).toBe(0);
    });
  }
});

describe('conjugate normal–normal', () => {
  test.each([['reference', 'stan'], ['fused', 'stan'], ['fused', 'gradient-diag'], ['fused', 'low-rank']] as const)('posterior mean and sd match the closed form within 4 MCSE (%s, %s adaptation)', async (backend, metricAdaptation) => {
    const y = [2.1, 3.4, 1.7, 2.9, 3.3, 2.2, 1.9, 2.8];
    const tau0 = 10; // prior mu ~ Normal(0, 10), y_i ~ Normal(mu, 1)
    const prec = 1 / tau0 ** 2 + y.length;
    const postMean = y.reduce((a, b) => a + b, 0) / prec;
    const postSd = Math.sqrt(1 / prec);
    const m = model('conjugate', (b) => {
      const mu = b.param('mu', Normal(0, tau0));
      b.observe(Normal(mu, 1), y);
    });
    const fit = await sample(m, 2000, { chains: 4, seed: 5, backend, metricAdaptation });
    const d = fit.draws('mu');
    const all = fit.flat('mu');
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    expect(Math.abs(mean - postMean)).toBeLessThan(4 * mcseMean(d));
    expect(Math.abs(sd - postSd)).toBeLessThan(4 * mcseSd(d));
  });
});

describe('non-centred funnel', () => {
  test.each([['mlx', 'float32', 'stan'], ['fused', 'float64', 'stan'], ['fused', 'float32', 'stan'], ['fused', 'float64', 'gradient-diag'],
    ['fused', 'float64', 'low-rank']] as const)("v's mean and sd match Normal(0, 3) within 4 MCSE (%s %s, %s adaptation)", async (backend, dtype, metricAdaptation) => {
    const m = model('funnel_nc', (b) => {
      const v = b.param('v', Normal(0, 3));
      const z = b.param('z', Normal(0, 1), { shape: [9] });
      b.deterministic('x', exp(v.div(2)).mul(z));
    });
    const fit = await sample(m, 1000, { chains: 4, seed: 3, backend, dtype, metricAdaptation });
    const d = fit.draws('v');
    const all = fit.flat('v');
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    expect(Math.abs(mean)).toBeLessThan(4 * mcseMean(d));
    expect(Math.abs(sd - 3)).toBeLessThan(4 * mcseSd(d));
  });
});

describe('dense metric', () => {
  test.each(['reference', 'fused'] as const)('on a highly correlated Gaussian it reaches ≥ 3× the diagonal metric’s ESS per gradient (%s)', async (backend) => {
    const m = MvNormalTestModel(0.99);
    const run = async (metric: 'diag' | 'dense') => {
      const fit = await sample(m, 1000, { chains: 2, seed: 9, metric, backend });
      const grads = fit.data.stats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0);
      const ess = Math.min(essBulk(fit.draws('x[0]')), essBulk(fit.draws('x[1]')));
      return ess / grads;
    };
    const diag = await run('diag');
    const dense = await run('dense');
    expect(dense / diag).toBeGreaterThanOrEqual(3);
  });

  test('the low-rank metric adaptation also reaches ≥ 3× the diagonal metric’s ESS per gradient (fused)', async () => {
    const m = MvNormalTestModel(0.99);
    const run = async (metricAdaptation: 'stan' | 'low-rank') => {
      const fit = await sample(m, 1000, { chains: 2, seed: 9, metricAdaptation, backend: 'fused' });
      const grads = fit.data.stats.reduce((s, st) => s + st.n_leapfrog__.reduce((a, b) => a + b, 0), 0);
      return Math.min(essBulk(fit.draws('x[0]')), essBulk(fit.draws('x[1]'))) / grads;
    };
    expect((await run('low-rank')) / (await run('stan'))).toBeGreaterThanOrEqual(3);
  });
});

describe('eight_schools', () => {
  test.each([['mlx', 'stan'], ['fused', 'stan'], ['fused', 'gradient-diag'], ['fused', 'low-rank']] as const)('%s (%s adaptation) posterior means of mu, tau, theta are within 4 MCSE of a long reference-backend run', async (backend, metricAdaptation) => {
    const { readFileSync } = await import('node:fs');
    const ref = JSON.parse(readFileSync(new URL('./fixtures/reference/eight_schools.json', import.meta.url), 'utf8')) as
      { means: Record<string, { mean: number; mcse: number }> };
    // published: mu ≈ 4.4, tau ≈ 3.6 (e.g. posteriordb's eight_schools_noncentered reference posterior)
    expect(ref.means.mu!.mean).toBeCloseTo(4.4, 1);
    expect(ref.means.tau!.mean).toBeCloseTo(3.6, 1);
    const { eightSchools } = await import('../models/eight_schools.ts');
    const fit = await sample(eightSchools, 1000, { chains: 4, seed: 2024, backend, metricAdaptation });
    for (const row of fit.summary().filter((r) => r.name in ref.means)) {
      const r = ref.means[row.name]!;
      const tol = 4 * Math.sqrt(row.mcseMean ** 2 + r.mcse ** 2);
      expect(Math.abs(row.mean - r.mean), `${row.name}: ${row.mean} vs ${r.mean}`).toBeLessThan(tol);
    }
  });
});
