// The JSON record a peer script (stan.R, numpyro.py) writes: draws under mlx-nuts' column names, timings, sampler counts.

export type PeerName = 'stan' | 'numpyro';
export const PEERS: readonly PeerName[] = ['stan', 'numpyro'];

export interface PeerConfig {
  readonly warmup: number;
  readonly draws: number;
  readonly chains: number;
  readonly seed: number;
}

/** Sampler statistics per chain (post-warmup draws), with Stan's names; NumPyro has no treedepth__. */
export type PeerStat = 'accept_stat__' | 'stepsize__' | 'treedepth__' | 'n_leapfrog__' | 'divergent__' | 'energy__';

export interface PeerResult {
  readonly sampler: PeerName;
  readonly model: string;
  /** e.g. 'rstan 2.21.7 (Stan 2.21.0)', 'numpyro 0.22.0 (jax 0.10.2)'. */
  readonly version: string;
  /** Every component's version: rstan, stan, StanHeaders, R / numpyro, jax, jaxlib, python. */
  readonly versions: Readonly<Record<string, string>>;
  /** Both peers run in float64. */
  readonly dtype: 'float64' | 'float32';
  /** The run's configuration as the script saw it (plus peer-specific keys: cores, chainMethod, adaptDelta, maxTreedepth). */
  readonly config: PeerConfig & Readonly<Record<string, unknown>>;
  /**
   * Stan: the C++ compile of the program (when compileCached, the time measured when it was compiled;
   * loading the cached model took compileLoadSeconds). NumPyro: jax trace + lower + XLA compile during the run.
   */
  readonly compileSeconds: number;
  readonly compileCached?: boolean;
  readonly compileLoadSeconds?: number;
  /** NumPyro: false when compile time could be separated from samplingSeconds. */
  readonly compileIncluded?: boolean;
  /**
   * Warmup + sampling, wall time (Stan: get_elapsed_time with the wall-clock shim, chains summed, or with
   * --cores > 1 the makespan of rstan's parallel schedule; NumPyro: wall time of the run less compile time).
   */
  readonly samplingSeconds: number;
  /** Stan: how samplingSeconds was measured ('wall, chains one after another', 'wall, 2 chains at a time'; 'cpu, …' without the shim). */
  readonly timing?: string;
  /** Stan: warmup + sampling seconds of each chain. */
  readonly chainSeconds?: readonly number[];
  /** Peak resident memory of the peer's process so far (Linux VmHWM / ru_maxrss), in MiB. */
  readonly peakRssMB?: number;
  readonly chains: number;
  /** Column names in output order: 0-based brackets ('theta[0]'), constrained scale, params and deterministics. */
  readonly columns: readonly string[];
  /** draws[column][chain][draw]; a non-finite draw is NaN. */
  readonly draws: Readonly<Record<string, readonly (readonly number[])[]>>;
  /** stats[stat][chain][draw], post-warmup. */
  readonly stats: Readonly<Partial<Record<PeerStat, readonly (readonly number[])[]>>>;
  /** Post-warmup divergent transitions, all chains. */
  readonly divergences: number;
  readonly divergencesPerChain: readonly number[];
  readonly warmupDivergences: number;
  /** Sum of n_leapfrog__ over warmup and sampling, all chains. */
  readonly gradientEvaluations: number;
  readonly gradientEvaluationsPerChain: readonly number[];
  /** The adapted step size of each chain. */
  readonly stepsize: readonly number[];
  /** Stan: get_elapsed_time's warmup and sample parts, and the wall time of the sampling() call. */
  readonly warmupSeconds?: number;
  readonly drawSeconds?: number;
  readonly samplingWallSeconds?: number;
  /** NumPyro: wall times of the warmup and sampling calls (compile included) and their sum; how compile was measured. */
  readonly warmupWallSeconds?: number;
  readonly drawWallSeconds?: number;
  readonly totalWallSeconds?: number;
  readonly compileMethod?: string;
}

/** What runPeer returns when a peer cannot be set up or run: the reason, never a silent drop. */
export interface PeerError {
  readonly sampler: PeerName;
  readonly model: string;
  readonly error: string;
}

export function isPeerError(r: PeerResult | PeerError): r is PeerError {
  return typeof (r as PeerError).error === 'string';
}
