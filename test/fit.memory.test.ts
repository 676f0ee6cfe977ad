// The fit keeps every kept draw in memory: a run whose draws cannot fit is refused before anything is compiled or
// sampled, saying how many chains would fit and what shrinks the draws (src/nuts/fitBlocks.ts checkFitMemory).
import { describe, expect, test } from 'vitest';
import { sample } from 'mlx-nuts';
import { checkFitMemory, fitBytes } from '../src/nuts/fitBlocks.ts';
import { SAMPLER_STATS } from '../src/io/fitData.ts';
import { MODELS } from '../models/index.ts';

describe('memory of the draws', () => {
  test('fitBytes counts kept draws and statistics, warmup statistics and saved warmup draws, 8 bytes each', () => {
    const s = { chains: 4, columns: 10, kept: 500, warmup: 1000, keptWarmup: 0 };
    const stats = SAMPLER_STATS.length;
    expect(fitBytes(s)).toBe(8 * 4 * (500 * (10 + stats) + 1000 * stats));
    expect(fitBytes({ ...s, keptWarmup: 1000 }) - fitBytes(s)).toBe(8 * 4 * 1000 * 10);
  });

  test('checkFitMemory passes what fits and refuses what does not, naming the chains that fit', () => {
    const s = { chains: 1000, columns: 18, kept: 1000, warmup: 1000, keptWarmup: 0 };
    const per = fitBytes({ ...s, chains: 1 });
    expect(() => checkFitMemory(s, 1000 * per)).not.toThrow();
    expect(() => checkFitMemory(s, 999 * per)).toThrow(/the draws would need about [\d.]+ GiB of memory \(1000 chains × 1000 kept draws of 18 values.*at most 999 chains fit; use fewer chains or draws, or thin/);
  });

  test('sample() refuses 50 million eight_schools chains at once (before compiling or initialising anything)', async () => {
    // checked late, the 50 million initial points alone would run past the test's time limit
    await expect(sample(MODELS['eight_schools']!.model, 1000, { chains: 50_000_000, seed: 1, progress: false }))
      .rejects.toThrow(/\[sample\] the draws would need about \d+\.\d GiB of memory \(50000000 chains × 1000 kept draws of 18 values.*at most \d+ chains fit/);
  });
});
