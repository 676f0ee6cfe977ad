// The fused engine: the model generated as C++ (src/codegen), compiled and loaded into the addon; a Density whose
// logpGrad costs about a microsecond, and a TransitionKernel that runs whole NUTS transitions of every chain natively.
import { EngineError, OptionError } from '../base/errors.ts';
import { availableParallelism } from 'node:os';
import { compileLibrary, compileLibrarySync, type Compiled } from '../codegen/compile.ts';
import { generateLibrary, type GeneratedLibrary } from '../codegen/library.ts';
import type { PlantedFault } from '../codegen/functionEmitter.ts';
import type { TracedModel } from '../model/traced.ts';
import { chainStream } from '../random/philox.ts';
import type { ChainsState, KernelRun, TransitionKernel } from '../kernel/seam.ts';
import type { Metric } from '../kernel/metric.ts';
import { lowRankStride, packLowRank } from '../kernel/lowRankMetric.ts';
import { checkBatch, type Density, type LogpGrad } from './density.ts';
import type { Dtype } from '../base/types.ts';
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

export function generateFor(m: TracedModel, dtype: Dtype, fault?: PlantedFault, debug = false): GeneratedLibrary {
  return generateLibrary(m.ir, namedNodes(m), dtype, 'cpp', fault, debug);
}

export async function buildFused(m: TracedModel, dtype: Dtype, fault?: PlantedFault): Promise<FusedBuild> {
  const lib = generateFor(m, dtype, fault);
  return { lib, compiled: await compileLibrary(lib.fullSource) };
}

