// The kernel seam: advance every chain by NUTS transitions over plain typed-array state (BlackJAX's
// build_kernel → kernel(rng_key, state, step_size, inverse_mass_matrix); nuts-rs's narrow Math trait).
// Implementations: the TypeScript transition over any Density (src/nuts/transitionKernel.ts, the oracle) and the fused
// native kernels (src/backend/fused.ts, fusedGpu.ts), which sit above this file and below the sampler.
import type { Metric } from './metric.ts';

/** The causes a divergence row of KernelRun.divergence codes as 1 and 2 (0: the transition did not diverge). */
export const DIVERGENCE_CAUSES = [null, 'energy', 'nonfinite'] as const;

/** Every chain's position, log density and gradient: chains × dim, row-major. Plain data, serialisable. */
export interface ChainsState {
  readonly chains: number;
  readonly dim: number;
  readonly q: Float64Array;
  readonly logp: Float64Array;
  readonly grad: Float64Array;
}

/** Stan's per-transition statistics, iteration-major: entry it·chains + c. */
export interface TransitionStats {
  readonly lp: Float64Array;
  readonly acceptStat: Float64Array;
  readonly treeDepth: Float64Array;
  readonly nLeapfrog: Float64Array;
  readonly divergent: Float64Array;
  readonly energy: Float64Array;
}

export interface KernelRun {
  /** The state after the last transition. */
  readonly state: ChainsState;
  /** Unconstrained draws: count × chains × dim. */
  readonly q: Float64Array;
  readonly stats: TransitionStats;
  /** Constrained values of the model's columns, count × chains × columns, when the kernel computes them. */
  readonly constrained?: Float64Array;
  /**
   * Where and why transitions diverged, when the kernel reports it: count × chains × (1 + dim), laid out like q (one
   * row per transition): the cause (0: none, 1: energy error above MAX_DELTA_H, 2: non-finite log density or gradient;
   * DIVERGENCE_CAUSES), then the unconstrained position of the leapfrog step where the trajectory diverged (left
   * unspecified when the cause is 0).
   */
  readonly divergence?: Float64Array;
  /**
   * The same information for the divergent transitions only, when a kernel finds them cheaper to send so (the GPU
   * engine): rows of 3 + dim [chain, transition (0-based within this run), cause, position…].
   */
  readonly divergenceRows?: Float64Array;
  /** When true, q, stats and constrained are chain-major instead: entry c·count + it (see RunOptions). */
  readonly chainMajor?: boolean;
}

/**
 * The fit's arrays as one block each: columns chains × columns × total (chain k's column c is the run of `total`
 * draws at (k·columns + c)·total) and statistics chains × statCount × total; kernel statistic j (TransitionStats'
 * order: lp, acceptStat, treeDepth, nLeapfrog, divergent, energy) goes to row statRows[j] (−1: not kept). Draws whose
 * |q_i| reaches `clamp` for some i with clampMask[i] = 1 are counted into clampHits[chain].
 */
export interface FitTarget {
  readonly columns: Float64Array;
  readonly stats: Float64Array;
  readonly statCount: number;
  readonly statRows: Int32Array;
  readonly total: number;
  readonly offset: number;
  readonly clamp: number;
  readonly clampMask: Uint8Array;
  readonly clampHits: Float64Array;
}

export interface SampleIntoResult {
  readonly state: ChainsState;
  /** As KernelRun.divergenceRows, transitions counted from this call's first. */
  readonly divergenceRows?: Float64Array;
}

/** Hints a kernel may follow. */
export interface RunOptions {
  /** Return draws and statistics chain-major if that is cheaper (the GPU engine's native layout). */
  readonly chainMajor?: boolean;
}

/** Per-call parameters: one step size and one metric per chain. */
export interface KernelParams {
  readonly stepSizes: Float64Array;
  readonly metrics: readonly Metric[];
}

