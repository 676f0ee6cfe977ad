// The small interface check() compares engines through, and the registry of engines it knows how to build.
import type { Device, Dtype } from '../base/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { TracedModel } from '../model/traced.ts';

/** Per-node values and cotangents of a graph: the part of a NodeTrace the cross-check compares. */
export interface NodeValues {
  /** values[i]: node i's value, flattened row-major (bool/int nodes as 0/1 and integers). */
  readonly values: readonly Float64Array[];
  /**
   * edges[i][k]: the cotangent node i's derivative rule sent to its k-th input (null where the input takes none).
   * With it the first wrong derivative is named exactly; an engine may leave it out and give `adjoints` instead.
   */
  readonly edges?: readonly (readonly (Float64Array | null)[])[];
  /** adjoints[i]: d logp / d node i (null for nodes that do not depend on q). Derived from edges when absent. */
  readonly adjoints?: readonly (Float64Array | null)[];
}

/** Every node of an engine's graph at one point, with the logp and gradient the same evaluation gives. */
export interface NodeTrace extends NodeValues {
  readonly logp: number;
  readonly grad: Float64Array;
}

/** One engine at one dtype and device, evaluating the graph `ir` (the model traced for that dtype). */
export interface CheckEngine {
  /** e.g. 'mlx', 'fused'; with dtype and device it names the engine in reports. */
  readonly name: string;
  readonly dtype: Dtype;
  readonly device: Device;
  readonly ir: GraphIR;
  logpGrad(q: Float64Array): { logp: number; grad: Float64Array };
  /** Several points in one call (Q is chains × dim, row-major), when the engine has a batched path of its own. */
  logpGradBatch?(Q: Float64Array, chains: number): { logp: Float64Array; grad: Float64Array };
  /** Per-node values and cotangents (a debug path; not needed for the logp and gradient comparison). */
  nodes?(q: Float64Array): NodeTrace;
  /**
   * Every node evaluated alone: its value from the given values of its inputs, and the cotangents its derivative
   * rule sends to them from its given incoming cotangent (the reference's, at point q). Then a node is judged on its
   * own op, not on the rounding its inputs picked up upstream. Preferred by the cross-check when present.
   */
  nodesIsolated?(q: Float64Array, given: { readonly values: readonly Float64Array[]; readonly adjoints: readonly (Float64Array | null)[] }):
    NodeValues;
  dispose?(): void;
}

/** How check() finds and builds an engine: which dtypes and devices it offers on this machine. */
export interface CheckEngineFactory {
  readonly name: string;
  /** The (dtype, device) pairs available here, or a reason why none is. */
  variants(): { dtype: Dtype; device: Device }[] | string;
  /** Builds the engine for `model`, the model traced for `dtype` (its graph is `model.ir`). */
  create(model: TracedModel, dtype: Dtype, device: Device): CheckEngine;
}

const factories: CheckEngineFactory[] = [];

/**
 * Adds an engine to the ones check() compares with the reference (a later registration of a name replaces it);
 * returns a function that removes it again.
 */
export function registerCheckEngine(f: CheckEngineFactory): () => void {
  const i = factories.findIndex((g) => g.name === f.name);
  if (i >= 0) factories[i] = f;
  else factories.push(f);
  return () => {
    const k = factories.indexOf(f);
    if (k >= 0) factories.splice(k, 1);
  };
}

export function checkEngineFactories(): readonly CheckEngineFactory[] {
  return factories;
}

/** `mlx float32 cpu` */
export function engineLabel(e: { name: string; dtype: Dtype; device: Device }): string {
  return `${e.name} ${e.dtype} ${e.device}`;
}
