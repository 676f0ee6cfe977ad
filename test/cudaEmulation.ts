// Test helper: the generated CUDA kernel compiled by g++ with stub CUDA macros and run on the CPU, one loop iteration
// per thread, with the exact input packing of native/src/fused_cuda.cc. It proves on machines without a GPU that the
// CUDA source parses as C++ and that the kernel body (indexing, modes, state layout) computes what the CPU engine does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NativeFitTarget, NativeFusedCudaModel } from '../src/backend/fusedGpu.ts';
import { fdlibmSource } from '../src/codegen/fdlibm.ts';
import { loadNative, type FusedRunArgs } from '../src/backend/native.ts';
import { assembledKernel, CTL, CTL_WORDS, CUDA_INPUTS, CUDA_OUTPUTS, WARMUP_STATS, type CudaLibrary } from '../src/codegen/cuda.ts';

/** Stands in for MLX's default header and CUDA's built-ins when g++ compiles the kernel. */
export const HOST_STUB = `
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <barrier>
#include <thread>
#define __device__
#define __global__
static inline double mn_stub_ll2d(long long x) { double d; memcpy(&d, &x, 8); return d; }
#define __longlong_as_double(x) mn_stub_ll2d(x)
struct mn_stub_dim3 { unsigned int x, y, z; };
static mn_stub_dim3 blockIdx = {0, 0, 0}, blockDim = {1, 1, 1};
static thread_local mn_stub_dim3 threadIdx = {0, 0, 0};
namespace cooperative_groups {}
/* a warp's shuffles for lanes run as threads: every lane posts its value, all wait, each reads its source, all wait */
static std::barrier<>* mn_stub_warp = nullptr;
static double mn_stub_slot[32];
static double mn_stub_exchange(double x, int lane, int src) {
  mn_stub_slot[lane] = x;
  mn_stub_warp->arrive_and_wait();
  const double r = mn_stub_slot[src];
  mn_stub_warp->arrive_and_wait();
  return r;
}
static double __shfl_down_sync(unsigned, double x, int off, int w) {
  const int lane = (int)(threadIdx.x % w);
  const double r = mn_stub_exchange(x, lane, lane + off < w ? lane + off : lane);
  return lane + off < w ? r : x;
}
static double __shfl_sync(unsigned, double x, int src, int w) { return mn_stub_exchange(x, (int)(threadIdx.x % w), src); }
/* votes for one chain per thread: the emulator runs each chain's thread alone, so its warp is itself */
static unsigned __activemask() { return 1u; }
static unsigned __ballot_sync(unsigned, int p) { return p ? 1u : 0u; }
static int __popc(unsigned x) { return __builtin_popcount(x); }
/* the read-only data path is a plain read on the CPU */
template <class T> static T __ldg(const T* p) { return *p; }
`;

/**
 * The kernel source for g++, with the C++ target's fdlibm exp/log/log1p/expm1/tanh for doubles (what V8 computes):
 * float64 emulation then rounds as the CPU engine and the TypeScript host do, so paths can be compared bit for bit.
 */
function withFdlibm(lib: CudaLibrary): CudaLibrary {
  const at = lib.header.indexOf('\nDEVICE bool mn_isnan');
  if (at < 0) throw new Error('cudaEmulation: the prelude changed; cannot place fdlibm');
  return { ...lib, header: lib.header.slice(0, at) + fdlibmSource() + lib.header.slice(at) };
}

