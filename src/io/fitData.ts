// The plain-data shape of a sampling run: what io, plots and diagnostics read (the Fit class wraps it).

/** Sampler statistics per draw, with Stan's names. */
export const SAMPLER_STATS = ['lp__', 'accept_stat__', 'stepsize__', 'treedepth__', 'n_leapfrog__', 'divergent__', 'energy__'] as const;
export type SamplerStat = (typeof SAMPLER_STATS)[number];

export interface VariableMeta {
  /** Name as declared in the model (a param or a deterministic). */
  readonly name: string;
  /** Constrained shape ([] for scalars). */
  readonly shape: readonly number[];
  readonly kind: 'param' | 'deterministic';
}

export interface ChainAdaptation {
  readonly stepSize: number;
  readonly metric: 'diag' | 'dense';
  /** Diagonal: length dim. Dense: dim × dim, row-major. */
  readonly invMetric: Float64Array;
}

export interface FitConfig {
  readonly seed: number;
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
  readonly targetAccept: number;
  readonly maxTreeDepth: number;
  readonly metric: 'diag' | 'dense';
  readonly backend: string;
  readonly dtype: string;
  readonly device: string;
  /** Which transition kernel ran: 'fused-cpu' (generated C++) or 'typescript' (over the backend's density). */
  readonly engine?: string;
  /** Every `thin`-th iteration was kept (default 1). */
  readonly thin?: number;
  /** Whether warmup draws were kept (FitData.warmupValues). */
  readonly saveWarmup?: boolean;
  /** How warmup estimated the metric when not Stan's way: 'gradient-diag' or 'low-rank' (src/nuts/gradientWarmup.ts). */
  readonly metricAdaptation?: 'stan' | 'gradient-diag' | 'low-rank';
  /** The schedule those used (src/nuts/gradientSchedule.ts GRADIENT_SCHEDULE's fields). */
  readonly warmupSchedule?: Readonly<Record<string, number>>;
}

export interface FitData {
  readonly modelName: string;
  readonly variables: readonly VariableMeta[];
  /** Flattened column names, row-major, 0-based: 'mu', 'theta[0]', 'L[1,0]'. Same order as values[chain]. */
  readonly columns: readonly string[];
  readonly config: FitConfig;
  /** values[chain][column] → the post-warmup draws on the constrained scale (length = draws, or fewer if incomplete). */
  readonly values: readonly (readonly Float64Array[])[];
  /** stats[chain][stat] → per-draw sampler statistics (post-warmup). */
  readonly stats: readonly Readonly<Record<SamplerStat, Float64Array>>[];
  /** With saveWarmup: warmupValues[chain][column] → the kept warmup draws (constrained scale). */
  readonly warmupValues?: readonly (readonly Float64Array[])[];
  /** The same statistics during warmup (step size, tree depth, accept stat as adaptation proceeds). */
  readonly warmupStats: readonly Readonly<Record<SamplerStat, Float64Array>>[];
  readonly adaptation: readonly ChainAdaptation[];
  /** False when sampling was aborted: fewer draws than config.draws. */
  readonly complete: boolean;
  readonly timing: { readonly warmupSeconds: number; readonly samplingSeconds: number; readonly compileSeconds: number };
  /** Draws (per chain) whose unconstrained log-scale value touched the log-transform clamp. */
  readonly clampHits: readonly number[];
  /** Every divergent transition with its cause and position, when the kernel reported them (not kept in files). */
  readonly divergences?: readonly DivergenceInfo[];
  /** With keep 'summary': each chain's draws as running moments (src/fit/chainSummaries.ts); values and stats are empty. */
  readonly chainSummaries?: ChainSummaries;
}

/**
 * Per-chain moments of a run that kept no draws (sample's keep: 'summary'). Arrays over chain × column are
 * chain-major (entry chain·columns + column); the others have one entry per chain.
 */
export interface ChainSummaries {
  /** Kept draws folded into each chain's moments. */
  readonly draws: number;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the chain's mean. */
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Non-finite draws (left out of mean and m2; the column's summary row is NaN). */
  readonly nonFinite: Float64Array;
  /** Per column: the first non-finite draw as [chain, draw, value], or null. */
  readonly firstNonFinite: readonly (readonly [number, number, number] | null)[];
  readonly divergent: Float64Array;
  /** Transitions at the maximum tree depth. */
  readonly treedepthHits: Float64Array;
  /** Mean accept_stat__. */
  readonly acceptStat: Float64Array;
  /** Leapfrog steps in all. */
  readonly leapfrogs: Float64Array;
  readonly ebfmi: Float64Array;
}

/** A divergent transition: where and why its trajectory diverged (nuts-rs's DivergenceInfo). */
export interface DivergenceInfo {
  /** The chain, numbered from 0 as in fit.draws(name)[chain]. */
  readonly chain: number;
  /** The transition, 0-based within its phase: a warmup iteration, or a sampling iteration before thinning. */
  readonly iteration: number;
  readonly warmup: boolean;
  /** 'energy': H − H₀ above 1000 (Stan's max ΔH); 'nonfinite': the log density or its gradient became NaN or ±∞. */
  readonly cause: 'energy' | 'nonfinite';
  /** The unconstrained position of the leapfrog step where it diverged (the sampler's coordinates, as in lp__'s q). */
  readonly position: Float64Array;
}

/** Flattened, 0-based, row-major names of a variable: theta → theta[0], theta[1], …; a scalar keeps its name. */
export function flatNames(name: string, shape: readonly number[]): string[] {
  if (shape.length === 0) return [name];
  const out: string[] = [];
  const idx = shape.map(() => 0);
  const n = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    out.push(`${name}[${idx.join(',')}]`);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}
