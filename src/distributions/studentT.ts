// StudentT(nu, mu, sigma): log p(x) = lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) − log σ − (ν+1)/2 · log(1 + z²/ν).
import { type Expr, lift, type Operand } from '../graph/expr.ts';
import { log, log1p, square } from '../graph/ops.ts';
import { standardGamma } from '../random/draws.ts';
import type { Rng } from '../random/rng.ts';
import { batchOf, floored, positive, real, type Distribution } from './distribution.ts';
import { scalarDraws } from './sampling.ts';
import { lbeta } from './special.ts';
import { ArgChecks } from './argChecks.ts';

/** Standard Student-t draw: Z / √(χ²_ν / ν). */
export function studentTDraw(rng: Rng, nu: number): number {
  return rng.normal() / Math.sqrt((2 * standardGamma(rng, nu / 2)) / nu);
}

/**
 * log density of the standardised t at z = (x − μ)/σ, without the −log σ term. The normaliser
 * lgamma((ν+1)/2) − lgamma(ν/2) − ½ log(νπ) is written −log B(ν/2, ½) − ½ log ν (Γ(½) = √π), which lbeta keeps
 * accurate for large ν in float32.
 */
export function studentTKernel(n: Expr, z: Expr): Expr {
  const nf = floored(n);
  return lbeta(n.mul(0.5), lift('StudentT', 'half', 0.5, n.g)).neg().sub(log(nf).mul(0.5))
    .sub(n.add(1).mul(0.5).mul(log1p(square(z).div(nf))));
}

/** StudentT(ν, μ, σ) (Stan's student_t). Mean μ for ν > 1; variance σ²ν/(ν − 2) for ν > 2. No CDF here. */
export function StudentT(nu: Operand, mu: Operand, sigma: Operand): Distribution {
  const ck = new ArgChecks('StudentT');
  const n = ck.positive('nu', nu);
  const m = real('StudentT', 'mu', mu);
  const s = ck.positive('sigma', sigma);
  const batchShape = batchOf('StudentT', { nu: n, mu: m, sigma: s });
  return ck.wrap({
    name: 'StudentT',
    support: { kind: 'real' },
    batchShape,
    eventShape: [],
    logProb: (x) => studentTKernel(n, x.sub(m).div(floored(s))).sub(log(floored(s))),
    sample: (rng, at, shape) => scalarDraws('StudentT', rng, at, batchShape, [n, m, s], shape,
      (r, [nv, mv, sv]) => mv! + sv! * studentTDraw(r, nv!)),
  });
}
