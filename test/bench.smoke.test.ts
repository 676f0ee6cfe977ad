// The benchmark runner works end to end on one tiny config (the benchmark itself is not part of npm test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('npm run bench -- --quick --models simple writes records with the documented fields', () => {
  const out = mkdtempSync(join(tmpdir(), 'mlx-nuts-bench-'));
  const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'bench/run.ts', '--quick', '--models', 'simple', '--out', out],
    { encoding: 'utf8', timeout: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  const records = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Record<string, unknown>[];
  expect(records).toHaveLength(1);
  const rec = records[0]!;
  for (const k of ['model', 'config', 'sampler', 'backend', 'dtype', 'chains', 'seed', 'samplingSeconds', 'minEssBulk',
    'essPerSecond', 'divergences', 'gradientEvaluations']) expect(rec).toHaveProperty(k);
  expect(rec).toMatchObject({ model: 'simple', config: 'seed', sampler: 'mlx-nuts', backend: 'mlx', dtype: 'float32', chains: 1, seed: 42 });
  expect(rec.minEssBulk as number).toBeGreaterThan(50);
  expect(r.stdout).toMatch(/Seed config: 500 warmup \+ 500 draws/);
});
