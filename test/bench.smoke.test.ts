// The benchmark runner works end to end on one tiny config (the benchmark itself is not part of npm test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('npm run bench -- --quick --models simple writes records with the documented fields (fused engine)', () => {
  const out = mkdtempSync(join(tmpdir(), 'mlx-nuts-bench-'));
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'bench/run.ts', '--quick', '--models', 'simple', '--out', out],
    { encoding: 'utf8', timeout: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  const records = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Record<string, unknown>[];
  expect(records).toHaveLength(1);
  const rec = records[0]!;
  for (const k of ['model', 'config', 'sampler', 'backend', 'dtype', 'chains', 'seed', 'samplingSeconds', 'minEssBulk',
    'essPerSecond', 'divergences', 'gradientEvaluations']) expect(rec).toHaveProperty(k);
  // --quick runs the default engine: the fused one, float64, compiled into the run's fresh cache and then hit again
  expect(rec).toMatchObject({ model: 'simple', config: 'seed', sampler: 'mlx-nuts', backend: 'fused', dtype: 'float64', chains: 1, seed: 42,
    engine: 'fused-cpu', cachedCompileSeconds: 0 });
  expect(rec.compileSeconds as number).toBeGreaterThan(0);
  expect(rec.setupSeconds as number).toBeGreaterThanOrEqual(0);
  expect(rec.minEssBulk as number).toBeGreaterThan(50);
  expect(r.stdout).toMatch(/Seed config: 500 warmup \+ 500 draws/);
});

test('the report opens with the fused engine\'s ESS/s ratios against Stan and NumPyro, per model and config', async () => {
  const { renderMarkdown } = await import('../bench/report.ts');
  const rec = (sampler: 'mlx-nuts' | 'stan' | 'numpyro', backend: string, config: 'seed' | 'standard', essPerSecond: number, extra = {}) => ({
    model: 'm', config, sampler, backend, dtype: 'float64', chains: config === 'seed' ? 1 : 4, seed: 1, samplingSeconds: 1,
    minEssBulk: essPerSecond, essPerSecond, divergences: 0, gradientEvaluations: 1e6, usPerGradient: 1, ...extra,
  });
  const md = renderMarkdown([
    rec('mlx-nuts', 'fused', 'seed', 600, { compileSeconds: 1.5, cachedSetupSeconds: 0.02, engine: 'fused-cpu' }),
    rec('stan', 'rstan', 'seed', 200), rec('numpyro', 'jax-cpu', 'seed', 100),
    rec('mlx-nuts', 'fused', 'standard', 1000), rec('stan', 'rstan', 'standard', 500), rec('numpyro', 'jax-cpu', 'standard', 50),
  ], [], {}, { cores: 2, peerCores: 2 });
  expect(md.trimStart()).toMatch(/^### Summary: the fused engine \(fused\/float64\)/);
  expect(md).toContain('| m | 3.0 | 2.0 | 6.0 | 20 | 1.00 | 1.00 | 1.00 | 1.00 | 1.50 | 0.020 |');
  expect(md).toContain('1 of 1 models with 1 chain, 0 of 1 with 4 chains');
});