export interface TransitionKernel {
  /** Which engine this is, as recorded in the fit ('typescript' or 'fused-cpu'). */
  readonly name: string;
  /**
   * `count` transitions of every chain, the first being iteration `iteration` (0-based over warmup and sampling:
   * it addresses the random numbers). The same inputs give the same result. A kernel may reuse its buffers: what a
   * run returns is valid until the next run of that kernel (a state it returned may be passed back to continue).
   */
  run(state: ChainsState, params: KernelParams, iteration: number, count: number, opts?: RunOptions): KernelRun | Promise<KernelRun>;
  /**
   * Kernels that run pooled warmup natively (the GPU engine): `seg.count` warmup iterations of every chain in one call,
   * each chain's dual averaging and Welford moments advanced between its transitions (src/nuts/nativeWarmup.ts).
   */
  warmupSegment?(seg: WarmupSegment): WarmupSegmentResult | Promise<WarmupSegmentResult>;
  /**
   * Kernels that search step sizes natively (the GPU engine): Stan's search (stepsize.ts initStepSize) for every chain
   * from the ε in its WarmupSegment-layout `state` (written back there), the momenta of transition `iteration`; returns
   * per chain 0, or the failure code of stepSizeSearchFailure.
   */
  searchStepSizes?(state: Float64Array, invMetric: Float64Array, iteration: number): Float64Array;
  /**
   * Kernels that can write sampling draws straight into the fit's arrays (the GPU engine, where copying thousands of
   * chains' draws through KernelRun is the host's main cost): `count` transitions as run() would make them, their
   * constrained columns and statistics placed at `into.offset` … of each chain's rows (FitTarget).
   */
  sampleInto?(state: ChainsState, params: KernelParams, iteration: number, count: number, into: FitTarget):
    SampleIntoResult | Promise<SampleIntoResult>;
  /** Native kernels: seconds spent inside native calls and their number, since the kernel was built. */
  readonly profile?: { readonly nativeSeconds: number; readonly calls: number };
  /**
   * How long one call should run, in milliseconds, when the driver chooses how many iterations a call covers (sampling
   * chunks, native warmup segments); unset, the driver's own (tens of milliseconds, for responsiveness). The GPU engine
   * asks for long calls: a launch lasts as long as its slowest chain, so short launches pay the deepest tree of every
   * iteration, long ones each chain's own sum of trees.
   */
  readonly callMs?: number;
}

export function emptyStats(n: number): TransitionStats {
  const f = () => new Float64Array(n);
  return { lp: f(), acceptStat: f(), treeDepth: f(), nLeapfrog: f(), divergent: f(), energy: f() };
}

/**
 * One call of native pooled warmup. `state` is chain-major, chains × (4·dim + 6), in and out: [q, grad, logp, ε, s̄, x̄,
 * μ, n of the Welford moments, their mean (dim), their M2 (dim)]. `scalars` holds [δ, γ, then for each iteration η, √m,
 * m^-κ of its dual-averaging update and 1 when its draw enters the moments]. The result is chain-major
 * chains × count × 7: the six transition statistics (lp, accept, depth, leapfrogs, divergent, energy), then ε used.
 */
/** What one call of native pooled warmup returns: the statistics, and divergenceRows as in KernelRun. */
export interface WarmupSegmentResult {
  readonly stats: Float64Array;
  readonly divergenceRows?: Float64Array;
}

export interface WarmupSegment {
  readonly iteration: number;
  readonly count: number;
  /** The one diagonal inverse metric all chains share. */
  readonly invMetric: Float64Array;
  readonly state: Float64Array;
  readonly scalars: Float64Array;
  /**
   * When given, the statistics go straight into these warmup rows (layout of FitTarget.stats; the 7 statistics of the
   * result, ε last, to rows statRows[j]) and the result's `stats` is empty.
   */
  readonly into?: Pick<FitTarget, 'stats' | 'statCount' | 'statRows' | 'total' | 'offset'>;
}
