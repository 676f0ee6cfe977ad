// The fused engine on an NVIDIA GPU: the model and NUTS transition generated as CUDA (src/codegen/cuda.ts), compiled
// by MLX's NVRTC (native/src/fused_cuda.cc) and run with one GPU thread per chain; a Density and a TransitionKernel.
import { concatFloat64 } from '../base/arrays.ts';
import { EngineError, OptionError } from '../base/errors.ts';
import { gpuOverlap, overlapStep } from './gpuOverlap.ts';
import { generateCudaLibrary, explainNvrtcLog, WARMUP_STATS, type CudaLibrary } from '../codegen/cuda.ts';
import { nutsScratchDoubles } from '../codegen/nutsSource.ts';
import type { PlantedFault } from '../codegen/functionEmitter.ts';
import type { TracedModel } from '../model/traced.ts';
import type { ChainsState, FitTarget, KernelRun, RunOptions, SampleIntoResult, TransitionKernel, WarmupSegment, WarmupSegmentResult } from '../kernel/seam.ts';
import { chainStream } from '../random/philox.ts';
import { checkBatch, type Density, type LogpGrad } from './density.ts';
import type { Dtype } from '../base/types.ts';
import type { ModelDensity } from './modelDensity.ts';
import { columnsModelDensity } from './columnsDensity.ts';
import { loadNative, type FusedRunArgs } from './native.ts';

/** Statistics per transition (native/src/fused_abi.h, MN_STATS). */
const STATS = 6;
/** The tree depth the kernel's per-thread scratch is sized for unless a run asks for more (Stan's default limit). */
const DEFAULT_KERNEL_DEPTH = 10;
/**
 * How long a call should run (TransitionKernel.callMs). Every chain of a launch waits for the slowest: at 16,384
 * chains of logistic, sampling calls of one iteration (the driver's 40 ms target) made 571 launches, each as long as
 * that iteration's deepest tree among all chains; iterations per launch let each thread sum its own trees.
 */
const GPU_CALL_MS = 2000;
/**
 * An upper bound on the threads a GPU keeps resident at once, for the local-memory estimate of checkGpuMemory: 2,048
 * per SM (compute capability 8.0–10.x) on at most 160 SMs (an H200 has 132).
 */
const RESIDENT_THREADS = 2048 * 160;
/**
 * One launch writes at most this many bytes of draws (longer runs are split; the GPU keeps two copies of them): a
 * sixteenth of the GPU's free memory, between 512 MiB and 4 GiB, or MLX_NUTS_GPU_LAUNCH_MIB. Longer launches give the
 * fit longer contiguous rows to fill and fewer launches to wait on their slowest chain; at 512 MiB, 16,384 chains of
 * logistic sampled in launches of 49 iterations.
 */
export function launchOutputBytes(freeBytes: number, env = process.env.MLX_NUTS_GPU_LAUNCH_MIB): number {
  if (env !== undefined && env !== '') {
    const mib = Number(env);
    if (!Number.isInteger(mib) || mib < 1) throw new OptionError(`[fused-gpu] MLX_NUTS_GPU_LAUNCH_MIB must be a whole number of MiB ≥ 1, got '${env}'`);
    return mib * 2 ** 20;
  }
  const lo = 512 * 2 ** 20, hi = 4 * 2 ** 30;
  return freeBytes > 0 ? Math.min(hi, Math.max(lo, Math.floor(freeBytes / 16))) : lo;
}

export interface NativeFusedCudaModel {
  setData(dataF: Float64Array, dataI: Int32Array, preElements: number): void;
  compile(maxDepth: number): void;
  logpGrad(Q: Float64Array, n: number, outLogp: Float64Array, outGrad: Float64Array, outColumns: Float64Array | null,
    maxDepth: number): void;
  /**
   * Outputs iteration-major (entry it·chains + c), or as the kernel writes them with chainMajor (c·count + it).
   * Returns the divergent transitions as rows [chain, transition, cause, position…] (KernelRun.divergenceRows).
   */
  run(args: FusedRunArgs & { sharedMetric: boolean; chainMajor?: boolean; fit?: NativeFitTarget; overlap?: boolean }): Float64Array;
  /** Waits for the last run's copy into the fit when it ran with overlap (src/backend/gpuOverlap.ts). */
  flush?(): void;
  /** Mode 3 of the kernel: pooled warmup iterations (src/nuts/nativeWarmup.ts; arrays as in WarmupSegment); rows as run's. */
  warmup(args: { key0: number; key1: number; chainIds: Uint32Array; iteration: number; count: number; maxDepth: number;
    invMetric: Float64Array; state: Float64Array; scalars: Float64Array; outStats: Float64Array; mode?: 3 | 4;
    fit?: WarmupSegment['into'] }): Float64Array;
  deviceInfo(): Record<string, string | number>;
  dispose(): void;
}

