// A density whose constrained values come as flat columns (the fused engines, CPU and GPU) as a ModelDensity.
import { OptionError } from '../base/errors.ts';
import type { TracedModel } from '../model/traced.ts';
import { sizeOf } from '../graph/shape.ts';
import type { TransitionKernel } from '../kernel/seam.ts';
import type { Density, LogpGrad } from './density.ts';
import type { Dtype } from '../base/types.ts';
import type { ModelDensity } from './modelDensity.ts';

/** What a fused engine's density offers: logp and gradient, a kernel, and every named value as one row of columns. */
export interface ColumnsSource {
  readonly dim: number;
  readonly dtype: Dtype;
  logpGrad(q: Float64Array): LogpGrad;
  logpGradBatch: Density['logpGradBatch'];
  dispose(): void;
  kernel(seed: number, chainIds: readonly number[], maxTreeDepth: number): TransitionKernel;
  /** Constrained values of every parameter and deterministic, flattened in declaration order, for n points. */
  constrainColumns(Q: Float64Array, n: number): Float64Array;
}

export function columnsModelDensity(traced: TracedModel, d: ColumnsSource, compileSeconds: number): ModelDensity {
  const named = [...traced.params, ...traced.deterministics];
  return {
    model: traced,
    dim: d.dim,
    backend: 'fused',
    dtype: d.dtype,
    compileSeconds,
    logpGrad: (q) => d.logpGrad(q),
    logpGradBatch: (Q, chains, lp, g) => d.logpGradBatch(Q, chains, lp, g),
    dispose: () => d.dispose(),
    kernel: (seed, ids, depth) => d.kernel(seed, ids, depth),
    constrain(q: Float64Array) {
      if (!(q instanceof Float64Array) || q.length !== d.dim) throw new OptionError(`[constrain] q must be a Float64Array of length ${d.dim}`);
      const cols = d.constrainColumns(q, 1);
      const out: Record<string, Float64Array> = {};
      let o = 0;
      for (const p of named) {
        const n = sizeOf(p.shape);
        out[p.name] = cols.slice(o, o + n);
        o += n;
      }
      return out;
    },
  };
}
