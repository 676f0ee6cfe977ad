// Small dense linear algebra in graph ops (differentiable): Cholesky factor and lower-triangular solve, unrolled.
import { ModelError } from '../base/errors.ts';
import { constant, matmul, slice, stack, take, where, type Expr } from '../graph/expr.ts';
import { gt, lt, sqrt, sum } from '../graph/ops.ts';
import { fmtShape } from '../graph/shape.ts';
import { floored } from './distribution.ts';

function square(fn: string, a: Expr): number {
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1]) throw new ModelError(`[${fn}] needs a square matrix, got shape ${fmtShape(a.shape)}`);
  return a.shape[0]!;
}

/**
 * Lower Cholesky factor L of a symmetric positive-definite k × k expression (column-by-column Cholesky–Crout:
 * L[:, j] = (A[:, j] − L[:, :j]·L[j, :j]) / √pivot_j, rows ≥ j). MLX's own cholesky has no gradient; this one is
 * built from matmul/slice/stack/sqrt, so both backends differentiate it. It reads only the lower triangle of A.
 * Graph size grows as O(k) nodes of O(k²) work each: meant for k up to a few tens. `ok` is false when a pivot is
 * not positive (then L holds finite placeholders: the caller masks the density to −∞).
 */
export function choleskyFactor(a: Expr): { L: Expr; diag: Expr; ok: Expr } {
  const k = square('choleskyFactor', a);
  const cols: Expr[] = [];
  const diags: Expr[] = [];
  const bad: Expr[] = [];
  for (let j = 0; j < k; j++) {
    let v = slice(a, [0, j], [k, j + 1]).reshape([k]);
    if (j > 0) {
      const prev = stack(cols, 1);
      v = v.sub(matmul(prev, slice(prev, [j, 0], [j + 1, j]).reshape([j])));
    }
    const pivot = take(v, [j]).reshape([]);
    const pos = gt(pivot, 0);
    const d = sqrt(where(pos, pivot, 1));
    const mask = constant(a.g, Array.from({ length: k }, (_, i) => (i >= j ? 1 : 0)), '[choleskyFactor] mask');
    cols.push(v.div(floored(d)).mul(mask));
    diags.push(d);
    bad.push(where(pos, 0, 1));
  }
  return { L: stack(cols, 1), diag: stack(diags), ok: lt(sum(stack(bad)), 0.5) };
}

/** The diagonal of a k × k expression. */
export function diagonal(a: Expr): Expr {
  const k = square('diagonal', a);
  return take(a.reshape([k * k]), Array.from({ length: k }, (_, i) => i * (k + 1)));
}

/** Z = B·L⁻ᵀ for lower-triangular L (k × k) and B (m × k): each row z solves L z = b, by forward substitution. */
export function solveLowerRows(L: Expr, b: Expr): Expr {
  const k = square('solveLowerRows', L);
  if (b.ndim !== 2 || b.shape[1] !== k) throw new ModelError(`[solveLowerRows] B must have shape [m, ${k}], got ${fmtShape(b.shape)}`);
  const m = b.shape[0]!;
  const d = diagonal(L);
  const zs: Expr[] = [];
  for (let i = 0; i < k; i++) {
    let r = slice(b, [0, i], [m, i + 1]).reshape([m]);
    if (i > 0) r = r.sub(matmul(stack(zs, 1), slice(L, [i, 0], [i + 1, i]).reshape([i])));
    zs.push(r.div(floored(take(d, [i]).reshape([]))));
  }
  return stack(zs, 1);
}

/** Host (float64) inverse of a lower-triangular k × k matrix, row-major. */
export function lowerInverse(l: ArrayLike<number>, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    inv[j * k + j] = 1 / l[j * k + j]!;
    for (let i = j + 1; i < k; i++) {
      let s = 0;
      for (let p = j; p < i; p++) s += l[i * k + p]! * inv[p * k + j]!;
      inv[i * k + j] = -s / l[i * k + i]!;
    }
  }
  return inv;
}

/** Host solve of Lᵀ x = e (back substitution) for lower-triangular L. */
export function solveUpperTransposed(l: ArrayLike<number>, k: number, e: ArrayLike<number>): Float64Array {
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = e[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * x[p]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}
