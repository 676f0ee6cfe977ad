// The engine's things in one place: fit.engine (name, native calls per draw, profiles) and sample()'s `mlx` options.
import { describe, expect, test } from 'vitest';
import { Fit, OptionError, sample } from 'mlx-nuts';
import { eightSchools } from '../models/eight_schools.ts';
import { runIdentity } from '../src/nuts/resume.ts';
import type { IdentityOptions } from '../src/nuts/resume.ts';

describe('fit.engine', () => {
  test('the fused CPU engine: its name, its kernel profile, and native calls per draw that count the kernel calls', async () => {
    const fit = await sample(eightSchools, 40, { warmup: 30, chains: 2, seed: 3 });
    const e = fit.engine;
    expect(e.name).toBe('fused-cpu');
    expect(e.name).toBe(fit.data.config.engine);
    const kp = e.kernelProfile!;
    expect(kp.warmupCalls).toBeGreaterThanOrEqual(30); // one call per warmup iteration at least
    expect(kp.samplingCalls).toBeGreaterThan(0);
    expect(kp.warmupNativeSeconds).toBeGreaterThanOrEqual(0);
    expect(kp.samplingNativeSeconds).toBeGreaterThanOrEqual(0);
    expect(e.nativeCallsPerDraw * 40).toBeCloseTo(kp.samplingCalls, 9);
    expect(e.mlxProfile).toBeUndefined();
  });

  test('the TypeScript kernel on the reference backend: no profile, one native call or more per draw', async () => {
    const fit = await sample(eightSchools, 20, { warmup: 20, chains: 1, seed: 3, backend: 'reference' });
    expect(fit.engine.name).toBe('typescript');
    expect(fit.engine.nativeCallsPerDraw).toBeGreaterThanOrEqual(1);
    expect(fit.engine.kernelProfile).toBeUndefined();
    expect(fit.engine.mlxProfile).toBeUndefined();
  });

  test('a fit read back keeps the engine name of its config, with no report', async () => {
    const fit = await sample(eightSchools, 10, { warmup: 10, chains: 1, seed: 3 });
    const back = Fit.fromJSON(JSON.stringify(fit.toJSON()));
    expect(back.engine).toEqual({ name: 'fused-cpu', nativeCallsPerDraw: 0 });
    expect(new Fit({ ...fit.data, config: { ...fit.data.config, engine: undefined } }).engine.name).toBeUndefined();
  });
});

describe("sample()'s engine options", () => {
  test('pinThreads is an option of the MLX engine (mlx: { pinThreads }), checked before sampling', async () => {
    const top = { pinThreads: false } as unknown as Parameters<typeof sample>[2];
    await expect(sample(eightSchools, 10, top)).rejects.toThrow(OptionError);
    await expect(sample(eightSchools, 10, top)).rejects.toThrow(/mlx: \{ pinThreads \}/);
    const bad = { mlx: { pinThreads: 'no' } } as unknown as Parameters<typeof sample>[2];
    await expect(sample(eightSchools, 10, bad)).rejects.toThrow(/mlx\.pinThreads must be true or false, got "no"/);
  });

  test("the MLX options do not change a run's identity (a resume may change them); other options do", () => {
    const traced = eightSchools.trace('float64');
    const o: IdentityOptions = {
      seed: 1, chains: 2, warmup: 10, draws: 10, thin: 1, saveWarmup: false, targetAccept: 0.8, maxTreeDepth: 10,
      metric: 'diag', backend: 'mlx', dtype: 'float32', device: 'cpu', adaptation: 'chain', metricAdaptation: 'stan',
      warmupSchedule: '',
    };
    const base = runIdentity(traced, o, {});
    expect(runIdentity(traced, o, { mlx: { pinThreads: false } })).toEqual(base);
    expect(runIdentity(traced, o, { somethingNew: { a: 1 } })).not.toEqual(base);
  });
});
