// The fused engine proves itself against the oracle: generated logp and gradient per op and per distribution against
// the reference interpreter, the same draws as the TypeScript transition for the same seed, chain independence.
import { beforeAll, describe, expect, test } from 'vitest';
import { logDensity, logDensitySync, model, Normal, sample, type Fit, type Model } from 'mlx-nuts';
import type { ModelDensity } from '../src/backend/modelDensity.ts';
import type { ChainsState } from '../src/kernel/seam.ts';
import { MODELS } from '../models/index.ts';
import { caseModel, FAMILIES, loadCases } from './distributions.cases.ts';
import { maxRelErrVec, norm, relErr, testPoint } from './helpers.ts';
import { OPS, opModel } from './ops.cases.ts';

/** Issue 11's tolerances: float64 within 1e-12 relative of the reference, float32 within 1e-5. */
const F64 = 1e-12;
const F32 = 1e-5;

describe('ops: generated code against the reference', () => {
  const built = new Map<string, { f64: ModelDensity; f32: ModelDensity }>();
  beforeAll(async () => {
    // compile every op model (both dtypes) concurrently: g++ runs off the event loop
    await Promise.all(Object.entries(OPS).map(async ([name, f]) => {
      const m = opModel(name, f);
      const [f64, f32] = await Promise.all([logDensity(m, { backend: 'fused', dtype: 'float64' }), logDensity(m, { backend: 'fused', dtype: 'float32' })]);
      built.set(name, { f64, f32 });
    }));
  }, 600_000);
  for (const [name, f] of Object.entries(OPS)) {
    test(name, () => {
      const ref = logDensitySync(opModel(name, f), { backend: 'reference' });
      const { f64, f32 } = built.get(name)!;
      for (const phase of [1, 2.3]) {
        const q = testPoint(3, phase);
        const r = ref.logpGrad(q);
        const a = f64.logpGrad(q);
        expect(relErr(a.logp, r.logp, 1)).toBeLessThanOrEqual(F64);
        expect(maxRelErrVec(a.grad, r.grad, 1)).toBeLessThanOrEqual(F64);
        const q32 = Float64Array.from(Float32Array.from(q));
        const r32 = ref.logpGrad(q32);
        const b = f32.logpGrad(q32);
        expect(relErr(b.logp, r32.logp, 1)).toBeLessThanOrEqual(F32);
        expect(relErr(norm(b.grad), norm(r32.grad), 1)).toBeLessThanOrEqual(F32);
      }
    });
  }
});

describe('distributions: generated code against the reference at every fixture point', () => {
  const cases = loadCases();
  test(`${cases.length} points, float64 within ${F64} and float32 within ${F32} (relative to max(|ref|, 1))`, async () => {
    const bad: string[] = [];
    const models = cases.map((c) => caseModel(c));
    // one compile per distinct generated source (cases of one family and shape share it)
    const dens = await Promise.all(models.map(async ({ model: m }) =>
      [await logDensity(m, { backend: 'fused', dtype: 'float64' }), await logDensity(m, { backend: 'fused', dtype: 'float32' })] as const));
    cases.forEach((c, i) => {
      const { model: m, q } = models[i]!;
      const ref = logDensitySync(m, { backend: 'reference' });
      const r = ref.logpGrad(q);
      const [f64, f32] = dens[i]!;
      const a = f64.logpGrad(q);
      const what = `${c.id} x=${JSON.stringify(c.x)} params=${JSON.stringify(c.params)}`;
      if (!(relErr(a.logp, r.logp, 1) <= F64)) bad.push(`${what}: f64 logp ${a.logp} vs ${r.logp}`);
      if (!(maxRelErrVec(a.grad, r.grad, 1) <= F64)) bad.push(`${what}: f64 grad ${Array.from(a.grad)} vs ${Array.from(r.grad)}`);
      const q32 = Float64Array.from(Float32Array.from(q));
      const r32 = ref.logpGrad(q32);
      const b = f32.logpGrad(q32);
      if (!(relErr(b.logp, r32.logp, 1) <= F32)) bad.push(`${what}: f32 logp ${b.logp} vs ${r32.logp}`);
      f64.dispose();
      f32.dispose();
    });
    expect(bad).toEqual([]);
  }, 1_200_000);
});

