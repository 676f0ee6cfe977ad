// logDensityAt(model, { mu: 1, tau: 2, … }): the model's log density at named values on the constrained scale (float64).
import { OptionError } from '../base/errors.ts';
import { GraphInterpreter } from './reference/interpreter.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import { unconstrainPoint } from '../model/pointValues.ts';

export interface LogDensityAtOptions {
  /**
   * Add the log-Jacobians of the transforms to the unconstrained space (default false). With true the value is the
   * sampler's lp__ at that point; with false it is log p(θ) + log p(y | θ), the density of the constrained parameters.
   */
  readonly jacobian?: boolean;
}

/**
 * The log density of `model` at constrained parameter values given by name (every parameter, each with its declared
 * shape), with every normalising constant, evaluated in float64 on the host. Errors name the parameter.
 */
export function logDensityAt(model: Model | TracedModel, values: Readonly<Record<string, unknown>>, opts: LogDensityAtOptions = {}): number {
  if (!model || (typeof (model as Model).trace !== 'function' && !('ir' in model))) {
    throw new OptionError('[logDensityAt] the first argument must be a model (from model(name, fn))');
  }
  const t: TracedModel = 'ir' in model ? model : model.trace('float64');
  const { q } = unconstrainPoint(t, values, 'logDensityAt');
  const vals = new GraphInterpreter(t.ir).forward(q);
  let total = vals[t.ir.output]![0]!;
  if (opts.jacobian !== true) {
    for (const term of t.terms) if (term.label.startsWith('log-Jacobian of ')) total -= vals[term.node]![0]!;
  }
  return total;
}
