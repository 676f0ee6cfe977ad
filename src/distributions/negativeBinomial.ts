// NegativeBinomial(mu, phi) (Stan's neg_binomial_2): log p(k) = log C(k+φ−1, k) + k·log(μ/(μ+φ)) + φ·log(φ/(μ+φ)).
import { ModelError } from '../base/errors.ts';
import type { Expr, Operand } from '../graph/expr.ts';
import { gt, log, log1p, lt, maximum, softplus, where } from '../graph/ops.ts';
import { poisson, standardGamma } from '../random/draws.ts';
import { anyOf, batchOf, floored, isOptions, outsideSupport, param, positive, real, type Distribution } from './distribution.ts';
import { checkIntegers, folded, nonInteger } from './discrete.ts';
import { scalarDraws } from './sampling.ts';
import { lbeta } from './special.ts';
import { lgamma as hostLgamma } from '../math/special.ts';
import { ArgChecks } from './argChecks.ts';

/**
 * NegativeBinomial(μ, φ): mean μ, variance μ + μ²/φ (a Gamma(φ, φ/μ) mixture of Poissons). With
 * NegativeBinomial({ logMu, phi }) it is Stan's neg_binomial_2_log. φ·log(φ/(μ+φ)) is written −φ·log1p(μ/φ).
 */
export function NegativeBinomial(mu: Operand | { logMu: Operand; phi: Operand }, phi?: Operand): Distribution {
  const opts = isOptions(mu) ? mu as { logMu?: Operand; mu?: Operand; phi?: Operand } : { mu: mu as Operand, phi };
  if (isOptions(mu) && opts.logMu === undefined && opts.mu === undefined) throw new ModelError('[NegativeBinomial] give mu or logMu');
  const ck = new ArgChecks('NegativeBinomial');
  const ph = ck.positive('phi', opts.phi as Operand);
  const logMu = opts.logMu !== undefined ? real('NegativeBinomial', 'logMu', opts.logMu) : null;
  const m = logMu ? null
    : ck.nonNegative(param('NegativeBinomial', 'mu', opts.mu as Operand, (v) => v >= 0 && Number.isFinite(v), 'non-negative and finite'));
  const theta = (logMu ?? m)!;
  const batchShape = batchOf('NegativeBinomial', { [logMu ? 'logMu' : 'mu']: theta, phi: ph });
  return ck.wrap({
    name: 'NegativeBinomial',
    support: { kind: 'count' },
    batchShape,
    eventShape: [],
    logProb(k: Expr) {
      // k·log(μ/(μ+φ)) = −k·log1p(φ/μ) and φ·log(φ/(μ+φ)) = −φ·log1p(μ/φ): no difference of nearby logs
      const pf = floored(ph);
      const pos = gt(k, 0);
      const kTerm = logMu ? k.mul(softplus(log(pf).sub(logMu))).neg()
        : where(pos, k.mul(log1p(pf.div(where(pos, m!, 1)))).neg(), 0);
      const phiTerm = logMu ? pf.mul(softplus(logMu.sub(log(pf)))).neg() : pf.mul(log1p(m!.div(pf))).neg();
      // log C(k + φ − 1, k) = −log k − log B(k, φ) for k ≥ 1 (0 at k = 0): lbeta avoids lgamma(k + φ) − lgamma(φ)
      const logChoose = folded([k, ph], (kv, pv) => hostLgamma(kv + pv) - hostLgamma(pv) - hostLgamma(kv + 1), (ke, pe) => {
        const ks = maximum(ke, 1);
        return where(gt(ke, 0.5), log(ks).add(lbeta(ks, pe)).neg(), 0);
      });
      const lp = logChoose.add(kTerm).add(phiTerm);
      return outsideSupport(anyOf(lt(k, 0), nonInteger(k)), lp);
    },
    checkObserved: (data) => checkIntegers('NegativeBinomial', data, 0, Infinity),
    sample: (rng, at, shape) => scalarDraws('NegativeBinomial', rng, at, batchShape, [theta, ph], shape, (r, [t, p]) => {
      const mean = logMu ? Math.exp(t!) : t!;
      return mean === 0 ? 0 : poisson(r, (standardGamma(r, p!) * mean) / p!);
    }),
  });
}
