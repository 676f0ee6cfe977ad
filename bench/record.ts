// The benchmark record (read by checks outside the project) and the seed's headline figures for reference.

export interface BenchRecord {
  readonly model: string;
  readonly config: 'seed' | 'standard';
  readonly sampler: 'mlx-nuts' | 'stan' | 'numpyro';
  readonly backend: string;
  readonly dtype: string;
  readonly chains: number;
  readonly seed: number;
  /** Warmup + sampling wall time (model build/compile excluded, reported apart). */
  readonly samplingSeconds: number;
  /** Minimum bulk ESS over the reported parameters, computed for every sampler by mlx-nuts' diagnostics. */
  readonly minEssBulk: number;
  readonly essPerSecond: number;
  readonly divergences: number;
  /** Leapfrog steps (gradient evaluations per chain, summed over chains) in warmup and sampling. */
  readonly gradientEvaluations: number;
  readonly compileSeconds?: number;
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
