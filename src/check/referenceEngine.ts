// The float64 reference interpreter as a CheckEngine: every node's value and every input cotangent, on the host.
import { backwardNode } from '../backend/reference/backward.ts';
import { GraphInterpreter } from '../backend/reference/interpreter.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { CheckEngine, NodeTrace } from './engine.ts';

/** Nodes that depend on the unconstrained vector (only they carry cotangents), as the interpreter decides. */
export function liveNodes(ir: GraphIR): boolean[] {
  const live: boolean[] = [];
  ir.nodes.forEach((n, i) => {
    live[i] = n.op === 'param' || (n.dtype === 'float' && n.inputs.some((j) => live[j]));
  });
  return live;
}

/** Nodes the log density reads (the output and everything upstream of it). */
export function neededNodes(ir: GraphIR): boolean[] {
  const need = ir.nodes.map(() => false);
  need[ir.output] = true;
  for (let i = ir.output; i >= 0; i--) if (need[i]) for (const j of ir.nodes[i]!.inputs) need[j] = true;
  return need;
}

/**
 * The reference's backward pass with each edge kept apart: the same forward values and derivative rules as
 * ReferenceDensity.logpGrad (src/backend/reference), so a fault in those rules shows here too.
 */
export function referenceTrace(interp: GraphInterpreter, q: Float64Array): NodeTrace {
  const ir = interp.ir;
  const nodes = ir.nodes;
  const live = liveNodes(ir);
  const values = interp.forward(q);
  const adjoints: (Float64Array | null)[] = values.map((v, i) => (live[i] ? new Float64Array(v.length) : null));
  const edges: (Float64Array | null)[][] = nodes.map((n) => n.inputs.map(() => null));
  const grad = new Float64Array(ir.dim);
  const out = ir.output;
  if (adjoints[out]) adjoints[out][0] = 1;
  for (let i = out; i >= 0; i--) {
    const g = adjoints[i];
    if (!g) continue;
    const n = nodes[i]!;
    if (n.op === 'param') {
      const off = n.attrs!.offset!;
      for (let k = 0; k < g.length; k++) grad[off + k]! += g[k]!;
      continue;
    }
    const gins = n.inputs.map((j) => (live[j] ? new Float64Array(values[j]!.length) : null));
    backwardNode(n, interp.plans[i]!, n.inputs.map((j) => values[j]!), values[i]!, g, gins,
      n.inputs.map((j) => nodes[j]!.shape));
    gins.forEach((e, k) => {
      if (!e) return;
      edges[i]![k] = e;
      const a = adjoints[n.inputs[k]!]!;
      for (let t = 0; t < e.length; t++) a[t]! += e[t]!;
    });
  }
  return { logp: values[out]![0]!, grad, values, edges, adjoints };
}

export class ReferenceCheckEngine implements CheckEngine {
  readonly name = 'reference';
  readonly dtype = 'float64' as const;
  readonly device = 'cpu' as const;
  readonly interp: GraphInterpreter;

  constructor(readonly ir: GraphIR) {
    this.interp = new GraphInterpreter(ir);
  }

  logpGrad(q: Float64Array): { logp: number; grad: Float64Array } {
    return this.interp.logpGrad(q);
  }

  nodes(q: Float64Array): NodeTrace {
    return referenceTrace(this.interp, q);
  }
}
