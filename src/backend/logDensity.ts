// logDensity(model, options): trace the model for a dtype and compile it on the chosen backend.
import { OptionError } from '../base/errors.ts';
import type { Model } from '../model/model.ts';
import type { TracedModel } from '../model/traced.ts';
import { defaultDtype } from '../precision/policy.ts';
import type { Density } from './density.ts';
import type { BackendName, Device, Dtype } from '../base/types.ts';
import { buildFused, buildFusedSync, FusedDensity, type FusedBuild } from './fused.ts';
import { fusedGpuModelDensity } from './fusedGpu.ts';
import { columnsModelDensity } from './columnsDensity.ts';
import { MlxDensity } from './mlx.ts';
import type { ModelDensity } from './modelDensity.ts';
import { GraphInterpreter, ReferenceDensity } from './reference/interpreter.ts';

export interface LogDensityOptions {
  backend?: BackendName;
  dtype?: Dtype;
  device?: Device;
}

export const BACKENDS: readonly BackendName[] = ['fused', 'mlx', 'reference'];

export function resolveOptions(fn: string, opts: LogDensityOptions): Required<LogDensityOptions> {
  const backend = opts.backend ?? 'fused';
  if (!BACKENDS.includes(backend)) throw new OptionError(`[${fn}] backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${JSON.stringify(backend)}`);
  // the fused engine on the GPU stores the model in float32 by default (its NUTS state is float64 either way)
  const dtype = opts.dtype ?? (backend === 'fused' && opts.device === 'gpu' ? 'float32' : defaultDtype(backend));
  if (dtype !== 'float32' && dtype !== 'float64') throw new OptionError(`[${fn}] dtype must be 'float32' or 'float64', got '${dtype}'`);
  if (backend === 'reference' && dtype !== 'float64') throw new OptionError(`[${fn}] the reference backend computes in float64; dtype '${dtype}' is not available there`);
  const device = opts.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'gpu') throw new OptionError(`[${fn}] device must be 'cpu' or 'gpu', got '${device}'`);
  if (backend === 'reference' && device !== 'cpu') throw new OptionError(`[${fn}] the reference backend runs on the CPU only`);
  return { backend, dtype, device };
}

function traceOf(model: Model, dtype: Dtype): TracedModel {
  if (!model || typeof (model as Model).trace !== 'function') throw new OptionError('[logDensity] the first argument must be a model (from model(name, fn))');
  return model.trace(dtype);
}

/** Compiles `model`'s log density; the fused backend compiles C++ off the main thread. */
export async function logDensity(model: Model, opts: LogDensityOptions = {}): Promise<ModelDensity> {
  const { backend, dtype, device } = resolveOptions('logDensity', opts);
  if (backend !== 'fused' || device === 'gpu') return logDensitySync(model, opts);
  const traced = traceOf(model, dtype);
  return fusedModelDensity(traced, await buildFused(traced, dtype));
}

export function logDensitySync(model: Model, opts: LogDensityOptions = {}): ModelDensity {
  const { backend, dtype, device } = resolveOptions('logDensity', opts);
  const traced = traceOf(model, dtype);
  if (backend === 'fused' && device === 'gpu') return fusedGpuModelDensity(traced, dtype);
  if (backend === 'fused') return fusedModelDensity(traced, buildFusedSync(traced, dtype));
  const inner: Density = backend === 'mlx' ? new MlxDensity(traced.ir, dtype, device) : new ReferenceDensity(traced.ir);
  const interp = new GraphInterpreter(traced.ir);
  const named = [...traced.params, ...traced.deterministics];
  const last = Math.max(...named.map((p) => p.node));
  return {
    model: traced,
    dim: inner.dim,
    backend: inner.backend,
    dtype: inner.dtype,
    logpGrad: (q) => inner.logpGrad(q),
    logpGradBatch: (Q, chains, lp, g) => inner.logpGradBatch(Q, chains, lp, g),
    dispose: () => inner.dispose(),
    ...(inner instanceof MlxDensity ? { trajectory: inner.trajectory.bind(inner), takeProfile: inner.takeProfile.bind(inner) } : {}),
    constrain(q: Float64Array) {
      if (!(q instanceof Float64Array) || q.length !== inner.dim) throw new OptionError(`[constrain] q must be a Float64Array of length ${inner.dim}`);
      const vals = interp.forward(q, last);
      const out: Record<string, Float64Array> = {};
      for (const p of named) out[p.name] = vals[p.node]!;
      return out;
    },
  };
}

/** The fused density as a ModelDensity: constrained values come from the generated code too. */
export function fusedModelDensity(traced: TracedModel, build: FusedBuild): ModelDensity {
  return columnsModelDensity(traced, new FusedDensity(traced, build), build.compiled.seconds);
}
