// Stick-breaking simplex transform (Stan reference manual, "Unit simplex"): R^(K−1) → {x ∈ (0,1)^K : Σx = 1}.
import { ModelError, OptionError } from '../base/errors.ts';
import { concat, constant, type Expr } from '../graph/expr.ts';
import { cumsum, exp, logSigmoid, sum } from '../graph/ops.ts';
import { fmtShape, sizeOf, type Shape } from '../graph/shape.ts';
import type { Transform } from './transform.ts';

function lastDim(shape: Shape): number {
  const k = shape[shape.length - 1];
  if (shape.length === 0 || k === undefined || k < 2) {
    throw new ModelError(`[simplex] the constrained shape must end with an axis of length ≥ 2, got ${fmtShape(shape)}`);
  }
  return k;
}

/**
 * u_k = y_k − log(K − 1 − k) (k = 0 … K−2, so that y = 0 maps to the uniform simplex), z_k = σ(u_k),
 * x_k = z_k · Π_{j<k}(1 − z_j), x_{K−1} = Π_j (1 − z_j), all in log space through log σ(±u).
 * log|J| of y ↦ (x_0 … x_{K−2}) = Σ_k [log z_k + log(1 − z_k) + log Π_{j<k}(1 − z_j)] (the Jacobian is triangular).
 */
function parts(y: Expr, shape: Shape) {
  const K = lastDim(shape);
  const m = sizeOf(shape) / K;
  const ys = y.reshape([m, K - 1]);
  const offset = constant(y.g, Array.from({ length: K - 1 }, (_, k) => -Math.log(K - 1 - k)), '[simplex] offset');
  const u = ys.add(offset);
  const lz = logSigmoid(u);
  const l1mz = logSigmoid(u.neg());
  const logRest = cumsum(l1mz, 1).sub(l1mz); // exclusive cumulative sum: log Π_{j<k}(1 − z_j)
  return { K, m, lz, l1mz, logRest };
}

export const simplex: Transform = {
  name: 'simplex',
  unconstrainedSize: (shape) => (sizeOf(shape) / lastDim(shape)) * (lastDim(shape) - 1),
  forward(y, shape) {
    const { lz, l1mz, logRest } = parts(y, shape);
    const head = exp(logRest.add(lz));
    const last = exp(sum(l1mz, 1, true));
    return concat([head, last], 1).reshape([...shape]);
  },
  logDetJacobian(y, x) {
    const { lz, l1mz, logRest } = parts(y, x.shape);
    return sum(lz.add(l1mz).add(logRest));
  },
  inverse(x, shape) {
    const K = lastDim(shape);
    const m = x.length / K;
    const y = new Float64Array(m * (K - 1));
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[r * K + k]!;
      for (let k = 0; k < K; k++) {
        const v = x[r * K + k]!;
        if (!(v > 0)) throw new OptionError(`[simplex] init value ${v} at position ${r * K + k} is outside the support (x > 0)`);
      }
      if (Math.abs(s - 1) > 1e-8 * K) throw new OptionError(`[simplex] init values of row ${r} sum to ${s}, not 1`);
      let rest = 1;
      for (let k = 0; k < K - 1; k++) {
        const v = x[r * K + k]!;
        const z = Math.min(v / rest, 1);
        y[r * (K - 1) + k] = Math.log(z) - Math.log1p(-z) + Math.log(K - 1 - k);
        rest -= v;
      }
    }
    return y;
  },
};