function harness(lib: CudaLibrary, depth: number): string {
  const kernel = `mlx::core::cu::custom_kernel_mn_fused_${depth}`;
  const nIn = CUDA_INPUTS.length;
  const nOut = CUDA_OUTPUTS.length;
  const args = [...CUDA_INPUTS.map((_, i) => `(const ${i === 7 ? 'int32_t' : 'uint32_t'}*)in[${i}]`), ...CUDA_OUTPUTS.map((_, i) => `out[${i}]`)];
  return `${assembledKernel(withFdlibm(lib), depth, HOST_STUB)}
int main(int argc, char** argv) {
  FILE* f = fopen(argv[1], "rb");
  long long sizes[${nIn + nOut}];
  if (fread(sizes, 8, ${nIn + nOut}, f) != ${nIn + nOut}) return 2;
  uint32_t* in[${nIn}]; uint32_t* out[${nOut}];
  for (int i = 0; i < ${nIn}; ++i) { in[i] = (uint32_t*)calloc(sizes[i] + 2, 4); if (fread(in[i], 4, sizes[i], f) != (size_t)sizes[i]) return 3; }
  for (int i = 0; i < ${nOut}; ++i) out[i] = (uint32_t*)calloc(sizes[${nIn} + i] + 2, 4);
  fclose(f);
  const unsigned int n = in[0][${CTL.n}];
  for (unsigned int t = 0; t < n; ++t) {
    if (MN_LANES == 1) { threadIdx.x = t; ${kernel}(${args.join(', ')}); continue; }
    std::barrier<> warp(MN_LANES);
    mn_stub_warp = &warp;
    std::thread lanes[MN_LANES];
    for (int l = 0; l < MN_LANES; ++l) lanes[l] = std::thread([&, l] { threadIdx.x = t * MN_LANES + l; ${kernel}(${args.join(', ')}); });
    for (int l = 0; l < MN_LANES; ++l) lanes[l].join();
  }
  FILE* g = fopen(argv[2], "wb");
  for (int i = 0; i < ${nOut}; ++i) fwrite(out[i], 4, sizes[${nIn} + i], g);
  fclose(g);
  return 0;
}
`;
}

export interface EmulatedRun {
  /** n × (2·dim + 1) doubles: [q, grad, logp] per chain. */
  readonly state: Float64Array;
  /** Chain-major n × count × dim (with clamp: n counts of draws at the clamp instead), n × count × columns, n × count × 6. */
  readonly q: Float64Array;
  readonly columns: Float64Array;
  readonly stats: Float64Array;
  /** Chain-major n × count × (1 + dim): each transition's divergence row (cause, position). */
  readonly div: Float64Array;
}

/** The rows native/src/fused_cuda.cc divergenceRows sends: [chain, transition, cause, position…] of divergent ones. */
function divergenceRows(stats: Float64Array, statWidth: number, div: Float64Array, n: number, count: number, dim: number): Float64Array {
  const rows: number[] = [];
  for (let k = 0; k < n; k++) {
    for (let it = 0; it < count; it++) {
      const src = k * count + it;
      if (stats[src * statWidth + 4] !== 1) continue;
      rows.push(k, it, ...div.subarray(src * (1 + dim), (src + 1) * (1 + dim)));
    }
  }
  return Float64Array.from(rows);
}