function maxDrawDiff(a: Fit, b: Fit): number {
  let worst = 0;
  a.data.values.forEach((chain, c) => chain.forEach((col, j) => col.forEach((x, i) => {
    const y = b.data.values[c]![j]![i]!;
    worst = Math.max(worst, x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(y), 1e-300));
  })));
  for (const k of ['lp__', 'n_leapfrog__', 'treedepth__', 'accept_stat__'] as const) {
    a.data.stats.forEach((st, c) => st[k].forEach((x, i) => {
      const y = b.data.stats[c]![k][i]!;
      worst = Math.max(worst, x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(y), 1e-300));
    }));
  }
  return worst;
}

/** For each continuous family of the distribution table, x ~ family(params of its first fixture case). */
function distributionModels(): [string, Model][] {
  const seen = new Set<string>();
  const out: [string, Model][] = [];
  for (const c of loadCases()) {
    const spec = FAMILIES[c.id];
    if (!spec || spec.observed || seen.has(c.id) || c.params.some((p) => p === null)) continue;
    seen.add(c.id);
    out.push([`distribution ${c.id}`, model(`draws_${c.id.replace(/[^A-Za-z0-9_]/g, '_')}`, (b) => {
      const shape: number[] = [];
      for (let v: unknown = c.x; Array.isArray(v); v = v[0]) shape.push(v.length);
      b.param('x', spec.make(c.params as never, c.consts), { shape });
    })]);
  }
  return out;
}

describe('same seed, same draws: fused kernel vs the TypeScript oracle (float64, first 200 iterations)', () => {
  const opts = { chains: 2, seed: 17, warmup: 100 };
  const subjects: [string, Model][] = [
    ...Object.entries(MODELS).map(([n, e]) => [n, e.model] as [string, Model]),
    ...distributionModels(),
  ];
  for (const [name, m] of subjects) {
    test(name, async () => {
      const fused = await sample(m, 100, { ...opts, backend: 'fused' });
      const oracle = await sample(m, 100, { ...opts, backend: 'reference' });
      expect(fused.data.config.engine).toBe('fused-cpu');
      expect(oracle.data.config.engine).toBe('typescript');
      expect(maxDrawDiff(fused, oracle)).toBeLessThanOrEqual(1e-9);
      expect(fused.data.warmupStats[0]!.stepsize__).toEqual(oracle.data.warmupStats[0]!.stepsize__);
    }, 600_000);
  }
});

describe('same seed, same draws with the gradient-based metrics (metricAdaptation; 300 warmup iterations + 100 draws)', () => {
  // 300 warmup iterations reach the low-rank metric's window switches and its rank > 0 on the correlated models
  const opts = { chains: 2, seed: 23, warmup: 300 };
  for (const name of ['eight_schools', 'medium', 'funnel', 'logistic'] as const) {
    for (const metricAdaptation of ['gradient-diag', 'low-rank'] as const) {
      test(`${name}, ${metricAdaptation}`, async () => {
        const m = MODELS[name].model;
        const fused = await sample(m, 100, { ...opts, metricAdaptation, backend: 'fused' });
        const oracle = await sample(m, 100, { ...opts, metricAdaptation, backend: 'reference' });
        expect(fused.data.config.metricAdaptation).toBe(metricAdaptation);
        expect(maxDrawDiff(fused, oracle)).toBeLessThanOrEqual(1e-9);
        expect(fused.data.warmupStats[0]!.stepsize__).toEqual(oracle.data.warmupStats[0]!.stepsize__);
        if (metricAdaptation === 'low-rank') {
          const a = fused.data.adaptation[0]!;
          expect(a.metric).toBe('dense');
          const dim = Math.round(Math.sqrt(a.invMetric.length));
          // logistic's correlated coefficients give eigen-directions: off-diagonal entries in the recorded M⁻¹
          if (name === 'logistic') expect(a.invMetric.some((v, i) => Math.floor(i / dim) !== i % dim && v !== 0)).toBe(true);
        }
      }, 600_000);
    }
  }
});

