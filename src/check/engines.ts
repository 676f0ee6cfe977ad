// The engines check() compares with the reference on this machine: MLX (native addon), and later the fused code.
import type { Device, Dtype } from '../base/types.ts';
import { MlxDensity } from '../backend/mlx.ts';
import { loadNative } from '../backend/native.ts';
import type { GraphIR } from '../graph/ir.ts';
import { registerCheckEngine, type CheckEngine, type CheckEngineFactory, type NodeTrace, type NodeValues } from './engine.ts';

/** The MLX graph engine: the compiled value-and-grad for logp/grad, debug.nodes for the node-by-node view. */
class MlxCheckEngine implements CheckEngine {
  readonly name = 'mlx';
  private readonly density: MlxDensity;

  constructor(readonly ir: GraphIR, readonly dtype: Dtype, readonly device: Device) {
    this.density = new MlxDensity(ir, dtype, device);
  }

  logpGrad(q: Float64Array) {
    return this.density.logpGrad(q);
  }

  logpGradBatch(Q: Float64Array, chains: number) {
    return this.density.logpGradBatch(Q, chains);
  }

  nodes(q: Float64Array): NodeTrace {
    return loadNative().debug.nodes(this.ir, { dtype: this.dtype, device: this.device }, q);
  }

  nodesIsolated(q: Float64Array, given: { values: readonly Float64Array[]; adjoints: readonly (Float64Array | null)[] }): NodeValues {
    return loadNative().debug.nodes(this.ir, { dtype: this.dtype, device: this.device }, q, given);
  }

  dispose(): void {
    this.density.dispose();
  }
}

export const mlxCheckEngine: CheckEngineFactory = {
  name: 'mlx',
  variants() {
    let gpu: boolean;
    try {
      gpu = loadNative().info().gpuAvailable;
    } catch (e) {
      return `the native addon is not loaded (${(e as Error).message.split('\n')[0]})`;
    }
    const out: { dtype: Dtype; device: Device }[] = [{ dtype: 'float32', device: 'cpu' }, { dtype: 'float64', device: 'cpu' }];
    if (gpu) out.push({ dtype: 'float32', device: 'gpu' }); // float64 is CPU-only in MLX
    return out;
  },
  create: (t, dtype, device) => new MlxCheckEngine(t.ir, dtype, device),
};

registerCheckEngine(mlxCheckEngine);
// The fused engine (src/codegen) registers here the same way: registerCheckEngine({ name: 'fused', variants, create })
// with create = (t, dtype) => a CheckEngine around its density for t (logpGrad, logpGradBatch; nodes when it has them).
