// How far an engine may sit from the float64 reference: a tolerance from the dtype, and scaled error measures.
import type { Dtype } from '../base/types.ts';

/** Unit roundoff u = 2^−p of each dtype (p = 24 and 53 significand bits). */
export const UNIT_ROUNDOFF: Readonly<Record<Dtype, number>> = { float32: 2 ** -24, float64: 2 ** -53 };
/** Smallest positive normal number of each dtype: values below it are rounding noise in that dtype. */
const TINY: Readonly<Record<Dtype, number>> = { float32: 2 ** -126, float64: 2 ** -1022 };

/**
 * The default tolerance of an engine computing in `dtype`: √u (float32 ≈ 2.4e−4, float64 ≈ 1.1e−8) on errors
 * scaled as below. √u is the usual allowance for a result that passes through many rounded operations and
 * special functions implemented differently from the reference's (the benchmark models and distribution cases
 * stay below 1e−5 in float32 and 1e−14 in float64), while an op computed at float32 accuracy inside a float64
 * engine (MLX's CPU exp, MLX.md §2) is off by ~1e−7 and is caught. A wrong derivative is off by far more.
 */
export function dtypeTolerance(dtype: Dtype): number {
  return Math.sqrt(UNIT_ROUNDOFF[dtype]);
}

/** Both non-finite the same way (NaN and NaN, +∞ and +∞) counts as agreement; one non-finite as disagreement. */
function sameNonFinite(a: number, r: number): boolean | null {
  if (Number.isFinite(a) && Number.isFinite(r)) return null;
  return (Number.isNaN(a) && Number.isNaN(r)) || a === r;
}

/** |a − r| / scale, with the non-finite cases above (0 or ∞). */
export function scaledError(a: number, r: number, scale: number): number {
  const nf = sameNonFinite(a, r);
  if (nf !== null) return nf ? 0 : Infinity;
  return Math.abs(a - r) / scale;
}

/** Largest finite |x| (0 when none). */
export function maxAbs(...xs: readonly ArrayLike<number>[]): number {
  let m = 0;
  for (const x of xs) {
    for (let i = 0; i < x.length; i++) {
      const v = Math.abs(x[i]!);
      if (v > m && v !== Infinity) m = v;
    }
  }
  return m;
}

export interface VectorError {
  /** max over elements of |a_i − r_i| / scale. */
  readonly error: number;
  /** The element where it is reached (−1 for an empty vector). */
  readonly index: number;
}

/**
 * Normwise error of a against r: every element's |a_i − r_i| over the same scale, max(floor, ‖r‖∞, extra),
 * so a tiny element is not judged on its own digits when it is the difference of large ones.
 */
export function vectorError(a: ArrayLike<number>, r: ArrayLike<number>, floor: number, extra = 0): VectorError {
  const scale = Math.max(floor, maxAbs(r), extra);
  let error = 0;
  let index = a.length > 0 ? 0 : -1;
  for (let i = 0; i < a.length; i++) {
    const e = scaledError(a[i]!, r[i]!, scale);
    if (e > error || Number.isNaN(e)) {
      error = e;
      index = i;
    }
  }
  return { error, index };
}

/** The floor of a node-level scale for an engine of this dtype (below it, values are underflow noise). */
export function tinyOf(dtype: Dtype): number {
  return TINY[dtype];
}