export function buildFusedSync(m: TracedModel, dtype: Dtype, fault?: PlantedFault, debug = false): FusedBuild {
  const lib = generateFor(m, dtype, fault, debug);
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
    if (info.dim !== model.ir.dim) throw new EngineError(`[fused] the loaded library has dim ${info.dim}, the model ${model.ir.dim}`);
    this.dim = info.dim;
    this.columns = info.columns;
    this.dtype = build.lib.dtype;
  }

  private live(): NativeFusedModel {
    if (!this.native) throw new OptionError('[fused] this density was disposed');
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

  /** Every node's value and adjoint at q (a library built with `debug`; see nodeOffsets). */
  debugNodes(q: Float64Array): { logp: number; grad: Float64Array; vals: Float64Array; adjs: Float64Array } {
    const total = this.model.ir.nodes.reduce((s, n) => s + n.shape.reduce((a, b) => a * b, 1), 0);
    const vals = new Float64Array(total).fill(NaN);
    const adjs = new Float64Array(total).fill(NaN);
    const grad = new Float64Array(this.dim);
    const logp = this.live().debugNodes(q, grad, vals, adjs);
    return { logp, grad, vals, adjs };
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
/**
 * Above this many µs of estimated work per call the chains are spread over the machine's cores (a persistent pool;
 * handing work to it and collecting it costs some 10–50 µs on this 2-core box, so short calls stay on one thread).
 */
const THREADS_FROM_US = 1000;

function fusedKernel(d: FusedDensity, native: NativeFusedModel, seed: number, chainIds: readonly number[],
  maxTreeDepth: number): TransitionKernel {
  const s0 = chainStream(seed, 0);
  const ids = Uint32Array.from(chainIds, (c) => chainStream(seed, c).chain);
  const cores = availableParallelism();
  let usPerChainIteration = 0; // measured, per chain and transition
  const profile = { nativeSeconds: 0, calls: 0 };
  // the packed metrics of the last call, reused while the driver passes the same Metric objects
  let lastMetrics: readonly Metric[] | null = null;
  let lastMetricItems: Metric[] = [];
  let invMetric = new Float64Array(0);
  let chol: Float64Array | null = null;
  // buffers reused from call to call (see TransitionKernel.run: results are valid until the next call)
  let last: { q: Float64Array; logp: Float64Array; grad: Float64Array } | null = null;
  let out = { n: -1, q: new Float64Array(0), columns: new Float64Array(0), stats: new Float64Array(0), div: new Float64Array(0) };
  let bound: { q: Float64Array; invMetric: Float64Array; chol: Float64Array | null; out: Float64Array; eps: Float64Array } | null = null;
  return {
    name: 'fused-cpu',
    profile,
    async run(state: ChainsState, params, iteration, count): Promise<KernelRun> {
      const chains = state.chains;
      const dim = state.dim;
      const kindOf = (m: Metric) => (m.lowRank ? 'lowrank' : m.kind);
      const kind = params.metrics[0] ? kindOf(params.metrics[0]) : 'diag';
      if (params.metrics.some((m) => kindOf(m) !== kind)) throw new OptionError('[fused] all chains of a run must use the same metric kind');
      const dense = kind === 'dense';
      if (params.metrics !== lastMetrics || params.metrics.some((m, c) => m !== lastMetricItems[c])) {
        invMetric = new Float64Array(chains * (dense ? dim * dim : dim));
        const stride = kind === 'lowrank' ? lowRankStride(dim, Math.max(...params.metrics.map((m) => m.lowRank!.rank))) : dim * dim;
        chol = kind === 'diag' ? null : new Float64Array(chains * stride);
        params.metrics.forEach((m, c) => {
          invMetric.set(m.invMetric, c * m.invMetric.length);
          if (m.lowRank) packLowRank(m.lowRank, chol!, c * stride);
          else if (chol) chol.set(m.chol!, c * stride);
        });
        lastMetrics = params.metrics;
        lastMetricItems = [...params.metrics];
      }
      const denseFlag = kind === 'lowrank' ? 2 : dense ? 1 : 0;
      const estimate = usPerChainIteration * chains * count;
      const n = count * chains;
      // the state a run returns lives in this kernel's buffers: passed back unchanged it is advanced in place
      const own = state.q === last?.q && state.logp === last.logp && state.grad === last.grad;
      if (!own) last = { q: Float64Array.from(state.q), logp: Float64Array.from(state.logp), grad: Float64Array.from(state.grad) };
      if (out.n !== n) {
        out = { n, q: new Float64Array(n * dim), columns: new Float64Array(n * d.columns), stats: new Float64Array(n * STATS),
          div: new Float64Array(n * (dim + 1)) };
      }
      const threads = estimate > THREADS_FROM_US ? Math.min(cores, chains) : 1;
      const t0 = performance.now();
      if (count === 1 && threads === 1 && estimate <= ASYNC_FROM_US) {
        // the per-iteration call of warmup: bound once, then only the iteration crosses into native code
        if (bound?.q !== last!.q || bound.invMetric !== invMetric || bound.out !== out.q || bound.chol !== chol) {
          bound = { q: last!.q, invMetric, chol, out: out.q, eps: new Float64Array(chains) };
          native.bindRun({
            key0: s0.key0, key1: s0.key1, chainIds: ids, iteration, count: 1, maxDepth: maxTreeDepth, dense: denseFlag, threads: 1,
            stepSizes: bound.eps, invMetric, chol, q: last!.q, logp: last!.logp, grad: last!.grad,
            outQ: out.q, outColumns: out.columns, outStats: out.stats, outDiv: out.div,
          });
        }
        bound.eps.set(params.stepSizes);
        native.runBound(iteration);
      } else {
        const args: FusedRunArgs = {
          key0: s0.key0, key1: s0.key1, chainIds: ids, iteration, count, maxDepth: maxTreeDepth, dense: denseFlag, threads,
          stepSizes: params.stepSizes, invMetric, chol, q: last!.q, logp: last!.logp, grad: last!.grad,
          outQ: out.q, outColumns: out.columns, outStats: out.stats, outDiv: out.div,
        };
        if (estimate > ASYNC_FROM_US) await native.runAsync(args);
        else native.run(args);
      }
      const ms = performance.now() - t0;
      profile.nativeSeconds += ms / 1000;
      profile.calls++;
      const us = (ms * 1000) / (chains * count);
      usPerChainIteration = threads > 1 ? us * Math.min(cores, chains) : us;
      const st = out.stats;
      const stat = (j: number) => st.subarray(j * n, (j + 1) * n);
      return {
        state: { chains, dim, q: last!.q, logp: last!.logp, grad: last!.grad },
        q: out.q,
        stats: { lp: stat(0), acceptStat: stat(1), treeDepth: stat(2), nLeapfrog: stat(3), divergent: stat(4), energy: stat(5) },
        constrained: out.columns,
        divergence: out.div,
      };
    },
  };
}
