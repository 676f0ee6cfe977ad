// The MLX backend: the graph compiled once in the addon as compile(value_and_grad(vmap(logp))).
import { OptionError } from '../base/errors.ts';
import type { GraphIR } from '../graph/ir.ts';
import { checkBatch, type Density, type LogpGrad } from './density.ts';
import type { Device, Dtype } from '../base/types.ts';
import { loadNative, type NativeDensity, type NativeProfile } from './native.ts';

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

  /** `steps` leapfrog steps for every chain in one native call (see src/nuts/integrator.ts for the contract). */
  trajectory(q0: Float64Array, p0: Float64Array, g0: Float64Array, stepSizes: Float64Array,
    metrics: readonly { kind: 'diag' | 'dense'; invMetric: Float64Array }[], steps: number, chains: number) {
    const dim = this.dim;
    const dense = metrics[0]!.kind === 'dense';
    const per = dense ? dim * dim : dim;
    const im = new Float64Array(chains * per);
    metrics.forEach((m, c) => {
      if ((m.kind === 'dense') !== dense) throw new OptionError('[trajectory] all chains of a batch must use the same metric kind');
      im.set(m.invMetric, c * per);
    });
    const n = chains * dim;
    const out = {
      steps, chains, dim, q: new Float64Array(steps * n), p: new Float64Array(steps * n), grad: new Float64Array(steps * n),
      logp: new Float64Array(steps * chains),
    };
    this.native.trajectory(q0, p0, g0, stepSizes, im, dense, steps, chains, out.q, out.p, out.grad, out.logp);
    return out;
  }

  takeProfile(): NativeProfile {
    return this.native.takeProfile();
  }

  dispose(): void {
    this.native.dispose();
  }
}
