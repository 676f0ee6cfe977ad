// The node-by-node cross-check: the first node whose value, or whose derivative, leaves the tolerance.
import type { Dtype } from '../base/types.ts';
import type { GraphIR, Op } from '../graph/ir.ts';
import type { Shape } from '../graph/shape.ts';
import type { NodeTrace, NodeValues } from './engine.ts';
import { neededNodes } from './referenceEngine.ts';
import { maxAbs, tinyOf, UNIT_ROUNDOFF, vectorError } from './tolerance.ts';

export interface NodeInputInfo {
  readonly node: number;
  readonly op: Op;
  readonly shape: Shape;
  readonly reference: Float64Array;
  readonly engine?: Float64Array;
}

/**
 * A node singled out by the cross-check (or by the non-finite search):
 * - 'value': its forward value differs while all its inputs agree: the op itself computes differently;
 * - 'derivative': its value and incoming cotangent agree but the cotangent it sends to input `input` differs:
 *   its derivative rule is wrong (found walking backward from the log density, the order cotangents are made);
 * - 'adjoint': an engine without per-edge cotangents: the last node whose adjoint differs; one of `consumers`'
 *   derivative rules is at fault;
 * - 'nonFiniteValue' / 'nonFiniteDerivative': the first node that makes a NaN or ±∞ out of finite numbers.
 */
export interface NodeFinding {
  readonly kind: 'value' | 'derivative' | 'adjoint' | 'nonFiniteValue' | 'nonFiniteDerivative';
  readonly node: number;
  readonly op: Op;
  readonly shape: Shape;
  /** The model line that created the node (`file:line:col`), when it was recorded. */
  readonly src?: string;
  readonly input?: number;
  readonly inputs: readonly NodeInputInfo[];
  /** The node's incoming cotangent d logp / d node (derivative kinds). */
  readonly adjoint?: { readonly reference: Float64Array; readonly engine?: Float64Array };
  /** The reference's value, or cotangent for the derivative kinds. */
  readonly reference: Float64Array;
  readonly engine?: Float64Array;
  /** The element (flat index) with the largest error, or the first non-finite one. */
  readonly element: number;
  readonly error?: number;
  readonly tolerance?: number;
  readonly consumers?: readonly number[];
  /** The engine evaluated the node alone, on the reference's input values and incoming cotangent. */
  readonly isolated?: boolean;
}

function adjointsOf(ir: GraphIR, t: NodeValues): (Float64Array | null)[] {
  if (t.adjoints) return [...t.adjoints];
  const adj: (Float64Array | null)[] = ir.nodes.map(() => null);
  const out = new Float64Array(t.values[ir.output]!.length);
  out[0] = 1;
  adj[ir.output] = out;
  ir.nodes.forEach((n, i) => n.inputs.forEach((j, k) => {
    const e = t.edges?.[i]?.[k];
    if (!e) return;
    const a = (adj[j] ??= new Float64Array(e.length));
    for (let s = 0; s < e.length; s++) a[s]! += e[s]!;
  }));
  return adj;
}

export function inputsInfo(ir: GraphIR, node: number, ref: NodeValues, eng?: NodeValues): NodeInputInfo[] {
  return ir.nodes[node]!.inputs.map((j) => ({ node: j, op: ir.nodes[j]!.op, shape: ir.nodes[j]!.shape,
    reference: ref.values[j]!, engine: eng?.values[j] }));
}

const zerosLike = (a: Float64Array) => new Float64Array(a.length);

/**
 * Compares two traces of the same graph (the reference's and an engine's) node by node: forward values in
 * topological order first, then the cotangents walking back from the log density. Returns the first node
 * outside `tol`, or null when every node agrees. `isolated`: the engine's trace holds each node evaluated alone on
 * the reference's inputs (CheckEngine.nodesIsolated), so its inputs' values are the reference's.
 *
 * Scales: a float value against max(|its elements|, |its inputs' elements|), so that a cancellation is judged on
 * the size of what cancelled; a cotangent against max(|its elements|, u·max(1, ‖grad‖∞)), since a cotangent below
 * the rounding of the gradient itself cannot move it (MLX flushes some below 1e−80 to 0).
 */
export function firstDivergence(ir: GraphIR, ref: NodeTrace, eng: NodeValues, dtype: Dtype, tol: number, isolated = false):
  NodeFinding | null {
  const nodes = ir.nodes;
  const need = neededNodes(ir);
  const tiny = tinyOf(dtype);
  const cotFloor = Math.max(tiny, UNIT_ROUNDOFF[dtype] * Math.max(1, maxAbs(ref.grad)));
  const engIn = isolated ? undefined : eng;
  for (let i = 0; i < nodes.length; i++) {
    if (!need[i]) continue;
    const n = nodes[i]!;
    const r = ref.values[i]!;
    const a = eng.values[i]!;
    // a float node is judged on the scale of itself and its inputs (cancellation is the inputs' rounding);
    // bool and int nodes must match exactly
    const extra = n.dtype === 'float' ? maxAbs(...n.inputs.filter((j) => nodes[j]!.dtype === 'float').map((j) => ref.values[j]!)) : 0;
    const e = n.dtype === 'float' ? vectorError(a, r, tiny, extra) : vectorError(a, r, 1);
    const limit = n.dtype === 'float' ? tol : 0;
    if (e.error > limit) {
      return { kind: 'value', node: i, op: n.op, shape: n.shape, src: n.src, inputs: inputsInfo(ir, i, ref, engIn), reference: r,
        engine: a, element: e.index, error: e.error, tolerance: tol, isolated };
    }
  }
  const refAdj = adjointsOf(ir, ref);
  const engAdj = adjointsOf(ir, eng);
  if (ref.edges && eng.edges) {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const row = ref.edges[i];
      if (!need[i] || !row) continue;
      for (let k = 0; k < row.length; k++) {
        const r = row[k] ?? null;
        const a = eng.edges[i]?.[k] ?? null;
        if (!r && !a) continue;
        const rr = r ?? zerosLike(a!);
        const aa = a ?? zerosLike(r!);
        const e = vectorError(aa, rr, cotFloor);
        if (e.error > tol) {
          const n = nodes[i]!;
          return { kind: 'derivative', node: i, op: n.op, shape: n.shape, src: n.src, input: k, inputs: inputsInfo(ir, i, ref, engIn),
            adjoint: { reference: refAdj[i] ?? zerosLike(ref.values[i]!), engine: isolated ? undefined : engAdj[i] ?? undefined },
            reference: rr, engine: aa, element: e.index, error: e.error, tolerance: tol, isolated };
        }
      }
    }
    return null;
  }
  for (let j = nodes.length - 1; j >= 0; j--) {
    const r = refAdj[j];
    const a = engAdj[j];
    if (!need[j] || (!r && !a)) continue;
    const rr = r ?? zerosLike(a!);
    const aa = a ?? zerosLike(r!);
    const e = vectorError(aa, rr, cotFloor);
    if (e.error > tol) {
      const n = nodes[j]!;
      const consumers = nodes.flatMap((c, i) => (need[i] && c.inputs.includes(j) ? [i] : []));
      return { kind: 'adjoint', node: j, op: n.op, shape: n.shape, src: n.src, inputs: inputsInfo(ir, j, ref, eng), reference: rr,
        engine: aa, element: e.index, error: e.error, tolerance: tol, consumers };
    }
  }
  return null;
}
