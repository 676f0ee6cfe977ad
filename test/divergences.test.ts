// Divergent transitions carry their cause and the position where the trajectory diverged (fit.divergenceInfo()).
import { describe, expect, test } from 'vitest';
import { logDensity } from '../src/backend/logDensity.ts';
import { HalfCauchy, model, Normal, pairPlot, sample, Uniform } from '../src/index.ts';
import { unconstrainedView } from '../src/plots/unconstrained.ts';
import { DivergenceLog } from '../src/nuts/divergences.ts';

// logp is −∞ unless −9.5 < x < 0.5 (the data 0.5 must lie in (x, x + 10)): large steps leave the support.
const wall = model('divergence_wall', (m) => {
  const x = m.param('x', Normal(0, 3));
  m.observe(Uniform(x, x.add(10)), [0.5]);
});

// The centred eight schools: its funnel makes energy-error divergences.
const centred = model('divergence_centred', (m) => {
  const mu = m.param('mu', Normal(0, 5));
  const tau = m.param('tau', HalfCauchy(5));
  m.observe(Normal(m.param('theta', Normal(mu, tau), { shape: [8] }), [15, 10, 16, 11, 9, 11, 10, 18]),
    [28, 8, -3, 7, -1, 1, 18, 12]);
});

describe('divergence information', () => {
  test('a divergence into −∞ is non-finite, at a position outside the support (fused engine)', async () => {
    const fit = await sample(wall, 200, { chains: 2, warmup: 100, seed: 3, backend: 'fused' });
    const info = fit.divergenceInfo();
    const perChain = fit.divergences();
    // every post-warmup divergent__ has its record, and each record is where the log density is −∞
    expect(info.filter((x) => !x.warmup).length).toBe(perChain.reduce((a, b) => a + b, 0));
    expect(info.length).toBeGreaterThan(0);
    const d = await logDensity(wall, { backend: 'reference' });
    for (const x of info) {
      expect(x.cause).toBe('nonfinite');
      expect(x.position.length).toBe(1);
      expect(d.logpGrad(x.position).logp).toBe(-Infinity);
      if (!x.warmup) expect(fit.data.stats[x.chain]!.divergent__[x.iteration]).toBe(1);
    }
  });

  test('the funnel diverges by energy error, at finite positions', async () => {
    // Stan's estimator: the centred funnel diverges in sampling with it (the gradient-based default found no divergence for this seed)
    const fit = await sample(centred, 300, { chains: 2, warmup: 300, seed: 1, backend: 'fused', metricAdaptation: 'stan' });
    const sampling = fit.divergenceInfo().filter((x) => !x.warmup);
    expect(sampling.length).toBe(fit.divergences().reduce((a, b) => a + b, 0));
    expect(sampling.length).toBeGreaterThan(0);
    const energy = sampling.filter((x) => x.cause === 'energy');
    expect(energy.length).toBeGreaterThan(0);
    const d = await logDensity(centred, { backend: 'reference' });
    for (const x of energy) {
      expect(x.position.length).toBe(10);
      expect(Number.isFinite(d.logpGrad(x.position).logp)).toBe(true);
    }
  });

  test('the TypeScript kernel reports the same divergences as the fused kernel, bit for bit', async () => {
    const opts = { chains: 2, warmup: 150, seed: 2 } as const;
    const ts = await sample(centred, 150, { ...opts, backend: 'reference' });
    const fused = await sample(centred, 150, { ...opts, backend: 'fused' });
    expect(ts.data.config.engine).toBe('typescript');
    expect(fused.data.config.engine).toBe('fused-cpu');
    const a = ts.divergenceInfo();
    const b = fused.divergenceInfo();
    expect(a.length).toBeGreaterThan(0);
    expect(a.map(({ position, ...x }) => ({ ...x, position: Array.from(position) })))
      .toEqual(b.map(({ position, ...x }) => ({ ...x, position: Array.from(position) })));
  });

  test('the report pair plot shows where trajectories diverged, on the unconstrained scale', async () => {
    const fit = await sample(centred, 200, { chains: 2, warmup: 200, seed: 1, backend: 'fused' });
    const view = unconstrainedView(fit.data, centred);
    const post = fit.divergenceInfo().filter((x) => !x.warmup);
    expect(view.divergedAt.length).toBe(post.length);
    expect(post.length).toBeGreaterThan(0);
    // the view's columns are mu, log(tau), theta[…]: the sampler's coordinates in order
    expect(Array.from(view.divergedAt[0]!.position)).toEqual(Array.from(post[0]!.position));
    const spec = pairPlot(view.fit, { params: ['mu', 'log(tau)'], divergedAt: view.divergedAt }) as unknown as { datasets: { draws: { at?: boolean }[] } };
    expect(spec.datasets.draws.filter((r) => r.at).length).toBe(post.length);
  });
});

describe('DivergenceLog with a limit (sample keep: summary)', () => {
  test('keeps the first `limit` divergences in order of iteration, then chain, from packed rows and from runs', () => {
    const log = new DivergenceLog(3, 1, 10, 3);
    // rows [chain, transition, cause, position]: out of order within the call, five of them
    log.addRows(Float64Array.of(2, 1, 1, 0.5, 0, 1, 2, 0.25, 1, 0, 1, 0.125, 0, 3, 1, 1, 2, 4, 1, 2), 5);
    expect(log.list(100).map((x) => [x.chain, x.iteration])).toEqual([[1, 5], [0, 6], [2, 6]]);
    log.addRows(Float64Array.of(0, 0, 1, 9), 7); // past the limit: nothing more is kept
    expect(log.list(100)).toHaveLength(3);
    const unlimited = new DivergenceLog(3, 1, 10);
    unlimited.addRows(Float64Array.of(2, 1, 1, 0.5, 0, 1, 2, 0.25, 1, 0, 1, 0.125, 0, 3, 1, 1, 2, 4, 1, 2), 5);
    expect(unlimited.list(100)).toHaveLength(5);
  });

  test('without a limit, packed rows of several calls are kept as they came and made into records in order when read', () => {
    const log = new DivergenceLog(3, 2, 10);
    // a warmup segment from iteration 4 (rows chain-major, as a kernel sends them), then sampling from iteration 10
    log.addRows(Float64Array.of(0, 3, 1, 0.5, -0.5, 2, 1, 2, 1.5, -1.5, 2, 3, 1, 2.5, -2.5), 4);
    log.addRows(Float64Array.of(1, 0, 1, 3.5, -3.5, 0, 2, 2, 4.5, -4.5), 10);
    const rows = log.list(13);
    expect(rows.map((x) => [x.chain, x.iteration, x.warmup, x.cause])).toEqual([
      [2, 5, true, 'nonfinite'], [0, 7, true, 'energy'], [2, 7, true, 'energy'], [1, 0, false, 'energy'], [0, 2, false, 'nonfinite'],
    ]);
    expect(rows.map((x) => [...x.position])).toEqual([[1.5, -1.5], [0.5, -0.5], [2.5, -2.5], [3.5, -3.5], [4.5, -4.5]]);
    expect(log.list(11).map((x) => x.chain)).toEqual([2, 0, 2, 1]); // what a stopped run kept: iterations before 11
    const lazy = log.lazyList(13);
    expect(lazy()).toBe(lazy()); // made once
    expect(lazy()).toEqual(rows);
  });
});
