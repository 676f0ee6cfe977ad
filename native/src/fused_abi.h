/* The ABI between the addon and a generated model library: one home, pasted into every generated source by
 * src/codegen/library.ts and included by native/src/fused.cc. Bump MN_ABI_VERSION on any change. */
#ifndef MLX_NUTS_FUSED_ABI_H
#define MLX_NUTS_FUSED_ABI_H
#define MN_ABI_VERSION 6
/* Statistics written per transition, in this order (Stan's names: lp__, accept_stat__, treedepth__, n_leapfrog__,
 * divergent__, energy__). */
#define MN_STATS 6
/* The type of the constrained values a library writes: double, except in float32 GPU kernels (src/codegen/cuda.ts),
 * whose values are floats widened, so that float halves what the host reads back without losing a bit. */
#ifndef MN_COLUMN_T
#define MN_COLUMN_T double
#endif
/* The type of the statistics a library writes: double, except in float32 GPU kernels, whose statistics are floats
 * (lp__ and energy__ to 7 significant digits, Stan's CSV writes 6; the others exact), halving what the host reads
 * back per transition. */
#ifndef MN_STAT_T
#define MN_STAT_T double
#endif
typedef struct MnChainArgs {
  unsigned int key0, key1, chain, iteration; /* the chain's stream and the first transition's iteration */
  int count;                                 /* transitions to run */
  int max_depth;
  int dense;                                 /* 0: diagonal inverse metric (dim), 1: dense (dim × dim), 2: low rank */
  double step_size;
  const double* inv_metric;
  const double* chol;       /* dense: lower Cholesky factor of inv_metric, row-major; low rank: the packed factors */
  double* q;                /* in/out: position (dim) */
  double* logp;             /* in/out: log density at q */
  double* grad;             /* in/out: gradient at q (dim) */
  double* out_q;            /* count × dim unconstrained draws, or null */
  MN_COLUMN_T* out_columns; /* count × columns constrained values, or null */
  MN_STAT_T* out_stats;     /* count × MN_STATS, or null (the addon hands JS stat-major arrays: see fused.cc) */
  double* out_div;          /* count × (1 + dim), or null: a divergent transition's cause (1: energy error above max ΔH,
                               2: non-finite log density or gradient; 0: no divergence), then the position (unconstrained)
                               of the leapfrog step where it diverged */
  const void* data_f;       /* float data in the model's real type */
  const int* data_i;
  double* scratch;          /* mn_scratch_doubles(max_depth) doubles, private to this call */
  const double* clamp;      /* null, or [limit, mask (dim; 0/1)]: each transition whose draw has |q_i| >= limit for some
                               i with mask 1 adds one to *clamp_hits (the log transforms' clamp, counted where the draw is) */
  double* clamp_hits;
} MnChainArgs;
#endif
