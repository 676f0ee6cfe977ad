// NegativeBinomial(mu, phi) (Stan's neg_binomial_2): log p(k) = log C(k+φ−1, k) + k·log(μ/(μ+φ)) + φ·log(φ/(μ+φ)).
import type { Operand } from '../graph/expr.ts';
import { lgamma, log, log1p, logAddExp, lt } from '../graph/ops.ts';
import { poisson, standardGamma } from '../random/draws.ts';
import { anyOf, batchOf, floored, isOptions, outsideSupport, param, positive, real, type Distribution,
  type Expr } from './distribution.ts';
import { checkIntegers, folded, negLogFactorial, nonInteger } from './discrete.ts';
import { scalarDraws } from './sampling.ts';
import { xlogy } from './special.ts';
import { lgamma as hostLgamma } from '../backend/reference/special.ts';

/**
 * NegativeBinomial(μ, φ): mean μ, variance μ + μ²/φ (a Gamma(φ, φ/μ) mixture of Poissons). With
 * NegativeBinomial({ logMu, phi }) it is Stan's neg_binomial_2_log. φ·log(φ/(μ+φ)) is written −φ·log1p(μ/φ).
 */
export function NegativeBinomial(mu: Operand | { logMu: Operand; phi: Operand }, phi?: Operand): Distribution {
  const opts = isOptions(mu) ? mu as { logMu?: Operand; mu?: Operand; phi?: Operand } : { mu: mu as Operand, phi };
  if (isOptions(mu) && opts.logMu === undefined && opts.mu === undefined) throw new Error('[NegativeBinomial] give mu or logMu');
  const ph = positive('NegativeBinomial', 'phi', opts.phi as Operand);
  const logMu = opts.logMu !== undefined ? real('NegativeBinomial', 'logMu', opts.logMu) : null;
  const m = logMu ? null
    : param('NegativeBinomial', 'mu', opts.mu as Operand, (v) => v >= 0 && Number.isFinite(v), 'non-negative and finite');
  const theta = (logMu ?? m)!;
  const batchShape = batchOf('NegativeBinomial', { [logMu ? 'logMu' : 'mu']: theta, phi: ph });
  return {
    name: 'NegativeBinomial',
    support: { kind: 'count' },
    batchShape,
    eventShape: [],
    logProb(k: Expr) {
      const pf = floored(ph);
      const logMuPlusPhi = logMu ? logAddExp(logMu, log(pf)) : log(m!.add(pf));
      const kTerm = logMu ? k.mul(logMu.sub(logMuPlusPhi)) : xlogy(k, m!).sub(k.mul(logMuPlusPhi));
      const phiTerm = logMu ? pf.mul(log(pf).sub(logMuPlusPhi)) : pf.mul(log1p(m!.div(pf))).neg();
      const lgRatio = folded([k, ph], (kv, pv) => hostLgamma(kv + pv) - hostLgamma(pv), (ke, pe) => lgamma(ke.add(pe)).sub(lgamma(pe)));
      const lp = lgRatio.add(negLogFactorial(k)).add(kTerm).add(phiTerm);
      return outsideSupport(anyOf(lt(k, 0), nonInteger(k)), lp);
    },
    checkObserved: (data) => checkIntegers('NegativeBinomial', data, 0, Infinity),
    sample: (rng, at, shape) => scalarDraws('NegativeBinomial', rng, at, batchShape, [theta, ph], shape, (r, [t, p]) => {
      const mean = logMu ? Math.exp(t!) : t!;
      return mean === 0 ? 0 : poisson(r, (standardGamma(r, p!) * mean) / p!);
    }),
  };
}
