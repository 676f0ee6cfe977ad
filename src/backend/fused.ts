// The fused engine: the model generated as C++ (src/codegen), compiled and loaded into the addon; a Density whose
// logpGrad costs about a microsecond, and a TransitionKernel that runs whole NUTS transitions of every chain natively.
import { availableParallelism } from 'node:os';
import { compileLibrary, compileLibrarySync, type Compiled } from '../codegen/compile.ts';
import { generateLibrary, type GeneratedLibrary } from '../codegen/library.ts';
import type { PlantedFault } from '../codegen/emitModel.ts';
import type { TracedModel } from '../graph/model.ts';
import { chainStream } from '../random/philox.ts';
import type { ChainsState, KernelRun, TransitionKernel } from '../nuts/transitionKernel.ts';
import { checkBatch, type Density, type Dtype, type LogpGrad } from './density.ts';
import { loadNative, type FusedRunArgs, type NativeFusedModel } from './native.ts';

/** Statistics per transition as the generated code writes them (native/src/fused_abi.h, MN_STATS). */
const STATS = 6;

export interface FusedBuild {
  readonly lib: GeneratedLibrary;
  readonly compiled: Compiled;
}

function namedNodes(m: TracedModel): number[] {
  return [...m.params.map((p) => p.node), ...m.deterministics.map((d) => d.node)];
}

export function generateFor(m: TracedModel, dtype: Dtype, fault?: PlantedFault): GeneratedLibrary {
  return generateLibrary(m.ir, namedNodes(m), dtype, 'cpp', fault);
}

export async function buildFused(m: TracedModel, dtype: Dtype, fault?: PlantedFault): Promise<FusedBuild> {
  const lib = generateFor(m, dtype, fault);
  return { lib, compiled: await compileLibrary(lib.fullSource) };
}

export function buildFusedSync(m: TracedModel, dtype: Dtype, fault?: PlantedFault): FusedBuild {
  const lib = generateFor(m, dtype, fault);
  return { lib, compiled: compileLibrarySync(lib.fullSource) };
}

/** A compiled model: logp and gradient, constrained values, and the fused NUTS kernel. */
export class FusedDensity implements Density {
  readonly backend = 'fused' as const;
  readonly dim: number;
  readonly dtype: Dtype;
  readonly columns: number;
  private native: NativeFusedModel | null;
  private readonly lp1 = new Float64Array(1);

  constructor(readonly model: TracedModel, readonly build: FusedBuild) {
    this.native = new (loadNative().FusedModel)(build.compiled.path);
    this.native.setData(build.lib.dataF, build.lib.dataI);
    const info = this.native.info();
    if (info.dim !== model.ir.dim) throw new Error(`[fused] the loaded library has dim ${info.dim}, the model ${model.ir.dim}`);
    this.dim = info.dim;
    this.columns = info.columns;
    this.dtype = build.lib.dtype;
  }

  private live(): NativeFusedModel {
    if (!this.native) throw new Error('[fused] this density was disposed');
    return this.native;
  }

  logpGrad(q: Float64Array): LogpGrad {
    checkBatch('logpGrad', this.dim, q, 1);
    const grad = new Float64Array(this.dim);
    this.live().logpGrad(q, 1, this.lp1, grad);
    return { logp: this.lp1[0]!, grad };
  }

  logpGradBatch(Q: Float64Array, chains: number, outLogp?: Float64Array, outGrad?: Float64Array) {
    checkBatch('logpGradBatch', this.dim, Q, chains);
    const logp = outLogp ?? new Float64Array(chains);
    const grad = outGrad ?? new Float64Array(chains * this.dim);
    this.live().logpGrad(Q, chains, logp, grad);
    return { logp, grad };
  }

  /** Constrained values of every parameter and deterministic, flattened in declaration order, for n points. */
  constrainColumns(Q: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n * this.columns);
    this.live().constrain(Q, n, out);
    return out;
  }

  kernel(seed: number, chainIds: readonly number[], maxTreeDepth: number): TransitionKernel {
    return fusedKernel(this, this.live(), seed, chainIds, maxTreeDepth);
  }

  dispose(): void {
    this.native?.dispose();
    this.native = null;
  }
}

/** Above this many µs of estimated work a call runs on a worker thread (the event loop stays free). */
const ASYNC_FROM_US = 2000;
/** Above this many µs of estimated work per call the chains are spread over the machine's cores. */
const THREADS_FROM_US = 300;

function fusedKernel(d: FusedDensity, native: NativeFusedModel, seed: number, chainIds: readonly number[],
  maxTreeDepth: number): TransitionKernel {
  const s0 = chainStream(seed, 0);
  const ids = Uint32Array.from(chainIds, (c) => chainStream(seed, c).chain);
  const cores = availableParallelism();
  let usPerChainIteration = 0; // measured, per chain and transition
  return {
    name: 'fused-cpu',
    async run(state: ChainsState, params, iteration, count): Promise<KernelRun> {
      const chains = state.chains;
      const dim = state.dim;
      const dense = params.metrics[0]?.kind === 'dense';
      const invMetric = new Float64Array(chains * (dense ? dim * dim : dim));
      const chol = dense ? new Float64Array(chains * dim * dim) : null;
      params.metrics.forEach((m, c) => {
        invMetric.set(m.invMetric, c * m.invMetric.length);
        if (chol) chol.set(m.chol!, c * dim * dim);
      });
      const estimate = usPerChainIteration * chains * count;
      const args: FusedRunArgs = {
        key0: s0.key0, key1: s0.key1, chainIds: ids, iteration, count, maxDepth: maxTreeDepth, dense: dense ? 1 : 0,
        threads: estimate > THREADS_FROM_US ? Math.min(cores, chains) : 1,
        stepSizes: Float64Array.from(params.stepSizes), invMetric, chol,
        q: Float64Array.from(state.q), logp: Float64Array.from(state.logp), grad: Float64Array.from(state.grad),
        outQ: new Float64Array(count * chains * dim), outColumns: new Float64Array(count * chains * d.columns),
        outStats: new Float64Array(count * chains * STATS),
      };
      const t0 = performance.now();
      if (estimate > ASYNC_FROM_US) await native.runAsync(args);
      else native.run(args);
      const us = ((performance.now() - t0) * 1000) / (chains * count);
      usPerChainIteration = args.threads > 1 ? us * Math.min(cores, chains) : us;
      const n = count * chains;
      const st = args.outStats!;
      const pick = (j: number) => Float64Array.from({ length: n }, (_, i) => st[i * STATS + j]!);
      return {
        state: { chains, dim, q: args.q, logp: args.logp, grad: args.grad },
        q: args.outQ!,
        stats: { lp: pick(0), acceptStat: pick(1), treeDepth: pick(2), nLeapfrog: pick(3), divergent: pick(4), energy: pick(5) },
        constrained: args.outColumns!,
      };
    },
  };
}
