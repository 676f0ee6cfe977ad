// The reference backend: a float64 interpreter of the graph with reverse-mode AD (the oracle for MLX).
import type { GraphIR } from '../../graph/ir.ts';
import { checkBatch, type Density, type LogpGrad } from '../density.ts';
import { backwardNode } from './backward.ts';
import { forwardNode } from './forward.ts';
import { planNode, type NodePlan } from './plan.ts';

export class GraphInterpreter {
  readonly plans: NodePlan[];
  /** Whether each node depends on the unconstrained vector (only those need cotangents). */
  private readonly live: boolean[];

  constructor(readonly ir: GraphIR) {
    const nodes = ir.nodes;
    this.plans = nodes.map((n) => planNode(n, n.inputs.map((i) => nodes[i]!.shape),
      (k) => nodes[n.inputs[k]!]!.data as Int32Array));
    this.live = nodes.map(() => false);
    nodes.forEach((n, i) => {
      this.live[i] = n.op === 'param' || (n.dtype === 'float' && n.inputs.some((j) => this.live[j]));
    });
  }

  /** Evaluates every node up to `upTo` (inclusive) at q. */
  forward(q: Float64Array, upTo = this.ir.nodes.length - 1): Float64Array[] {
    const nodes = this.ir.nodes;
    const vals: Float64Array[] = [];
    for (let i = 0; i <= upTo; i++) {
      const n = nodes[i]!;
      vals.push(forwardNode(n, this.plans[i]!, n.inputs.map((j) => vals[j]!), q, n.inputs.map((j) => nodes[j]!.shape)));
    }
    return vals;
  }

  logpGrad(q: Float64Array): LogpGrad {
    const nodes = this.ir.nodes;
    const out = this.ir.output;
    const vals = this.forward(q, out);
    const grads: (Float64Array | null)[] = vals.map((v, i) => (this.live[i] ? new Float64Array(v.length) : null));
    const grad = new Float64Array(this.ir.dim);
    if (!grads[out]) return { logp: vals[out]![0]!, grad }; // a log density that does not depend on q
    grads[out][0] = 1;
    for (let i = out; i >= 0; i--) {
      const g = grads[i];
      if (!g) continue;
      const n = nodes[i]!;
      if (n.op === 'param') {
        const off = n.attrs!.offset!;
        for (let k = 0; k < g.length; k++) grad[off + k]! += g[k]!;
        continue;
      }
      backwardNode(n, this.plans[i]!, n.inputs.map((j) => vals[j]!), vals[i]!, g, n.inputs.map((j) => grads[j] ?? null),
        n.inputs.map((j) => nodes[j]!.shape));
    }
    return { logp: vals[out]![0]!, grad };
  }
}

export class ReferenceDensity implements Density {
  readonly backend = 'reference' as const;
  readonly dtype = 'float64' as const;
  readonly dim: number;
  private readonly interp: GraphInterpreter;

  constructor(ir: GraphIR) {
    this.interp = new GraphInterpreter(ir);
    this.dim = ir.dim;
  }

  logpGrad(q: Float64Array): LogpGrad {
    checkBatch('logpGrad', this.dim, q, 1);
    return this.interp.logpGrad(q);
  }

  logpGradBatch(Q: Float64Array, chains: number, outLogp?: Float64Array, outGrad?: Float64Array) {
    checkBatch('logpGradBatch', this.dim, Q, chains);
    const logp = outLogp ?? new Float64Array(chains);
    const grad = outGrad ?? new Float64Array(chains * this.dim);
    for (let c = 0; c < chains; c++) {
      const r = this.interp.logpGrad(Q.subarray(c * this.dim, (c + 1) * this.dim));
      logp[c] = r.logp;
      grad.set(r.grad, c * this.dim);
    }
    return { logp, grad };
  }

  dispose(): void {}
}
