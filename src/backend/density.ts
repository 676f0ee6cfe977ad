// The Density interface every backend implements: a narrow, fused logp-and-gradient over a batch of chains.
import { OptionError } from '../base/errors.ts';
import type { BackendName, Dtype } from '../base/types.ts';

export interface LogpGrad {
  readonly logp: number;
  readonly grad: Float64Array;
}

export interface Density {
  readonly dim: number;
  readonly backend: BackendName;
  readonly dtype: Dtype;
  /** logp and its gradient at one unconstrained point q (length dim). */
  logpGrad(q: Float64Array): LogpGrad;
  /**
   * logp and gradient for Q = chains × dim (row-major) in one call; results go to outLogp (chains) and
   * outGrad (chains × dim), which are allocated when not given.
   */
  logpGradBatch(Q: Float64Array, chains: number, outLogp?: Float64Array, outGrad?: Float64Array):
    { logp: Float64Array; grad: Float64Array };
  dispose(): void;
}

export function checkBatch(fn: string, dim: number, Q: Float64Array, chains: number): void {
  if (!Number.isInteger(chains) || chains < 1) throw new OptionError(`[${fn}] chains must be a positive integer, got ${chains}`);
  if (!(Q instanceof Float64Array)) throw new OptionError(`[${fn}] Q must be a Float64Array`);
  if (Q.length !== chains * dim) {
    throw new OptionError(`[${fn}] Q has length ${Q.length}, expected chains × dim = ${chains} × ${dim} = ${chains * dim}`);
  }
}
