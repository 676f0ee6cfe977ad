// The sampler's defaults and Stan's algorithm constants, one home each with its source: sample(), the command line,
// the TypeScript kernel and the generated C++ all read them here.

/**
 * Defaults of sample(model, draws, options) and of `mlx-nuts sample`. Iterations, chains, δ, tree depth, metric and
 * thinning are CmdStan's (`num_warmup=1000 num_samples=1000`, `adapt delta=0.8`, `max_depth=10`, `metric=diag_e`,
 * `thin=1`; CmdStan's chains default is 1, ours 4 for R-hat). The seed is 0 for both the API and the command line.
 */
export const SAMPLE_DEFAULTS = {
  draws: 1000,
  warmup: 1000,
  chains: 4,
  seed: 0,
  targetAccept: 0.8,
  maxTreeDepth: 10,
  metric: 'diag',
  thin: 1,
  saveWarmup: false,
  backend: 'fused',
  device: 'cpu',
} as const;

/** Bounds sample() enforces: δ in [0.1, 1), tree depth 1 … 30 (2³⁰ leapfrogs per transition is already days). */
export const SAMPLE_LIMITS = { targetAccept: [0.1, 1], maxTreeDepth: [1, 30] } as const;

/** Divergence threshold on H − H₀ (Stan's base_nuts.hpp, max_deltaH = 1000); the generated C++ prints it from here. */
export const MAX_DELTA_H = 1000;

/** Dual-averaging constants (Stan's stepsize_adaptation.hpp: γ = 0.05, κ = 0.75, t₀ = 10; μ = log(10 ε₀)). */
export const DUAL_AVERAGING = { gamma: 0.05, kappa: 0.75, t0: 10 } as const;

/** Windowed adaptation (Stan's windowed_adaptation.hpp: init_buffer 75, window 25, term_buffer 50). */
export const WINDOW_DEFAULTS = { initBuffer: 75, window: 25, termBuffer: 50 } as const;

/**
 * Windows of pooled warmup (adaptation 'pooled': one metric from every chain's draws): the first estimate after
 * iteration 30, not 100. With many chains a short window pools many draws, and the unit metric's deep early trees
 * are what a GPU waits for (each warp runs as long as its slowest chain). Measured on the CPU engine with 512 stress
 * chains (bench/warmupLockstep.ts): the summed per-warp maximum of leapfrogs over warmup fell from 60,341 to 28,744
 * (eight_schools 256 chains: 18,300 → 15,986; logistic: 10,315 → 9,557) with the same ESS per sampling leapfrog.
 */
export const POOLED_WINDOW_DEFAULTS = { initBuffer: 15, window: 15, termBuffer: 50 } as const;

/** With the fused GPU engine and at least this many chains, warmup defaults to `adaptation: 'pooled'`. */
export const POOLED_FROM_CHAINS = 32;

/**
 * Warmup's metric estimator when `metricAdaptation` is not given. 'gradient-diag' (nutpie's diagonal from draws and
 * gradients, src/nuts/gradientWarmup.ts): bench/adaptation.ts measured 1.02–2.48× rstan's ESS per gradient on each
 * of fifteen models, median 1.34× (1.29× this engine's 'stan'; 4 chains × 5 seeds, rstan in the same run;
 * bench/results/2026-11-30-adaptation-vm.md, README "Warmup from gradients"), at no extra cost per gradient. Stan's windowed estimator ('stan') where that was not measured or does not apply: the
 * GPU engine (its pooled warmup runs natively with Stan's estimator), pooled warmup (chains split over processes pool
 * Stan's moments only), and `metric: 'dense'` (the gradient-based estimators choose their own metric).
 */
export function defaultMetricAdaptation(o: { readonly device: string; readonly adaptation?: string; readonly metric?: string }): 'stan' | 'gradient-diag' {
  return o.device === 'gpu' || o.adaptation === 'pooled' || o.metric === 'dense' ? 'stan' : 'gradient-diag';
}