/** run()'s fit option: FitTarget, as native/src/fused_cuda.cc intoFit reads it (outQ/outColumns/outStats unused). */
export type NativeFitTarget = FitTarget;

export type FusedCudaCtor = new (o: { header: string; body: string; dim: number; columns: number; realBytes: number; lanes: number }) => NativeFusedCudaModel;

let bindingOverride: FusedCudaCtor | null = null;
/** Tests only: run the GPU engine's host side over another implementation of the native model (the CPU emulator). */
export function setFusedCudaBindingForTests(ctor: FusedCudaCtor | null): void {
  bindingOverride = ctor;
}

function namedNodes(m: TracedModel): number[] {
  return [...m.params.map((p) => p.node), ...m.deterministics.map((d) => d.node)];
}

/** What went wrong in MLX's run-time compile, said with what to do. */
export function gpuCompileError(e: unknown, model: string, lib: CudaLibrary, depth: number): Error {
  const msg = (e as Error).message ?? String(e);
  if (/cannot open source file|Can not find locations of CUDA headers/.test(msg)) {
    return new EngineError(`[fused-gpu] MLX's run-time CUDA compiler (NVRTC) cannot find the CUDA headers while compiling '${model}'. ` +
      'Set CUDA_HOME to the folder that holds include/cuda_runtime.h — with the pip wheels that MLX_NUTS_MLX=cuda-13 installs, ' +
      `<site-packages>/nvidia/cu13 (here: .cache/mlx/mlx-cuda-13-*/nvidia/cu13). NVRTC said: ${msg.replace(/^\[fused-gpu\] /, '')}`);
  }
  const log = /Failed to compile kernel: ([\s\S]*)/.exec(msg);
  if (log) {
    return new EngineError(`[fused-gpu] NVRTC could not compile the generated CUDA kernel of '${model}':\n${explainNvrtcLog(log[1]!, lib, depth)}`);
  }
  return e instanceof Error ? e : new EngineError(msg);
}

/** A model compiled for the GPU: logp and gradient of a batch of points, constrained values, and the NUTS kernel. */
export class FusedGpuDensity implements Density {
  readonly backend = 'fused' as const;
  readonly dim: number;
  readonly dtype: Dtype;
  readonly columns: number;
  readonly compileSeconds: number;
  private native: NativeFusedCudaModel | null;
  private readonly compiled = new Set<number>();

  constructor(readonly model: TracedModel, readonly lib: CudaLibrary) {
    const binding = bindingOverride ? { FusedCudaModel: bindingOverride } : loadNative() as unknown as { FusedCudaModel?: FusedCudaCtor };
    if (!binding.FusedCudaModel) {
      throw new EngineError("[fused-gpu] this build of the native addon has no GPU engine; rebuild it (npm run build:native) with MLX_NUTS_MLX=cuda-13 on an NVIDIA machine, or sample with device: 'cpu'");
    }
    const t0 = performance.now();
    this.native = new binding.FusedCudaModel({
      header: lib.header, body: lib.body, dim: lib.dim, columns: lib.columns, realBytes: lib.dtype === 'float64' ? 8 : 4,
      lanes: lib.lanes,
    });
    try {
      this.native.setData(lib.dataF, lib.dataI, lib.preElements);
    } catch (e) {
      throw gpuCompileError(e, model.name, lib, DEFAULT_KERNEL_DEPTH);
    }
    this.dim = lib.dim;
    this.columns = lib.columns;
    this.dtype = lib.dtype;
    this.ensureCompiled(DEFAULT_KERNEL_DEPTH);
    this.compileSeconds = (performance.now() - t0) / 1000;
  }

  private live(): NativeFusedCudaModel {
    if (!this.native) throw new OptionError('[fused-gpu] this density was disposed');
    return this.native;
  }

  /** Compiles the kernel for a scratch of `depth` tree levels now, so that NVRTC errors come before sampling. */
  ensureCompiled(depth: number): void {
    const k = Math.max(depth, DEFAULT_KERNEL_DEPTH);
    if (this.compiled.has(k)) return;
    try {
      this.live().compile(k);
    } catch (e) {
      throw gpuCompileError(e, this.model.name, this.lib, k);
    }
    this.compiled.add(k);
  }

