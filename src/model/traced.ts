// A model traced for one dtype: its graph, the parameter layout, deterministics, observations and log-density terms.
import type { Dtype } from '../base/types.ts';
import type { Distribution } from '../distributions/distribution.ts';
import type { Transform } from '../transforms/transform.ts';
import type { HostTensor } from '../graph/constant.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { Shape } from '../graph/shape.ts';

export interface ParamInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly offset: number;
  readonly size: number;
  readonly transform: Transform;
  /** The prior (used to draw the parameter in prior predictive simulation). */
  readonly dist: Distribution;
  /** Graph node holding the constrained value. */
  readonly node: number;
}

export interface DeterministicInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly node: number;
}

export interface ObservedInfo {
  readonly name: string;
  readonly dist: Distribution;
  readonly data: HostTensor;
}

export interface TracedModel {
  readonly name: string;
  readonly dtype: Dtype;
  readonly ir: GraphIR;
  readonly params: readonly ParamInfo[];
  readonly deterministics: readonly DeterministicInfo[];
  readonly observed: readonly ObservedInfo[];
  readonly terms: readonly { readonly label: string; readonly node: number }[];
}
