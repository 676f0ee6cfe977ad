// The density sample() and check() work with: a Density that also knows its traced model and its constrained values.
import type { TracedModel } from '../model/traced.ts';
import type { TransitionKernel } from '../kernel/seam.ts';
import type { Density } from './density.ts';
import type { NativeProfile } from './native.ts';

/** A compiled density that also knows its model: parameter layout and the map to the constrained scale. */
export interface ModelDensity extends Density {
  readonly model: TracedModel;
  /** Constrained values of every parameter and deterministic at unconstrained q (float64, on the host). */
  constrain(q: Float64Array): Record<string, Float64Array>;
  /** MLX only: where native time went since the last call (see src/backend/native.ts). */
  takeProfile?(): NativeProfile;
  /** Fused only: the native NUTS kernel, and what compiling cost. */
  kernel?(seed: number, chainIds: readonly number[], maxTreeDepth: number): TransitionKernel;
  readonly compileSeconds?: number;
}