  deviceInfo(): Record<string, string | number> {
    return this.live().deviceInfo();
  }

  logpGrad(q: Float64Array): LogpGrad {
    checkBatch('logpGrad', this.dim, q, 1);
    const { logp, grad } = this.logpGradBatch(q, 1);
    return { logp: logp[0]!, grad };
  }

  logpGradBatch(Q: Float64Array, chains: number, outLogp?: Float64Array, outGrad?: Float64Array) {
    checkBatch('logpGradBatch', this.dim, Q, chains);
    const logp = outLogp ?? new Float64Array(chains);
    const grad = outGrad ?? new Float64Array(chains * this.dim);
    this.live().logpGrad(Q, chains, logp, grad, null, DEFAULT_KERNEL_DEPTH);
    return { logp, grad };
  }

  /** Constrained values of every parameter and deterministic, flattened in declaration order, for n points. */
  constrainColumns(Q: Float64Array, n: number): Float64Array {
    checkBatch('constrain', this.dim, Q, n);
    const out = new Float64Array(n * this.columns);
    this.live().logpGrad(Q, n, new Float64Array(n), new Float64Array(n * this.dim), out, DEFAULT_KERNEL_DEPTH);
    return out;
  }

  kernel(seed: number, chainIds: readonly number[], maxTreeDepth: number): TransitionKernel {
    this.ensureCompiled(maxTreeDepth);
    return gpuKernel(this, this.live(), seed, chainIds, maxTreeDepth);
  }

  dispose(): void {
    this.native?.dispose();
    this.native = null;
  }
}

/** The metrics as one array: shared (one copy) when every chain uses the same Metric object (pooled warmup). */
function packMetrics(metrics: KernelRunParams['metrics'], dim: number): { invMetric: Float64Array; chol: Float64Array | null; shared: boolean; dense: boolean } {
  if (metrics.some((m) => m.lowRank)) throw new OptionError("[fused-gpu] the low-rank metric runs on the CPU engines only (metricAdaptation: 'low-rank' with device: 'gpu')");
  const dense = metrics[0]?.kind === 'dense';
  const shared = metrics.every((m) => m === metrics[0]);
  const list = shared ? [metrics[0]!] : metrics;
  const size = dense ? dim * dim : dim;
  const invMetric = new Float64Array(list.length * size);
  const chol = dense ? new Float64Array(list.length * size) : null;
  list.forEach((m, c) => {
    invMetric.set(m.invMetric, c * size);
    if (chol) chol.set(m.chol!, c * size);
  });
  return { invMetric, chol, shared, dense };
}

/** The GPU's free memory in bytes, or NaN when the device does not say. */
function freeGpuBytes(d: FusedGpuDensity): number {
  try {
    return Number(d.deviceInfo()['free_memory']);
  } catch {
    return NaN;
  }
}

/**
 * Refuses, before launching, a run whose per-chain memory cannot fit: each chain's state, one iteration of draws
 * (device and unified copies) and its local scratch (model workspace and tree), against the GPU's free memory.
 */
export function checkGpuMemory(d: FusedGpuDensity, chains: number, maxTreeDepth: number): void {
  const free = freeGpuBytes(d);
  if (!(free > 0)) return;
  const depth = Math.max(maxTreeDepth, DEFAULT_KERNEL_DEPTH);
  const realBytes = d.dtype === 'float64' ? 8 : 4;
  const modelWork = d.dtype === 'float64' ? d.lib.work : 2 * d.dim + d.lib.work;
  const scratch = Math.ceil((modelWork * realBytes) / 8) + 1 + nutsScratchDoubles(depth, d.dim, realBytes);
  // every thread (lane) has its own scratch in local memory, which CUDA reserves for the threads that can be resident
  // at once: at most RESIDENT_THREADS, however many chains the launch has
  const perChain = 8 * (2 * 2 * (2 * d.dim + 1) + 2 * (d.dim + d.columns + STATS) + 1 + d.dim + 4);
  const local = 8 * scratch * Math.min(chains * d.lib.lanes, RESIDENT_THREADS);
  if (perChain * chains + local > free) {
    throw new EngineError(`[fused-gpu] ${chains} chains of '${d.model.name}' need about ${((perChain * chains + local) / 2 ** 30).toFixed(1)} GiB ` +
      `on the GPU (${(perChain / 1024).toFixed(1)} KiB per chain for its state and one iteration of draws, and ` +
      `${(local / 2 ** 30).toFixed(1)} GiB of scratch for trees of depth ${depth}), but ` +
      `${(free / 2 ** 30).toFixed(1)} GiB are free: at most ${Math.max(0, Math.floor((free - local) / perChain))} chains fit`);
  }
}

