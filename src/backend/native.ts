// Loads the native addon (build/Release/mlx_nuts.node) with a message that says what to do when it is missing.
import { EngineError } from '../base/errors.ts';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphIR } from '../graph/ir.ts';
import { packageRoot } from '../platform/packageRoot.ts';

export interface NativeDensity {
  readonly dim: number;
  logpGrad(Q: Float64Array, chains: number, outLogp: Float64Array, outGrad: Float64Array): void;
  benchLoop(Q: Float64Array, chains: number, iters: number): number;
  trajectory(q0: Float64Array, p0: Float64Array, g0: Float64Array, stepSizes: Float64Array, invMetric: Float64Array,
    dense: boolean, steps: number, chains: number, outQ: Float64Array, outP: Float64Array, outG: Float64Array,
    outLogp: Float64Array): void;
  takeProfile(): NativeProfile;
  dispose(): void;
}

/**
 * Native time split since the last read: the compiled function's call (graph build), mx::eval (scheduling and
 * kernels), copies, host leapfrog arithmetic; `primitives` is the number of MLX primitives of the last call's graph.
 */
export interface NativeProfile {
  buildSeconds: number;
  evalSeconds: number;
  copySeconds: number;
  leapfrogHostSeconds: number;
  calls: number;
  trajectories: number;
  primitives: number;
}

/** Arguments of one fused run over a batch of chains (see native/src/fused.cc and fused_abi.h). */
export interface FusedRunArgs {
  key0: number;
  key1: number;
  chainIds: Uint32Array;
  iteration: number;
  count: number;
  maxDepth: number;
  dense: number;
  threads: number;
  stepSizes: Float64Array;
  invMetric: Float64Array;
  chol: Float64Array | null;
  q: Float64Array;
  logp: Float64Array;
  grad: Float64Array;
  outQ: Float64Array | null;
  outColumns: Float64Array | null;
  outStats: Float64Array | null;
  /** count × chains × (1 + dim): each transition's divergence cause and position (KernelRun.divergence), or null. */
  outDiv?: Float64Array | null;
}

/** A loaded generated model library. */
export interface NativeFusedModel {
  info(): { dim: number; columns: number; realBytes: number };
  setData(dataF: Float64Array, dataI: Int32Array): void;
  logpGrad(Q: Float64Array, chains: number, outLogp: Float64Array, outGrad: Float64Array): void;
  constrain(Q: Float64Array, n: number, out: Float64Array): void;
  run(args: FusedRunArgs): void;
  runAsync(args: FusedRunArgs): Promise<void>;
  /** Keeps a run's arrays for runBound (the per-iteration call of warmup). */
  bindRun(args: FusedRunArgs): void;
  /** The bound run at `iteration`, with the step sizes currently in the bound stepSizes array. */
  runBound(iteration: number): void;
  /** Libraries generated with `debug` only: logp, and every node's value and adjoint at offsets nodeOffsets(ir). */
  debugNodes(q: Float64Array, grad: Float64Array, vals: Float64Array, adjs: Float64Array): number;
  dispose(): void;
}

export interface NativeBinding {
  Density: new (graph: GraphIR, opts: { dtype: string; device: string }) => NativeDensity;
  FusedModel: new (path: string) => NativeFusedModel;
  info(): { mlxVersion: string; gpuAvailable: boolean };
  /** Pins the calling thread and MLX's CPU stream thread to the caller's core (Linux); false when not done. */
  pinCpuThreads(): boolean;
  /** Restores both threads' previous affinity. */
  unpinCpuThreads(): void;
  /**
   * Faults in the pages of large fresh zero arrays on background threads (Linux); true when they were started
   * (native/src/page_in.cc). Nothing may write the arrays until pageInSettle() returns. Absent from older addons.
   */
  pageIn?(arrays: readonly (Float64Array | null)[]): boolean;
  /** Waits for pageIn's threads and releases its arrays. */
  pageInSettle?(): void;
  /** Waits until pageIn's threads are done with `array` (for a writer other than the native read-back). */
  pageInAwait?(array: Float64Array): void;
  debug: {
    sliceScalar(dtype: string, n: number, index: number): number;
    reversedCompile(x: Float64Array): { eager: Float64Array; compiled: Float64Array };
    roundTrip(bytes: ArrayBufferView, dtype: string): ArrayBuffer;
    sumFloat32(n: number, value: number): number;
    /**
     * Every node of `graph` evaluated eagerly by MLX at q (values, per node in graph order) and, under the vjp of
     * the log density, the cotangent each node sends to each of its inputs (edges[node][input]; null where the input
     * takes none). Used by check(); not on the hot path (native/src/debug_nodes.cc).
     */
    nodes(graph: GraphIR, opts: { dtype: string; device: string }, q: Float64Array):
      { logp: number; grad: Float64Array; values: Float64Array[]; edges: (Float64Array | null)[][] };
    /** The same with every node evaluated alone: on `given` input values and incoming cotangents (per node). */
    nodes(graph: GraphIR, opts: { dtype: string; device: string }, q: Float64Array,
      given: { values: readonly Float64Array[]; adjoints: readonly (Float64Array | null)[] }):
      { values: Float64Array[]; edges: (Float64Array | null)[][] };
  };
}

let cached: NativeBinding | null = null;


/** The addon, loaded once; throws a clear error (what was tried, how to build) when it cannot be loaded. */
export function loadNative(): NativeBinding {
  if (cached) return cached;
  const tried: string[] = [];
  const candidates = [process.env.MLX_NUTS_ADDON, join(packageRoot(), 'build', 'Release', 'mlx_nuts.node')]
    .filter((p): p is string => !!p).map((p) => resolve(p));
  const require = createRequire(import.meta.url);
  for (const p of candidates) {
    if (!existsSync(p)) {
      tried.push(`${p}: not found`);
      continue;
    }
    try {
      cached = require(p) as NativeBinding;
      return cached;
    } catch (e) {
      tried.push(`${p}: ${(e as Error).message}`);
    }
  }
  throw new EngineError(`[mlx-nuts] the MLX backend is not available: the native addon could not be loaded.\n  ${tried.join('\n  ')}\n` +
    'Build it with `npm run build:native` (it fetches the pinned MLX wheel with pip), or set MLX_DIR to an MLX install. ' +
    "To run without MLX, pass { backend: 'reference' }.");
}
