// Shared pieces of the discrete families: integer checks on observed data and host-folded log-combinatorial terms.
import { lgamma as hostLgamma } from '../math/special.ts';
import { constant, unary, type Expr } from '../graph/expr.ts';
import { ne, lgamma } from '../graph/ops.ts';
import { broadcastIndex, broadcastShapes, sizeOf } from '../graph/shape.ts';
import type { HostTensor } from '../graph/constant.ts';
import { checkValues, constData } from './distribution.ts';

/** Checks observed values are integers in [lo, hi] (hi may vary per element through `hiAt`). */
export function checkIntegers(family: string, data: HostTensor, lo: number, hi: number, what?: string): void {
  checkValues(family, data, (v) => Number.isInteger(v) && v >= lo && v <= hi, what ?? (hi === Infinity
    ? `a non-negative integer${lo === 0 ? '' : ` ≥ ${lo}`}` : `an integer in [${lo}, ${hi}]`));
}

/** True where x is not an integer (graph op; floor(x) ≠ x). */
export function nonInteger(x: Expr): Expr {
  return ne(unary('floor', x), x);
}

/**
 * A term of the observed values and constant parameters, computed on the host in float64 when every input is a
 * constant (exact in float32 too), else in graph ops.
 */
export function folded(inputs: readonly Expr[], host: (...v: number[]) => number, graph: (...e: Expr[]) => Expr): Expr {
  const consts = inputs.map((e) => constData(e));
  if (consts.every((c) => c !== null)) {
    const shape = broadcastShapes('folded', ...inputs.map((e) => e.shape));
    const maps = inputs.map((e) => broadcastIndex(e.shape, shape));
    const out = new Float64Array(sizeOf(shape));
    const v = new Array<number>(inputs.length);
    for (let i = 0; i < out.length; i++) {
      for (let k = 0; k < inputs.length; k++) v[k] = consts[k]![maps[k]![i]!]!;
      out[i] = host(...v);
    }
    return constant(inputs[0]!.g, out, '[folded]').reshape(shape);
  }
  return graph(...inputs);
}

/** −log k! (folded when k is constant). */
export function negLogFactorial(k: Expr): Expr {
  return folded([k], (kv) => -hostLgamma(kv + 1), (ke) => lgamma(ke.add(1)).neg());
}

/** log C(n, k) = lgamma(n+1) − lgamma(k+1) − lgamma(n−k+1) (folded when n and k are constant; 0 outside 0 ≤ k ≤ n). */
export function logChoose(n: Expr, k: Expr): Expr {
  return folded([n, k], (nv, kv) => (kv < 0 || kv > nv ? 0 : hostLgamma(nv + 1) - hostLgamma(kv + 1) - hostLgamma(nv - kv + 1)),
    (ne_, ke) => lgamma(ne_.add(1)).sub(lgamma(ke.add(1))).sub(lgamma(ne_.sub(ke).add(1))));
}
