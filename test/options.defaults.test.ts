// The command line and sample() share their defaults (src/base/defaults.ts): what `mlx-nuts sample` parses with no
// options is SAMPLE_DEFAULTS, and a fit sampled without options records the same configuration.
import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { SAMPLE_DEFAULTS } from '../src/base/defaults.ts';
import { sampleOptions } from '../src/cli/sampleCommand.ts';
import { model, Normal, sample } from '../src/index.ts';

describe('defaults in one place', () => {
  test('the command line parses to SAMPLE_DEFAULTS', () => {
    const c = sampleOptions(new Command('sample').exitOverride());
    c.parse([], { from: 'user' });
    const o = c.opts();
    for (const k of ['draws', 'warmup', 'chains', 'seed', 'targetAccept', 'maxTreeDepth', 'metric', 'thin', 'backend', 'device'] as const) {
      expect(o[k], k).toBe(SAMPLE_DEFAULTS[k]);
    }
    expect(o['saveWarmup']).toBe(SAMPLE_DEFAULTS.saveWarmup);
  });

  test('sample() without options records SAMPLE_DEFAULTS in its config', async () => {
    const m = model('defaults_normal', (b) => {
      b.param('x', Normal(0, 1));
    });
    const fit = await sample(m, 20, { backend: 'reference', warmup: 20 });
    const cfg = fit.data.config;
    expect(cfg.seed).toBe(SAMPLE_DEFAULTS.seed);
    expect(cfg.chains).toBe(SAMPLE_DEFAULTS.chains);
    expect(cfg.targetAccept).toBe(SAMPLE_DEFAULTS.targetAccept);
    expect(cfg.maxTreeDepth).toBe(SAMPLE_DEFAULTS.maxTreeDepth);
    expect(cfg.thin).toBe(SAMPLE_DEFAULTS.thin);
  });
});