describe('counter-based randomness', () => {
  test("chain c's draws do not depend on how many chains run", async () => {
    const m = MODELS['eight_schools']!.model;
    const three = await sample(m, 60, { chains: 3, seed: 5, warmup: 60, backend: 'fused' });
    const one = await sample(m, 60, { chains: 1, seed: 5, warmup: 60, backend: 'fused' });
    const five = await sample(m, 60, { chains: 5, seed: 5, warmup: 60, backend: 'fused' });
    expect(one.data.values[0]).toEqual(three.data.values[0]);
    expect(five.data.values[2]).toEqual(three.data.values[2]);
    expect(five.data.values[3]).not.toEqual(three.data.values[2]);
  });

  test('sampling in chunks of many iterations per call gives the draws of one call per iteration', async () => {
    const d = await logDensity(MODELS['eight_schools']!.model, { backend: 'fused' });
    const k = d.kernel!(9, [0, 1], 10);
    const q = new Float64Array(2 * d.dim).fill(0.2);
    const { logp, grad } = d.logpGradBatch(q, 2);
    const metrics = [0, 1].map(() => ({ kind: 'diag' as const, dim: d.dim, invMetric: new Float64Array(d.dim).fill(1) }));
    const params = { stepSizes: Float64Array.of(0.3, 0.25), metrics };
    const all = await k.run({ chains: 2, dim: d.dim, q, logp, grad }, params, 40, 12);
    let state: ChainsState = { chains: 2, dim: d.dim, q, logp, grad };
    for (let it = 0; it < 12; it++) {
      const r = await k.run(state, params, 40 + it, 1);
      expect(Array.from(r.q)).toEqual(Array.from(all.q.subarray(it * 2 * d.dim, (it + 1) * 2 * d.dim)));
      state = r.state;
    }
    d.dispose();
  });
});

describe('selection', () => {
  test('sample() and logDensity() default to the fused engine in float64', async () => {
    const m = model('default_engine', (b) => { b.param('x', Normal(0, 1)); });
    const fit = await sample(m, 10, { chains: 1, warmup: 10 });
    expect(fit.data.config).toMatchObject({ backend: 'fused', dtype: 'float64', engine: 'fused-cpu' });
    const d = await logDensity(m);
    expect(d.backend).toBe('fused');
    expect(d.logpGrad(Float64Array.of(0.5)).grad[0]).toBeCloseTo(-0.5, 14);
  });
});

describe('generated code is a security boundary', () => {
  test('no user-supplied string reaches the source', async () => {
    const evil = 'evil"); system("touch /tmp/pwned"); /*';
    const m = model(evil, (b) => {
      const mu = b.param('mu_pwned', Normal(0, 1));
      b.deterministic('twice_pwned', mu.mul(2));
      b.observe(Normal(mu, 1), [0.5, 1.5], evil);
    });
    const { generateFor } = await import('../src/backend/fused.ts');
    const src = generateFor(m.trace('float64'), 'float64').fullSource;
    for (const s of ['pwned', 'evil', 'system(']) expect(src).not.toContain(s);
    const d = await logDensity(m, { backend: 'fused' });
    expect(d.logpGrad(Float64Array.of(0.25)).logp).toBeCloseTo(logDensitySync(m, { backend: 'reference' }).logpGrad(Float64Array.of(0.25)).logp, 12);
    d.dispose();
  });

  test('a cached library writable by others, or whose source does not match its name, is refused', async () => {
    const { mkdtempSync, chmodSync, readdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-cache-'));
    const before = process.env['MLX_NUTS_CACHE'];
    process.env['MLX_NUTS_CACHE'] = dir;
    try {
      const m = model('cache_probe', (b) => { b.param('x', Normal(0, 1)); });
      (await logDensity(m, { backend: 'fused' })).dispose();
      const so = readdirSync(dir).find((f) => f.endsWith('.so'))!;
      chmodSync(join(dir, so), 0o777);
      await expect(logDensity(m, { backend: 'fused' })).rejects.toThrow(/writable by others/);
      chmodSync(join(dir, so), 0o700);
      writeFileSync(join(dir, so.replace(/\.so$/, '.cc')), '// tampered\n');
      await expect(logDensity(m, { backend: 'fused' })).rejects.toThrow(/does not hold the source/);
    } finally {
      if (before === undefined) delete process.env['MLX_NUTS_CACHE'];
      else process.env['MLX_NUTS_CACHE'] = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing compiler is a clear error, and sample() falls back to the MLX graph only when allowed', async () => {
    const before = process.env['CXX'];
    process.env['CXX'] = '/nonexistent/g++';
    const m = model('no_compiler_probe', (b) => { b.param('x', Normal(0, 1), { shape: [2] }); });
    try {
      await expect(logDensity(m, { backend: 'fused' })).rejects.toThrow(/C\+\+ compiler, and '\/nonexistent\/g\+\+' could not be run.*backend: 'mlx'/s);
      await expect(sample(m, 5, { chains: 1, warmup: 5, backend: 'fused' })).rejects.toThrow(/could not be run/);
      const fit = await sample(m, 5, { chains: 1, warmup: 5 }); // backend not given: the fallback is allowed
      expect(fit.data.config).toMatchObject({ backend: 'mlx', engine: 'typescript' });
    } finally {
      if (before === undefined) delete process.env['CXX'];
      else process.env['CXX'] = before;
    }
  });
});
