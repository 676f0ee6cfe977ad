// Where a NaN or infinity comes from: the first node of the reference that makes one out of finite numbers.
import type { GraphIR } from '../graph/ir.ts';
import type { NodeTrace } from './engine.ts';
import { inputsInfo, type NodeFinding } from './nodeDiff.ts';
import { neededNodes } from './referenceEngine.ts';

const firstBad = (v: Float64Array) => v.findIndex((x) => !Number.isFinite(x));
const allFinite = (v: Float64Array | null | undefined) => !v || v.every(Number.isFinite);

/**
 * When the log density or its gradient is not finite at a point: the first node (in topological order) whose
 * value is non-finite although its inputs are finite; if every value is finite, the first cotangent (walking
 * back from the log density) that is non-finite although the node's incoming cotangent and values are finite.
 * Null when logp and gradient are finite.
 */
export function findNonFinite(ir: GraphIR, t: NodeTrace): NodeFinding | null {
  if (Number.isFinite(t.logp) && t.grad.every(Number.isFinite)) return null;
  const need = neededNodes(ir);
  const nodes = ir.nodes;
  for (let i = 0; i < nodes.length; i++) {
    if (!need[i]) continue;
    const v = t.values[i]!;
    const at = firstBad(v);
    if (at < 0 || !nodes[i]!.inputs.every((j) => allFinite(t.values[j]))) continue;
    const n = nodes[i]!;
    return { kind: 'nonFiniteValue', node: i, op: n.op, shape: n.shape, src: n.src, inputs: inputsInfo(ir, i, t), reference: v,
      element: at };
  }
  for (let i = nodes.length - 1; i >= 0; i--) {
    const row = t.edges?.[i];
    const adj = t.adjoints?.[i];
    if (!need[i] || !row || !allFinite(adj)) continue;
    for (let k = 0; k < row.length; k++) {
      const e = row[k];
      if (!e) continue;
      const at = firstBad(e);
      if (at < 0) continue;
      const n = nodes[i]!;
      return { kind: 'nonFiniteDerivative', node: i, op: n.op, shape: n.shape, src: n.src, input: k, inputs: inputsInfo(ir, i, t),
        adjoint: { reference: adj ?? new Float64Array(t.values[i]!.length) }, reference: e, element: at };
    }
  }
  return null;
}
