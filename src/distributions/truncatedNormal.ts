// TruncatedNormal(mu, sigma, lower?, upper?): log p(x) = log Normal(x | μ, σ) − log(Φ(β) − Φ(α)) on [L, U].
import type { Operand } from '../graph/expr.ts';
import { sizeOf } from '../graph/shape.ts';
import { positive, real, type Distribution } from './distribution.ts';
import { Normal } from './normal.ts';
import { broadcastValues, drawShape } from './sampling.ts';
import { Truncated } from './truncated.ts';
import { boundArg, truncatedStdNormal } from './truncation.ts';
import { ArgChecks } from './argChecks.ts';

/**
 * TruncatedNormal(μ, σ, lower?, upper?) = Stan's normal(μ, σ) T[lower, upper]: α = (L − μ)/σ, β = (U − μ)/σ, and
 * log(Φ(β) − Φ(α)) is taken from whichever tail keeps it accurate. Leave a bound out (or pass null / ±Infinity) for
 * a one-sided truncation; bounds may be expressions of parameters. Draws use Robert's (1995) exact samplers.
 */
export function TruncatedNormal(mu: Operand, sigma: Operand, lower?: Operand | null, upper?: Operand | null): Distribution {
  const ck = new ArgChecks('TruncatedNormal');
  const m = real('TruncatedNormal', 'mu', mu);
  const s = ck.positive('sigma', sigma);
  const lo = boundArg('TruncatedNormal', 'lower', lower, -1);
  const hi = boundArg('TruncatedNormal', 'upper', upper, 1);
  const d = Truncated(Normal(m, s), lo, hi, 'TruncatedNormal');
  return ck.wrap({
    ...d,
    sample(rng, at, shape) {
      const out = drawShape('TruncatedNormal', d.batchShape, [], shape);
      const v = broadcastValues(at, [m, s, ...(lo ? [lo] : []), ...(hi ? [hi] : [])], out);
      const res = new Float64Array(sizeOf(out));
      for (let i = 0; i < res.length; i++) {
        const mv = v(0, i);
        const sv = v(1, i);
        const a = lo ? (v(2, i) - mv) / sv : -Infinity;
        const b = hi ? (v(lo ? 3 : 2, i) - mv) / sv : Infinity;
        res[i] = mv + sv * truncatedStdNormal(rng, a, b);
      }
      return res;
    },
  });
}
