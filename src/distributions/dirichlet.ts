// Dirichlet(alpha) on the simplex: log p(x) = Σ_k (α_k − 1) log x_k + lgamma(Σ α_k) − Σ_k lgamma(α_k).
import { ModelError } from '../base/errors.ts';
import type { Expr, Operand } from '../graph/expr.ts';
import { gt, log, sum, where } from '../graph/ops.ts';
import { fmtShape } from '../graph/shape.ts';
import { standardGamma } from '../random/draws.ts';
import { positive, type Distribution } from './distribution.ts';
import { eventDraws } from './sampling.ts';
import { lgammaC } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/**
 * Dirichlet(α) (Stan's dirichlet): α has shape [..., K] (K ≥ 2; leading axes are a batch); draws are on the
 * K-simplex. Mean α_k/α₀, variance α_k(α₀ − α_k)/(α₀²(α₀ + 1)). A component ≤ 0 has density 0. Observed rows must
 * sum to 1 (within 1e-8).
 */
export function Dirichlet(alpha: Operand): Distribution {
  const ck = new ArgChecks('Dirichlet');
  const a = ck.positive('alpha', alpha);
  const K = a.shape[a.ndim - 1];
  if (a.ndim < 1 || K === undefined || K < 2) throw new ModelError(`[Dirichlet] alpha must have a last axis of length ≥ 2, got shape ${fmtShape(a.shape)}`);
  const batchShape = a.shape.slice(0, -1);
  return ck.wrap({
    name: 'Dirichlet',
    support: { kind: 'simplex' },
    batchShape,
    eventShape: [K],
    logProb(x: Expr) {
      if (x.shape[x.ndim - 1] !== K) throw new ModelError(`[Dirichlet] values must have a last axis of length ${K}, got ${fmtShape(x.shape)}`);
      const pos = gt(x, 0);
      const terms = a.sub(1).mul(log(where(pos, x, 1)));
      const bad = sum(where(pos, 0, 1), -1);
      const norm = lgammaC(sum(a, -1)).sub(sum(lgammaC(a), -1));
      return where(gt(bad, 0.5), -Infinity, sum(terms, -1).add(norm));
    },
    checkObserved(data) {
      const n = data.data.length / K;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const v = data.data[r * K + k]!;
          if (!(v >= 0)) throw new ModelError(`[Dirichlet] observed value ${v} at position ${r * K + k} is negative`);
          s += v;
        }
        if (Math.abs(s - 1) > 1e-8) throw new ModelError(`[Dirichlet] observed row ${r} sums to ${s}, not 1`);
      }
    },
    sample: (rng, at, shape) => eventDraws('Dirichlet', rng, at, batchShape, [K], [a], [1], shape, (r, [av]) => {
      const g = av!.map((v) => standardGamma(r, v));
      const s = g.reduce((p, q) => p + q, 0);
      return g.map((v) => v / s);
    }),
  });
}
