// The benchmark record (read by checks outside the project) and the seed's headline figures for reference.
import type { BenchmarkRecord } from '../src/plots/benchmark.ts';

/**
 * The benchmark record (read by checks outside the project): the chart's fields (src/plots/benchmark.ts:
 * model, config, sampler, backend, dtype, chains, seed, samplingSeconds = warmup + sampling wall time with
 * model build/compile reported apart, minEssBulk computed for every sampler by mlx-nuts' diagnostics,
 * essPerSecond, divergences, gradientEvaluations = leapfrog steps of warmup and sampling summed over chains)
 * narrowed to the runner's values, plus the per-run details below.
 */
export interface BenchRecord extends BenchmarkRecord {
  readonly config: 'seed' | 'standard';
  readonly sampler: 'mlx-nuts' | 'stan' | 'numpyro';
  /**
   * mlx-nuts: the fused engine's g++ time (0 on a cache hit; the run compiles into a fresh cache, so a model's
   * first record is a real compile) or the MLX graph's trace time. Stan: its C++ compile; NumPyro: jax's compile.
   */
  readonly compileSeconds?: number;
  /** mlx-nuts: 'fused-cpu' or 'typescript' (fit.data.config.engine); peers: 'rstan' or numpyro's chain method. */
  readonly engine?: string;
  /** mlx-nuts: the warmup part of samplingSeconds. */
  readonly warmupSeconds?: number;
  /** mlx-nuts: wall time of sample() outside warmup + sampling (code generation, compile or cache lookup, library load, initial points). */
  readonly setupSeconds?: number;
  /** mlx-nuts, on the first record of a model and backend: a second sample() right after it (cache hit): its g++ seconds and setup seconds. */
  readonly cachedCompileSeconds?: number;
  readonly cachedSetupSeconds?: number;
  /** The machine's 1-minute load average when the record was taken (os.loadavg; the box is shared). */
  readonly loadAverage?: number;
  /** Peers: CPUs given to the chains (chains at once); how samplingSeconds was measured. */
  readonly cores?: number;
  readonly timing?: string;
  readonly essPer1000Gradients?: number;
  readonly usPerGradient?: number;
  readonly nativeCallsPerDraw?: number;
  readonly peakRssMB?: number;
  readonly version?: string;
  readonly profile?: { readonly [k: string]: number };
}

/** shared/benchmark-models/MODELS.md: the seed's EXLA/EMLX figures (Apple M4, its own data) — context only. */
export const SEED_TABLE: Readonly<Record<string, { exlaMs: number; emlxMs: number; exlaEss: number; emlxEss: number; div: string }>> = {
  simple: { exlaMs: 629, emlxMs: 9867, exlaEss: 414.5, emlxEss: 25.6, div: '11/9' },
  medium: { exlaMs: 1432, emlxMs: 65667, exlaEss: 85.3, emlxEss: 0.2, div: '25/44' },
  stress: { exlaMs: 5174, emlxMs: 139718, exlaEss: 26.9, emlxEss: 1.1, div: '14/25' },
  eight_schools: { exlaMs: 568, emlxMs: 40358, exlaEss: 592.3, emlxEss: 9.1, div: '7/9' },
  funnel: { exlaMs: 1024, emlxMs: 37202, exlaEss: 3.0, emlxEss: 0.2, div: '24/103' },
};
