// The fused engine (generated C++) as a check() engine: logp and gradient from its library, and the node-by-node
// view from a debug build of the same source that copies out every node's value and adjoint.
import type { Device, Dtype } from '../base/types.ts';
import { buildFusedSync, FusedDensity } from '../backend/fused.ts';
import { nodeOffsets } from '../codegen/emitModel.ts';
import { compilerVersion } from '../codegen/compile.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { TracedModel } from '../model/traced.ts';
import { sizeOf } from '../graph/shape.ts';
import { registerCheckEngine, type CheckEngine, type CheckEngineFactory, type NodeTrace } from './engine.ts';

class FusedCheckEngine implements CheckEngine {
  readonly name = 'fused';
  readonly device: Device = 'cpu';
  readonly ir: GraphIR;
  private readonly density: FusedDensity;
  private debug: FusedDensity | null = null;

  constructor(private readonly model: TracedModel, readonly dtype: Dtype) {
    this.ir = model.ir;
    // the library sample() uses (same cache entry); the debug build is compiled only when nodes are asked for
    this.density = new FusedDensity(model, buildFusedSync(model, dtype));
  }

  logpGrad(q: Float64Array) {
    return this.density.logpGrad(q);
  }

  logpGradBatch(Q: Float64Array, chains: number) {
    return this.density.logpGradBatch(Q, chains);
  }

  nodes(q: Float64Array): NodeTrace {
    this.debug ??= new FusedDensity(this.model, buildFusedSync(this.model, this.dtype, undefined, true));
    const r = this.debug.debugNodes(q);
    const offs = nodeOffsets(this.ir);
    const values: Float64Array[] = [];
    const adjoints: (Float64Array | null)[] = [];
    this.ir.nodes.forEach((n, k) => {
      const size = sizeOf(n.shape);
      values.push(r.vals.slice(offs[k], offs[k]! + size));
      const a = r.adjs.slice(offs[k], offs[k]! + size);
      adjoints.push(a.every(Number.isNaN) ? null : a);
    });
    return { logp: r.logp, grad: r.grad, values, adjoints };
  }

  dispose(): void {
    this.density.dispose();
    this.debug?.dispose();
  }
}

export const fusedCheckEngine: CheckEngineFactory = {
  name: 'fused',
  variants() {
    try {
      compilerVersion();
    } catch (e) {
      return (e as Error).message;
    }
    return [{ dtype: 'float64', device: 'cpu' }, { dtype: 'float32', device: 'cpu' }];
  },
  create: (t, dtype) => new FusedCheckEngine(t, dtype),
};

registerCheckEngine(fusedCheckEngine);
