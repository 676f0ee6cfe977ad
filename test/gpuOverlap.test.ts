// Sampling with the read-back overlapped (src/backend/gpuOverlap.ts, MLX_NUTS_GPU_OVERLAP=1) over the emulated kernel:
// sampling split into at least OVERLAP_LAUNCHES launches that ask for overlap, one flush after them, and the same draws
// as without; a bad setting is refused. (The native copy on its own thread runs only on a GPU: test/gpu/run.ts.)
import { describe, expect, test } from 'vitest';
import { sample } from 'mlx-nuts';
import { setFusedCudaBindingForTests } from '../src/backend/fusedGpu.ts';
import { gpuOverlap, OVERLAP_LAUNCHES, overlapStep } from '../src/backend/gpuOverlap.ts';
import { MODELS } from '../models/index.ts';
import { EmulatedCudaModel } from './cudaEmulation.ts';

describe('read-back overlapped with the next launch', () => {
  test('the setting: 0 (default) or 1, anything else refused; the split keeps the memory bound', () => {
    expect(gpuOverlap(undefined)).toBe(false);
    expect(gpuOverlap('0')).toBe(false);
    expect(gpuOverlap('1')).toBe(true);
    expect(() => gpuOverlap('yes')).toThrow(/MLX_NUTS_GPU_OVERLAP must be 0 or 1, got 'yes'/);
    expect(overlapStep(1000, 500)).toBe(Math.ceil(500 / OVERLAP_LAUNCHES));
    expect(overlapStep(40, 500)).toBe(40);
    expect(overlapStep(1000, 2)).toBe(1);
  });

  test('eight_schools, 16 chains on the emulated kernel: more launches, one flush, the same draws', async () => {
    const m = MODELS['eight_schools']!.model;
    const opts = { device: 'gpu' as const, chains: 16, warmup: 40, seed: 6 };
    const { launches } = EmulatedCudaModel;
    setFusedCudaBindingForTests(EmulatedCudaModel);
    const before = process.env.MLX_NUTS_GPU_OVERLAP;
    try {
      const r0 = launches.runIterations.length;
      const plain = await sample(m, 80, opts);
      const plainRuns = launches.runIterations.slice(r0).filter((it) => it >= 40).length;
      process.env.MLX_NUTS_GPU_OVERLAP = '1';
      const [r1, f1, o1] = [launches.runIterations.length, launches.flushes, launches.overlapped];
      const over = await sample(m, 80, opts);
      const overRuns = launches.runIterations.slice(r1).filter((it) => it >= 40).length;
      expect(overRuns).toBeGreaterThanOrEqual(OVERLAP_LAUNCHES);
      expect(overRuns).toBeGreaterThan(plainRuns);
      expect(launches.overlapped - o1).toBe(overRuns);
      expect(launches.flushes - f1).toBeGreaterThanOrEqual(1);
      expect(over.data.values).toEqual(plain.data.values);
      expect(over.data.stats).toEqual(plain.data.stats);
    } finally {
      if (before === undefined) delete process.env.MLX_NUTS_GPU_OVERLAP;
      else process.env.MLX_NUTS_GPU_OVERLAP = before;
      setFusedCudaBindingForTests(null);
    }
  }, 300_000);
});
