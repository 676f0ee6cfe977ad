// Flat() and HalfFlat(): improper uniform priors, log p(x) = 0 on the real line or on (0, ∞).
import { ModelError } from '../base/errors.ts';
import { broadcastTo, type Expr, lift } from '../graph/expr.ts';
import { lt } from '../graph/ops.ts';
import { outsideSupport, type Distribution } from './distribution.ts';

function improper(name: string): never {
  throw new ModelError(`[${name}] is improper: it has no draws (give the parameter a proper prior for predictive simulation)`);
}

/** Flat(): the improper uniform prior on the real line (Stan's default for an unconstrained parameter without a prior). */
export function Flat(): Distribution {
  return {
    name: 'Flat',
    support: { kind: 'real' },
    batchShape: [],
    eventShape: [],
    logProb: (x: Expr) => x.mul(0), // 0, but a function of x (a constant log density cannot be differentiated)
    sample: () => improper('Flat'),
  };
}

/** HalfFlat(): the improper uniform prior on (0, ∞) (log transform; density 0 below 0). */
export function HalfFlat(): Distribution {
  return {
    name: 'HalfFlat',
    support: { kind: 'positive' },
    batchShape: [],
    eventShape: [],
    logProb: (x: Expr) => outsideSupport(lt(x, 0), broadcastTo(lift('HalfFlat', 'logp', 0, x.g), x.shape)),
    sample: () => improper('HalfFlat'),
  };
}
