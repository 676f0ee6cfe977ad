// The MLX backend: the graph compiled once in the addon as compile(value_and_grad(vmap(logp))).
import type { GraphIR } from '../graph/ir.ts';
import { checkBatch, type Density, type Device, type Dtype, type LogpGrad } from './density.ts';
import { loadNative, type NativeDensity } from './native.ts';

export class MlxDensity implements Density {
  readonly backend = 'mlx' as const;
  readonly dim: number;
  readonly native: NativeDensity;
  private readonly lp1 = new Float64Array(1);

  constructor(ir: GraphIR, readonly dtype: Dtype, readonly device: Device) {
    this.native = new (loadNative().Density)(ir, { dtype, device });
    this.dim = ir.dim;
  }

  logpGrad(q: Float64Array): LogpGrad {
    checkBatch('logpGrad', this.dim, q, 1);
    const grad = new Float64Array(this.dim);
    this.native.logpGrad(q, 1, this.lp1, grad);
    return { logp: this.lp1[0]!, grad };
  }

  logpGradBatch(Q: Float64Array, chains: number, outLogp?: Float64Array, outGrad?: Float64Array) {
    checkBatch('logpGradBatch', this.dim, Q, chains);
    const logp = outLogp ?? new Float64Array(chains);
    const grad = outGrad ?? new Float64Array(chains * this.dim);
    this.native.logpGrad(Q, chains, logp, grad);
    return { logp, grad };
  }

  dispose(): void {
    this.native.dispose();
  }
}