/** Compiles the emulator of `lib` once; returns a function running mode 0 or 1 on given inputs. */
export function cudaEmulator(lib: CudaLibrary, depth = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'mn-cuda-emu-'));
  writeFileSync(join(dir, 'k.cc'), harness(lib, depth));
  execFileSync(process.env['CXX'] || 'g++', ['-O1', '-std=c++20', '-pthread', '-ffp-contract=off', '-w', '-o', join(dir, 'k'), join(dir, 'k.cc')]);
  const dim = lib.dim;
  const cols = lib.columns;
  const words = (a: Float64Array | Uint32Array | Int32Array) => (a instanceof Float64Array ? new Uint32Array(a.buffer, a.byteOffset, a.length * 2) : new Uint32Array(a.buffer, a.byteOffset, a.length));
  const nf = lib.dataF.length + lib.preElements;
  let dataF: Float64Array | Uint32Array = lib.dtype === 'float64' ? new Float64Array(nf) : new Uint32Array(nf);
  if (dataF instanceof Float64Array) dataF.set(lib.dataF);
  else new Float32Array(dataF.buffer).set(lib.dataF);
  const call = (ins: (Float64Array | Uint32Array | Int32Array)[], outWords: number[]) => {
    const w = ins.map(words);
    const sizes = new BigInt64Array([...w.map((a) => BigInt(a.length)), ...outWords.map(BigInt)]);
    const parts = [new Uint8Array(sizes.buffer), ...w.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength))];
    writeFileSync(join(dir, 'in.bin'), Buffer.concat(parts));
    execFileSync(join(dir, 'k'), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const b = readFileSync(join(dir, 'out.bin'));
    const all = new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    const out: Uint32Array[] = [];
    let o = 0;
    for (const k of outWords) {
      out.push(all.slice(o, o + k));
      o += k;
    }
    return out;
  };
  const f64 = (w: Uint32Array) => new Float64Array(w.buffer, w.byteOffset, w.length >> 1);
  // constrained values and statistics come back in the model's real type (MN_COLUMN_T, MN_STAT_T: float in float32
  // kernels), widened here
  const colWords = lib.dtype === 'float32' ? 1 : 2;
  const reals = (w: Uint32Array) => (colWords === 1 ? Float64Array.from(new Float32Array(w.buffer, w.byteOffset, w.length)) : f64(w));
  const di = lib.dataI.length ? lib.dataI : new Int32Array(1);
  if (lib.preElements > 0) {
    // mode 2: the kernel fills the parameter-independent nodes after the data, as native/src/fused_cuda.cc setData does
    const ctl = new Uint32Array(CTL_WORDS);
    ctl[CTL.mode] = 2;
    ctl[CTL.n] = 1;
    const w = words(dataF);
    ctl[CTL.dataWords] = w.length;
    const z = new Float64Array(1);
    dataF = call([ctl, new Uint32Array(1), z, z, z, z, dataF, di, z], [w.length, 2, 2, 2, 2])[0]!;
  }
  return {
    /** Mode 0: logp, gradient and constrained columns at n points. */
    logpGrad(Q: Float64Array, n: number): { state: Float64Array; columns: Float64Array } {
      const ctl = new Uint32Array(CTL_WORDS);
      ctl[CTL.mode] = 0;
      ctl[CTL.n] = n;
      const z = new Float64Array(1);
      const [state, , columns] = call([ctl, new Uint32Array(1), z, z, z, Q, dataF, di, z],
        [2 * n * (2 * dim + 1), 2, colWords * n * Math.max(cols, 1), 2, 2]);
      return { state: f64(state!), columns: reals(columns!) };
    },
    /** Mode 1: `count` transitions of n chains (diagonal metric, one per chain). */
    run(a: { key0: number; key1: number; ids: Uint32Array; iteration: number; count: number; maxDepth: number;
      stepSizes: Float64Array; invMetric: Float64Array; state: Float64Array; clamp?: { limit: number; mask: Uint8Array } }): EmulatedRun {
      const n = a.ids.length;
      const ctl = new Uint32Array(CTL_WORDS);
      Object.assign(ctl, { [CTL.mode]: 1, [CTL.n]: n, [CTL.key0]: a.key0, [CTL.key1]: a.key1, [CTL.iteration]: a.iteration,
        [CTL.count]: a.count, [CTL.maxDepth]: a.maxDepth, [CTL.dense]: 0, [CTL.perChain]: 1, [CTL.clampCount]: a.clamp ? 1 : 0 });
      const sc = a.clamp ? Float64Array.from([a.clamp.limit, ...a.clamp.mask]) : new Float64Array(1);
      const [state, q, columns, stats, div] = call([ctl, a.ids, a.stepSizes, a.invMetric, new Float64Array(1), a.state, dataF, di, sc],
        [2 * n * (2 * dim + 1), a.clamp ? 2 * n : 2 * n * a.count * dim, colWords * n * a.count * Math.max(cols, 1), colWords * n * a.count * 6, 2 * n * a.count * (1 + dim)]);
      return { state: f64(state!), q: f64(q!), columns: reals(columns!), stats: reals(stats!), div: f64(div!) };
    },
    /** Mode 3: `count` pooled-warmup iterations (state n × (4·dim + 6) and stats n × count × 7, chain-major). */
    warmup(a: { key0: number; key1: number; ids: Uint32Array; iteration: number; count: number; maxDepth: number;
      invMetric: Float64Array; state: Float64Array; scalars: Float64Array; mode?: 3 | 4 }): { state: Float64Array; stats: Float64Array; div: Float64Array } {
      const n = a.ids.length;
      const ctl = new Uint32Array(CTL_WORDS);
      Object.assign(ctl, { [CTL.mode]: a.mode ?? 3, [CTL.n]: n, [CTL.key0]: a.key0, [CTL.key1]: a.key1, [CTL.iteration]: a.iteration,
        [CTL.count]: a.count, [CTL.maxDepth]: a.maxDepth, [CTL.dense]: 0, [CTL.perChain]: 0 });
      const z = new Float64Array(1);
      const [state, , , stats, div] = call([ctl, a.ids, z, a.invMetric, z, a.state, dataF, di, a.scalars],
        [2 * a.state.length, 2, 2, colWords * n * a.count * WARMUP_STATS, (a.mode ?? 3) === 3 ? 2 * n * a.count * (1 + dim) : 2]);
      return { state: f64(state!), stats: reals(stats!), div: f64(div!) };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The native FusedCudaModel (native/src/fused_cuda.cc) over the emulator: the same methods, packing and output order
 * (iteration-major), so that src/backend/fusedGpu.ts and sample() can be run end to end without a GPU.
 */
export class EmulatedCudaModel implements NativeFusedCudaModel {
  private emu: ReturnType<typeof cudaEmulator> | null = null;
  calls = 0;
  /** Launches of modes 1 (transitions) and 3 (native warmup) by every instance, for tests that count calls. */
  static readonly launches = { run: 0, warmup: 0, search: 0, runIterations: [] as number[], flushes: 0, overlapped: 0 };

  constructor(private readonly o: { header: string; body: string; dim: number; columns: number; realBytes: number }) {}

  setData(dataF: Float64Array, dataI: Int32Array, preElements: number): void {
    const lib = { header: this.o.header, body: this.o.body, dim: this.o.dim, columns: this.o.columns, dataF, dataI, preElements,
      dtype: this.o.realBytes === 8 ? 'float64' : 'float32' } as unknown as CudaLibrary;
    this.emu = cudaEmulator(lib);
  }

  compile(): void {}

  logpGrad(Q: Float64Array, n: number, outLogp: Float64Array, outGrad: Float64Array, outColumns: Float64Array | null): void {
    this.calls++;
    const d = this.o.dim;
    const r = this.emu!.logpGrad(Q, n);
    for (let k = 0; k < n; k++) {
      outLogp[k] = r.state[k * (2 * d + 1) + 2 * d]!;
      outGrad.set(r.state.subarray(k * (2 * d + 1) + d, k * (2 * d + 1) + 2 * d), k * d);
    }
    if (outColumns) outColumns.set(r.columns.subarray(0, n * this.o.columns));
  }

  run(a: FusedRunArgs & { sharedMetric: boolean; chainMajor?: boolean; fit?: NativeFitTarget; overlap?: boolean }): Float64Array {
    this.calls++;
    if (a.overlap) EmulatedCudaModel.launches.overlapped++;
    EmulatedCudaModel.launches.run++;
    EmulatedCudaModel.launches.runIterations.push(a.iteration);
    if (a.dense) throw new Error('EmulatedCudaModel: diagonal metrics only');
    const d = this.o.dim;
    const cols = this.o.columns;
    const n = a.chainIds.length;
    const state = new Float64Array(n * (2 * d + 1));
    for (let k = 0; k < n; k++) {
      state.set(a.q.subarray(k * d, (k + 1) * d), k * (2 * d + 1));
      state.set(a.grad.subarray(k * d, (k + 1) * d), k * (2 * d + 1) + d);
      state[k * (2 * d + 1) + 2 * d] = a.logp[k]!;
    }
    const invMetric = a.sharedMetric ? new Float64Array(n * d).map((_, i) => a.invMetric[i % d]!) : a.invMetric;
    const r = this.emu!.run({ key0: a.key0, key1: a.key1, ids: a.chainIds, iteration: a.iteration, count: a.count, maxDepth: a.maxDepth,
      stepSizes: a.stepSizes, invMetric, state, clamp: a.fit ? { limit: a.fit.clamp, mask: a.fit.clampMask } : undefined });
    if (a.fit) for (const b of [a.fit.stats, a.fit.columns]) loadNative().pageInAwait!(b); // as intoFit waits for pageIn
    for (let k = 0; k < n; k++) {
      a.q.set(r.state.subarray(k * (2 * d + 1), k * (2 * d + 1) + d), k * d);
      a.grad.set(r.state.subarray(k * (2 * d + 1) + d, k * (2 * d + 1) + 2 * d), k * d);
      a.logp[k] = r.state[k * (2 * d + 1) + 2 * d]!;
      if (a.fit) {
        // native/src/fused_cuda.cc intoFit: the fit's [chain][row][total] blocks at fit.offset, and the clamp hits the
        // kernel counted (r.q: one count per chain)
        const f = a.fit;
        for (let it = 0; it < a.count; it++) {
          const src = k * a.count + it;
          for (let c = 0; c < cols; c++) f.columns[(k * cols + c) * f.total + f.offset + it] = r.columns[src * cols + c]!;
          for (let j = 0; j < 6; j++) if (f.statRows[j]! >= 0) f.stats[(k * f.statCount + f.statRows[j]!) * f.total + f.offset + it] = r.stats[src * 6 + j]!;
        }
        f.clampHits[k] = f.clampHits[k]! + r.q[k]!;
        continue;
      }
      for (let it = 0; it < a.count; it++) {
        const row = a.chainMajor ? k * a.count + it : it * n + k;
        const src = k * a.count + it;
        a.outQ!.set(r.q.subarray(src * d, (src + 1) * d), row * d);
        a.outColumns!.set(r.columns.subarray(src * cols, (src + 1) * cols), row * cols);
        a.outStats!.set(r.stats.subarray(src * 6, (src + 1) * 6), row * 6);
      }
    }
    return divergenceRows(r.stats, 6, r.div, n, a.count, d);
  }

  warmup(a: Parameters<NativeFusedCudaModel['warmup']>[0]): Float64Array {
    this.calls++;
    if (a.mode === 4) EmulatedCudaModel.launches.search++;
    else EmulatedCudaModel.launches.warmup++;
    const r = this.emu!.warmup({ key0: a.key0, key1: a.key1, ids: a.chainIds, iteration: a.iteration, count: a.count,
      maxDepth: a.maxDepth, invMetric: a.invMetric, state: a.state, scalars: a.scalars, mode: a.mode });
    a.state.set(r.state);
    if (a.fit) { // native/src/fused_cuda.cc scatterStats: the fit's warmup rows at fit.offset
      const f = a.fit;
      loadNative().pageInAwait!(f.stats); // as placeStats waits for pageIn's threads
      for (let k = 0; k < a.chainIds.length; k++) for (let j = 0; j < a.count; j++) for (let s = 0; s < WARMUP_STATS; s++) {
        if (f.statRows[s]! >= 0) f.stats[(k * f.statCount + f.statRows[s]!) * f.total + f.offset + j] = r.stats[(k * a.count + j) * WARMUP_STATS + s]!;
      }
    } else a.outStats.set(r.stats);
    return a.mode === 4 ? new Float64Array(0) : divergenceRows(r.stats, WARMUP_STATS, r.div, a.chainIds.length, a.count, this.o.dim);
  }

  /** What deviceInfo() reports as free memory (tests of checkGpuMemory set it). */
  static freeMemory = 2 ** 40;

  /** The native model waits here for a deferred copy into the fit; the emulator copies at once, so it only counts. */
  flush(): void {
    EmulatedCudaModel.launches.flushes++;
  }
  deviceInfo(): Record<string, string | number> {
    return { device_name: 'emulated', free_memory: EmulatedCudaModel.freeMemory };
  }

  dispose(): void {
    this.emu?.dispose();
    this.emu = null;
  }
}