type KernelRunParams = Parameters<TransitionKernel['run']>[1];

function gpuKernel(d: FusedGpuDensity, native: NativeFusedCudaModel, seed: number, chainIds: readonly number[],
  maxTreeDepth: number): TransitionKernel {
  const s0 = chainStream(seed, 0);
  const ids = Uint32Array.from(chainIds, (c) => chainStream(seed, c).chain);
  let checked = false;
  const buffers = runBuffers();
  const profile = { nativeSeconds: 0, calls: 0 };
  const timed = <T>(f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      profile.nativeSeconds += (performance.now() - t0) / 1000;
      profile.calls++;
    }
  };
  type LaunchOutputs = Pick<Parameters<NativeFusedCudaModel['run']>[0], 'outQ' | 'outColumns' | 'outStats' | 'chainMajor' | 'fit' | 'overlap'>;
  /**
   * `count` transitions of every chain in launches of `launchStep` iterations: `outputs(done, c)` says where launch
   * (done, c) writes, `after` runs once it returned. The chains' state advances in copies; the divergence rows of all
   * launches come back joined, transitions counted from the first. With `overlap` (into the fit only), each launch's
   * copy into the fit runs while the next launch runs, and the last is waited for before returning (gpuOverlap.ts).
   */
  const launchAll = (state: ChainsState, params: KernelRunParams, iteration: number, count: number,
    outputs: (done: number, c: number) => LaunchOutputs, after?: (done: number, c: number) => void, overlap = false) => {
    const { chains, dim } = state;
    const m = packMetrics(params.metrics, dim);
    if (!checked) {
      checkGpuMemory(d, chains, maxTreeDepth);
      checked = true;
    }
    const step = overlap ? overlapStep(launchStep(chains, dim, count), count) : launchStep(chains, dim, count);
    const q = Float64Array.from(state.q);
    const logp = Float64Array.from(state.logp);
    const grad = Float64Array.from(state.grad);
    const stepSizes = Float64Array.from(params.stepSizes);
    const rows: Float64Array[] = [];
    for (let done = 0; done < count; done += step) {
      const c = Math.min(step, count - done);
      const r = timed(() => native.run({
        key0: s0.key0, key1: s0.key1, chainIds: ids, iteration: iteration + done, count: c, maxDepth: maxTreeDepth,
        dense: m.dense ? 1 : 0, threads: 1, stepSizes, invMetric: m.invMetric, chol: m.chol, sharedMetric: m.shared,
        q, logp, grad, ...outputs(done, c),
      }));
      if (r.length) {
        for (let o = 1; o < r.length; o += dim + 3) r[o]! += done;
        rows.push(r);
      }
      after?.(done, c);
    }
    if (overlap) timed(() => native.flush?.());
    return { state: { chains, dim, q, logp, grad }, rows: concatFloat64(rows) };
  };
  /** Iterations per launch: draws, columns, statistics and the device's divergence rows under launchOutputBytes. */
  let launchBytes = 0;
  const launchStep = (chains: number, dim: number, count: number) => {
    if (!launchBytes) launchBytes = launchOutputBytes(freeGpuBytes(d));
    return Math.max(1, Math.min(count, Math.floor(launchBytes / (chains * (dim + d.columns + STATS + 1 + dim) * 8))));
  };
  return {
    name: 'fused-gpu',
    profile,
    callMs: GPU_CALL_MS,
    warmupSegment(seg: WarmupSegment): WarmupSegmentResult {
      const n = ids.length;
      if (!checked) {
        checkGpuMemory(d, n, maxTreeDepth);
        checked = true;
      }
      const outStats = seg.into ? NONE : new Float64Array(n * seg.count * WARMUP_STATS);
      const divergenceRows = timed(() => native.warmup({ key0: s0.key0, key1: s0.key1, chainIds: ids, iteration: seg.iteration,
        count: seg.count, maxDepth: maxTreeDepth, invMetric: seg.invMetric, state: seg.state, scalars: seg.scalars, outStats,
        ...(seg.into ? { fit: seg.into } : {}) }));
      return { stats: outStats, divergenceRows };
    },
    searchStepSizes(state: Float64Array, invMetric: Float64Array, iteration: number): Float64Array {
      const outStats = new Float64Array(ids.length * WARMUP_STATS);
      timed(() => native.warmup({ key0: s0.key0, key1: s0.key1, chainIds: ids, iteration, count: 1, maxDepth: maxTreeDepth, invMetric,
        state, scalars: Float64Array.of(Math.log(0.8), 0, 0, 0, 0, 0), outStats, mode: 4 }));
      return outStats.subarray(0, ids.length);
    },
    sampleInto(state: ChainsState, params, iteration, count, into: FitTarget): SampleIntoResult {
      const overlap = gpuOverlap();
      const r = launchAll(state, params, iteration, count, (done) => ({
        outQ: NONE, outColumns: NONE, outStats: NONE, fit: { ...into, offset: into.offset + done }, overlap,
      }), undefined, overlap);
      return { state: r.state, divergenceRows: r.rows };
    },
    run(state: ChainsState, params, iteration, count, opts?: RunOptions): KernelRun {
      const { chains, dim } = state;
      const chainMajor = opts?.chainMajor === true;
      const step = launchStep(chains, dim, count);
      const out = buffers.take(count * chains, dim, d.columns);
      // launches of `step` iterations write chain-major blocks; several blocks are interleaved chain by chain
      const block = chainMajor && step < count ? buffers.block(step * chains, dim, d.columns) : null;
      const r = launchAll(state, params, iteration, count, (done, c) => {
        const at = (a: Float64Array, w: number) => (block ? a.subarray(0, c * chains * w) : a.subarray(done * chains * w, (done + c) * chains * w));
        const dst = block ?? out;
        return { chainMajor, outQ: at(dst.q, dim), outColumns: at(dst.columns, d.columns), outStats: at(dst.stats, STATS) };
      }, (done, c) => {
        if (block) {
          for (const [src, to, w] of [[block.q, out.q, dim], [block.columns, out.columns, d.columns], [block.stats, out.stats, STATS]] as const) {
            for (let k = 0; k < chains; k++) to.set(src.subarray(k * c * w, (k + 1) * c * w), (k * count + done) * w);
          }
        }
      });
      const n = count * chains;
      const pick = (j: number) => {
        const a = out.pick[j]!.subarray(0, n);
        for (let i = 0; i < n; i++) a[i] = out.stats[i * STATS + j]!;
        return a;
      };
      return {
        state: r.state,
        q: out.q,
        stats: { lp: pick(0), acceptStat: pick(1), treeDepth: pick(2), nLeapfrog: pick(3), divergent: pick(4), energy: pick(5) },
        constrained: out.columns,
        chainMajor,
        divergenceRows: r.rows,
      };
    },
  };
}

