// The support → transform registry: which bijector m.param uses for a family's support.
import { ModelError } from '../base/errors.ts';
import type { Support } from '../distributions/distribution.ts';
import { corrCholesky } from '../transforms/corrCholesky.ts';
import { boundsTransform, identity, interval, log, lowerBound, upperBound } from '../transforms/elementwise.ts';
import { ordered, positiveOrdered } from '../transforms/ordered.ts';
import { simplex } from '../transforms/simplex.ts';
import type { Transform } from '../transforms/transform.ts';

/**
 * The default transform for `support`: real → identity, positive → log, bounds → lower/upper/interval,
 * simplex → stick-breaking, ordered / positiveOrdered → cumulative exp steps, corrCholesky → partial correlations.
 * Discrete supports and censored observations have none: they can be observed, not sampled.
 */
export function transformFor(support: Support, family = 'distribution'): Transform {
  switch (support.kind) {
    case 'real': return identity;
    case 'positive': return log;
    case 'interval': {
      const { lower, upper } = support;
      if (typeof lower === 'number' && typeof upper === 'number') return boundsTransform(lower, upper);
      return interval(lower, upper);
    }
    case 'greaterThan': return typeof support.lower === 'number' ? boundsTransform(support.lower, undefined) : lowerBound(support.lower);
    case 'lessThan': return typeof support.upper === 'number' ? boundsTransform(undefined, support.upper) : upperBound(support.upper);
    case 'simplex': return simplex;
    case 'ordered': return ordered;
    case 'positiveOrdered': return positiveOrdered;
    case 'corrCholesky': return corrCholesky;
    case 'censored':
      throw new ModelError(`[param] ${family} has point masses at its bounds: it can be observed, not sampled`);
    case 'binary':
    case 'count':
    case 'integerInterval':
      throw new ModelError(`[param] ${family} is a discrete distribution: it can be observed, not sampled`);
  }
}
