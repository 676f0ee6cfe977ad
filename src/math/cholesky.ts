// The lower Cholesky factor of a symmetric positive-definite matrix on the host (float64), the one copy of it.

/**
 * L with A = L·Lᵀ for a row-major n × n matrix (only its lower triangle is read; Cholesky–Banachiewicz, row by
 * row), or null when a pivot is not positive (A is not positive definite, or holds NaN). Callers decide what that
 * means: a model error, a rejected draw, a numerical error.
 */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}