const NONE = new Float64Array(0);

interface RunBuffers { q: Float64Array; columns: Float64Array; stats: Float64Array; pick: Float64Array[] }

/**
 * Output arrays kept between runs (a run's results are valid until the next run: TransitionKernel): with thousands of
 * chains, fresh arrays per call cost more in allocation and garbage collection than the copies themselves.
 */
function runBuffers() {
  let main: RunBuffers | null = null;
  let blk: RunBuffers | null = null;
  const make = (n: number, dim: number, cols: number): RunBuffers => ({
    q: new Float64Array(n * dim), columns: new Float64Array(n * cols), stats: new Float64Array(n * STATS),
    pick: Array.from({ length: STATS }, () => new Float64Array(n)),
  });
  const view = (b: RunBuffers, n: number, dim: number, cols: number): RunBuffers => ({
    q: b.q.subarray(0, n * dim), columns: b.columns.subarray(0, n * cols), stats: b.stats.subarray(0, n * STATS), pick: b.pick,
  });
  return {
    take(n: number, dim: number, cols: number): RunBuffers {
      if (!main || main.stats.length < n * STATS) main = make(n, dim, cols);
      return view(main, n, dim, cols);
    },
    block(n: number, dim: number, cols: number): RunBuffers {
      if (!blk || blk.stats.length < n * STATS) blk = make(n, dim, cols);
      return view(blk, n, dim, cols);
    },
  };
}

export function generateCudaFor(m: TracedModel, dtype: Dtype, fault?: PlantedFault): CudaLibrary {
  return generateCudaLibrary(m.ir, namedNodes(m), dtype, fault);
}

/** The GPU density as a ModelDensity (what logDensity and sample use): constrained values from the kernel too. */
export function fusedGpuModelDensity(traced: TracedModel, dtype: Dtype): ModelDensity {
  const d = new FusedGpuDensity(traced, generateCudaFor(traced, dtype));
  return columnsModelDensity(traced, d, d.compileSeconds);
}
