// The dtype policy and numerical guards in one place: device dtypes, host precision, floors, clamps, tolerances.
import type { BackendName, Dtype } from '../base/types.ts';

/**
 * Device arrays are float32 by default on MLX (float64 only on the CPU); the reference backend is float64. The fused
 * CPU engine defaults to float64: its scalar code costs no more than float32's (callgrind, instructions per gradient,
 * float64 vs float32: eight_schools 1,065 vs 1,133, logistic 266k vs 327k, sv 52k vs 51k — float32 adds conversions
 * and its exp/log come from libm), float64 diverges less, and it matches the TypeScript oracle draw for draw.
 */
export function defaultDtype(backend: BackendName): Dtype {
  return backend === 'mlx' ? 'float32' : 'float64';
}

/**
 * Every distribution that divides by a scale floors it here first (the seed found this necessary in float32:
 * a scale that underflows to 0 turns a log density into NaN instead of a very negative number).
 */
export const SCALE_FLOOR = 1e-30;

/**
 * The log transform (positive parameters stored as their log) clamps its unconstrained input to ±LOG_CLAMP
 * before exponentiating: exp(20) ≈ 4.9e8 and exp(-20) ≈ 2.1e-9 stay comfortably inside float32, and
 * exp(±200) inside float64. Beyond the clamp the density is flat in the unconstrained coordinate (the value and
 * its log-Jacobian stop changing), so it differs from the model's; the sampler counts draws that touch it.
 */
export const LOG_CLAMP: Readonly<Record<Dtype, number>> = { float32: 20, float64: 200 };

export function logClamp(dtype: Dtype): number {
  return LOG_CLAMP[dtype];
}

/**
 * Tolerances the engine tests use (issue 3's acceptance criteria): reference vs central finite differences,
 * MLX float64 vs reference, MLX float32 vs reference on logp and on the gradient norm.
 */
export const TOLERANCE = {
  finiteDifference: 1e-6,
  float64VsReference: 1e-6,
  float32VsReference: 1e-4,
} as const;

/** Summing n float32 terms naively loses about n·2⁻²⁴ relative accuracy; the graph sums in blocks of this size. */
export const FLOAT32_SUM_BLOCK = 256;
